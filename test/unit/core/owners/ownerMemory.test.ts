// The owner chain outliving its objects: remembered links, links inferred from controllers' events and from
// generated names, and the count of events `under:` cannot place. Pure core plus the JSON file memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeEvent, ObjectKeyWith } from '../../../../src/core/events/kubeEvent';
import { OwnerGraph, type OwnerInfo, type OwnerReference, type OwnerResolveReason, type OwnerResolver } from '../../../../src/core/owners/ownerGraph';
import { linkFromEvent, replicaSetOfPodName } from '../../../../src/core/owners/ownerInference';
import { ownerRecordOf, type OwnerMemory, type OwnerRecord } from '../../../../src/core/owners/ownerMemory';
import { parseQuery } from '../../../../src/core/query/parse';
import { fail, ok, type Result } from '../../../../src/core/result';
import { countUnplaced } from '../../../../src/core/owners/unplacedEvents';
import { OwnerMemoryFile, ownerMemoryPath } from '../../../../src/host/ownerMemoryFile';
import { anEvent } from '../../support/eventBuilder';

// ---- fakes ------------------------------------------------------------------------------------------------------

function owner(kind: string, name: string, uid: string, apiVersion = 'apps/v1'): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true };
}

/** A cluster as a table keyed `Kind/namespace/name`; delete entries to make objects answer 404. */
class Cluster implements OwnerResolver {
  readonly calls: string[] = [];
  constructor(readonly objects: Map<string, { uid: string; owners?: OwnerReference[] }>) {}

  async getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    this.calls.push(key);
    await new Promise((resolve) => setImmediate(resolve));
    const found = this.objects.get(key);
    return found ? ok({ uid: found.uid, ownerReferences: found.owners ?? [], namespace: ref.namespace }) : fail('not-found', `${key} not found`);
  }
}

function shop(): Map<string, { uid: string; owners?: OwnerReference[] }> {
  return new Map([
    ['Deployment/shop/web', { uid: 'd1' }],
    ['ReplicaSet/shop/web-7c9d8f6b5', { uid: 'rs1', owners: [owner('Deployment', 'web', 'd1')] }],
    ['Pod/shop/web-7c9d8f6b5-x2k4q', { uid: 'p1', owners: [owner('ReplicaSet', 'web-7c9d8f6b5', 'rs1')] }],
    ['Pod/shop/web-7c9d8f6b5-m8pnz', { uid: 'p2', owners: [owner('ReplicaSet', 'web-7c9d8f6b5', 'rs1')] }],
  ]);
}

/** A memory kept in a variable, as a reloaded window would find the file. `gate` holds load() back. */
class MemoryInVariable implements OwnerMemory {
  saved: readonly OwnerRecord[] = [];
  saves = 0;
  gate: Promise<void> = Promise.resolve();
  async load(): Promise<readonly OwnerRecord[]> {
    await this.gate;
    return JSON.parse(JSON.stringify(this.saved)) as OwnerRecord[];
  }
  save(records: readonly OwnerRecord[]): Promise<void> {
    this.saves++;
    this.saved = JSON.parse(JSON.stringify(records)) as OwnerRecord[];
    return Promise.resolve();
  }
}

const pod = (name: string, uid = ''): ObjectKeyWith<'apiVersion', 'uid'> => ({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name, uid: uid || undefined });
const DEPLOYMENT = { kind: 'Deployment', namespace: 'shop', name: 'web' };

function controllerEvent(reason: string, message: string, overrides: { kind?: string; name?: string; uid?: string; component?: string } = {}): KubeEvent {
  const kind = overrides.kind ?? 'ReplicaSet';
  return anEvent({
    namespace: 'shop',
    reason,
    message,
    reportingController: overrides.component ?? 'replicaset-controller',
    regarding: { kind, apiVersion: kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1', namespace: 'shop', name: overrides.name ?? 'web-7c9d8f6b5', uid: overrides.uid ?? 'rs1' },
  });
}

// ---- inference rules ----------------------------------------------------------------------------------------------

describe('linkFromEvent: what controllers say about the objects they create', () => {
  it('a ReplicaSet naming its Pod in SuccessfulCreate and SuccessfulDelete', () => {
    for (const [reason, verb] of [['SuccessfulCreate', 'Created'], ['SuccessfulDelete', 'Deleted']]) {
      const link = linkFromEvent(controllerEvent(reason, `${verb} pod: web-7c9d8f6b5-x2k4q`));
      assert.deepEqual(link, {
        child: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-7c9d8f6b5-x2k4q' },
        owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7c9d8f6b5', uid: 'rs1', controller: true },
      });
    }
  });

  it('Jobs, DaemonSets, ReplicationControllers, StatefulSets and CronJobs in their own wording', () => {
    const cases: Array<[KubeEvent, string, string]> = [
      [controllerEvent('SuccessfulCreate', 'Created pod: report-bcd2f', { kind: 'Job', name: 'report', component: 'job-controller' }), 'Pod', 'report-bcd2f'],
      [controllerEvent('SuccessfulDelete', 'Deleted pod: agent-xk2lp', { kind: 'DaemonSet', name: 'agent', component: 'daemonset-controller' }), 'Pod', 'agent-xk2lp'],
      [controllerEvent('SuccessfulCreate', 'Created pod: legacy-7q9zz', { kind: 'ReplicationController', name: 'legacy', component: 'replication-controller' }), 'Pod', 'legacy-7q9zz'],
      [controllerEvent('SuccessfulCreate', 'create Pod db-0 in StatefulSet db successful', { kind: 'StatefulSet', name: 'db', component: 'statefulset-controller' }), 'Pod', 'db-0'],
      [controllerEvent('SuccessfulDelete', 'delete Pod db-2 in StatefulSet db successful', { kind: 'StatefulSet', name: 'db', component: 'statefulset-controller' }), 'Pod', 'db-2'],
      [controllerEvent('SuccessfulCreate', 'Created job backup-29410560', { kind: 'CronJob', name: 'backup', component: 'cronjob-controller' }), 'Job', 'backup-29410560'],
    ];
    for (const [event, kind, name] of cases) {
      const link = linkFromEvent(event);
      assert.equal(link?.child.kind, kind, event.message);
      assert.equal(link?.child.name, name, event.message);
      assert.equal(link?.owner.kind, event.regarding.kind);
      assert.equal(link?.owner.controller, true);
    }
  });

  it('nothing from other components, reasons, wordings, kinds, or without the owner uid', () => {
    const refused = [
      controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q', { component: 'kube-events-vscode' }),
      controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q', { component: 'kubelet' }),
      controllerEvent('FailedCreate', 'Created pod: web-7c9d8f6b5-x2k4q'),
      controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q and more'),
      controllerEvent('SuccessfulCreate', 'Created pod: Web_Pod'),
      controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q', { uid: '' }),
      controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q', { kind: 'Deployment', component: 'replicaset-controller' }),
      // The StatefulSet named in the message must be the event's object.
      controllerEvent('SuccessfulCreate', 'create Pod db-0 in StatefulSet other successful', { kind: 'StatefulSet', name: 'db', component: 'statefulset-controller' }),
    ];
    for (const e of refused) assert.equal(linkFromEvent(e), undefined, `${e.reason} ${e.reportingController} ${e.regarding.kind} "${e.message}"`);
  });
});

describe('replicaSetOfPodName: the ReplicaSet a generated Pod name carries', () => {
  it('strips the 5 generated characters', () => {
    assert.equal(replicaSetOfPodName('web-7c9d8f6b5-x2k4q'), 'web-7c9d8f6b5');
  });

  it('refuses names the generator cannot have made, and prefixes it may have truncated', () => {
    // The generator's alphabet has no vowels and no 0, 1, 3.
    assert.equal(replicaSetOfPodName('web-7c9d8f6b5-abcde'), undefined);
    assert.equal(replicaSetOfPodName('web-7c9d8f6b5-x2k4'), undefined);
    assert.equal(replicaSetOfPodName('db-0'), undefined);
    assert.equal(replicaSetOfPodName(`${'a'.repeat(57)}-x2k4q`), 'a'.repeat(57));
    assert.equal(replicaSetOfPodName(`${'a'.repeat(58)}x2k4q`), undefined);
    assert.equal(replicaSetOfPodName(`${'a'.repeat(58)}-x2k4q`), undefined, 'a 59-character generateName is cut to 58');
  });
});

// ---- the graph --------------------------------------------------------------------------------------------------

describe('OwnerGraph: the chain survives its objects', () => {
  it('a deleted Pod stays under its Deployment in the next session, from the remembered links', async () => {
    const objects = shop();
    const memory = new MemoryInVariable();
    const first = new OwnerGraph(new Cluster(objects), { memory });
    await first.learn(pod('web-7c9d8f6b5-x2k4q', 'p1'));
    await first.flush();
    first.dispose();
    assert.deepEqual(
      memory.saved.map((r) => `${r.kind}/${r.name}→${r.ownerReferences.map((o) => `${o.kind}/${o.name}`).join(',')}`),
      ['Pod/web-7c9d8f6b5-x2k4q→ReplicaSet/web-7c9d8f6b5', 'ReplicaSet/web-7c9d8f6b5→Deployment/web'],
      'objects without owners are not worth remembering',
    );

    objects.delete('Pod/shop/web-7c9d8f6b5-x2k4q');
    const p1 = pod('web-7c9d8f6b5-x2k4q', 'p1');

    const forgetful = new OwnerGraph(new Cluster(objects));
    await forgetful.learn(p1);
    assert.equal(forgetful.isUnder(p1, DEPLOYMENT), false, 'without memory the 404 loses the chain');
    assert.equal(forgetful.ownerUnknown(p1), true, '…and says so');

    const cluster = new Cluster(objects);
    const second = new OwnerGraph(cluster, { memory });
    await second.learn(p1);
    assert.equal(second.isUnder(p1, DEPLOYMENT), true);
    assert.equal(second.ownerUnknown(p1), false);
    assert.ok(cluster.calls.includes('Pod/shop/web-7c9d8f6b5-x2k4q'), 'a remembered object is still read once: the cluster has the last word');
  });

  it('loads the memory before the first learn() answers, however slow the load', async () => {
    const objects = shop();
    const memory = new MemoryInVariable();
    const first = new OwnerGraph(new Cluster(objects), { memory });
    await first.learn(pod('web-7c9d8f6b5-x2k4q', 'p1'));
    await first.flush();
    objects.delete('Pod/shop/web-7c9d8f6b5-x2k4q');

    let open: () => void = () => {};
    memory.gate = new Promise((resolve) => (open = resolve));
    const second = new OwnerGraph(new Cluster(objects), { memory });
    // A save before the load finished must not replace what is on disk with nothing.
    await second.flush();
    const learnt = second.learn(pod('web-7c9d8f6b5-x2k4q', 'p1'));
    setImmediate(open);
    await learnt;
    assert.equal(second.isUnder(pod('web-7c9d8f6b5-x2k4q', 'p1'), DEPLOYMENT), true);
    assert.equal(memory.saved.length, 2);
  });

  it('a remembered link is replaced by what the cluster answers now', async () => {
    const memory = new MemoryInVariable();
    memory.saved = [{ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-7c9d8f6b5-x2k4q', uid: 'p1', ownerReferences: [owner('ReplicaSet', 'old-rs', 'rs0')], source: 'read' }];
    const graph = new OwnerGraph(new Cluster(shop()), { memory });
    await graph.learn(pod('web-7c9d8f6b5-x2k4q', 'p1'));
    assert.equal(graph.isUnder(pod('web-7c9d8f6b5-x2k4q', 'p1'), { kind: 'ReplicaSet', name: 'old-rs' }), false);
    assert.equal(graph.isUnder(pod('web-7c9d8f6b5-x2k4q', 'p1'), DEPLOYMENT), true);
  });

  it('keeps at most maxRemembered links, the most recently learnt', async () => {
    const objects = shop();
    for (let i = 0; i < 6; i++) objects.set(`Pod/shop/extra-${i}`, { uid: `x${i}`, owners: [owner('ReplicaSet', 'web-7c9d8f6b5', 'rs1')] });
    const memory = new MemoryInVariable();
    const graph = new OwnerGraph(new Cluster(objects), { memory, maxRemembered: 3 });
    for (let i = 0; i < 6; i++) await graph.learn(pod(`extra-${i}`, `x${i}`));
    await graph.flush();
    // The ReplicaSet was learnt first but is used by every Pod since: it counts as recent.
    assert.deepEqual(memory.saved.map((r) => r.name), ['extra-4', 'extra-5', 'web-7c9d8f6b5']);
  });

  it('saves only when something was learnt since the last save', async () => {
    const memory = new MemoryInVariable();
    const graph = new OwnerGraph(new Cluster(shop()), { memory });
    await graph.flush();
    assert.equal(memory.saves, 0);
    await graph.learn(pod('web-7c9d8f6b5-x2k4q', 'p1'));
    await graph.flush();
    await graph.flush();
    assert.equal(memory.saves, 1);
  });
});

describe('OwnerGraph: what events say when the object is gone', () => {
  it("a ReplicaSet's SuccessfulCreate places a Pod that answers 404, up to the Deployment", async () => {
    const objects = shop();
    objects.delete('Pod/shop/web-7c9d8f6b5-m8pnz');
    const graph = new OwnerGraph(new Cluster(objects));
    const p2 = pod('web-7c9d8f6b5-m8pnz', 'p2');
    graph.observe(controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-m8pnz'));
    await graph.learn(p2);
    assert.equal(graph.isUnder(p2, DEPLOYMENT), true);
    assert.equal(graph.ownerUnknown(p2), false);
  });

  it('what a GET answered wins over what an event claims, before and after', async () => {
    const objects = shop();
    const graph = new OwnerGraph(new Cluster(objects));
    const p1 = pod('web-7c9d8f6b5-x2k4q', 'p1');
    const claim = controllerEvent('SuccessfulCreate', 'Created pod: web-7c9d8f6b5-x2k4q', { name: 'impostor', uid: 'rs9' });
    graph.observe(claim);
    await graph.learn(p1);
    graph.observe(claim);
    assert.equal(graph.isUnder(p1, { kind: 'ReplicaSet', name: 'impostor' }), false);
    assert.equal(graph.isUnder(p1, DEPLOYMENT), true);
  });

  it('a gone Pod whose name carries a known ReplicaSet, whichever is learnt first', async () => {
    for (const order of ['pod first', 'replicaset first']) {
      const objects = shop();
      objects.set('Pod/shop/web-7c9d8f6b5-bcdfg', { uid: 'p9', owners: [owner('ReplicaSet', 'web-7c9d8f6b5', 'rs1')] });
      objects.delete('Pod/shop/web-7c9d8f6b5-bcdfg');
      const graph = new OwnerGraph(new Cluster(objects));
      const gone = pod('web-7c9d8f6b5-bcdfg', 'p9');
      const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'shop', name: 'web-7c9d8f6b5' };
      if (order === 'pod first') {
        await graph.learn(gone);
        assert.equal(graph.ownerUnknown(gone), true, 'the ReplicaSet is not known yet');
        await graph.learn(rs);
      } else {
        await graph.learn(rs);
        await graph.learn(gone);
      }
      assert.equal(graph.isUnder(gone, DEPLOYMENT), true, order);
      assert.equal(graph.ownerUnknown(gone), false, order);
    }
  });

  it('no guess from a name when no ReplicaSet of that name is known', async () => {
    const graph = new OwnerGraph(new Cluster(shop()));
    const stray = pod('api-5f6d7c8b9-bcdfg', 'p8');
    let missed = 0;
    graph.onDidMiss(() => missed++);
    await graph.learn(stray);
    assert.equal(graph.isUnder(stray, { kind: 'ReplicaSet', name: 'api-5f6d7c8b9' }), false);
    assert.equal(graph.ownerUnknown(stray), true);
    assert.equal(missed, 1, 'views are told the unknown count changed');
  });

  it('an object that exists but whose owner is gone and unknown breaks the chain too', async () => {
    const objects = shop();
    objects.delete('ReplicaSet/shop/web-7c9d8f6b5');
    const graph = new OwnerGraph(new Cluster(objects));
    const p1 = pod('web-7c9d8f6b5-x2k4q', 'p1');
    await graph.learn(p1);
    assert.equal(graph.ownerUnknown(p1), true);
    assert.equal(graph.ownerUnknown({ kind: 'Deployment', namespace: 'shop', name: 'web' }), false, 'a root with no owners is not unknown');
  });
});

describe('countUnplaced: the events `under:` cannot place', () => {
  it('counts hidden events whose chain is broken, in namespaces the root could own', async () => {
    const objects = shop();
    const graph = new OwnerGraph(new Cluster(objects));
    const on = (ns: string, name: string, type = 'Normal'): KubeEvent =>
      anEvent({ namespace: ns, type, regarding: { kind: 'Pod', apiVersion: 'v1', namespace: ns, name, uid: `${ns}-${name}` } });
    const events = [on('shop', 'web-7c9d8f6b5-x2k4q'), on('shop', 'ghost'), on('shop', 'ghost', 'Warning'), on('other', 'ghost')];
    for (const e of events) await graph.learn({ ...e.regarding, uid: undefined });
    const query = (text: string) => {
      const q = parseQuery(text);
      assert.ok(q.ok);
      return q.value;
    };
    const now = Date.now();
    assert.equal(countUnplaced(events, query('under:Deployment/shop/web'), graph, now), 2, 'the two shop events on the gone Pod');
    assert.equal(countUnplaced(events, query('under:Deployment/shop/web type:Warning'), graph, now), 1, 'other terms still apply');
    assert.equal(countUnplaced(events, query('under:Deployment/web'), graph, now), 3, 'any namespace');
    assert.equal(countUnplaced(events, query('type:Warning'), graph, now), 0, 'no under: term');
  });
});

// ---- the file ---------------------------------------------------------------------------------------------------

describe('OwnerMemoryFile: one JSON file per cluster and user', () => {
  const record: OwnerRecord = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-7c9d8f6b5-x2k4q', uid: 'p1', ownerReferences: [owner('ReplicaSet', 'web-7c9d8f6b5', 'rs1')], source: 'read' };
  const id = { server: 'https://127.0.0.1:6443', user: 'admin' };
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'owner-memory-'));
  const warnings = (): { log: { trace(): void; debug(): void; info(): void; warn(m: string): void; error(): void }; lines: string[] } => {
    const lines: string[] = [];
    return { lines, log: { trace() {}, debug() {}, info() {}, warn: (m: string) => void lines.push(m), error() {} } };
  };

  it('round-trips, and another user or server gets its own file', async () => {
    const dir = tmp();
    await new OwnerMemoryFile(dir, id).save([record]);
    assert.deepEqual(await new OwnerMemoryFile(dir, id).load(), [record]);
    assert.deepEqual(await new OwnerMemoryFile(dir, { ...id, user: 'viewer' }).load(), []);
    assert.deepEqual(await new OwnerMemoryFile(dir, { ...id, server: 'https://10.0.0.1:6443' }).load(), []);
    assert.notEqual(ownerMemoryPath(dir, id), ownerMemoryPath(dir, { ...id, user: 'viewer' }));
    assert.doesNotMatch(path.basename(ownerMemoryPath(dir, id)), /admin|127/, 'the file name does not spell out the identity');
    assert.deepEqual(fs.readdirSync(dir), [path.basename(ownerMemoryPath(dir, id))], 'no temporary file left behind');
  });

  it('starts empty, with a warning, from a damaged or foreign file; skips bad records', async () => {
    const dir = tmp();
    const file = ownerMemoryPath(dir, id);
    const w = warnings();
    fs.writeFileSync(file, '{"version":1,');
    assert.deepEqual(await new OwnerMemoryFile(dir, id, w.log).load(), []);
    fs.writeFileSync(file, JSON.stringify({ version: 1, server: 'https://elsewhere', user: 'admin', records: [record] }));
    assert.deepEqual(await new OwnerMemoryFile(dir, id, w.log).load(), []);
    fs.writeFileSync(file, JSON.stringify({ version: 1, ...id, records: [record, { ...record, kind: 7 }, { ...record, ownerReferences: [] }, 'x', { ...record, name: 'n'.repeat(600) }] }));
    assert.deepEqual(await new OwnerMemoryFile(dir, id, w.log).load(), [record]);
    assert.equal(w.lines.length, 3);
    assert.match(w.lines[2], /skipped 4 unreadable owner links/);
  });

  // Written as versions before the one cluster key named the file (sha256 of `server\nuser`, 32 hex digits).
  const oldKeyedPath = (dir: string, who: { server: string; user: string }): string =>
    path.join(dir, `owners-${createHash('sha256').update(`${who.server}\n${who.user}`).digest('hex').slice(0, 32)}.json`);

  it('adopts a file saved under the old key: loads its links, and moves it to the new name once', async () => {
    const dir = tmp();
    fs.writeFileSync(oldKeyedPath(dir, id), JSON.stringify({ version: 1, ...id, records: [record] }));
    fs.writeFileSync(oldKeyedPath(dir, { ...id, user: 'viewer' }), JSON.stringify({ version: 1, ...id, user: 'viewer', records: [] }));
    assert.deepEqual(await new OwnerMemoryFile(dir, id).load(), [record]);
    assert.ok(fs.existsSync(ownerMemoryPath(dir, id)), 'the file has the new name');
    assert.ok(!fs.existsSync(oldKeyedPath(dir, id)), 'and the old name is gone');
    assert.ok(fs.existsSync(oldKeyedPath(dir, { ...id, user: 'viewer' })), "another identity's file is not touched");
    assert.deepEqual(await new OwnerMemoryFile(dir, id).load(), [record]);
  });

  it('keeps a file under the new key over one under the old key; a save first adopts too', async () => {
    const dir = tmp();
    const newer = { ...record, uid: 'p2' };
    await new OwnerMemoryFile(dir, id).save([newer]);
    fs.writeFileSync(oldKeyedPath(dir, id), JSON.stringify({ version: 1, ...id, records: [record] }));
    assert.deepEqual(await new OwnerMemoryFile(dir, id).load(), [newer]);
    assert.ok(fs.existsSync(oldKeyedPath(dir, id)), 'the old file is left alone when both exist');

    const other = tmp();
    fs.writeFileSync(oldKeyedPath(other, id), JSON.stringify({ version: 1, ...id, records: [record] }));
    await new OwnerMemoryFile(other, id).save([newer]);
    assert.deepEqual(fs.readdirSync(other), [path.basename(ownerMemoryPath(other, id))], 'the save wrote over the adopted file');
  });

  it('ownerRecordOf keeps only well-formed owner references', () => {
    const parsed = ownerRecordOf({ ...record, ownerReferences: [{ kind: 'ReplicaSet', name: 'x', uid: 'u', apiVersion: 'apps/v1', controller: 'yes' }, { kind: '', name: 'y', uid: '', apiVersion: '' }] });
    assert.deepEqual(parsed?.ownerReferences, [{ kind: 'ReplicaSet', name: 'x', uid: 'u', apiVersion: 'apps/v1' }]);
  });
});
