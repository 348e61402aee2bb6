import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
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

  it('resolves files from the setting, then KUBECONFIG, then ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ path: '/x/a', env: { KUBECONFIG: '/y/b' } }), ['/x/a']);
    assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: `/y/b${path.delimiter}/y/c`, HOME: '/h' } }), ['/y/b', '/y/c']);
    assert.deepEqual(kubeconfigFiles({ env: { HOME: '/h' } }), ['/h/.kube/config']);
    assert.deepEqual(kubeconfigFiles({ path: '~/k', env: { HOME: '/h' } }), ['/h/k']);
  });
});
