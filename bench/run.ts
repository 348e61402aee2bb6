/**
 * `npm run bench`: our pipeline side by side with kubectl, in the same run, on the same input.
 *   watch:        one recorded watch stream of N events served by a local apiserver stand-in over HTTP,
 *                 consumed by EventSource → Broadcaster → EventStore, and by `kubectl get events -A -w -o json`.
 *   heap:         heap growth with 100,000 events held in the store (after GC).
 *   history:      the on-disk history's write rate, a query over 1,000,000 rows, seeding, bytes per event
 *                 (bench/history.ts).
 *   initial load: 10,000 events on the real control plane, loaded by our paged list and by
 *                 `kubectl get events -A -o json`.
 * Prints one JSON line at the end and writes bench/results/latest.json. Figures are reported, not asserted.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeEvent } from '../src/core/kubeEvent';
import { EventStore } from '../src/core/eventStore';
import { ClusterSession } from '../src/kube/clusterSession';
import { loadKubeconfig } from '../src/kube/kubeConfigLoader';
import { startControlPlane } from '../test/cluster/controlPlane';
import { benchHistory } from './history';

const root = path.resolve(__dirname, '..', '..');
const WATCH_EVENTS = Number(process.env.BENCH_WATCH_EVENTS ?? 100_000);
const LOAD_EVENTS = Number(process.env.BENCH_LOAD_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function log(m: string): void {
  process.stderr.write(`[bench] ${m}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function eventJson(i: number, rv: number): string {
  const ns = `ns-${i % 50}`;
  const t = new Date(Date.UTC(2026, 10, 26, 10, 0, 0) + i * 10).toISOString();
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `pod-${i % 997}.${(1e15 + i).toString(16)}`, namespace: ns, uid: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`, resourceVersion: String(rv), creationTimestamp: t },
    involvedObject: { kind: 'Pod', namespace: ns, name: `pod-${i % 997}`, uid: `10000000-0000-4000-8000-${(i % 997).toString().padStart(12, '0')}`, apiVersion: 'v1', resourceVersion: '1', fieldPath: 'spec.containers{app}' },
    reason: i % 10 === 0 ? 'BackOff' : 'Pulled',
    message: i % 10 === 0 ? `Back-off restarting failed container app in pod pod-${i % 997}` : `Successfully pulled image "registry.local/app:${i % 13}" in 1.2s`,
    source: { component: 'kubelet', host: `node-${i % 7}` },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1 + (i % 5),
    type: i % 10 === 0 ? 'Warning' : 'Normal',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: `node-${i % 7}`,
  });
}

/** An apiserver stand-in: discovery for events, an empty list, then one watch stream of the recorded events. */
async function serveRecordedWatch(lines: string): Promise<{ url: string; close(): Promise<void> }> {
  const discovery: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ev'] }] },
    '/version': { major: '1', minor: '34', gitVersion: 'v1.34.3' },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (discovery[url.pathname]) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(discovery[url.pathname]));
    } else if (url.pathname === '/api/v1/events' && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.end(lines);
    } else if (url.pathname === '/api/v1/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function writeKubeconfig(server: string, token?: string, ca?: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-')), 'kubeconfig');
  const cluster = ca ? `certificate-authority: ${ca}` : 'insecure-skip-tls-verify: true';
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters: [{name: b, cluster: {server: "${server}", ${cluster}}}]\nusers: [{name: u, user: {token: "${token ?? 'bench'}"}}]\ncontexts: [{name: b, context: {cluster: b, user: u}}]\ncurrent-context: b\n`,
    { mode: 0o600 },
  );
  return file;
}

/**
 * Runs kubectl and counts the events it prints. The clock stops when it has printed `expectObjects` (a
 * watch would otherwise re-watch after the stream ends) or when it exits.
 */
function timeKubectl(args: string[], kubeconfig: string, expectObjects: number): Promise<{ seconds: number; objects: number }> {
  return new Promise((resolve, reject) => {
    let stopped: number | undefined;
    const t0 = process.hrtime.bigint();
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECACHEDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'kcache-')) } });
    let objects = 0;
    let err = '';
    // With -o json each object starts with `{` at column 0 (watch) or each item has `"kind": "Event"` (list).
    let carry = '';
    child.stdout.on('data', (b: Buffer) => {
      const s = carry + b.toString('utf8');
      const m = s.match(/"kind": "Event"/g);
      objects += m ? m.length : 0;
      carry = s.slice(-14); // shorter than the pattern, so no match is counted twice
      if (objects >= expectObjects && stopped === undefined) {
        stopped = Number(process.hrtime.bigint() - t0) / 1e9;
        child.kill();
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const seconds = stopped ?? Number(process.hrtime.bigint() - t0) / 1e9;
      if (objects < expectObjects) log(`kubectl printed ${objects}/${expectObjects} objects; stderr: ${err.trim().slice(0, 300)}`);
      resolve({ seconds, objects });
    });
  });
}

/** Our pipeline: from connect to the moment the store holds `expect` events. */
async function timeOurs(kubeconfig: string, expect: number): Promise<number> {
  const session = new ClusterSession({ kubeconfig: { path: kubeconfig }, scope: { kind: 'all' } }, { storeCapacity: Math.max(expect, 50_000) });
  const t0 = process.hrtime.bigint();
  const done = new Promise<void>((resolve) => {
    const sub = session.store.onDidChange(() => {
      if (session.store.size >= expect) {
        sub.dispose();
        resolve();
      }
    });
  });
  session.connect();
  await done;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  session.dispose();
  return seconds;
}

async function benchWatch(): Promise<Record<string, number>> {
  log(`recording a watch stream of ${WATCH_EVENTS} events`);
  const parts: string[] = [];
  for (let i = 0; i < WATCH_EVENTS; i++) parts.push(`{"type":"ADDED","object":${eventJson(i, 2 + i)}}\n`);
  const body = parts.join('');
  const server = await serveRecordedWatch(body);
  const kubeconfig = writeKubeconfig(server.url);
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      ours.push(await timeOurs(kubeconfig, WATCH_EVENTS));
      const k = await timeKubectl(['get', 'events', '-A', '-w', '-o', 'json', '--request-timeout=0'], kubeconfig, WATCH_EVENTS);
      theirs.push(k.seconds);
      log(`watch run ${r + 1}: ours ${ours[r].toFixed(2)} s, kubectl ${k.seconds.toFixed(2)} s (${k.objects} objects)`);
    }
  } finally {
    await server.close();
  }
  const mb = Buffer.byteLength(body) / 1e6;
  return {
    watch_stream_events: WATCH_EVENTS,
    watch_stream_mb: Math.round(mb),
    watch_events_per_s: Math.round(WATCH_EVENTS / median(ours)),
    kubectl_watch_events_per_s: Math.round(WATCH_EVENTS / median(theirs)),
  };
}

function benchHeap(): Record<string, number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new EventStore({ capacity: 100_000 });
  const batch = [];
  for (let i = 0; i < 100_000; i++) {
    const e = normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1');
    if (e) batch.push({ type: 'ADDED' as const, event: e });
    if (batch.length === 1000) store.applyBatch(batch.splice(0));
  }
  store.applyBatch(batch);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (store.size !== 100_000) throw new Error(`store holds ${store.size}`);
  return { heap_mb_100k: Math.round((after - before) / 1e6) };
}

async function benchInitialLoad(): Promise<Record<string, number>> {
  const cp = await startControlPlane({ log });
  try {
    const admin = loadKubeconfig({ path: cp.kubeconfigPath, context: 'admin' });
    if (!admin.ok) throw new Error(admin.message);
    const client = admin.value.client;
    const namespaces = Array.from({ length: 20 }, (_, i) => `bench-${i}`);
    for (const name of namespaces) await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
    log(`creating ${LOAD_EVENTS} events on the control plane`);
    const t0 = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < LOAD_EVENTS) {
        const i = next++;
        const obj = JSON.parse(eventJson(i, 0)) as { metadata: Record<string, unknown>; involvedObject: Record<string, unknown> };
        const ns = namespaces[i % namespaces.length];
        obj.metadata = { name: obj.metadata.name, namespace: ns };
        obj.involvedObject.namespace = ns;
        await client.request(`/api/v1/namespaces/${ns}/events`, { method: 'POST', body: obj });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    log(`created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const kubeconfig = writeKubeconfig(cp.server, cp.adminToken, cp.caFile);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      ours.push(await timeOurs(kubeconfig, LOAD_EVENTS));
      theirs.push((await timeKubectl(['get', 'events', '-A', '-o', 'json'], kubeconfig, LOAD_EVENTS)).seconds);
      log(`initial load run ${r + 1}: ours ${ours[r].toFixed(2)} s, kubectl ${theirs[r].toFixed(2)} s`);
    }
    client.dispose();
    return { initial_load_events: LOAD_EVENTS, initial_load_10k_s: +median(ours).toFixed(3), kubectl_initial_load_10k_s: +median(theirs).toFixed(3) };
  } finally {
    await cp.stop();
  }
}

async function main(): Promise<void> {
  const kubectl = await new Promise<string>((resolve) => {
    const c = spawn('kubectl', ['version', '--client', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    c.on('close', () => resolve((JSON.parse(out || '{}') as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? 'unknown'));
    c.on('error', () => resolve('missing'));
  });
  const results: Record<string, number | string> = { date: new Date().toISOString(), node: process.version, kubectl, cpus: os.cpus().length, runs: RUNS };
  Object.assign(results, benchHeap());
  log(`heap with 100k events: ${results.heap_mb_100k} MB`);
  Object.assign(results, await benchWatch());
  Object.assign(results, await benchHistory((i) => normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1')!, log));
  Object.assign(results, await benchInitialLoad());
  results.watch_ratio_vs_kubectl = +(Number(results.watch_events_per_s) / Number(results.kubectl_watch_events_per_s)).toFixed(2);
  results.initial_load_ratio_vs_kubectl = +(Number(results.initial_load_10k_s) / Number(results.kubectl_initial_load_10k_s)).toFixed(2);
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
