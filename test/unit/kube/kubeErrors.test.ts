// The one error classifier (src/kube/kubeClient.ts) over errors as they are really thrown: by our KubeClient,
// by client-node's generated API (ApiException) and its Watch, by undici's fetch and node-fetch, by
// AbortSignal.timeout and JSON.parse. Local HTTP servers on loopback stand in for an apiserver; no cluster.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, FetchError, KubeConfig, Watch } from '@kubernetes/client-node';
import { classifyKubeError, describeKubeError, KubeApiError, KubeAuthSetupError, KubeNetworkError, statusError } from '../../../src/kube/kubeClient';
import { clientOf, labKubeconfig } from '../support/labKubeconfig';

const FORBIDDEN = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'events is forbidden: User "dev" cannot list resource "events" in API group "" in the namespace "shop"',
  reason: 'Forbidden',
  details: { kind: 'events' },
  code: 403,
};

/** Answers every request with `status` and a Status body, or never answers when `status` is 0. */
async function serve(status: number, body: unknown = FORBIDDEN): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    if (status === 0) return; // hang: the client's deadline has to end it
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<string> {
  const s = await serve(200);
  await s.close();
  return s.url;
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('classifyKubeError: our own client', () => {
  let forbidden: Awaited<ReturnType<typeof serve>>;
  let hanging: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    forbidden = await serve(403);
    hanging = await serve(0);
  });
  after(async () => {
    await forbidden.close();
    await hanging.close();
  });

  it("reads an apiserver's Status: reason, status, the server's message, not retryable", async () => {
    const err = await thrown(clientOf(labKubeconfig(forbidden.url)).request('/api/v1/namespaces/shop/events'));
    assert.ok(KubeApiError.is(err, 403));
    const c = classifyKubeError(err);
    assert.equal(c.reason, 'forbidden');
    assert.equal(c.status, 403);
    assert.equal(c.statusReason, 'Forbidden');
    assert.equal(c.serverMessage, FORBIDDEN.message);
    assert.equal(c.retryable, false);
    assert.equal(c.detail, `HTTP 403 Forbidden: ${FORBIDDEN.message}`);
  });

  it('maps every status the loops decide on', () => {
    const cases: Array<[number, string, boolean]> = [
      [400, 'invalid', false],
      [401, 'unauthorized', false],
      [403, 'forbidden', false],
      [404, 'notFound', false],
      [405, 'invalid', false],
      [409, 'conflict', true],
      [410, 'gone', false],
      [422, 'invalid', false],
      [429, 'tooManyRequests', true],
      [500, 'serverError', true],
      [503, 'serverError', true],
    ];
    for (const [status, reason, retryable] of cases) {
      const c = classifyKubeError(statusError(status, '{"kind":"Status","reason":"X","message":"m"}', 'GET', '/api/v1/events'));
      assert.deepEqual([c.reason, c.retryable], [reason, retryable], `HTTP ${status}`);
    }
  });

  it('keeps a body that is not a Status as the message', () => {
    const c = classifyKubeError(statusError(502, '<html>Bad Gateway</html>', 'GET', '/api/v1/events'));
    assert.equal(c.reason, 'serverError');
    assert.equal(c.statusReason, '');
    assert.equal(c.detail, 'HTTP 502: <html>Bad Gateway</html>');
  });

  it('calls a refused connection network trouble, retryable', async () => {
    const err = await thrown(clientOf(labKubeconfig(await closedPort())).request('/api/v1/events'));
    assert.ok(KubeNetworkError.is(err));
    const c = classifyKubeError(err);
    assert.equal(c.reason, 'network');
    assert.equal(c.code, 'ECONNREFUSED');
    assert.equal(c.retryable, true);
    assert.match(c.detail, /cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it('tells a deadline (AbortSignal.timeout) from an abort the caller asked for', async () => {
    const client = clientOf(labKubeconfig(hanging.url));
    const late = classifyKubeError(await thrown(client.request('/api/v1/events', { signal: AbortSignal.timeout(50) })));
    assert.deepEqual([late.reason, late.retryable], ['timeout', true]);
    const noHeaders = classifyKubeError(await thrown(client.request('/api/v1/events', { timeoutMs: 50 })));
    assert.deepEqual([noHeaders.reason, noHeaders.code], ['timeout', 'ETIMEDOUT']);
    const stop = new AbortController();
    const pending = client.request('/api/v1/events', { signal: stop.signal });
    setTimeout(() => stop.abort(), 20);
    const stopped = classifyKubeError(await thrown(pending));
    assert.deepEqual([stopped.reason, stopped.retryable], ['aborted', false]);
    client.dispose();
  });

  it('calls missing credentials and untrusted certificates final', async () => {
    const noServer = new KubeConfig();
    noServer.loadFromOptions({ clusters: [{ name: 'lab', server: '' }], users: [{ name: 'dev' }], contexts: [{ name: 'lab', cluster: 'lab', user: 'dev' }], currentContext: 'lab' });
    const setup = await thrown(clientOf(noServer).request('/api/v1/events'));
    assert.ok(KubeAuthSetupError.is(setup));
    assert.deepEqual([classifyKubeError(setup).reason, classifyKubeError(setup).retryable], ['credentials', false]);
    // What KubeClient makes of Node's TLS error (a real one needs a certificate the test would have to mint).
    const tls = new KubeNetworkError('cannot reach https://10.0.0.1:6443: the server certificate is self-signed and not trusted', 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual([classifyKubeError(tls).reason, classifyKubeError(tls).retryable], ['tls', false]);
    assert.equal(describeKubeError(tls), tls.message);
  });

  it('calls a body that is not JSON malformed, and anything else unknown', () => {
    let syntax: unknown;
    try {
      JSON.parse('{"items": [');
    } catch (err) {
      syntax = err;
    }
    const c = classifyKubeError(syntax);
    assert.equal(c.reason, 'malformed');
    assert.match(c.detail, /^the server sent malformed JSON \(/);
    assert.deepEqual([classifyKubeError('a string').reason, classifyKubeError('a string').detail], ['unknown', 'a string']);
    assert.equal(classifyKubeError(undefined).reason, 'unknown');
  });
});

describe('classifyKubeError: what client-node and fetch throw', () => {
  let forbidden: Awaited<ReturnType<typeof serve>>;
  let gone: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    forbidden = await serve(403);
    gone = await serve(410, { kind: 'Status', status: 'Failure', reason: 'Expired', message: 'too old resource version: 1 (2)', code: 410 });
  });
  after(async () => {
    await forbidden.close();
    await gone.close();
  });

  it("reads client-node's ApiException (status in `code`, the Status as text in `body`)", async () => {
    const api = labKubeconfig(forbidden.url).makeApiClient(CoreV1Api);
    const err = await thrown(api.listNamespacedEvent({ namespace: 'shop' }));
    assert.equal((err as { code?: unknown }).code, 403, 'the shape this test is about');
    const c = classifyKubeError(err);
    assert.equal(c.reason, 'forbidden');
    assert.equal(c.status, 403);
    assert.equal(c.statusReason, 'Forbidden');
    assert.equal(c.serverMessage, FORBIDDEN.message);
    assert.equal(c.detail, `HTTP 403 Forbidden: ${FORBIDDEN.message}`);
  });

  it("reads client-node Watch's error (status in `statusCode`, no body)", async () => {
    const err = await new Promise<unknown>((resolve, reject) => {
      new Watch(labKubeconfig(gone.url)).watch('/api/v1/events', { resourceVersion: '1' }, () => reject(new Error('no event expected')), resolve).catch(reject);
    });
    assert.equal((err as { statusCode?: unknown }).statusCode, 410, 'the shape this test is about');
    const c = classifyKubeError(err);
    assert.deepEqual([c.reason, c.status, c.retryable], ['gone', 410, false]);
  });

  it("reads undici's fetch failure (the code is in the cause)", async () => {
    const err = await thrown(fetch(`${await closedPort()}/api/v1/events`));
    assert.ok(err instanceof TypeError);
    const c = classifyKubeError(err);
    assert.deepEqual([c.reason, c.code, c.retryable], ['network', 'ECONNREFUSED', true]);
    assert.match(c.detail, /^fetch failed: connect ECONNREFUSED/);
  });

  it("reads node-fetch's FetchError (client-node's transport) and AbortSignal.timeout's TimeoutError", async () => {
    const url = await closedPort();
    const refused = new FetchError(`request to ${url} failed, reason: connect ECONNREFUSED`, 'system', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.deepEqual([classifyKubeError(refused).reason, classifyKubeError(refused).code], ['network', 'ECONNREFUSED']);
    const slow = new FetchError(`Response timeout while trying to fetch ${url} (over 50ms)`, 'body-timeout');
    assert.equal(classifyKubeError(slow).reason, 'timeout');
    const garbled = new FetchError(`invalid json response body at ${url} reason: Unexpected token <`, 'invalid-json');
    assert.equal(classifyKubeError(garbled).reason, 'malformed');
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(classifyKubeError(signal.reason).reason, 'timeout');
  });
});
