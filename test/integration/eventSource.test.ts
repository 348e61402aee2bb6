import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource, type SourceState, type WatchTiming } from '../../src/kube/eventSource';
import type { EventChange } from '../../src/core/events/kubeEvent';
import type { KubeClient } from '../../src/kube/kubeClient';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, createCoreEvent, createNamespace, kubeconfigWithServer, useCluster, waitFor } from './support/cluster';
import { startTcpProxy } from './support/tcpProxy';
import { sessionProblemText } from '../../src/host/errorText';
import { auditFrom } from '../support/audit';

/** Short timings so reconnect paths run within a test; the shape of the loop is the production one. */
type Created = Awaited<ReturnType<typeof createCoreEvent>>;

const FAST: Partial<WatchTiming> = { backoffInitialMs: 200, backoffMaxMs: 1_000, refusedRetryMs: 1_000, watchTimeoutMinS: 30, watchTimeoutMaxS: 40 };

/** Records what a source reports, and checks "exactly once" per uid. */
class Recorder {
  readonly changes: EventChange[] = [];
  readonly states: SourceState[] = [];
  sink = (batch: EventChange[]): void => {
    this.changes.push(...batch);
  };
  adds(uid: string): number {
    return this.changes.filter((c) => c.type === 'ADDED' && c.event.uid === uid).length;
  }
  of(uid: string): EventChange[] {
    return this.changes.filter((c) => c.event.uid === uid);
  }
  inNamespace(ns: string): EventChange[] {
    return this.changes.filter((c) => c.event.namespace === ns);
  }
  /** Every uid must have been ADDED exactly once. */
  assertNoDuplicateAdds(): void {
    const counts = new Map<string, number>();
    for (const c of this.changes) if (c.type === 'ADDED') counts.set(c.event.uid, (counts.get(c.event.uid) ?? 0) + 1);
    const dup = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(dup, [], 'an event was reported ADDED more than once');
  }
}

function startSource(client: KubeClient, rec: Recorder, namespaces: string[], timing: Partial<WatchTiming> = FAST): EventSource {
  const src = new EventSource({ client, namespaces, sink: rec.sink, timing });
  src.onDidChangeState((s) => rec.states.push(s));
  src.start();
  return src;
}

describe('EventSource against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  const sources: EventSource[] = [];
  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
  });
  after(() => {
    for (const s of sources) s.stop();
    admin?.dispose();
  });

  it('reports existing and new events exactly once, and a count increase as MODIFIED', async () => {
    const ns = await createNamespace(admin, 'src-once');
    const before = await createCoreEvent(admin, ns, { reason: 'Existing' });
    const rec = new Recorder();
    const src = startSource(admin, rec, [ns]);
    sources.push(src);
    await waitFor('the source to go live', () => src.state.phase === 'live');
    assert.equal(rec.adds(before.metadata.uid), 1, 'the listed event arrives once');
    const created: Created[] = [];
    for (let i = 0; i < 20; i++) created.push(await createCoreEvent(admin, ns, { reason: 'Created', message: `event ${i}` }));
    await waitFor('20 new events', () => created.every((e) => rec.adds(e.metadata.uid) === 1));
    const target = created[3];
    await admin.request(`/api/v1/namespaces/${ns}/events/${target.metadata.name}`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { count: 2, lastTimestamp: new Date().toISOString() },
    });
    const modified = await waitFor('the count patch as MODIFIED', () => rec.of(target.metadata.uid).find((c) => c.type === 'MODIFIED'));
    assert.equal(modified.event.count, 2);
    rec.assertNoDuplicateAdds();
    assert.equal(rec.inNamespace(ns).filter((c) => c.type === 'ADDED').length, 21);
    src.stop();
  });

  it('resumes after kube-apiserver restarts on the same etcd, missing nothing and doubling nothing', async () => {
    const ns = await createNamespace(admin, 'src-restart');
    const first = await createCoreEvent(admin, ns);
    const rec = new Recorder();
    // A slow first reconnect leaves a window in which events are created while the watch is down; retryNow()
    // ends it. 6 s was too short once the controllers also reconnect to the restarted apiserver on 2 busy cores.
    const src = startSource(admin, rec, [ns], { ...FAST, backoffInitialMs: 60_000, backoffMaxMs: 60_000 });
    sources.push(src);
    await waitFor('live', () => src.state.phase === 'live');
    await cp.stopApiserver();
    await waitFor('the source to notice', () => src.state.phase === 'reconnecting', 30_000);
    await cp.startApiserver();
    const whileDown: Created[] = [];
    for (let i = 0; i < 10; i++) whileDown.push(await createCoreEvent(admin, ns, { message: `while the watch was down ${i}` }));
    assert.ok(whileDown.every((e) => rec.adds(e.metadata.uid) === 0), 'these were created before the source reconnected');
    src.retryNow();
    await waitFor('the events created while down', () => whileDown.every((e) => rec.adds(e.metadata.uid) === 1), 60_000);
    assert.equal(rec.adds(first.metadata.uid), 1);
    rec.assertNoDuplicateAdds();
    assert.ok(rec.states.some((s) => s.phase === 'reconnecting'), 'the state went through reconnecting');
    src.stop();
  });

  it('relists after 410 Gone from etcd compaction, synthesising deletions, with nothing lost or doubled', async () => {
    const ns = await createNamespace(admin, 'src-gone');
    const keep = await createCoreEvent(admin, ns, { reason: 'Kept' });
    const doomed = await createCoreEvent(admin, ns, { reason: 'Doomed' });
    const rec = new Recorder();
    // No reconnect of its own before retryNow() below: with the controllers reconnecting too, the restart,
    // the writes and the compaction took longer than a 6 s backoff on 2 busy cores.
    const src = startSource(admin, rec, [ns], { ...FAST, backoffInitialMs: 60_000, backoffMaxMs: 60_000 });
    sources.push(src);
    await waitFor('live', () => src.state.phase === 'live');
    await waitFor('both events', () => rec.adds(keep.metadata.uid) === 1 && rec.adds(doomed.metadata.uid) === 1);
    // Take the watch down, change the world, compact etcd, and bring a fresh apiserver (empty watch cache) up.
    await cp.stopApiserver();
    await waitFor('reconnecting', () => src.state.phase === 'reconnecting', 30_000);
    await cp.startApiserver();
    await admin.request(`/api/v1/namespaces/${ns}/events/${doomed.metadata.name}`, { method: 'DELETE' });
    const added: Created[] = [];
    for (let i = 0; i < 5; i++) added.push(await createCoreEvent(admin, ns, { reason: 'AfterCompaction' }));
    for (let i = 0; i < 3; i++) await createCoreEvent(admin, 'default', { reason: 'Churn' }); // move the revision past the source's
    await cp.compact();
    src.retryNow();
    await waitFor('the relist', () => added.every((e) => rec.adds(e.metadata.uid) === 1), 60_000);
    const gone = await waitFor('the synthesised deletion', () => rec.of(doomed.metadata.uid).find((c) => c.type === 'DELETED'));
    assert.equal(gone.event.expired, true);
    assert.ok(rec.states.some((s) => s.phase === 'relisting'), 'the source reported relisting');
    assert.equal(rec.adds(keep.metadata.uid), 1, 'the kept event is not reported again');
    assert.deepEqual(rec.of(keep.metadata.uid).map((c) => c.type), ['ADDED'], 'an unchanged event produces no MODIFIED on relist');
    rec.assertNoDuplicateAdds();
    src.stop();
  });

  it('gives the restricted user a plain reason cluster-wide, and streams the namespace it may read', async () => {
    const restricted = clientFor(cp, 'restricted');
    const wide = new Recorder();
    const denied = startSource(restricted, wide, []);
    sources.push(denied);
    const state = await waitFor('the error state', () => (denied.state.phase === 'error' ? denied.state : undefined));
    assert.equal(state.reason, 'forbidden');
    assert.match(state.message, /kube-events-restricted/, 'names the user');
    assert.match(state.message, /either API group/, 'says both API groups were tried');
    assert.match(sessionProblemText(state) ?? '', /Select Namespace/, 'the host says what to do');
    denied.stop();

    const ev = await createCoreEvent(admin, cp.restrictedNamespace, { reason: 'VisibleToRestricted' });
    const scoped = new Recorder();
    const ok = startSource(restricted, scoped, [cp.restrictedNamespace]);
    sources.push(ok);
    await waitFor('live in the permitted namespace', () => ok.state.phase === 'live');
    await waitFor('the event', () => scoped.adds(ev.metadata.uid) === 1);
    ok.stop();
    restricted.dispose();
  });

  it('falls back to events.k8s.io/v1 when core/v1 events are forbidden', async () => {
    const ns = await createNamespace(admin, 'src-fallback');
    const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
    await admin.request(`${rbac}/roles`, {
      method: 'POST',
      body: { metadata: { name: 'events-v1-only' }, rules: [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] }] },
    });
    await admin.request(`${rbac}/rolebindings`, {
      method: 'POST',
      body: {
        metadata: { name: 'events-v1-only' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'events-v1-only' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kube-events-restricted' }],
      },
    });
    const ev = await createCoreEvent(admin, ns, { reason: 'SeenThroughEventsV1', message: 'note text' });
    const restricted = clientFor(cp, 'restricted');
    const rec = new Recorder();
    const src = startSource(restricted, rec, [ns]);
    sources.push(src);
    const live = await waitFor('live', () => (src.state.phase === 'live' ? src.state : undefined));
    assert.equal(live.api, 'events.k8s.io/v1');
    const seen = await waitFor('the event', () => rec.of(ev.metadata.uid)[0]);
    assert.equal(seen.event.api, 'events.k8s.io/v1');
    assert.equal(seen.event.message, 'note text', 'core message is the v1 note');
    assert.equal(seen.event.reason, 'SeenThroughEventsV1');
    src.stop();
    restricted.dispose();
  });

  it('backs off while the server is unreachable and recovers when it returns', async () => {
    const port = Number(new URL(cp.server).port);
    const proxy = await startTcpProxy(port, false);
    try {
      const client = clientFor(cp, 'admin', kubeconfigWithServer(cp, `https://127.0.0.1:${proxy.port}`));
      const ns = await createNamespace(admin, 'src-unreach');
      const rec = new Recorder();
      const src = startSource(client, rec, [ns]);
      sources.push(src);
      await waitFor('three reconnect attempts', () => (src.state.phase === 'reconnecting' && src.state.attempt >= 3 ? src.state : undefined), 20_000);
      const attempts = rec.states.filter((s): s is Extract<SourceState, { phase: 'reconnecting' }> => s.phase === 'reconnecting');
      assert.match(attempts[0].reason, /connection refused/);
      assert.ok(attempts.every((s, i) => i === 0 || s.retryInMs >= attempts[0].retryInMs / 2), 'delays do not shrink');
      await proxy.restore();
      const ev = await createCoreEvent(admin, ns);
      await waitFor('recovery', () => src.state.phase === 'live' && rec.adds(ev.metadata.uid) === 1, 20_000);
      // Break an established watch: the source must reconnect and resume.
      await proxy.cut();
      await waitFor('reconnecting after the cut', () => src.state.phase === 'reconnecting', 10_000);
      await proxy.restore();
      const after = await createCoreEvent(admin, ns);
      await waitFor('resumed', () => rec.adds(after.metadata.uid) === 1, 20_000);
      rec.assertNoDuplicateAdds();
      src.stop();
      client.dispose();
    } finally {
      await proxy.close();
    }
  });

  it('a restarted source seeded with what was delivered reports only what changed', async () => {
    const ns = await createNamespace(admin, 'src-seeded');
    const kept = await createCoreEvent(admin, ns, { reason: 'Kept' });
    const gone = await createCoreEvent(admin, ns, { reason: 'Gone' });
    const first = new Recorder();
    const a = startSource(admin, first, [ns]);
    await waitFor('the first source to see both', () => first.adds(kept.metadata.uid) === 1 && first.adds(gone.metadata.uid) === 1);
    a.stop();
    // While nothing watches: one event is deleted, one is created, one keeps its resourceVersion.
    await admin.request(`/api/v1/namespaces/${ns}/events/${gone.metadata.name}`, { method: 'DELETE' });
    const fresh = await createCoreEvent(admin, ns, { reason: 'Fresh' });
    const delivered = first.changes.map((c) => c.event);
    const second = new Recorder();
    const b = new EventSource({ client: admin, namespaces: [ns], sink: second.sink, timing: FAST, known: () => delivered });
    sources.push(b);
    b.start();
    await waitFor('the new event', () => second.adds(fresh.metadata.uid) === 1);
    await waitFor('the deletion found by reconciling', () => second.of(gone.metadata.uid).some((c) => c.type === 'DELETED'));
    assert.deepEqual(second.of(kept.metadata.uid), [], 'an unchanged event is not reported again');
    b.stop();
  });

  it('lists events with messages of 1.4 MiB within its page budget, each event once and whole', async () => {
    // The apiserver takes a core/v1 Event message of 1.4 MiB (etcd's request limit is 1.5 MiB). Six of them make a
    // page of 500 about 8.4 MiB; a budget of 4 MiB stands in for the production one (16 MiB) against V8's string
    // limit, which a real page of 500 such events (~700 MiB) passes.
    const ns = await createNamespace(admin, 'src-huge');
    const messageChars = Math.round(1.4 * 1024 * 1024);
    const created: Created[] = [];
    for (let i = 0; i < 6; i++) created.push(await createCoreEvent(admin, ns, { reason: 'Huge', message: `${i}`.repeat(messageChars) }));
    const since = new Date(Date.now() - 1_000);
    const rec = new Recorder();
    const src = startSource(admin, rec, [ns], { ...FAST, pageBytes: 4 * 1024 * 1024 });
    sources.push(src);
    try {
      await waitFor('live', () => src.state.phase === 'live', 60_000);
      assert.ok(created.every((e) => rec.adds(e.metadata.uid) === 1), 'each event once');
      assert.ok(rec.inNamespace(ns).every((c) => c.event.message.length === messageChars), 'each message whole');
      assert.ok(!rec.states.some((s) => s.phase === 'reconnecting' || s.phase === 'error'), 'no failed list');
      // The apiserver's side: the LISTs of this namespace and the limit each asked for.
      const lists = await waitFor('the LISTs in the audit log', () => {
        const seen = new Map<string, number>();
        for (const e of auditFrom(cp.auditLogPath, 'kube-events-vscode', since)) {
          if (e.verb !== 'list' || e.objectRef?.namespace !== ns) continue;
          const id = (e as { auditID?: string }).auditID ?? e.requestURI;
          seen.set(id, Number(new URL(e.requestURI, 'https://apiserver').searchParams.get('limit')));
        }
        return seen.size > 0 ? [...seen.values()] : undefined;
      });
      console.log(`LIST limits the apiserver saw: ${lists.join(', ')}`);
      assert.equal(lists[0], 500, `the first page asks for 500 (${lists.join(', ')})`);
      assert.ok(lists.includes(1), `pages over the budget are asked again with half the limit, down to one event (${lists.join(', ')})`);
      assert.ok(lists.length <= 1 + 9 + created.length, `a bounded number of LISTs (${lists.length})`);
    } finally {
      src.stop();
      // Keep the shared etcd small.
      for (const e of created) await admin.request(`/api/v1/namespaces/${ns}/events/${e.metadata.name}`, { method: 'DELETE' }).catch(() => undefined);
    }
  });

  it('stays stopped once stopped', async () => {
    const ns = await createNamespace(admin, 'src-stop');
    const rec = new Recorder();
    const src = startSource(admin, rec, [ns]);
    await waitFor('live', () => src.state.phase === 'live');
    src.stop();
    assert.equal(src.state.phase, 'stopped');
    const ev = await createCoreEvent(admin, ns);
    // Give a wrongly restarted loop every chance to report it: a fresh source sees it at once.
    const probe = new Recorder();
    const check = startSource(admin, probe, [ns]);
    await waitFor('the probe to see it', () => probe.adds(ev.metadata.uid) === 1);
    check.stop();
    assert.equal(rec.adds(ev.metadata.uid), 0);
    assert.equal(src.state.phase, 'stopped');
  });
});
