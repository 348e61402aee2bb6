// A manifest is judged against one context when several clusters are watched (issue 22 §1): the editor features
// count the primary cluster's events only, and the CodeLens says which context that is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '../../../../src/core/events/eventStore';
import { objectKeyIgnoringKindCase } from '../../../../src/core/events/kubeEvent';
import { silentLogger } from '../../../../src/core/ports';
import { judgedStore } from '../../../../src/host/lsp/judgedStore';
import { LanguageServerFeed } from '../../../../src/host/lsp/languageServerFeed';
import { isClusterParams, type ClusterParams, type ObjectStateDto, type ObjectsParams, type ReasonsParams } from '../../../../src/protocol/languageServer';
import { manifestCodeLenses, manifestHover, objectKeyOf } from '../../../../src/server/manifestFeatures';
import { locateManifests } from '../../../../src/server/yamlLocator';
import { anEvent } from '../../support/eventBuilder';
import { ManualTimers } from '../../support/manualTimers';

const NOW = 1_800_000_000_000;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const web = { kind: 'Deployment', namespace: 'shop', name: 'web', apiVersion: 'apps/v1' };
const onWeb = (cluster: string, reason: string, type = 'Warning') =>
  anEvent({ cluster, namespace: 'shop', type, reason, lastSeen: NOW - 10_000, regarding: { kind: 'Deployment', name: 'web', namespace: 'shop', uid: 'dep-uid' } });

describe('editor features judge a manifest against one cluster', () => {
  async function feedWith(judged: () => string | undefined) {
    const store = new EventStore();
    const timers = new ManualTimers();
    const objects: ObjectsParams[] = [];
    const reasons: ReasonsParams[] = [];
    const feed = new LanguageServerFeed({
      store: judgedStore(store, judged),
      owners: () => undefined,
      exists: () => Promise.resolve({ exists: 'yes', uid: 'dep-uid' }),
      sendObjects: (p) => objects.push(p),
      sendReasons: (p) => reasons.push(p),
      windowMs: () => 3_600_000,
      logger: silentLogger,
      clock: { now: () => NOW },
      timers,
      wantCluster: () => undefined,
    });
    feed.subscribe({ objects: [web], reasons: ['BackOff'], completesReasons: false, recorderCalls: false });
    await tick();
    store.applyBatch([onWeb('kind-dev', 'BackOff'), onWeb('staging', 'FailedCreate'), onWeb('staging', 'BackOff')].map((event) => ({ type: 'ADDED' as const, event })));
    await tick();
    timers.runAll();
    const latest = (): ObjectStateDto | undefined => objects.flatMap((p) => p.objects).filter((s) => s.object.name === 'web').at(-1);
    const reason = () => reasons.flatMap((p) => p.reasons).filter((r) => r.reason === 'BackOff').at(-1);
    return { feed, latest, reason };
  }

  it('counts only the primary cluster\'s events for a manifest and a Go reason while several are watched', async () => {
    const t = await feedWith(() => 'kind-dev');
    assert.deepEqual(t.latest()?.events.map((e) => e.reason), ['BackOff'], 'staging\'s FailedCreate on its own Deployment shop/web is not this one\'s');
    assert.equal(t.latest()?.total, 1);
    assert.equal(t.reason()?.occurrences, 1, 'the reason lens counts kind-dev\'s BackOff only');
    t.feed.dispose();
  });

  it('counts every event while one cluster is watched (nothing to choose between)', async () => {
    const t = await feedWith(() => undefined);
    assert.equal(t.latest()?.total, 3);
    t.feed.dispose();
  });

  it('says which context the manifest was judged against in the CodeLens and the hover, only when several are watched', () => {
    const [o] = locateManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n');
    assert.ok(o);
    const doc = { rangeOf: (r: { start: number; end: number }) => ({ start: { line: 0, character: r.start }, end: { line: 0, character: r.end } }) };
    const state: ObjectStateDto = { object: web, exists: 'yes', total: 1, warnings: 1, events: [{ uid: 'u', type: 'Warning', reason: 'BackOff', kind: 'Deployment', namespace: 'shop', name: 'web', fieldPath: '', source: 'kubelet', message: 'm', count: 1, lastSeen: NOW - 60_000 }] };
    const several: ClusterParams = { context: 'kind-dev', defaultNamespace: 'default', windowMs: 3_600_000, live: true, clusters: 2 };
    const one: ClusterParams = { ...several, clusters: 1 };
    assert.ok(isClusterParams(several) && isClusterParams(one));
    assert.equal(isClusterParams({ context: 'kind-dev', defaultNamespace: 'default', windowMs: 1, live: true }), false, 'clusters is required');
    const key = objectKeyOf(o, several);
    const states = new Map([[objectKeyIgnoringKindCase(key), state]]);
    const title = (c: ClusterParams) => manifestCodeLenses([o], [key], states, c, doc, NOW)[0]?.command?.title;
    assert.equal(title(several), '⚠ 1 warning · 1 event · last 60s ago · context kind-dev');
    assert.equal(title(one), '⚠ 1 warning · 1 event · last 60s ago');
    assert.equal(manifestCodeLenses([o], [key], new Map(), several, doc, NOW)[0]?.command?.title, 'no events in the last hour · context kind-dev');
    const hover = manifestHover(key, state, several, doc.rangeOf({ start: 0, end: 1 }), NOW).contents;
    assert.match(typeof hover === 'object' && 'value' in hover ? hover.value : '', /context kind\\-dev/, 'markdown-escaped');
  });
});
