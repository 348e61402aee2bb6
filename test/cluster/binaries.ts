// The control plane's binaries, built from their Go modules by build.sh into the cache.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProducerName } from './producers';
import { ms } from './supervision';

interface Binaries {
  kubeApiserver: string;
  etcd: string;
  etcdctl: string;
  producers?: Record<ProducerName, string>;
}

export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let d = start; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'test', 'cluster', 'build.sh'))) return d;
      if (path.dirname(d) === d) break;
    }
  }
  throw new Error(`cannot find test/cluster/build.sh above ${__dirname} or ${process.cwd()}`);
}

export async function resolveBinaries(log: (m: string) => void, producers: boolean): Promise<Binaries> {
  const script = path.join(repoRoot(), 'test', 'cluster', 'build.sh');
  const started = Date.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', producers ? [script] : [script, '--bare'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // Forward build progress lines as they come: a cold build takes many minutes.
      for (const line of b.toString().split('\n')) if (line.startsWith('build.sh:')) log(line);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${script} failed (exit ${code}):\n${stderr.split('\n').slice(-30).join('\n')}`))));
  });
  const vars = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.+)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2]);
  }
  const usable = (key: string): string => {
    const bin = vars.get(key);
    if (!bin || !fs.existsSync(bin)) throw new Error(`${script} printed no usable ${key} path`);
    return bin;
  };
  const bins: Binaries = { kubeApiserver: usable('KUBE_APISERVER'), etcd: usable('ETCD'), etcdctl: usable('ETCDCTL') };
  if (producers) {
    bins.producers = {
      'kube-controller-manager': usable('KUBE_CONTROLLER_MANAGER'),
      'kube-scheduler': usable('KUBE_SCHEDULER'),
      kwok: usable('KWOK'),
      'demo-controller': usable('DEMO_CONTROLLER'),
    };
  }
  log(`binaries ready after ${ms(started)}`);
  return bins;
}
