/**
 * The client-go peer: bench/go/informer (a SharedIndexInformer for core/v1 Events), built from its own
 * module and cached under ~/.cache/kube-events/informer-bench-<source hash>/, like the Go programs of
 * test/cluster/build.sh, so an edit rebuilds it and a warm run only checks that it exists.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { log } from './stats';

export interface InformerRun {
  seconds: number;
  events: number;
  rss_mb: number;
  heap_mb: number;
}

/** Builds the informer program when its cached binary is missing; returns the binary's path. */
export function informerBinary(repoRoot: string): string {
  const dir = path.join(repoRoot, 'bench', 'go', 'informer');
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(fs.readFileSync(path.join(dir, f)));
  const cache = process.env.KUBE_EVENTS_CACHE ?? path.join(os.homedir(), '.cache', 'kube-events');
  const out = path.join(cache, `informer-bench-${hash.digest('hex').slice(0, 12)}`, 'informer-bench');
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  log(`building ${out} (client-go; a few minutes on a cold Go cache)`);
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod', PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  try {
    execFileSync('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', `${out}.tmp`, '.'], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    throw new Error(`cannot build bench/go/informer (is Go installed? see test/cluster/README.md): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  fs.renameSync(`${out}.tmp`, out);
  return out;
}

/** One informer run against `kubeconfig`, until its store holds `expect` events. */
export function timeInformer(bin: string, kubeconfig: string, expect: number): Promise<InformerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-kubeconfig', kubeconfig, '-expect', String(expect)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`informer-bench exited ${code}: ${err.trim().slice(-500)}`));
        return;
      }
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as InformerRun;
      if (r.events < expect) reject(new Error(`informer-bench's store holds ${r.events}/${expect} events`));
      else resolve(r);
    });
  });
}
