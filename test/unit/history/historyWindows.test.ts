import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryDatabase } from '../../../src/history/historyDatabase';
import { historyFileName } from '../../../src/history/historyFiles';
import { waitFor } from '../../support/waitFor';

/**
 * Several windows on one cluster's history, as real processes (support/historyWindow.ts runs the history
 * service as an extension host does), raced and SIGKILLed: one writer at any time, a killed writer's
 * successor within a second or two, a killed reader harmless (docs/ARCHITECTURE.md §10).
 */

interface State {
  readonly name: string;
  readonly pid: number;
  readonly at: number;
  readonly mode: 'readWrite' | 'readOnly' | 'none';
  readonly offered: number;
  readonly reads: number;
  readonly readFailures: number;
  readonly notices: ReadonlyArray<{ kind: string; reason?: string }>;
}

/** One window: its last state, and every time it became the writer and stopped being it. */
class Window {
  state: State | undefined;
  /** [became writer, stopped (kill sent or mode left)] in epoch ms; open intervals end at Infinity. */
  readonly writing: Array<[number, number]> = [];
  killedAt: number | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) this.take(JSON.parse(line) as State);
    });
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  private take(s: State): void {
    const was = this.state?.mode;
    this.state = s;
    if (s.mode === 'readWrite' && was !== 'readWrite') this.writing.push([s.at, Infinity]);
    if (s.mode !== 'readWrite' && was === 'readWrite') this.writing[this.writing.length - 1][1] = s.at;
  }

  get alive(): boolean {
    return this.killedAt === undefined;
  }

  get mode(): string | undefined {
    return this.alive ? this.state?.mode : undefined;
  }

  async kill(): Promise<number> {
    this.killedAt = Date.now();
    this.child.kill('SIGKILL');
    const open = this.writing.at(-1);
    if (open && open[1] === Infinity) open[1] = this.killedAt;
    await this.exited;
    return this.killedAt;
  }
}

let dir: string;
let windows: Window[] = [];
let serial = 0;

function startWindow(opts: { wait?: boolean; idle?: boolean } = {}): Window {
  const name = `w${serial++}`;
  const flags = [...(opts.wait ? ['wait'] : []), ...(opts.idle ? ['idle'] : [])];
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'support', 'historyWindow.js'), dir, name, ...flags], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const w = new Window(name, child);
  windows.push(w);
  return w;
}

const writers = (): Window[] => windows.filter((w) => w.mode === 'readWrite');

/** Fails if two windows ever wrote at once: every pair of writing intervals is disjoint. */
function assertOneWriterAtATime(): void {
  const all = windows.flatMap((w) => w.writing.map(([from, to]) => ({ name: w.name, from, to })));
  all.sort((a, b) => a.from - b.from);
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1], all[i]];
    assert.ok(b.from >= a.to, `${a.name} and ${b.name} both wrote at once (${a.name} from ${a.from} to ${a.to}, ${b.name} from ${b.from})`);
  }
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-windows-'));
  windows = [];
});
afterEach(async () => {
  await Promise.all(windows.filter((w) => w.alive).map((w) => w.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('history shared between windows (real processes, SIGKILL)', () => {
  it('has one writer at any time, and a killed writer\'s successor takes over within 3 s', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 4; i++) startWindow();
    await waitFor('every window to start', () => windows.every((w) => w.state), 30_000);
    await waitFor('one writer', () => writers().length === 1, 10_000);
    const takeovers: number[] = [];
    while (windows.filter((w) => w.alive).length > 1) {
      const [writer] = writers();
      assert.ok(writer, 'a writer among the live windows');
      // Let it write for a moment, then kill it wherever it is, in a transaction or not.
      const before = writer.state!.offered;
      await waitFor('the writer to produce', () => writer.state!.offered > before + 200, 10_000);
      const killedAt = await writer.kill();
      // A window may be waiting a moment to get into the file (it retries); none has turned history off.
      await waitFor(`every live window to have history (${windows.map((w) => w.mode).join(', ')})`, () => windows.filter((w) => w.alive).every((w) => w.mode !== 'none'), 10_000);
      const next = await waitFor('a successor to write', () => writers()[0], 10_000);
      const took = next.writing.at(-1)![0] - killedAt;
      takeovers.push(took);
      assert.equal(writers().length, 1, 'one writer among the live windows');
      assert.ok(took < 3_000, `the successor took over ${took} ms after the kill`);
    }
    assertOneWriterAtATime();
    console.log(`take-over after a SIGKILLed writer: ${takeovers.join(', ')} ms`);
    for (const w of windows.filter((x) => x.alive)) assert.deepEqual(w.state!.notices.filter((n) => n.kind === 'failed'), [], `${w.name} kept history on`);
    const file = path.join(dir, historyFileName({ server: 'https://race.test', user: 'u' }));
    await Promise.all(windows.filter((w) => w.alive).map((w) => w.kill()));
    const db = HistoryDatabase.open(file, { server: 'https://race.test', user: 'u', context: 'race' });
    try {
      assert.equal(db.check(), 'ok');
    } finally {
      db.dispose();
    }
  });

  it('lets only one of several windows write when they race for a killed writer\'s file', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 6; round++) {
      // Killed idle between two transactions (even rounds) or inside one: each leaves different traces.
      const idle = round % 2 === 0;
      const first = startWindow({ idle });
      await waitFor('a writer', () => first.mode === 'readWrite' && (idle || first.state!.offered > 300), 30_000);
      await first.kill();
      const racers = Array.from({ length: 4 }, () => startWindow({ wait: true }));
      // Node takes a while to start; release them together once every one is waiting on stdin.
      await new Promise((r) => setTimeout(r, 1500));
      for (const r of racers) r.child.stdin!.write('go\n');
      await waitFor('every racer to start', () => racers.every((r) => r.state), 30_000);
      // Give a second writer every chance to appear (a take-over poll is 1 s).
      await new Promise((r) => setTimeout(r, 1500));
      const writing = racers.filter((r) => r.mode === 'readWrite').map((r) => r.name);
      assert.ok(writing.length <= 1, `round ${round}: writers ${writing.join(', ')}; modes ${racers.map((r) => r.mode).join(', ')}`);
      await waitFor('every racer to have history', () => racers.every((r) => r.mode !== 'none'), 10_000).catch((err: Error) =>
        assert.fail(`${err.message}: ${racers.map((r) => JSON.stringify(r.state)).join('\n')}`),
      );
      assert.equal(writers().length, 1, `round ${round}: one writer once all are open`);
      assertOneWriterAtATime();
      await Promise.all(racers.map((r) => r.kill()));
    }
  });

  it('never turns history off in the writer when a reader is killed inside a read', { timeout: 120_000 }, async () => {
    const writer = startWindow();
    await waitFor('a writer with a history worth reading', () => writer.mode === 'readWrite' && writer.state!.offered > 3_000, 60_000);
    for (let round = 0; round < 3; round++) {
      const reader = startWindow();
      // It reads back to back, 5,000 rows at a time: a kill now lands inside a read or between two.
      await waitFor('the reader to read', () => reader.mode === 'readOnly' && reader.state!.reads >= 3, 30_000);
      await reader.kill();
      const from = writer.state!.offered;
      await new Promise((r) => setTimeout(r, 3_000));
      assert.equal(writer.mode, 'readWrite', 'the writer still writes');
      assert.deepEqual(writer.state!.notices, [], 'and has said nothing');
      assert.ok(writer.state!.offered > from, 'and still produces');
    }
    // What the writer was given is on disk: the live views and the file agree.
    const file = path.join(dir, historyFileName({ server: 'https://race.test', user: 'u' }));
    const offered = writer.state!.offered;
    let onDisk = 0;
    await waitFor('the file to hold every event offered before', () => {
      const db = HistoryDatabase.open(file, { server: 'https://race.test', user: 'u', context: 'race' });
      try {
        assert.equal(db.mode, 'readOnly');
        onDisk = db.stats().events;
        return onDisk >= offered;
      } finally {
        db.dispose();
      }
    }, 10_000).catch((err: Error) => assert.fail(`${err.message}: ${onDisk} of ${offered} on disk; writer ${JSON.stringify(writer.state)}`));
  });
});
