import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubeconfigFiles, loadKubeconfig } from '../../../src/kube/kubeConfigLoader';
import { kubeconfigProblemText } from '../../../src/host/errorText';

function tmp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-kc-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const GOOD = `apiVersion: v1
kind: Config
clusters: [{name: c1, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u1, user: {token: "secret-token-value"}}]
contexts: [{name: one, context: {cluster: c1, user: u1, namespace: team-a}}, {name: two, context: {cluster: c1, user: u1}}]
current-context: one
`;

describe('loadKubeconfig', () => {
  it('says where it looked when no kubeconfig exists', () => {
    const r = loadKubeconfig({ path: '/nonexistent/kubeconfig' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reason, 'noKubeconfig');
    assert.match(r.message, /\/nonexistent\/kubeconfig/);
    assert.match(kubeconfigProblemText(r), /kubeEvents\.kubeconfig/, 'the host says what to do');
  });

  it('names the file and the problem for a malformed kubeconfig, without leaking its contents', () => {
    const dir = tmp({ bad: 'apiVersion: v1\nclusters: [unclosed\nusers: [{name: u, user: {token: "secret-token-value"}}]\n' });
    const r = loadKubeconfig({ path: path.join(dir, 'bad') });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reason, 'badKubeconfig');
    assert.match(r.message, /bad/);
    assert.doesNotMatch(r.message, /secret-token-value/);
  });

  it('loads the current context and its namespace', () => {
    const dir = tmp({ config: GOOD });
    const r = loadKubeconfig({ path: path.join(dir, 'config') });
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.currentContext, 'one');
    assert.equal(r.value.namespace, 'team-a');
    assert.equal(r.value.server, 'https://127.0.0.1:6443');
    assert.deepEqual(r.value.contexts.map((c) => c.name), ['one', 'two']);
  });

  it('rejects an unknown context by listing the known ones', () => {
    const dir = tmp({ config: GOOD });
    const r = loadKubeconfig({ path: path.join(dir, 'config'), context: 'three' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /"three".*one, two/);
  });

  it('merges a KUBECONFIG list like kubectl: the first definition of a name wins', () => {
    const second = GOOD.replace('https://127.0.0.1:6443', 'https://10.9.9.9').replace('current-context: one', 'current-context: two');
    const dir = tmp({ a: GOOD, b: second });
    const r = loadKubeconfig({ env: { KUBECONFIG: [path.join(dir, 'a'), path.join(dir, 'missing'), path.join(dir, 'b')].join(path.delimiter) } });
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.server, 'https://127.0.0.1:6443');
    assert.equal(r.value.currentContext, 'one');
  });

  it('says what is wrong with an empty file or a line the YAML parser refuses, in one line', () => {
    const dir = tmp({ empty: '', tabs: 'clusters:\n\t- name: c\n' });
    const empty = loadKubeconfig({ path: path.join(dir, 'empty') });
    assert.ok(!empty.ok && empty.reason === 'badKubeconfig');
    assert.match(empty.message, /empty cannot be read: it is not a YAML mapping/);
    const tabs = loadKubeconfig({ path: path.join(dir, 'tabs') });
    assert.ok(!tabs.ok && tabs.reason === 'badKubeconfig');
    assert.match(tabs.message, /tabs cannot be read: .*line 2, column 1\.$/);
  });

  it('checks entries as client-node does, and names the user only when the kubeconfig defines it', () => {
    const dir = tmp({
      noserver: 'clusters: [{name: c, cluster: {}}]\ncontexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n',
      nouser: 'clusters: [{name: c, cluster: {server: "https://x:6443/"}}]\ncontexts: [{name: a, context: {cluster: c, user: ghost}}]\ncurrent-context: a\n',
    });
    const noServer = loadKubeconfig({ path: path.join(dir, 'noserver') });
    assert.ok(!noServer.ok);
    assert.match(noServer.message, /clusters\[0\]\.cluster\.server is missing/);
    const noUser = loadKubeconfig({ path: path.join(dir, 'nouser') });
    assert.ok(noUser.ok, noUser.ok ? '' : noUser.message);
    assert.equal(noUser.value.server, 'https://x:6443');
    assert.equal(noUser.value.client.userName, '');
  });

  it('reads the kubeconfig without @kubernetes/client-node; the first request loads it for the credentials', async () => {
    const clientNodeLoaded = (): boolean => Object.keys(require.cache).some((k) => k.includes(`${path.sep}@kubernetes${path.sep}client-node${path.sep}`));
    let authorization: string | undefined;
    const server = http.createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind":"APIVersions","versions":["v1"]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const plain = GOOD.replace('server: "https://127.0.0.1:6443"', `server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true`);
      const dir = tmp({ config: plain });
      const r = loadKubeconfig({ path: path.join(dir, 'config') });
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual([r.value.client.contextName, r.value.client.userName], ['one', 'u1']);
      assert.equal(clientNodeLoaded(), false, 'reading the kubeconfig loaded @kubernetes/client-node');
      await r.value.client.request('/api');
      assert.equal(clientNodeLoaded(), true);
      assert.equal(authorization, 'Bearer secret-token-value', 'the credentials came from the kubeconfig, through client-node');
      r.value.client.dispose();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('resolves files from the setting, then KUBECONFIG, then ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ path: '/x/a', env: { KUBECONFIG: '/y/b' } }), ['/x/a']);
    assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: `/y/b${path.delimiter}/y/c`, HOME: '/h' } }), ['/y/b', '/y/c']);
    assert.deepEqual(kubeconfigFiles({ env: { HOME: '/h' } }), ['/h/.kube/config']);
    assert.deepEqual(kubeconfigFiles({ path: '~/k', env: { HOME: '/h' } }), ['/h/k']);
  });
});
