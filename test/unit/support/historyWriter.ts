/**
 * A child process for the SIGKILL test: writes events through the real HistorySink as fast as it can and
 * reports, every 20 ms, how many it has offered and how many the sink has committed. Killed mid-write.
 */
import { Broadcaster } from '../../../src/core/events/broadcaster';
import { HistorySink } from '../../../src/core/events/history';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import { HistoryDatabase } from '../../../src/history/historyDatabase';
import { anEvent } from './eventBuilder';

const file = process.argv[2];
const prefix = process.argv[3] ?? 'a';
const db = HistoryDatabase.open(file, { server: 'https://crash.test', user: 'u', context: 'crash' });
const broadcaster = new Broadcaster<EventChange>({ queueLength: 10_000 });
const sink = new HistorySink(broadcaster);
sink.setBackend(db);
let offered = 0;
setInterval(() => process.stdout.write(`${Date.now()} ${offered} ${sink.written}\n`), 20);
const produce = (): void => {
  for (let i = 0; i < 200; i++) {
    if (!broadcaster.offer({ type: 'ADDED', event: anEvent({ uid: `${prefix}-${offered}`, message: 'x'.repeat(300) }) })) break;
    offered++;
  }
  setTimeout(produce, 2);
};
produce();
