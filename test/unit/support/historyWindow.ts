/**
 * A child process standing in for one VS Code window's extension host: it runs the real HistoryService on
 * a shared history folder as compose does (a broadcaster feeding the store and the history sink), produces
 * events steadily, and, while it only reads, reads the newest 5,000 events back to back, as a window loading
 * `since:` would. It reports its state as one JSON line every 50 ms and at once when its mode changes.
 *
 * argv: <history dir> <name> [wait] [idle]: with `wait` it opens the history only when a line arrives on
 * stdin, so the test can start several at the same moment; with `idle` it produces nothing, so a kill finds
 * it between transactions.
 */
import * as readline from 'node:readline';
import { Broadcaster } from '../../../src/core/events/broadcaster';
import { EventStore } from '../../../src/core/events/eventStore';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import { HistoryService, type HistoryNotice } from '../../../src/history/historyService';
import { historyWorkerFile } from '../../support/historyWorkerFile';
import { anEvent } from './eventBuilder';

const [dir, name, ...flags] = process.argv.slice(2);
const CLUSTER = { server: 'https://race.test', user: 'u', context: 'race' };

const broadcaster = new Broadcaster<EventChange>({ queueLength: 10_000 });
const store = new EventStore({ capacity: 2_000 });
broadcaster.watch((batch) => void store.applyBatch(batch), { name: 'store' });
const notices: HistoryNotice[] = [];
/** The service's last log lines, for a failing test's message. */
const said: string[] = [];
const keep = (m: string): void => {
  said.push(m);
  if (said.length > 4) said.shift();
};
const service = new HistoryService({
  dir,
  broadcaster,
  store,
  settings: () => ({ enabled: true, retentionDays: 7, maxMegabytes: 500 }),
  onNotice: (n) => notices.push(n),
  flushMs: 100,
  workerFile: historyWorkerFile(),
  logger: { trace: () => undefined, debug: keep, info: keep, warn: keep, error: keep },
});

let offered = 0;
let reads = 0;
let readFailures = 0;
let lastMode = '';

function report(): void {
  const mode = service.database?.mode ?? 'none';
  process.stdout.write(`${JSON.stringify({ name, pid: process.pid, at: Date.now(), mode, offered, reads, readFailures, notices, said, ...service.writes })}\n`);
  lastMode = mode;
}

function start(): void {
  void service.open(CLUSTER);
  report();
  setInterval(report, 50);
  // Reports a change of mode (a take-over) the moment it happens, not at the next tick.
  setInterval(() => (service.database?.mode ?? 'none') !== lastMode && report(), 2);
  const produce = (): void => {
    if (flags.includes('idle')) return;
    for (let i = 0; i < 20; i++) {
      if (!broadcaster.offer({ type: 'ADDED', event: anEvent({ uid: `${name}-${offered}`, message: 'm'.repeat(200), lastSeen: Date.now() }) })) break;
      offered++;
    }
    setTimeout(produce, 20);
  };
  produce();
  const read = async (): Promise<void> => {
    const db = service.database;
    if (db?.mode === 'readOnly') {
      try {
        await db.query({ limit: 5_000 });
        reads++;
      } catch {
        readFailures++;
      }
    }
    setTimeout(() => void read(), 20);
  };
  void read();
}

if (flags.includes('wait')) readline.createInterface({ input: process.stdin }).once('line', start);
else start();
