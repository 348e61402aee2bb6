// KubeClient's connections: watches never hold the connections short requests wait for, and a request's
// deadline (timeout or signal) settles it whether or not it ever got a socket. A plain HTTP server on
// loopback stands in for the apiserver: what is tested is the client's transport, not Kubernetes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyKubeError, type KubeClient } from '../../../src/kube/kubeClient';
import { clientOf, labKubeconfig } from '../support/labKubeconfig';

/** As many watches as the user selected namespaces: more than the 8 connections short requests share. */
const WATCHES = 12;
/** The short requests' pool (SHORT_REQUEST_SOCKETS in src/kube/kubeClient.ts, and the old shared pool's size). */
const SHORT_POOL = 8;

/** Answers `/hold` with headers and then nothing (a watch, or a request stuck on the server); anything else at once. */
function startServer(): Promise<{ server: http.Server; url: string; held: http.ServerResponse[]; headless: http.IncomingMessage[] }> {
  const held: http.ServerResponse[] = [];
  const headless: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/hold')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"BOOKMARK"');
      held.push(res);
      return;
    }
    if (req.url?.startsWith('/stall')) {
      // No headers at all: the request holds its socket until the client gives up.
      headless.push(req);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"kind":"Status","status":"Success"}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held, headless })));
}

function clientFor(server: string): KubeClient {
  return clientOf(labKubeconfig(server));
}

/** Settles within `ms`, or says it did not (the request hung). */
function within<T>(p: Promise<T>, ms: number): Promise<{ settled: true; value?: T; error?: unknown } | { settled: false }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ settled: false }), ms);
    p.then(
      (value) => {
        clearTimeout(timer);
        resolve({ settled: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ settled: true, error });
      },
    );
  });
}

describe('KubeClient connections', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    srv = await startServer();
  });
  after(() => {
    srv.server.closeAllConnections();
    srv.server.close();
  });

  it('answers a short request while more watches are open than the short requests may use', async () => {
    const client = clientFor(srv.url);
    try {
      const opening = Promise.all(Array.from({ length: WATCHES }, (_, i) => client.open(`/hold/${i}`, { stream: true })));
      const opened = await within(opening, 5_000);
      assert.ok(opened.settled && opened.value, `not every watch got a connection (${srv.held.length} of ${WATCHES} reached the server)`);
      const watches = opened.value;
            const answer = await within(client.request('/api/v1/namespaces/ns12/pods/web', { timeoutMs: 2_000 }), 2_000);
      assert.ok(answer.settled, 'a short request waited behind the watches');
      assert.equal(answer.error, undefined, `the short request failed: ${String(answer.error)}`);
      assert.deepEqual(answer.value, { kind: 'Status', status: 'Success' });
      for (const w of watches) w.destroy();
    } finally {
      client.dispose();
    }
  });

  it('rejects a request that never got a socket when its timeout is up', async (t) => {
    const client = clientFor(srv.url);
    try {
      // Every short connection is taken by a request the server never answers.
      const stuck = Array.from({ length: SHORT_POOL }, (_, i) => client.request(`/stall/${i}`).catch((err: unknown) => err));
      await waitUntil(() => srv.headless.length >= SHORT_POOL);
      const started = Date.now();
      const queued = await within(client.request('/api/v1/namespaces/ns1/events', { timeoutMs: 300 }), 3_000);
      assert.ok(queued.settled, 'the timeout of a request waiting for a socket never fired');
      const took = Date.now() - started;
      assert.ok(took < 1_500, `rejected after ${took} ms, not on its 300 ms timeout`);
      t.diagnostic(`a request queued behind ${SHORT_POOL} stuck ones rejected ${took} ms after it was sent (timeout 300 ms)`);
      assert.equal(classifyKubeError(queued.error).reason, 'timeout');
      // The same with a caller's deadline (what the resource reader and discovery pass).
      const aborted = await within(client.request('/api/v1/namespaces/ns1/events', { signal: AbortSignal.timeout(300) }), 3_000);
      assert.ok(aborted.settled, 'the signal of a request waiting for a socket never settled it');
      assert.equal(classifyKubeError(aborted.error).reason, 'timeout');
      const cancelled = new AbortController();
      const pending = within(client.request('/api/v1/namespaces/ns1/events', { signal: cancelled.signal }), 3_000);
      cancelled.abort();
      const c = await pending;
      assert.ok(c.settled, 'a cancelled request waiting for a socket never settled');
      assert.equal(classifyKubeError(c.error).reason, 'aborted');
      client.dispose();
      await Promise.all(stuck);
    } finally {
      client.dispose();
      for (const r of srv.headless.splice(0)) r.socket?.destroy();
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the server did not see the requests in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
