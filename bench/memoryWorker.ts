/**
 * The history worker's share of the extension host's RSS (bench/memory.ts runs it, one fresh process per run): the
 * real worker (dist/historyWorker.js, started by the real HistoryWorkerClient) opens a history file and is sent the
 * 50,000 events as the history sink sends them, in parts of 5,000. A worker is a thread of the host's process, so
 * what it adds is RSS (its own V8 heap, SQLite's compiled WebAssembly and memory, its threads' malloc arenas),
 * which the host's heap figures never see. Prints one `MEMORY {json}` line, in MB:
 *   history_worker_open_rss:  the process's RSS growth once the worker has opened the file;
 *   history_worker_rss:       the RSS growth once it has written the 50,000 (and two seconds later).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeEvent, type EventChange } from '../src/core/events/kubeEvent';
import { HistoryWorkerClient } from '../src/history/historyClient';
import { WRITE_CHUNK } from '../src/history/historySchema';
import { eventJson } from './events';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 50_000);
const MB = 1e6;

function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const changes: EventChange[] = [];
  for (let i = 0; i < EVENTS; i++) changes.push({ type: 'ADDED', event: normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1')! });
  const worker = path.resolve(__dirname, '../../dist/historyWorker.js');
  if (!fs.existsSync(worker)) throw new Error('run `node esbuild.mjs` first: no dist/historyWorker.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-worker-'));
  const client = new HistoryWorkerClient(worker);
  try {
    const rss0 = rss();
    const db = await client.open(path.join(dir, 'history.sqlite'), { server: 'https://bench', user: 'bench', context: 'bench' });
    if (!db) throw new Error('the history worker opened nothing');
    const opened = rss();
    for (let i = 0; i < changes.length; i += WRITE_CHUNK) await db.write(changes.slice(i, i + WRITE_CHUNK));
    await new Promise((r) => setTimeout(r, 2000));
    const written = rss();
    console.log(`MEMORY ${JSON.stringify({ history_worker_open_rss: +((opened - rss0) / MB).toFixed(1), history_worker_rss: +((written - rss0) / MB).toFixed(1) })}`);
  } finally {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
