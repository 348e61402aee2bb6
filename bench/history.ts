/**
 * History figures for `npm run bench`: the sink's write rate through the broadcaster at its default queue,
 * `since:7d reason:BackOff` over 1,000,000 stored events, seeding the newest 50,000 into the store, bytes
 * per stored event, and pruning back under a size cap. Reported, never asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broadcaster } from '../src/core/events/broadcaster';
import { EventStore } from '../src/core/events/eventStore';
import { HistorySink, planHistoryQuery } from '../src/core/events/history';
import type { EventChange, KubeEvent } from '../src/core/events/kubeEvent';
import { parseQuery } from '../src/core/query/parse';
import { HistoryDatabase } from '../src/history/historyDatabase';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const SINK_EVENTS = 200_000;
const DAY = 86_400_000;

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export async function benchHistory(makeEvent: (i: number) => KubeEvent, log: (m: string) => void): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-history-'));
  const file = path.join(dir, 'history.sqlite');
  const db = HistoryDatabase.open(file, { server: 'https://bench', user: 'bench', context: 'bench' });
  const now = Date.now();
  // Ten days of events, evenly spread, newest last; 10 % are BackOff warnings.
  const at = (i: number): KubeEvent => ({ ...makeEvent(i), lastSeen: now - Math.round(((ROWS - i) / ROWS) * 10 * DAY) });
  try {
    // 1. Through the broadcaster (default queue, 1000) and the sink, as in the extension.
    const broadcaster = new Broadcaster<EventChange>();
    const sink = new HistorySink(broadcaster);
    sink.setBackend(db);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let refused = 0;
    for (let i = 0; i < SINK_EVENTS; ) {
      for (let k = 0; k < 1000 && i < SINK_EVENTS; k++, i++) if (!broadcaster.offer({ type: 'ADDED', event: at(i) })) refused++;
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    sink.flush();
    const sinkSeconds = (performance.now() - t0) / 1000;
    const sinkCpu = cpuSeconds(cpu0);
    const dropped = sink.dropped + refused;
    sink.dispose();
    log(`history sink: ${SINK_EVENTS} events in ${sinkSeconds.toFixed(2)} s, ${dropped} dropped`);

    // 2. Fill to ROWS directly, in the sink's batch size.
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    for (let i = SINK_EVENTS; i < ROWS; ) {
      const batch: EventChange[] = [];
      for (let k = 0; k < 10_000 && i < ROWS; k++, i++) batch.push({ type: 'ADDED', event: at(i) });
      db.write(batch);
    }
    const fillSeconds = (performance.now() - t1) / 1000;
    const fillCpu = cpuSeconds(cpu1);
    const { events, bytes } = db.stats();
    log(`history: ${events} rows, ${(bytes / 1e6).toFixed(0)} MB, filled at ${Math.round((ROWS - SINK_EVENTS) / fillSeconds)} rows/s`);

    // 3. since:7d reason:BackOff, newest first, one page (what the tree and the timeline load), median of 5.
    const parsed = parseQuery('since:7d reason:BackOff');
    if (!parsed.ok) throw new Error(parsed.message);
    const times: number[] = [];
    let rows = 0;
    const cpuTimes: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      const c = process.cpuUsage();
      rows = db.query(planHistoryQuery(parsed.value, Date.now(), 5_000)).length;
      times.push(performance.now() - t);
      cpuTimes.push(cpuSeconds(c) * 1000);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);

    // 4. Seeding the newest 50,000 into the store, as at start-up.
    const store = new EventStore({ capacity: 50_000 });
    const t3 = performance.now();
    const cpu3 = process.cpuUsage();
    const seeded = db.query({ limit: 50_000 }).reverse();
    store.applyBatch(seeded.map((event) => ({ type: 'ADDED' as const, event })));
    const seedMs = performance.now() - t3;
    const seedCpuMs = cpuSeconds(cpu3) * 1000;

    // 5. Pruning back under a cap of 80 % of the size, a chunk at a time as the extension does.
    const cap = Math.round(bytes * 0.8);
    const t4 = performance.now();
    let chunks = 0;
    while (db.prune(0, cap, 500) > 0) chunks++;
    const pruneMs = performance.now() - t4;
    return {
      // Wall time on a shared machine varies with its load; CPU time (user + system) says what it costs.
      history_sink_events_per_s: Math.round(SINK_EVENTS / sinkSeconds),
      history_sink_events_per_cpu_s: Math.round(SINK_EVENTS / sinkCpu),
      history_sink_dropped: dropped,
      history_fill_rows_per_s: Math.round((ROWS - SINK_EVENTS) / fillSeconds),
      history_fill_rows_per_cpu_s: Math.round((ROWS - SINK_EVENTS) / fillCpu),
      history_rows: events,
      history_bytes_per_event: Math.round(bytes / events),
      history_query_since7d_backoff_ms: +times[2].toFixed(1),
      history_query_since7d_backoff_cpu_ms: +cpuTimes[2].toFixed(1),
      history_query_rows: rows,
      history_seed_50k_ms: Math.round(seedMs),
      history_seed_50k_cpu_ms: Math.round(seedCpuMs),
      history_prune_to_cap_ms: Math.round(pruneMs),
      history_prune_chunk_ms: chunks ? +(pruneMs / chunks).toFixed(1) : 0,
      history_bytes_after_prune_vs_cap: +(db.stats().bytes / cap).toFixed(3),
    };
  } finally {
    db.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
