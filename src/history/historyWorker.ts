// The history worker: the one thread that runs SQLite for the extension (dist/historyWorker.js, started by
// historyClient.ts). It answers historyProtocol.ts's requests one at a time, in the order they came, so the
// extension host's event loop never waits for a write, a read or a prune (docs/ARCHITECTURE.md §10). The
// cross-window locks, the waits for another window and the damaged-file handling of historyDatabase.ts run
// here unchanged: the locks are held per handle, and a worker is a thread of the same process.
import { parentPort } from 'node:worker_threads';
import { HistoryError } from '../core/events/history';
import { deleteHistoryFile, HistoryDatabase, readHistoryMeta } from './historyDatabase';
import type { WorkerAnswer, WorkerAnswers, WorkerRequest, WorkerRequestBody } from './historyProtocol';

const port = parentPort;
if (!port) throw new Error('historyWorker.js runs as a worker thread (it is started by the history client)');

const open = new Map<number, HistoryDatabase>();
let nextHandle = 1;
/** Requests not started yet: a prune takes up what arrived between two of its steps. */
const queue: WorkerRequest[] = [];
let busy = false;

function db(handle: number): HistoryDatabase {
  const found = open.get(handle);
  if (!found) throw new HistoryError('io', 'history is closed');
  return found;
}

/** Removes what is due, a step of at most `chunk` rows at a time, with the queued requests run between steps. */
async function prune(d: HistoryDatabase, req: Extract<WorkerRequestBody, { kind: 'prune' }>): Promise<WorkerAnswers['prune']> {
  let removed = 0;
  let steps = 0;
  for (;;) {
    // Closed meanwhile (a request between two steps): what was removed stays removed.
    if (!open.has(req.handle)) return { removed, steps };
    const step = d.prune(req.olderThan, req.maxBytes, req.chunk);
    steps++;
    removed += step;
    if (step === 0) return { removed, steps };
    await runQueued();
  }
}

/** Runs the requests that arrived while a prune step ran; each is answered before the prune goes on. */
async function runQueued(): Promise<void> {
  // A turn of the event loop: messages posted meanwhile are delivered into the queue.
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (queue.length > 0) await handle(queue.shift()!);
}

/** The answer's value, or a promise of it (a prune). @throws HistoryError */
function answer(req: WorkerRequestBody): unknown {
  switch (req.kind) {
    case 'open': {
      const d = req.writerOnly
        ? HistoryDatabase.tryOpenWriter(req.file, req.cluster, { moveAside: req.moveAside })
        : HistoryDatabase.open(req.file, req.cluster);
      if (!d) return undefined;
      const handle = nextHandle++;
      open.set(handle, d);
      return { handle, file: d.file, mode: d.mode, notes: d.notes } satisfies WorkerAnswers['open'];
    }
    case 'write':
      return db(req.handle).write(req.changes);
    case 'query':
      return db(req.handle).query(req.filter);
    case 'stats':
      return db(req.handle).stats();
    case 'prune':
      return prune(db(req.handle), req);
    case 'clear':
      return db(req.handle).clear();
    case 'check':
      return db(req.handle).check();
    case 'limitPages':
      return db(req.handle).limitPages(req.pages);
    case 'close': {
      const d = open.get(req.handle);
      open.delete(req.handle);
      d?.dispose();
      return undefined;
    }
    case 'meta':
      return readHistoryMeta(req.file);
    case 'delete':
      return deleteHistoryFile(req.file);
    case 'shutdown':
      for (const d of open.values()) d.dispose();
      open.clear();
      return undefined;
    default: {
      const never: never = req;
      throw new HistoryError('io', `unknown request ${JSON.stringify(never)}`);
    }
  }
}

async function handle(req: WorkerRequest): Promise<void> {
  let reply: WorkerAnswer;
  try {
    reply = { id: req.id, ok: true, value: await answer(req) };
  } catch (err) {
    const failure = HistoryError.from(err);
    reply = { id: req.id, ok: false, reason: failure.reason, message: failure.message };
  }
  port!.postMessage(reply);
  if (req.kind === 'shutdown') port!.close();
}

port.on('message', (req: WorkerRequest) => {
  queue.push(req);
  if (busy) return;
  busy = true;
  void (async () => {
    try {
      while (queue.length > 0) await handle(queue.shift()!);
    } finally {
      busy = false;
    }
  })();
});
