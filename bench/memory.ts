/**
 * `npm run bench`'s memory part (BENCH_SKIP=memory leaves it out): the extension host's memory with 50,000 events,
 * part by part (the store, the reconciliation map, the owner graph, the tree's model, the language server's feed,
 * the timeline's feed and one reset's DTOs, the history's heap and its SQLite WebAssembly memory). Each run is a
 * fresh process running bench/memoryParts.ts, which says how each part is built and measured.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { log, spread, type Spread } from './stats';

/** One run's figures in MB, by part. */
type Parts = Record<string, number>;

/** `npm run bench`'s part: `runs` fresh processes, each figure's spread in MB (`memory_<part>_mb_50k`). */
export async function benchMemory(root: string, runs: number): Promise<Record<string, Spread>> {
  const script = path.join(root, 'out', 'bench', 'memoryParts.js');
  const all: Parts[] = [];
  for (let r = 0; r < runs; r++) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench/memoryParts.ts exited ${code}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith('MEMORY '));
    if (!line) throw new Error(`bench/memoryParts.ts printed no figures:\n${out}`);
    const parts = JSON.parse(line.slice('MEMORY '.length)) as Parts;
    all.push(parts);
    log(`memory run ${r + 1} (MB with 50,000 events): ${Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const figures: Record<string, Spread> = {};
  for (const k of Object.keys(all[0])) figures[`memory_${k}_mb_50k`] = spread(all.map((p) => p[k]), 1);
  return figures;
}

