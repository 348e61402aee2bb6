import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeEvent } from '../../../src/core/events/kubeEvent';
import type { OwnerMemory, OwnerRecord } from '../../../src/core/owners/ownerMemory';
import { ClusterSession, type SessionSettings } from '../../../src/kube/clusterSession';
import type { ClusterIdentity } from '../../../src/core/clusterIdentity';
import { ConnectionScope } from '../../../src/kube/connectionScope';
import { loadKubeconfig } from '../../../src/kube/kubeConfigLoader';
import { silentLogger } from '../../../src/core/ports';
import { anEvent } from '../support/eventBuilder';

/** docs/ARCHITECTURE.md §7: learnt links are saved at most every 10 s. */
const OWNER_SAVE_DELAY_MS = 10_000;

// Port 1 refuses at once: the watch goes to `reconnecting` and waits; nothing here needs a cluster.
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c1, cluster: {server: "https://127.0.0.1:1"}}, {name: c2, cluster: {server: "https://127.0.0.2:1"}}]
users: [{name: u1, user: {token: "t"}}]
contexts: [{name: one, context: {cluster: c1, user: u1, namespace: team-a}}, {name: two, context: {cluster: c2, user: u1}}, {name: three, context: {cluster: c1, user: u1, namespace: team-b}}, {name: broken, context: {cluster: nowhere, user: u1}}]
current-context: one
`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-scope-'));
const kubeconfig = path.join(dir, 'config');
fs.writeFileSync(kubeconfig, KUBECONFIG);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A slow retry, so a refused watch stays quiet for the test's life. */
const TIMING = { backoffInitialMs: 60_000, backoffMaxMs: 60_000 };

function settings(context: string, names?: string[]): SessionSettings {
  return { kubeconfig: { path: kubeconfig, context }, scope: names ? { kind: 'list', names } : { kind: 'context' }, timing: TIMING };
}

/** A memory that counts saves and keeps what it was given. */
class RecordingMemory implements OwnerMemory {
  saved: OwnerRecord[][] = [];
  async load(): Promise<readonly OwnerRecord[]> {
    return [];
  }
  async save(records: readonly OwnerRecord[]): Promise<void> {
    this.saved.push([...records]);
  }
}

/** A ReplicaSet's SuccessfulCreate: the graph learns the Pod's owner from it, with no read. */
function successfulCreate(pod: string): KubeEvent {
  return anEvent({
    namespace: 'shop',
    reason: 'SuccessfulCreate',
    message: `Created pod: ${pod}`,
    reportingController: 'replicaset-controller',
    regarding: { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespace: 'shop', name: 'web-7c9d8f6b5', uid: 'rs1' },
  });
}

function loaded(context: string) {
  const r = loadKubeconfig({ path: kubeconfig, context });
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
}

describe('ConnectionScope', () => {
  it('builds its parts on the connection and gives the owner memory its identity', async () => {
    const identities: ClusterIdentity[] = [];
    const memory = new RecordingMemory();
    const scope = new ConnectionScope(loaded('one'), {
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
      ownerMemory: (id) => (identities.push(id), memory),
    });
    assert.equal(scope.context, 'one');
    assert.deepEqual(identities, [{ server: 'https://127.0.0.1:1', user: 'u1' }]);
    assert.deepEqual(scope.cluster, { server: 'https://127.0.0.1:1', user: 'u1', context: 'one' });
    assert.equal(scope.recorder, scope.recorder, 'one recorder per connection');
    assert.equal(scope.watching, false);
    await scope.owners.learn({ kind: '', name: '', namespace: '', apiVersion: '' }); // waits for the memory to load
    scope.owners.observe(successfulCreate('web-7c9d8f6b5-x2k4q'));
    scope.dispose();
    assert.equal(memory.saved.length, 1, 'what was learnt is saved when the scope ends');
    assert.equal(memory.saved[0][0]?.name, 'web-7c9d8f6b5-x2k4q');
    scope.dispose(); // twice is harmless
    assert.equal(memory.saved.length, 1);
  });

  it('saves learnt owner links at most every OWNER_SAVE_DELAY_MS', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const memory = new RecordingMemory();
      const scope = new ConnectionScope(loaded('one'), { logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} }, ownerMemory: () => memory });
      await scope.owners.learn({ kind: '', name: '', namespace: '', apiVersion: '' });
      scope.owners.observe(successfulCreate('web-7c9d8f6b5-aaaaa'));
      scope.owners.observe(successfulCreate('web-7c9d8f6b5-bbbbb'));
      mock.timers.tick(OWNER_SAVE_DELAY_MS - 1);
      assert.equal(memory.saved.length, 0);
      mock.timers.tick(1);
      assert.equal(memory.saved.length, 1, 'one save for both links');
      scope.dispose();
      assert.equal(memory.saved.length, 1, 'nothing new to save');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('ClusterSession: one scope per connection', () => {
  it('keeps the scope for a namespace change, replaces it for another context, and drops it for a broken kubeconfig', () => {
    const session = new ClusterSession(settings('one'));
    const seen: Array<ConnectionScope | undefined> = [];
    session.onDidChangeScope((s) => seen.push(s));
    try {
      assert.equal(session.connect(), true);
      const first = session.connectionScope;
      assert.ok(first);
      assert.deepEqual(seen, [first]);
      assert.deepEqual(session.namespaces, ['team-a'], "the context's namespace");
      assert.equal(first.watching, true);

      session.update(settings('one', ['a', 'b']));
      assert.equal(session.connectionScope, first, 'a namespace change keeps the scope and its caches');
      assert.deepEqual(session.namespaces, ['a', 'b']);
      assert.equal(first.watching, true, 'the watch restarted');
      assert.equal(seen.length, 1);

      session.update(settings('two'));
      const second = session.connectionScope;
      assert.ok(second && second !== first, 'another context, another scope');
      assert.equal(second.context, 'two');
      assert.deepEqual(seen, [first, second]);
      assert.equal(first.watching, false, 'the old scope ended as a whole');

      session.update({ ...settings('two'), kubeconfig: { path: path.join(dir, 'missing'), context: 'two' } });
      assert.equal(session.connectionScope, undefined);
      assert.deepEqual(seen, [first, second, undefined]);
      assert.equal(session.state.phase, 'unconfigured');
      assert.equal(second.watching, false);
    } finally {
      session.dispose();
    }
  });

  it('clears the store for another cluster (server and user) before the new scope is announced, and keeps it for the same one', () => {
    const session = new ClusterSession(settings('one'));
    try {
      session.connect();
      session.store.apply({ type: 'ADDED', event: anEvent() });
      session.connect();
      assert.equal(session.store.size, 1, 'same context and server: the store is kept');
      session.update(settings('three'));
      assert.equal(session.store.size, 1, 'another context on the same server as the same user: the same cluster, the store is kept');
      let sizeWhenAnnounced = -1;
      session.onDidChangeScope(() => (sizeWhenAnnounced = session.store.size));
      session.update(settings('two'));
      assert.equal(sizeWhenAnnounced, 0);
    } finally {
      session.dispose();
    }
  });

  it('pauses and resumes the watch within the scope', () => {
    const session = new ClusterSession(settings('one'));
    try {
      session.connect();
      const scope = session.connectionScope;
      session.pause();
      assert.equal(session.state.phase, 'paused');
      assert.equal(scope?.watching, false);
      session.update(settings('one', ['x']));
      assert.equal(scope?.watching, false, 'a namespace change while paused stays paused');
      session.resume();
      assert.equal(session.connectionScope, scope);
      assert.equal(scope?.watching, true);
    } finally {
      session.dispose();
    }
  });

  it('starts the watch and reports its state even when a scope or state listener throws', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const session = new ClusterSession(settings('one'), { logger });
    const states: string[] = [];
    session.onDidChangeScope(() => {
      throw new Error('scope listener broke');
    });
    session.onDidChangeState(() => {
      throw new Error('state listener broke');
    });
    session.onDidChangeState((s) => states.push(s.phase));
    try {
      assert.equal(session.connect(), true);
      assert.equal(session.connectionScope?.watching, true, 'the watch started after the throwing scope listener');
      assert.deepEqual(states, ['connecting'], 'the later state listener still ran');
      assert.ok(warnings.some((w) => w.includes('scope listener broke')), warnings.join('\n'));
      assert.ok(warnings.some((w) => w.includes('state listener broke')), warnings.join('\n'));
    } finally {
      session.dispose();
    }
  });
});

describe('ClusterSession: several contexts at once', () => {
  function several(contexts: string[], names?: string[]): SessionSettings {
    return { ...settings(contexts[0], names), contexts };
  }

  it('holds one scope per cluster, the first context being the primary; two contexts of one cluster are one', () => {
    const session = new ClusterSession(several(['one', 'two', 'three']));
    const begun: ConnectionScope[] = [];
    const primary: Array<ConnectionScope | undefined> = [];
    session.onDidBeginScope((s) => begun.push(s));
    session.onDidChangeScope((s) => primary.push(s));
    try {
      assert.equal(session.connect(), true);
      assert.deepEqual(
        session.clusters.map((c) => [c.name, c.context, c.identity?.server]),
        [
          ['one', 'one', 'https://127.0.0.1:1'],
          ['two', 'two', 'https://127.0.0.2:1'],
        ],
        '"three" reaches c1 as u1, as "one" does: the same cluster, watched once',
      );
      const [one, two] = session.clusters.map((c) => c.scope);
      assert.ok(one && two && one !== two);
      assert.equal(session.connectionScope, one, 'the primary is the first context');
      assert.equal(session.contextName, 'one');
      assert.deepEqual(begun, [one, two], 'each cluster\'s scope begins, before its first list');
      assert.deepEqual(primary, [one]);
      assert.equal(one.watching && two.watching, true, 'both watch');
      assert.equal(session.scopeOf('two'), two);
      assert.equal(two.name, 'two');
    } finally {
      session.dispose();
    }
  });

  it('clears only the store\'s events of a cluster that leaves the set, and everything when none stays', () => {
    const session = new ClusterSession(several(['one', 'two']));
    try {
      session.connect();
      const a = anEvent({ cluster: 'one' });
      const b = anEvent({ cluster: 'two' });
      session.store.applyBatch([a, b].map((event) => ({ type: 'ADDED' as const, event })));
      session.update(several(['two', 'three']));
      assert.deepEqual(
        session.clusters.map((c) => c.name),
        ['two', 'one'],
        '"three" is "one"\'s cluster: it keeps the name its events carry',
      );
      assert.equal(session.store.size, 2, 'both clusters are still watched: nothing cleared');
      session.update(settings('two'));
      assert.deepEqual(session.clusters.map((c) => c.name), ['two']);
      assert.equal(session.store.get(a.uid), undefined, 'the cluster no longer watched left the store');
      assert.ok(session.store.get(b.uid), 'the cluster still watched kept its events');
      session.update(settings('one'));
      assert.equal(session.store.size, 0, 'no cluster stays: the store starts afresh');
    } finally {
      session.dispose();
    }
  });

  it('shows a context that cannot be loaded as such, and it hides nothing of the others', () => {
    const session = new ClusterSession(several(['one', 'broken', 'two']));
    const changes: string[][] = [];
    session.onDidChangeClusters((clusters) => changes.push(clusters.map((c) => `${c.name}:${c.state.phase}`)));
    try {
      assert.equal(session.connect(), true);
      assert.deepEqual(
        session.clusters.map((c) => [c.name, c.state.phase, c.scope !== undefined]),
        [
          ['one', 'connecting', true],
          ['broken', 'unconfigured', false],
          ['two', 'connecting', true],
        ],
      );
      assert.ok(changes.length > 0, 'the set was announced');
      session.pause();
      assert.deepEqual(session.clusters.map((c) => c.state.phase), ['paused', 'unconfigured', 'paused']);
      assert.equal(session.state.phase, 'paused');
      session.resume();
      assert.equal(session.clusters.filter((c) => c.scope?.watching).length, 2);
    } finally {
      session.dispose();
    }
  });

  it('takes the cluster\'s name the session gives it, not its context\'s', () => {
    const scope = new ConnectionScope(loaded('three'), { logger: silentLogger, clusterName: 'one' });
    try {
      assert.equal(scope.name, 'one');
      assert.equal(scope.context, 'three');
    } finally {
      scope.dispose();
    }
  });
});
