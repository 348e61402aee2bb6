// How a connection watches several namespaces (src/kube/watchPlan.ts, ConnectionScope.watch), against a
// stand-in apiserver on loopback whose answers to the access review and to the event requests each case
// sets. The real apiserver's answers (an admin, a namespace-restricted user) are covered in
// test/integration/manyNamespaces.test.ts; here are the answers it cannot be made to give on a shared
// control plane: a review that says yes followed by a refused stream, and a review that cannot be answered.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionScope } from '../../../src/kube/connectionScope';
import type { SourceState } from '../../../src/kube/eventSource';
import { loadKubeconfig } from '../../../src/kube/kubeConfigLoader';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import type { Logger } from '../../../src/core/ports';

interface StandIn {
  readonly url: string;
  /** `METHOD path?query` of every request, in order. */
  readonly seen: string[];
  close(): void;
}

interface Answers {
  /** The review's `allowed`, or an HTTP status to refuse it with. */
  readonly review: boolean | number;
  /** Whether a cluster-wide events request is refused (403). */
  readonly clusterWideForbidden: boolean;
}

function event(namespace: string, name: string, rv: string): object {
  return {
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: rv, creationTimestamp: '2026-01-01T00:00:00Z' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: 'web-0' },
    reason: 'Probe',
    message: `in ${namespace}`,
    type: 'Normal',
    count: 1,
  };
}

const NAMESPACES = ['a', 'b', 'c'];

function startStandIn(answers: Answers): Promise<StandIn> {
  const seen: string[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (typeof answers.review === 'number') return json(answers.review, { kind: 'Status', code: answers.review, reason: 'Forbidden', message: 'no reviews here' });
      return json(201, { kind: 'SelfSubjectAccessReview', status: { allowed: answers.review } });
    }
    const m = /^(?:\/api\/v1|\/apis\/events\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/events$/.exec(url.pathname);
    if (!m) return json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: url.pathname });
    const ns = m[1];
    if (!ns && answers.clusterWideForbidden) return json(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'events is forbidden at the cluster scope' });
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '10' } } })}\n`);
      held.push(res);
      return;
    }
    const items = (ns ? [ns] : NAMESPACES).map((n, i) => event(n, `ev${i}`, String(i + 1)));
    return json(200, { kind: 'EventList', metadata: { resourceVersion: '10' }, items });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => {
          for (const r of held) r.destroy();
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

function scopeFor(server: string): ConnectionScope & { lines: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-plan-'));
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n    server: ${JSON.stringify(server)}\n    insecure-skip-tls-verify: true\nusers:\n- name: dev\n  user:\n    token: not-a-real-token\ncontexts:\n- name: lab\n  context:\n    cluster: lab\n    user: dev\ncurrent-context: lab\n`,
    { mode: 0o600 },
  );
  const loaded = loadKubeconfig({ path: file });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.message);
  const lines: string[] = [];
  const keep = (m: string): void => void lines.push(m);
  const logger: Logger = { trace: keep, debug: keep, info: keep, warn: keep, error: keep };
  return Object.assign(new ConnectionScope(loaded.value, { logger }), { lines });
}

async function until<T>(what: string, check: () => T | undefined | false, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watching several namespaces', () => {
  const open: Array<{ close(): void } | { dispose(): void }> = [];
  afterEach(() => {
    for (const o of open.splice(0)) {
      if ('dispose' in o) o.dispose();
      else o.close();
    }
  });

  async function run(answers: Answers, selected: readonly string[]): Promise<{ standIn: StandIn; scope: ReturnType<typeof scopeFor>; changes: EventChange[]; states: SourceState[] }> {
    const standIn = await startStandIn(answers);
    const scope = scopeFor(standIn.url);
    open.push(standIn, scope);
    const changes: EventChange[] = [];
    const states: SourceState[] = [];
    scope.watch({ namespaces: selected, sink: (batch) => void changes.push(...batch) }, (s) => void states.push(s));
    // On failure, say what the stream went through and what the stand-in saw.
    await until('the stream to go live', () => states.at(-1)?.phase === 'live').catch((err: unknown) => {
      throw new Error(`${String(err)}: states ${JSON.stringify(states)}; requests ${standIn.seen.join(', ')}; log ${scope.lines.join(' | ')}`);
    });
    return { standIn, scope, changes, states };
  }

  it('with the review allowing it, opens one cluster-wide watch and keeps only the selected namespaces', async () => {
    const { standIn, scope, changes } = await run({ review: true, clusterWideForbidden: false }, ['a', 'b']);
    const watches = standIn.seen.filter((r) => r.includes('watch=true'));
    assert.deepEqual(watches.map((w) => w.split('?')[0]), ['GET /api/v1/events']);
    assert.deepEqual([...new Set(changes.map((c) => c.event.namespace))].sort(), ['a', 'b']);
    assert.ok(scope.lines.some((l) => l.startsWith('[watch] 2 namespaces selected: one cluster-wide list+watch kept to the 2 selected namespaces')), scope.lines.join('\n'));
  });

  it('falls back to one watch per namespace when the cluster-wide stream is refused after the review said yes', async () => {
    const { standIn, scope, changes, states } = await run({ review: true, clusterWideForbidden: true }, ['a', 'b']);
    const watches = standIn.seen.filter((r) => r.includes('watch=true')).map((w) => w.split('?')[0]);
    assert.deepEqual(watches.sort(), ['GET /api/v1/namespaces/a/events', 'GET /api/v1/namespaces/b/events']);
    assert.deepEqual([...new Set(changes.map((c) => c.event.namespace))].sort(), ['a', 'b']);
    assert.ok(!states.some((s) => s.phase === 'error'), 'the refusal reached the session as an error');
    assert.ok(scope.lines.some((l) => l.includes('the cluster-wide list+watch was refused; one list+watch per namespace (2) instead')), scope.lines.join('\n'));
  });

  it('watches each namespace when the review says no, or cannot be answered, and never asks the cluster-wide question', async () => {
    for (const review of [false, 403]) {
      const { standIn, scope } = await run({ review, clusterWideForbidden: true }, ['a', 'b', 'c']);
      assert.deepEqual(standIn.seen.filter((r) => r.includes('/events') && !r.includes('/namespaces/')), [], `review ${String(review)}: a cluster-wide events request was sent`);
      assert.equal(standIn.seen.filter((r) => r.includes('watch=true')).length, 3);
      const said = review === false ? 'user "dev" may not list and watch events in all namespaces' : 'could not ask whether user "dev" may list events in all namespaces (HTTP 403 Forbidden: no reviews here)';
      assert.ok(scope.lines.some((l) => l === `[watch] 3 namespaces selected: one list+watch per namespace (3): ${said}`), scope.lines.join('\n'));
    }
  });
});
