// Several contexts at once (issue 22 §1) against two real control planes, each started here with its own CA,
// tokens and etcd: one kubeconfig names both (and a second context of the first, which is the same cluster).
// kubectl, against each apiserver, is the outside judge of where an event lives.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { KubeEvent } from '../../src/core/events/kubeEvent';
import { EventTreeModel, type TreeNode } from '../../src/core/eventTreeModel';
import { matches } from '../../src/core/query/evaluate';
import { parseQuery } from '../../src/core/query/parse';
import { ClusterHistories } from '../../src/history/clusterHistories';
import { HistoryService } from '../../src/history/historyService';
import { ClusterSession } from '../../src/kube/clusterSession';
import { controlPlaneStatus, startControlPlane, type ControlPlane } from '../cluster/controlPlane';
import { writeClustersKubeconfig } from '../support/clustersKubeconfig';
import { historyWorkerFile } from '../support/historyWorkerFile';
import { uniqueName, waitFor } from './support/cluster';

const run = promisify(execFile);

/** kubectl against one context of the shared kubeconfig; its stdout. */
async function kubectl(kubeconfig: string, context: string, args: string[], input?: string): Promise<string> {
  const child = run('kubectl', ['--kubeconfig', kubeconfig, '--context', context, '--request-timeout=10s', ...args], { timeout: 30_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}

/** Creates a core/v1 Event with kubectl in one context's cluster; resolves to its uid as the apiserver gave it. */
async function createEvent(kubeconfig: string, context: string, namespace: string, reason: string): Promise<string> {
  const now = new Date().toISOString();
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: uniqueName('ev'), namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: `web-${context}` },
    type: 'Warning',
    reason,
    message: `created with kubectl in ${context}`,
    source: { component: 'integration-test' },
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
  });
  const out = await kubectl(kubeconfig, context, ['create', '-f', '-', '-o', 'jsonpath={.metadata.uid}'], manifest);
  assert.match(out, /^[0-9a-f-]{36}$/, `kubectl's answer: ${out}`);
  return out;
}

/** The uids of the events kubectl finds in a namespace of one context's cluster. */
async function uidsInCluster(kubeconfig: string, context: string, namespace: string): Promise<Set<string>> {
  const out = await kubectl(kubeconfig, context, ['get', 'events', '-n', namespace, '-o', 'jsonpath={.items[*].metadata.uid}']);
  return new Set(out.split(/\s+/).filter(Boolean));
}

function query(text: string) {
  const q = parseQuery(text);
  assert.ok(q.ok, text);
  return q.value;
}

describe('several contexts at once, against two real control planes', () => {
  let alpha: ControlPlane;
  let beta: ControlPlane;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-clusters-it-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const historyDir = path.join(dir, 'history');
  let session: ClusterSession | undefined;
  let histories: ClusterHistories | undefined;

  before(async () => {
    // Their own control planes, one after the other (2 cores): one of them is killed below.
    alpha = await startControlPlane();
    beta = await startControlPlane();
    writeClustersKubeconfig(
      kubeconfig,
      [
        ['alpha', alpha],
        ['beta', beta],
      ],
      // alpha's cluster and user again, under another name: one cluster, watched once.
      [{ name: 'alpha-again', cluster: 'alpha', namespace: 'default' }],
    );
  });
  after(async () => {
    session?.dispose();
    await histories?.shutdown();
    await beta?.stop();
    await alpha?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('watches each cluster once, sends each event to its cluster, filters by cluster:, keeps a history per cluster, and outlives one apiserver killed', async () => {
    const ns = uniqueName('several');
    await kubectl(kubeconfig, 'alpha', ['create', 'namespace', ns]);
    await kubectl(kubeconfig, 'beta', ['create', 'namespace', ns]);

    const s = new ClusterSession({ kubeconfig: { path: kubeconfig, context: 'alpha' }, contexts: ['alpha', 'beta', 'alpha-again'], scope: { kind: 'list', names: [ns] } });
    session = s;
    const newHistory = (): HistoryService =>
      new HistoryService({
        dir: historyDir,
        broadcaster: s.broadcaster,
        store: s.store,
        settings: () => ({ enabled: true, retentionDays: 7, maxMegabytes: 500 }),
        onNotice: (n) => assert.fail(`unexpected notice ${JSON.stringify(n)}`),
        flushMs: 100,
        workerFile: historyWorkerFile(),
      });
    const h = new ClusterHistories(newHistory(), newHistory);
    histories = h;
    // As src/compose/pipeline.ts wires it.
    s.onDidBeginScope((scope) => h.begin(scope, scope === s.connectionScope));
    s.onDidChangeClusters((clusters) => h.keepOnly(new Set(clusters.slice(1).map((c) => c.name))));

    // The tree's model, fed by the store's changes as src/host/tree/eventTreeProvider.ts feeds it, clusters on top.
    const tree = new EventTreeModel('namespace', (e) => e.namespace === ns);
    tree.reset([], 'namespace', (e) => e.namespace === ns, true);
    s.store.onDidChange((c) => {
      if (c.cleared) tree.reset(s.store.all());
      else tree.apply([...c.added, ...c.updated], c.removed);
    });
    /** The labels from the tree's root down to the event's row (cluster, namespace, object). */
    const pathOf = (uid: string): string[] => {
      const labels: string[] = [];
      for (let n: TreeNode | undefined = tree.nodeForEvent(uid); n; n = tree.parent(n)) {
        if (n.kind === 'object') labels.unshift(`${n.ref.kind}/${n.ref.name}`);
        else if (n.kind !== 'event') labels.unshift(n.label);
      }
      return labels;
    };

    assert.equal(s.connect(), true);
    assert.deepEqual(
      s.clusters.map((c) => c.name),
      ['alpha', 'beta'],
      'alpha-again reaches alpha\'s server as alpha\'s user: one cluster, watched once',
    );
    await waitFor('both clusters live', () => s.clusters.every((c) => c.state.phase === 'live'), 30_000);

    const inAlpha = await createEvent(kubeconfig, 'alpha', ns, 'AlphaHappened');
    const inBeta = await createEvent(kubeconfig, 'beta', ns, 'BetaHappened');
    // The judge: each event exists in its own cluster only.
    assert.ok((await uidsInCluster(kubeconfig, 'alpha', ns)).has(inAlpha));
    assert.ok(!(await uidsInCluster(kubeconfig, 'alpha', ns)).has(inBeta));
    assert.ok((await uidsInCluster(kubeconfig, 'beta', ns)).has(inBeta));
    assert.ok(!(await uidsInCluster(kubeconfig, 'beta', ns)).has(inAlpha));

    const a = await waitFor('alpha\'s event in the store', () => s.store.get(inAlpha), 20_000);
    const b = await waitFor('beta\'s event in the store', () => s.store.get(inBeta), 20_000);
    assert.equal(a.cluster, 'alpha');
    assert.equal(b.cluster, 'beta');
    // Each reaches its own cluster's subtree: the tree's top level is the cluster.
    assert.deepEqual(
      tree.roots().map((r) => (r.kind === 'cluster' ? r.label : r.kind)),
      ['alpha', 'beta'],
    );
    assert.deepEqual(pathOf(inAlpha), ['alpha', ns, 'Pod/web-alpha']);
    assert.deepEqual(pathOf(inBeta), ['beta', ns, 'Pod/web-beta']);

    // cluster: filters, exactly and by glob.
    const ours = [...s.store.all()].filter((e) => e.namespace === ns);
    const uidsMatching = (text: string): string[] =>
      ours
        .filter((e) => matches(query(text), e, { now: Date.now() }))
        .map((e) => e.uid)
        .sort();
    assert.deepEqual(uidsMatching('cluster:alpha'), [inAlpha]);
    assert.deepEqual(uidsMatching('cluster:b*'), [inBeta]);
    assert.deepEqual(uidsMatching('-cluster:alpha'), [inBeta]);
    assert.deepEqual(uidsMatching('cluster:alpha,beta'), [inAlpha, inBeta].sort());

    // A relist of each cluster reconciles against its own events only: alpha's list has no beta event, which
    // must not be taken for one deleted (and the other way round).
    s.pause();
    s.resume();
    await waitFor('both clusters live again', () => s.clusters.every((c) => c.state.phase === 'live'), 30_000);
    assert.equal(s.store.get(inBeta)?.expired, false, 'alpha\'s relist left beta\'s event alone');
    assert.equal(s.store.get(inAlpha)?.expired, false, 'beta\'s relist left alpha\'s event alone');

    // A history per cluster: two database files, each with its own cluster's event only.
    const [first, second] = h.all();
    assert.ok(first && second, 'two histories');
    await waitFor('both histories open', () => first.database && second.database, 20_000);
    await first.flush();
    await second.flush();
    const [dbA, dbB] = [first.database, second.database];
    assert.ok(dbA && dbB);
    assert.notEqual(dbA.file, dbB.file);
    assert.ok(fs.existsSync(dbA.file) && fs.existsSync(dbB.file));
    const historyUids = async (db: typeof dbA): Promise<Set<string>> => new Set((await db.query({ limit: 1000 })).map((e: KubeEvent) => e.uid));
    const keptA = await historyUids(dbA);
    const keptB = await historyUids(dbB);
    assert.ok(keptA.has(inAlpha) && !keptA.has(inBeta), 'alpha\'s history holds alpha\'s event only');
    assert.ok(keptB.has(inBeta) && !keptB.has(inAlpha), 'beta\'s history holds beta\'s event only');

    // Kill beta's apiserver (its process): alpha stays live, beta's events stay, and alpha's keep coming.
    const pid = controlPlaneStatus(beta.dir)?.apiserverPid;
    assert.ok(pid, 'beta\'s apiserver runs');
    process.kill(pid, 'SIGKILL');
    await waitFor('beta\'s apiserver gone', () => controlPlaneStatus(beta.dir)?.apiserverPid === undefined, 20_000);
    await assert.rejects(kubectl(kubeconfig, 'beta', ['get', 'events', '-n', ns]), 'kubectl cannot reach beta any more');
    await waitFor('beta reported down', () => ['reconnecting', 'error'].includes(s.clusters[1]?.state.phase ?? ''), 60_000);
    assert.equal(s.clusters[0]?.state.phase, 'live', 'alpha is still live');
    assert.equal(s.state.phase, 'live', 'the session (its primary, alpha) is still live');
    assert.equal(s.store.get(inBeta)?.expired, false, 'beta\'s event is kept, not deleted');

    const later = await createEvent(kubeconfig, 'alpha', ns, 'AlphaAgain');
    const next = await waitFor('alpha\'s new event in the store', () => s.store.get(later), 20_000);
    assert.equal(next.cluster, 'alpha');
    assert.deepEqual(pathOf(later), ['alpha', ns, 'Pod/web-alpha']);
    assert.deepEqual(pathOf(inBeta), ['beta', ns, 'Pod/web-beta'], 'beta\'s subtree stays while its apiserver is down');
    assert.ok(s.store.get(inBeta), 'beta\'s event is still held');
    assert.ok(s.store.get(inAlpha), 'alpha\'s first event is still held');
  });
});
