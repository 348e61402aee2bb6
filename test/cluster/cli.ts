// `node out/test/cluster/cli.js up|down|status [--dir D] [--producers]`: a long-lived control plane for
// the sandbox and for running integration tests against one cluster (KUBE_EVENTS_CLUSTER_DIR=D).
// `up --producers` also starts the controllers, scheduler, kwok and demo controller (see controlPlane.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attachControlPlane, controlPlaneStatus, startControlPlane } from './controlPlane';

const USAGE = 'usage: node out/test/cluster/cli.js up|down|status [--dir D] [--producers]';
const FLAGS = new Set(['--dir', '--producers']);

function defaultDir(): string {
  for (const start of [process.cwd(), __dirname]) {
    for (let d = start; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'test', 'cluster', 'build.sh'))) return path.join(d, '.run', 'cluster');
      if (path.dirname(d) === d) break;
    }
  }
  return path.resolve('.run', 'cluster');
}

function readRss(pid: number | undefined): string {
  if (pid === undefined) return '';
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? `, RSS ${Math.round(Number(m[1]) / 1024)} MiB` : '';
  } catch {
    return '';
  }
}

function printUsage(kubeconfig: string): void {
  console.log(`kubeconfig: ${kubeconfig}`);
  console.log(`  export KUBECONFIG=${kubeconfig}`);
  console.log('  kubectl get ns');
  console.log('  kubectl --context restricted -n kube-events-restricted get events');
  console.log(`  KUBE_EVENTS_CLUSTER_DIR=${path.dirname(kubeconfig)} npm run test:integration`);
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  const dirFlag = argv.indexOf('--dir');
  const producers = argv.includes('--producers');
  const unknown = argv.slice(1).filter((a, i, all) => !FLAGS.has(a) && all[i - 1] !== '--dir');
  if ((dirFlag >= 0 && !argv[dirFlag + 1]) || unknown.length > 0 || (producers && command !== 'up')) {
    if (unknown.length > 0) console.error(`unknown argument: ${unknown.join(' ')}`);
    console.error(USAGE);
    return 2;
  }
  const dir = path.resolve(dirFlag >= 0 ? argv[dirFlag + 1] : defaultDir());
  const status = controlPlaneStatus(dir);

  switch (command) {
    case 'up': {
      if (status?.running) {
        console.log(`already running in ${dir}: ${status.server} (etcd pid ${status.etcdPid}, kube-apiserver pid ${status.apiserverPid})`);
        if (producers && status.producers.length === 0) console.log('  it runs without producers: `npm run cluster:down`, then `up --producers`');
        printUsage(status.kubeconfigPath);
        return 0;
      }
      if (status && (status.etcdPid !== undefined || status.apiserverPid !== undefined || status.producers.some((p) => p.pid !== undefined))) {
        // Half a cluster (one process died): clear it so `up` can start clean.
        await (await attachControlPlane(dir)).stop();
      }
      const started = Date.now();
      const cp = await startControlPlane({ dir, persist: true, producers, log: (m) => console.log(`  ${m}`) });
      console.log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cp.server} (logs and state in ${dir})`);
      printUsage(cp.kubeconfigPath);
      console.log('stop with: npm run cluster:down');
      return 0;
    }
    case 'down': {
      if (!status || (status.etcdPid === undefined && status.apiserverPid === undefined && status.producers.every((p) => p.pid === undefined))) {
        console.log(`not running (${dir})`);
        return 0;
      }
      await (await attachControlPlane(dir)).stop();
      console.log(`stopped (state kept in ${dir})`);
      return 0;
    }
    case 'status': {
      if (!status) {
        console.log(`no control plane state in ${dir}`);
        return 1;
      }
      console.log(`${status.running ? 'running' : 'not running'}: ${status.server} (${dir})`);
      console.log(`  etcd: ${status.etcdPid !== undefined ? `pid ${status.etcdPid}${readRss(status.etcdPid)}` : 'stopped'}`);
      console.log(`  kube-apiserver: ${status.apiserverPid !== undefined ? `pid ${status.apiserverPid}${readRss(status.apiserverPid)}` : 'stopped'}`);
      for (const p of status.producers) console.log(`  ${p.name}: ${p.pid !== undefined ? `pid ${p.pid}${readRss(p.pid)}` : 'stopped'}`);
      console.log(`  kubeconfig: ${status.kubeconfigPath}`);
      return status.running ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  // Exit explicitly: the detached children must not be waited for.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
