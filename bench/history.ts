/**
 * History figures for `npm run bench`, through the history worker as the extension runs it (dist/historyWorker.js,
 * built by `node esbuild.mjs`): the sink's write rate through the broadcaster at its default queue, filling to
 * 1,000,000 rows, `since:7d reason:BackOff` over them, seeding the newest 50,000 into the store, bytes per stored
 * event, and pruning back under a size cap. Beside the write and the prune, what the extension host's own thread
 * felt meanwhile: its event-loop delay (p99 and max, perf_hooks' histogram at 10 ms resolution) and
 * utilisation, and during the prune how long a small query (what a view asks) waited for its answer.
 * Reported, never asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Broadcaster } from '../src/core/events/broadcaster';
import { EventStore } from '../src/core/events/eventStore';
import { HistorySink, planHistoryQuery } from '../src/core/events/history';
import { normalizeEvent, type EventChange, type KubeEvent } from '../src/core/events/kubeEvent';
import { parseQuery } from '../src/core/query/parse';
import { HistoryWorkerClient } from '../src/history/historyClient';
import { historyWorkerFile } from '../test/support/historyWorkerFile';
import { eventJson } from './events';
import { log as benchLog } from './stats';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const SINK_EVENTS = Math.min(ROWS, 200_000);
/**
 * The parts to run (BENCH_HISTORY_PARTS, comma-separated; all by default): sink, fill, query, seed, prune. The
 * fill writes what the sink did not, so that query, seed and prune find ROWS rows.
 */
const PARTS = new Set((process.env.BENCH_HISTORY_PARTS ?? 'sink,fill,query,seed,prune').split(',').filter(Boolean));
const DAY = 86_400_000;
/** Rows per prune step: the extension's (src/history/historyService.ts). */
const PRUNE_CHUNK = 1_000;

/** CPU seconds of the whole process (the worker's thread included) since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** The main thread's event-loop delay and utilisation while `work` runs. */
async function onMainThread<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; delayP99: number; delayMax: number; utilisation: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const elu = performance.eventLoopUtilization();
  delay.enable();
  const t = performance.now();
  const value = await work();
  const ms = performance.now() - t;
  delay.disable();
  const used = performance.eventLoopUtilization(elu);
  return { value, ms, delayP99: +(delay.percentile(99) / 1e6).toFixed(1), delayMax: +(delay.max / 1e6).toFixed(1), utilisation: +used.utilization.toFixed(3) };
}

export async function benchHistory(makeEvent: (i: number) => KubeEvent, log: (m: string) => void): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-history-'));
  const file = path.join(dir, 'history.sqlite');
  const client = new HistoryWorkerClient(historyWorkerFile());
  const db = (await client.open(file, { server: 'https://bench', user: 'bench', context: 'bench' }))!;
  const now = Date.now();
  // Ten days of events, evenly spread, newest last; 10 % are BackOff warnings. Each is a copy of one of 1,000
  // normalised events with its own uid, name and time, so making them costs the host's thread next to nothing
  // and what the figures below show of it is the history's.
  const templates = Array.from({ length: 1000 }, (_, i) => makeEvent(i));
  const at = (i: number): KubeEvent => {
    const lastSeen = now - Math.round(((ROWS - i) / ROWS) * 10 * DAY);
    return { ...templates[i % 1000], uid: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`, name: `ev.${i.toString(16)}`, lastSeen, lastTimestamp: lastSeen };
  };
  const figures: Record<string, number> = {};
  try {
    // 1. Through the broadcaster (default queue, 1000) and the sink, as in the extension, until all is on disk.
    const sunk = PARTS.has('sink') ? SINK_EVENTS : 0;
    if (PARTS.has('sink')) {
      const broadcaster = new Broadcaster<EventChange>();
      const sink = new HistorySink(broadcaster);
      sink.setBackend(db);
      let refused = 0;
      const cpu0 = process.cpuUsage();
      const sinkRun = await onMainThread(async () => {
        for (let i = 0; i < SINK_EVENTS; ) {
          for (let k = 0; k < 1000 && i < SINK_EVENTS; k++, i++) if (!broadcaster.offer({ type: 'ADDED', event: at(i) })) refused++;
          await new Promise((r) => setImmediate(r));
        }
        while (sink.written + sink.dropped + refused < SINK_EVENTS) await new Promise((r) => setTimeout(r, 5));
        await sink.flush();
      });
      const sinkSeconds = sinkRun.ms / 1000;
      const sinkCpu = cpuSeconds(cpu0);
      const dropped = sink.dropped + refused;
      sink.dispose();
      log(`history sink: ${SINK_EVENTS} events in ${sinkSeconds.toFixed(2)} s, ${dropped} dropped; main thread: delay p99 ${sinkRun.delayP99} ms, max ${sinkRun.delayMax} ms, busy ${sinkRun.utilisation}`);
      Object.assign(figures, {
        history_sink_events_per_s: Math.round(SINK_EVENTS / sinkSeconds),
        // Wall time on a shared machine varies with its load; CPU time (user + system, both threads) says what it costs.
        history_sink_events_per_cpu_s: Math.round(SINK_EVENTS / sinkCpu),
        history_sink_dropped: dropped,
        history_sink_main_delay_p99_ms: sinkRun.delayP99,
        history_sink_main_delay_max_ms: sinkRun.delayMax,
        history_sink_main_utilisation: sinkRun.utilisation,
      });
    }

    // 2. Fill to ROWS directly, 10,000 changes per request.
    if (!['fill', 'query', 'seed', 'prune'].some((p) => PARTS.has(p))) return figures;
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    for (let i = sunk; i < ROWS; ) {
      const batch: EventChange[] = [];
      for (let k = 0; k < 10_000 && i < ROWS; k++, i++) batch.push({ type: 'ADDED', event: at(i) });
      await db.write(batch);
    }
    const fillSeconds = (performance.now() - t1) / 1000;
    const fillCpu = cpuSeconds(cpu1);
    const { events, bytes } = await db.stats();
    log(`history: ${events} rows, ${(bytes / 1e6).toFixed(0)} MB, filled at ${Math.round((ROWS - sunk) / fillSeconds)} rows/s`);
    Object.assign(figures, {
      history_fill_rows_per_s: Math.round((ROWS - sunk) / fillSeconds),
      history_fill_rows_per_cpu_s: Math.round((ROWS - sunk) / fillCpu),
      history_rows: events,
      history_bytes_per_event: Math.round(bytes / events),
    });

    // 3. since:7d reason:BackOff, newest first, one page (what the tree and the timeline load), median of 5.
    if (PARTS.has('query')) {
      const parsed = parseQuery('since:7d reason:BackOff');
      if (!parsed.ok) throw new Error(parsed.message);
      const times: number[] = [];
      let rows = 0;
      for (let r = 0; r < 5; r++) {
        const t = performance.now();
        rows = (await db.query(planHistoryQuery(parsed.value, Date.now(), 5_000))).length;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      Object.assign(figures, { history_query_since7d_backoff_ms: +times[2].toFixed(1), history_query_rows: rows });
    }

    // 4. Seeding the newest 50,000 into the store, as at start-up.
    if (PARTS.has('seed')) {
      const store = new EventStore({ capacity: 50_000 });
      const seed = await onMainThread(async () => {
        const seeded = (await db.query({ limit: 50_000 })).reverse();
        store.applyBatch(seeded.map((event) => ({ type: 'ADDED' as const, event })));
      });
      log(`history seed: ${store.size} events in ${Math.round(seed.ms)} ms; main thread: delay max ${seed.delayMax} ms`);
      Object.assign(figures, { history_seed_50k_ms: Math.round(seed.ms), history_seed_50k_main_delay_max_ms: seed.delayMax });
    }

    // 5. Pruning back under a cap of 80 % of the size, as the extension does, while a view asks for a page
    //    every 100 ms: the prune runs in steps, and the view's query is answered between two of them.
    if (PARTS.has('prune')) {
      const cap = Math.round(bytes * 0.8);
      const waits: number[] = [];
      let pruning = true;
      const asking = (async () => {
        // From when the view asks (its timer was due) to the answer: a blocked thread counts too.
        let due = performance.now();
        while (pruning) {
          const t = due;
          await db.query({ limit: 100 });
          waits.push(performance.now() - t);
          due = performance.now() + 100;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const prune = await onMainThread(async () => {
        const r = await db.prune(0, cap, PRUNE_CHUNK);
        pruning = false;
        return r;
      });
      await asking;
      waits.sort((a, b) => a - b);
      const after = await db.stats();
      log(`history prune: ${prune.value.removed} rows in ${prune.value.steps} steps, ${Math.round(prune.ms)} ms; main thread: delay p99 ${prune.delayP99} ms, max ${prune.delayMax} ms; a view's query answered in p95 ${waits[Math.floor(waits.length * 0.95)]?.toFixed(0)} ms`);
      Object.assign(figures, {
        history_prune_to_cap_ms: Math.round(prune.ms),
        history_prune_rows: prune.value.removed,
        history_prune_main_delay_p99_ms: prune.delayP99,
        history_prune_main_delay_max_ms: prune.delayMax,
        history_prune_view_query_p95_ms: +(waits[Math.floor(waits.length * 0.95)] ?? 0).toFixed(1),
        history_bytes_after_prune_vs_cap: +(after.bytes / cap).toFixed(3),
      });
    }
    return figures;
  } finally {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Bundled into out/bench/run.js too (which calls benchHistory): only out/bench/history.js runs on its own,
// `node out/bench/history.js` (BENCH_HISTORY_ROWS and BENCH_HISTORY_PARTS as above).
if (require.main === module && path.basename(__filename) === 'history.js') {
  const makeEvent = (i: number): KubeEvent => normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1')!;
  benchLog(`history bench: ${ROWS} rows, parts ${[...PARTS].join(',')} (load ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')})`);
  benchHistory(makeEvent, benchLog).then(
    (figures) => {
      console.log(JSON.stringify({ ...figures, load_end: os.loadavg()[0] }));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
