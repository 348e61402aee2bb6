import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadKubeconfig } from '../../src/kube/kubeConfigLoader';
import type { KubeClient } from '../../src/kube/kubeClient';

/** How the stand-in answers a watch: 410 as the HTTP status, or a 200 whose first line is an ERROR event with code 410. */
export type GoneForm = 'status' | 'errorEvent';

export interface StandInOptions {
  /** Events in the one namespace the stand-in serves. */
  readonly events: number;
  /** Characters of each event's message. */
  readonly messageChars?: number;
  /** How every watch is answered: 410 in one of its forms, or `open` (kept open, silent). Default: 410 as the HTTP status. */
  readonly watch?: GoneForm | 'open';
  /** Answer 410 Expired to every list request that carries a continue token. */
  readonly expireContinue?: boolean;
}

/** What the stand-in saw. */
export interface StandInTraffic {
  /** List requests, in order, with the `limit` each asked for. */
  readonly lists: Array<{ readonly at: number; readonly limit: number; readonly continued: boolean }>;
  watches: number;
}

export interface StandIn {
  readonly namespace: string;
  readonly traffic: StandInTraffic;
  /** From now on, serve only events [from, to) of those the stand-in was started with. */
  serve(from: number, to: number): void;
  /** A client of the real KubeClient kind, through a kubeconfig that points at the stand-in. */
  client(): KubeClient;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/**
 * A plain-HTTP stand-in for kube-apiserver's core/v1 events in one namespace, for what a real apiserver will
 * not do on demand: answer 410 to every watch (a flapping or misbehaving apiserver), or serve list pages of
 * hundreds of megabytes without holding them. Lists honour `limit` and `continue` (the token is the offset)
 * and are written event by event as the socket drains, so a page of 500 MiB costs the stand-in almost nothing;
 * a client that drops a page stops the writing.
 */
export async function startStandIn(opts: StandInOptions): Promise<StandIn> {
  const namespace = 'stand-in';
  const message = 'm'.repeat(opts.messageChars ?? 20);
  const traffic: StandInTraffic = { lists: [], watches: 0 };
  let served = { from: 0, to: opts.events };
  const started = Date.now();
  const eventJson = (i: number): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `ev-${i}`, namespace, uid: `uid-${i}`, resourceVersion: String(10 + i), creationTimestamp: new Date(started).toISOString() },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: `pod-${i}`, uid: `pod-uid-${i}` },
      reason: 'Testing',
      type: 'Normal',
      count: 1,
      source: { component: 'stand-in' },
      firstTimestamp: new Date(started).toISOString(),
      lastTimestamp: new Date(started).toISOString(),
      message,
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname !== `/api/v1/namespaces/${namespace}/events`) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(status(404, 'NotFound', `${url.pathname} is not served here`));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      traffic.watches++;
      if (opts.watch === 'open') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
      } else if (opts.watch === 'errorEvent') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ type: 'ERROR', object: JSON.parse(status(410, 'Expired', 'too old resource version')) as unknown }) + '\n');
      } else {
        res.writeHead(410, { 'Content-Type': 'application/json' }).end(status(410, 'Expired', 'too old resource version'));
      }
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? '0') || opts.events;
    const token = url.searchParams.get('continue') ?? '';
    traffic.lists.push({ at: Date.now(), limit, continued: token !== '' });
    if (token && opts.expireContinue) {
      res.writeHead(410, { 'Content-Type': 'application/json' }).end(status(410, 'Expired', 'The provided continue parameter is too old'));
      return;
    }
    const from = token ? Number(token) : served.from;
    const to = Math.min(served.to, from + limit);
    const next = to < served.to ? String(to) : '';
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`{"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":"1000"${next ? `,"continue":"${next}"` : ''}},"items":[`);
    let i = from;
    let closed = false;
    res.on('close', () => (closed = true));
    const pump = (): void => {
      while (!closed && i < to) {
        const ok = res.write((i > from ? ',' : '') + eventJson(i));
        i++;
        if (!ok) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end(']}');
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-stand-in-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: stand-in, cluster: { server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true } }]',
      'users: [{ name: stand-in, user: { token: stand-in } }]',
      `contexts: [{ name: stand-in, context: { cluster: stand-in, user: stand-in, namespace: ${namespace} } }]`,
      'current-context: stand-in',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    namespace,
    traffic,
    serve(from, to) {
      served = { from, to };
    },
    client() {
      const loaded = loadKubeconfig({ path: kubeconfig, context: 'stand-in' });
      if (!loaded.ok) throw new Error(loaded.message);
      return loaded.value.client;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
