/**
 * The watch part's pieces, shared by bench/run.ts and bench/scale.ts: the recorded stream, the apiserver
 * stand-in that serves it, our pipeline timed on it, and the floor.
 *   floor: the least any JavaScript consumer of the same stream does: UTF-8 decode, split into lines and
 *          `JSON.parse` each, and nothing else (no normalising, no store). Read over the same HTTP connection
 *          from the same stand-in, so the ratio ours / floor says what our work per event costs beyond it.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterSession, type SessionOptions } from '../src/kube/clusterSession';
import { eventJson } from './events';

/**
 * The recorded watch stream of `n` ADDED events, one JSON line each, as an apiserver sends it. Built in blocks:
 * a million events are more bytes than one string may hold.
 */
export function recordedWatch(n: number): Buffer {
  const blocks: Buffer[] = [];
  for (let from = 0; from < n; from += 10_000) {
    const parts: string[] = [];
    for (let i = from; i < Math.min(n, from + 10_000); i++) parts.push(`{"type":"ADDED","object":${eventJson(i, 2 + i)}}\n`);
    blocks.push(Buffer.from(parts.join(''), 'utf8'));
  }
  return Buffer.concat(blocks);
}

/** An apiserver stand-in: discovery for events, an empty list, then one watch stream of the recorded events. */
export async function serveRecordedWatch(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
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
      res.end(body);
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

export function writeKubeconfig(server: string, token?: string, ca?: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-')), 'kubeconfig');
  const cluster = ca ? `certificate-authority: ${ca}` : 'insecure-skip-tls-verify: true';
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters: [{name: b, cluster: {server: "${server}", ${cluster}}}]\nusers: [{name: u, user: {token: "${token ?? 'bench'}"}}]\ncontexts: [{name: b, context: {cluster: b, user: u}}]\ncurrent-context: b\n`,
    { mode: 0o600 },
  );
  return file;
}

/** Our pipeline: from connect to the moment the store holds `expect` events. */
export async function timeOurs(kubeconfig: string, expect: number): Promise<number> {
  const { seconds, session } = await watchIntoStore(kubeconfig, expect, { storeCapacity: Math.max(expect, 50_000) });
  session.dispose();
  return seconds;
}

/**
 * Connects a session and resolves once its store holds `expect` events, with the seconds it took; the caller
 * disposes the session (bench/scale.ts reads the store first).
 */
export async function watchIntoStore(kubeconfig: string, expect: number, options: SessionOptions): Promise<{ seconds: number; session: ClusterSession }> {
  const session = new ClusterSession({ kubeconfig: { path: kubeconfig }, scope: { kind: 'all' } }, options);
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
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, session };
}

/**
 * The floor: one watch request to the stand-in, its body decoded as UTF-8, split on newlines and each line
 * `JSON.parse`d; the clock stops at the `expect`th object. Returns seconds.
 */
export function timeFloor(url: string, expect: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let parsed = 0;
    let carry = '';
    const req = http.get(`${url}/api/v1/events?watch=true`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const s = carry + chunk;
        let start = 0;
        for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
          if ((JSON.parse(s.slice(start, nl)) as { type?: string }).type) parsed++;
          start = nl + 1;
        }
        carry = s.slice(start);
        if (parsed >= expect) {
          resolve(Number(process.hrtime.bigint() - t0) / 1e9);
          res.destroy();
        }
      });
      res.on('end', () => (parsed < expect ? reject(new Error(`the floor parsed ${parsed}/${expect} lines`)) : undefined));
    });
    req.on('error', reject);
  });
}
