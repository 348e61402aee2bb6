/**
 * Capture figures for `npm run bench` (issue 22: "how opening a capture of 100,000 events compares with seeding
 * from history; target first rows ≤ 1 s"). The same N events (bench/events.ts) are
 * - written as a capture (src/capture/captureFile.ts): the time, and the file's bytes per event;
 * - opened: the whole file read, gunzipped and decoded (`readCapture`, all or nothing: what a view can show), and
 *   into a store; and, beside it, how soon the decoder holds its first 200 events (the file read and gunzipped
 *   whole, then lines decoded until 200 are), what a streaming reader could show first;
 * - written to a history database through the history worker (as bench/history.ts does), then seeded from it as
 *   HistoryService.seed does at start-up: one query for the newest N, reversed, into a store of capacity N, for
 *   N = 100,000 (the whole capture) and 50,000 (the default store's capacity, what a user's window seeds); and its
 *   first 200 (a query of the newest 200).
 * Opening is all or nothing (a bad file changes nothing), so a capture's first rows are its `open_into_store`:
 * issue 22's target is ≤ 1 s. Ratios are capture over history (below 1: the capture is faster). Reported, never
 * asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { readCapture, writeCapture } from '../src/capture/captureFile';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture } from '../src/core/capture/capture';
import { CaptureDecoder } from '../src/core/capture/captureCodec';
import { DEFAULT_STORE_CAPACITY, EventStore } from '../src/core/events/eventStore';
import type { EventChange, KubeEvent } from '../src/core/events/kubeEvent';
import { HistoryWorkerClient } from '../src/history/historyClient';
import { historyWorkerFile } from '../test/support/historyWorkerFile';
import { spread, type Spread } from './stats';

const EVENTS = 100_000;
const FIRST = 200;

/** Milliseconds since `t`. */
const since = (t: number): number => performance.now() - t;

/** The capture's file read and gunzipped whole, then decoded line by line until `FIRST` events are held. */
async function firstEvents(file: string): Promise<number> {
  const t = performance.now();
  const data = await promisify(zlib.gunzip)(await fs.promises.readFile(file));
  const decoder = new CaptureDecoder();
  let n = 0;
  for (let start = 0; decoder.events < FIRST && start < data.length; ) {
    const end = data.indexOf(0x0a, start);
    const problem = decoder.line(data.toString('utf8', start, end), ++n);
    if (problem) throw new Error(problem.message);
    start = end + 1;
  }
  return since(t);
}

export async function benchCapture(makeEvent: (i: number) => KubeEvent, runs: number, log: (m: string) => void): Promise<Record<string, Spread>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-capture-'));
  const file = path.join(dir, 'bench.kube-events.gz');
  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
  const capture: Capture = {
    header: {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      created: new Date().toISOString(),
      from: events[0].firstSeen,
      to: events[EVENTS - 1].lastSeen,
      query: '',
      clusters: [{ name: 'bench', id: '000000000000000000000000' }],
      origin: 'kube-events',
    },
    events,
    owners: [],
    sessions: [],
  };
  const client = new HistoryWorkerClient(historyWorkerFile());
  const db = (await client.open(path.join(dir, 'history.sqlite'), { server: 'https://bench', user: 'bench', context: 'bench' }))!;
  const figures: Record<string, number[]> = {
    capture_write_100k_ms: [],
    capture_bytes_per_event: [],
    capture_open_first200_ms: [],
    capture_open_all_ms: [],
    capture_open_into_store_ms: [],
    history_seed_first200_ms: [],
    history_seed_100k_into_store_ms: [],
    history_seed_50k_into_store_ms: [],
  };
  try {
    for (let i = 0; i < EVENTS; ) {
      const batch: EventChange[] = [];
      for (let k = 0; k < 10_000 && i < EVENTS; k++, i++) batch.push({ type: 'ADDED', event: events[i] });
      await db.write(batch);
    }
    for (let r = 0; r < runs; r++) {
      fs.rmSync(file, { force: true });
      let t = performance.now();
      await writeCapture(file, capture);
      figures.capture_write_100k_ms.push(since(t));
      figures.capture_bytes_per_event.push(fs.statSync(file).size / EVENTS);

      figures.capture_open_first200_ms.push(await firstEvents(file));
      t = performance.now();
      const read = await readCapture(file);
      if (!read.ok) throw new Error(read.message);
      figures.capture_open_all_ms.push(since(t));
      const store = new EventStore({ capacity: EVENTS });
      store.applyBatch(read.value.events.map((event) => ({ type: 'ADDED' as const, event })));
      figures.capture_open_into_store_ms.push(since(t));
      if (store.size !== EVENTS) throw new Error(`the capture gave ${store.size} events`);

      t = performance.now();
      await db.query({ limit: FIRST });
      figures.history_seed_first200_ms.push(since(t));
      for (const [n, figure] of [
        [EVENTS, figures.history_seed_100k_into_store_ms],
        [DEFAULT_STORE_CAPACITY, figures.history_seed_50k_into_store_ms],
      ] as const) {
        t = performance.now();
        const seeded = (await db.query({ limit: n })).reverse();
        const seededStore = new EventStore({ capacity: n });
        seededStore.applyBatch(seeded.map((event) => ({ type: 'ADDED' as const, event })));
        figure.push(since(t));
        if (seededStore.size !== n) throw new Error(`history seeded ${seededStore.size} events, not ${n}`);
      }
      log(
        `capture run ${r + 1}: write ${figures.capture_write_100k_ms[r].toFixed(0)} ms, ${figures.capture_bytes_per_event[r].toFixed(1)} B/event; ` +
          `open: first ${FIRST} ${figures.capture_open_first200_ms[r].toFixed(0)} ms, all ${figures.capture_open_all_ms[r].toFixed(0)} ms, into a store ${figures.capture_open_into_store_ms[r].toFixed(0)} ms; ` +
          `history seed: first ${FIRST} ${figures.history_seed_first200_ms[r].toFixed(0)} ms, 100k into a store ${figures.history_seed_100k_into_store_ms[r].toFixed(0)} ms, ` +
          `50k ${figures.history_seed_50k_into_store_ms[r].toFixed(0)} ms; load ${os.loadavg()[0].toFixed(2)}`,
      );
    }
  } finally {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const out: Record<string, Spread> = {};
  for (const [k, v] of Object.entries(figures)) out[k] = spread(v, k === 'capture_bytes_per_event' ? 1 : 0);
  const ratio = (a: string, b: string): number[] => figures[a].map((x, i) => x / figures[b][i]);
  out.capture_vs_history_first200 = spread(ratio('capture_open_first200_ms', 'history_seed_first200_ms'), 2);
  out.capture_vs_history_100k_into_store = spread(ratio('capture_open_into_store_ms', 'history_seed_100k_into_store_ms'), 2);
  out.capture_vs_history_50k_into_store = spread(ratio('capture_open_into_store_ms', 'history_seed_50k_into_store_ms'), 2);
  return out;
}
