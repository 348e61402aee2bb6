/**
 * `npm run bench`'s memory part (BENCH_SKIP=memory leaves it out): the extension host's memory with 50,000 events,
 * part by part (the store, the reconciliation map, the owner graph, the tree's model, the language server's feed,
 * the timeline's feed and one reset's DTOs, the history's heap and its SQLite WebAssembly memory). Each run is a
 * fresh process running bench/memoryParts.ts, which says how each part is built and measured, then one running
 * bench/memoryWorker.ts: the history worker's RSS (a thread of the extension host's process, beside its heap).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { log, spread, type Spread } from './stats';

/** One run's figures in MB, by part. */
type Parts = Record<string, number>;

/** `npm run bench`'s part: `runs` fresh processes, each figure's spread in MB (`memory_<part>_mb_50k`). */
export async function benchMemory(root: string, runs: number): Promise<Record<string, Spread>> {
  const all: Parts[] = [];
  for (let r = 0; r < runs; r++) {
    // The parts on one heap, then the history worker (bench/memoryWorker.ts) in a process of its own: its RSS.
    const parts = { ...(await figuresOf(root, 'memoryParts')), ...(await figuresOf(root, 'memoryWorker')) };
    all.push(parts);
    log(`memory run ${r + 1} (MB with 50,000 events): ${Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const figures: Record<string, Spread> = {};
  for (const k of Object.keys(all[0])) figures[`memory_${k}_mb_50k`] = spread(all.map((p) => p[k]), 1);
  return figures;
}

/** Runs out/bench/<name>.js in a fresh process and returns the figures of its `MEMORY {json}` line. */
async function figuresOf(root: string, name: string): Promise<Parts> {
  const script = path.join(root, 'out', 'bench', `${name}.js`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench/${name}.ts exited ${code}`))));
  });
  const line = out.split('\n').find((l) => l.startsWith('MEMORY '));
  if (!line) throw new Error(`bench/${name}.ts printed no figures:\n${out}`);
  return JSON.parse(line.slice('MEMORY '.length)) as Parts;
}
