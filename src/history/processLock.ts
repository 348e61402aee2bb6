import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * An exclusive lock between processes that the operating system lets go of when its holder dies, taken
 * without waiting (docs/ARCHITECTURE.md §10). History shares a database between VS Code windows with two of
 * them: who writes, and who is inside the database right now.
 *
 * Node has no flock(), so each platform uses what it has that the kernel both makes exclusive and frees
 * with the process:
 * - Linux: a listening Unix socket in the abstract namespace. A second bind of the name fails
 *   (EADDRINUSE); the name is gone the moment its holder's socket is closed, by it or by its death. No file.
 * - Windows: a named pipe server, the way VS Code keeps one instance per user: the first instance of a name
 *   is exclusive and the name goes with the process.
 * - macOS and the BSDs: a lock file opened with O_EXLOCK | O_NONBLOCK, which is flock() taken atomically by
 *   open(2); closing the file, or dying, unlocks it. The file itself stays (an unlinked lock file would let
 *   two holders lock two different files).
 * Every lock is held per handle, not per process, so two openers in one process exclude each other too.
 * Listening and binding happen synchronously inside `listen()` (only its events are deferred), so
 * `server.listening` answers at once; the database is synchronous and so is this.
 */
export interface ProcessLock {
  /** Lets go; safe to call twice. */
  release(): void;
}

/** open(2)'s O_EXLOCK on macOS and the BSDs; Node does not export it. */
const O_EXLOCK = 0x20;

function socketName(lockFile: string): string {
  const hash = createHash('sha256').update(process.platform === 'win32' ? lockFile.toLowerCase() : lockFile).digest('hex').slice(0, 32);
  return process.platform === 'win32' ? `\\\\.\\pipe\\kube-events-${hash}` : `\0kube-events/${hash}`;
}

function socketLock(name: string): ProcessLock | undefined {
  const server = net.createServer((socket) => socket.destroy());
  // A taken name is reported as an 'error' event a tick later; `listening` already says so.
  server.on('error', () => undefined);
  server.listen(name);
  if (!server.listening) {
    server.close();
    return undefined;
  }
  server.unref();
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      server.close();
    },
  };
}

function fileLock(lockFile: string): ProcessLock | undefined {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NONBLOCK | O_EXLOCK, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return undefined;
    throw err;
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      fs.closeSync(fd);
    },
  };
}

/** How locks are taken: by the platform's means, or (tests) a named one on Linux. */
export type LockMethod = 'socket' | 'file';

function defaultLockMethod(): LockMethod {
  return process.platform === 'linux' || process.platform === 'win32' ? 'socket' : 'file';
}

/**
 * Takes the lock named by `lockFile` (a path: the file itself on macOS, a name derived from it elsewhere),
 * or returns undefined when another holder has it. @throws when the platform refuses for another reason
 */
export function tryLock(lockFile: string, method: LockMethod = defaultLockMethod()): ProcessLock | undefined {
  return method === 'socket' ? socketLock(socketName(lockFile)) : fileLock(lockFile);
}
