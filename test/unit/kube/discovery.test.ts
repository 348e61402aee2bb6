import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Discovery,
  findKind,
  parseGroupList,
  parseResourceList,
  resourcePath,
  splitApiVersion,
  type ResourceKind,
} from '../../../src/kube/discovery';
import { KubeApiError, KubeNetworkError, type KubeClient } from '../../../src/kube/kubeClient';
import { ResourceReader, toYaml, withoutSecretValues } from '../../../src/kube/resourceReader';

// What client-go's metadata client asks for (docs/ARCHITECTURE.md §7): the apiserver strips the object before it leaves.
const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';


// ---- fixtures: trimmed discovery documents as a 1.34 apiserver serves them --------------------------------------

const CORE_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] },
    { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'get', 'list', 'watch'], shortNames: ['cm'] },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'get', 'list', 'watch'], shortNames: ['ev'] },
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'get', 'list', 'watch'], shortNames: ['ns'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'], shortNames: ['no'] },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'get', 'list', 'watch'], shortNames: ['po'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
};

const APPS_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'apps/v1',
  resources: [
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'watch'], shortNames: ['deploy'] },
    { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch'] },
    { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: ['get', 'list', 'watch'], shortNames: ['rs'] },
  ],
};

const EVENTS_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'events.k8s.io/v1',
  resources: [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'get', 'list', 'watch'], shortNames: ['ev'] }],
};

const BATCH_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'batch/v1',
  resources: [
    { name: 'cronjobs', singularName: 'cronjob', namespaced: true, kind: 'CronJob', verbs: ['get', 'list'], shortNames: ['cj'] },
    { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ['get', 'list'] },
  ],
};

const AUTHN_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'authentication.k8s.io/v1',
  resources: [{ name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] }],
};

const widgets = (groupVersion: string, kind = 'Widget', verbs = ['get', 'list', 'watch']): object => ({
  kind: 'APIResourceList',
  groupVersion,
  resources: [{ name: 'widgets', singularName: 'widget', namespaced: true, kind, verbs, shortNames: ['wd'] }],
});

function group(name: string, preferred: string, ...others: string[]): object {
  const versions = [preferred, ...others].map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions, preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred } };
}

const APIS = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    group('apps', 'v1'),
    group('events.k8s.io', 'v1'),
    group('authentication.k8s.io', 'v1'),
    group('batch', 'v1'),
    group('example.com', 'v1', 'v1alpha1'),
    group('other.example.org', 'v1'),
    group('metrics.k8s.io', 'v1beta1'),
  ],
};

/** A catalog built the way Discovery builds it: core first, then groups in /apis order. */
function catalog(): ResourceKind[] {
  return [
    ...parseResourceList(CORE_V1),
    ...parseResourceList(APPS_V1),
    ...parseResourceList(EVENTS_V1),
    ...parseResourceList(BATCH_V1),
    ...parseResourceList(widgets('example.com/v1')),
    ...parseResourceList(widgets('other.example.org/v1')),
  ];
}

// ---- a fake client for the caching and failure paths ---------------------------------------------------------

/** A value to answer with, or a function that makes one (`unknown` covers both; the function is told apart at run time). */
type Answer = unknown;

/** Serves discovery documents from a table; a missing path is a 404, an Error value is thrown. Counts calls and peak concurrency. */
class FakeClient {
  readonly calls: string[] = [];
  active = 0;
  peak = 0;
  contextName = 'fake';
  constructor(readonly table: Map<string, Answer>) {}

  /** The Accept header of each call, in order (undefined: the client's default, plain JSON). */
  readonly accepts: Array<string | undefined> = [];

  async request<T>(path: string, opts?: { accept?: string }): Promise<T> {
    this.calls.push(path);
    this.accepts.push(opts?.accept);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      await new Promise((r) => setImmediate(r));
      const entry = this.table.get(path);
      const value = typeof entry === 'function' ? (entry as () => unknown)() : entry;
      if (value === undefined) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', 'GET', path);
      if (value instanceof Error) throw value;
      return structuredClone(value) as T;
    } finally {
      this.active--;
    }
  }

  callsTo(path: string): number {
    return this.calls.filter((c) => c === path).length;
  }
}

function cluster(extra: Array<[string, Answer]> = []): FakeClient {
  return new FakeClient(
    new Map<string, Answer>([
      ['/api/v1', CORE_V1],
      ['/apis', APIS],
      ['/apis/apps/v1', APPS_V1],
      ['/apis/events.k8s.io/v1', EVENTS_V1],
      ['/apis/authentication.k8s.io/v1', AUTHN_V1],
      ['/apis/batch/v1', BATCH_V1],
      ['/apis/example.com/v1', widgets('example.com/v1')],
      ['/apis/example.com/v1alpha1', widgets('example.com/v1alpha1')],
      ['/apis/other.example.org/v1', widgets('other.example.org/v1')],
      ['/apis/metrics.k8s.io/v1beta1', new KubeApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', 'GET', '/apis/metrics.k8s.io/v1beta1')],
      ...extra,
    ]),
  );
}

class FakeClock {
  t = 1_000_000;
  now = (): number => this.t;
}

function discoveryOver(client: FakeClient, clock = new FakeClock(), warnings: string[] = []): Discovery {
  const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  return new Discovery(client as unknown as KubeClient, { clock, logger: log });
}

function names(kinds: readonly ResourceKind[]): string[] {
  return kinds.map((k) => `${k.apiVersion} ${k.kind}`);
}

// ---- parsing -----------------------------------------------------------------------------------------------------

describe('parseResourceList', () => {
  it('keeps readable top-level resources and drops subresources and create-only APIs', () => {
    assert.deepEqual(names(parseResourceList(CORE_V1)), ['v1 ConfigMap', 'v1 Event', 'v1 Namespace', 'v1 Node', 'v1 Pod']);
    assert.deepEqual(names(parseResourceList(AUTHN_V1)), []);
  });

  it('fills group, version, plural, scope, verbs and names', () => {
    const [deploy] = parseResourceList(APPS_V1);
    assert.deepEqual(deploy, {
      group: 'apps',
      version: 'v1',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      resource: 'deployments',
      singular: 'deployment',
      shortNames: ['deploy'],
      namespaced: true,
      verbs: ['get', 'list', 'watch'],
    });
    const ns = parseResourceList(CORE_V1).find((k) => k.kind === 'Namespace');
    assert.equal(ns?.namespaced, false);
    assert.equal(ns?.group, '');
  });

  it('skips malformed entries and documents instead of throwing', () => {
    assert.deepEqual(parseResourceList(null), []);
    assert.deepEqual(parseResourceList({ groupVersion: 'x/v1', resources: 'nope' }), []);
    const doc = { groupVersion: 'x.io/v1', resources: [null, 7, { name: 'things' }, { name: 'ok', kind: 'Ok', verbs: ['list'], namespaced: 'yes' }] };
    const kinds = parseResourceList(doc);
    assert.deepEqual(names(kinds), ['x.io/v1 Ok']);
    assert.equal(kinds[0]?.namespaced, false, 'only a real true is namespaced');
  });

  it('uses the fallback groupVersion when the document has none', () => {
    assert.deepEqual(names(parseResourceList({ resources: APPS_V1.resources }, 'apps/v1')), ['apps/v1 Deployment', 'apps/v1 ReplicaSet']);
  });
});

describe('parseGroupList', () => {
  it('keeps the server order and the preferred version', () => {
    const groups = parseGroupList(APIS);
    assert.deepEqual(
      groups.map((g) => g.name),
      ['apps', 'events.k8s.io', 'authentication.k8s.io', 'batch', 'example.com', 'other.example.org', 'metrics.k8s.io'],
    );
    assert.deepEqual(groups.find((g) => g.name === 'example.com'), { name: 'example.com', preferredVersion: 'v1', versions: ['v1', 'v1alpha1'] });
  });

  it('falls back to the first version when no preferred one is given, and skips groups without versions', () => {
    const groups = parseGroupList({ groups: [{ name: 'a.io', versions: [{ version: 'v2' }, { version: 'v1' }] }, { name: 'b.io', versions: [] }, { nope: 1 }] });
    assert.deepEqual(groups, [{ name: 'a.io', preferredVersion: 'v2', versions: ['v2', 'v1'] }]);
  });
});

describe('splitApiVersion', () => {
  it('splits core and named groups', () => {
    assert.deepEqual(splitApiVersion('v1'), { group: '', version: 'v1' });
    assert.deepEqual(splitApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
    assert.deepEqual(splitApiVersion('example.com/v1alpha1'), { group: 'example.com', version: 'v1alpha1' });
  });
});

// ---- kind resolution rules ---------------------------------------------------------------------------------------

describe('findKind', () => {
  const all = catalog();

  it('matches the kind case-insensitively', () => {
    assert.equal(findKind(all, '', 'deployment')?.apiVersion, 'apps/v1');
    assert.equal(findKind(all, '', 'REPLICASET')?.resource, 'replicasets');
  });

  it('prefers the core group for a kind served by several groups', () => {
    assert.equal(findKind(all, '', 'Event')?.apiVersion, 'v1');
  });

  it('otherwise takes the earliest group in discovery order', () => {
    assert.equal(findKind(all, '', 'Widget')?.apiVersion, 'example.com/v1');
    const reversed = [...parseResourceList(widgets('other.example.org/v1')), ...parseResourceList(widgets('example.com/v1'))];
    assert.equal(findKind(reversed, '', 'Widget')?.apiVersion, 'other.example.org/v1');
  });

  it('pins group and version when an apiVersion is given', () => {
    assert.equal(findKind(all, 'events.k8s.io/v1', 'Event')?.group, 'events.k8s.io');
    assert.equal(findKind(all, 'other.example.org/v1', 'widget')?.group, 'other.example.org');
    assert.equal(findKind(all, 'v1', 'Deployment'), undefined);
    assert.equal(findKind(all, 'apps/v2', 'Deployment'), undefined);
  });

  it('falls back to plural, singular and short names when no kind matches', () => {
    assert.equal(findKind(all, '', 'deploy')?.kind, 'Deployment');
    assert.equal(findKind(all, '', 'pods')?.kind, 'Pod');
    assert.equal(findKind(all, '', 'cj')?.kind, 'CronJob');
    assert.equal(findKind(all, '', 'ev')?.apiVersion, 'v1');
  });

  it('finds nothing for unknown or empty kinds', () => {
    assert.equal(findKind(all, '', 'Gadget'), undefined);
    assert.equal(findKind(all, '', '  '), undefined);
  });
});

describe('resourcePath', () => {
  const all = catalog();
  const kind = (k: string): ResourceKind => findKind(all, '', k)!;

  it('builds core, group, namespaced and cluster-scoped paths', () => {
    assert.equal(resourcePath(kind('Pod'), 'ns', 'web-0'), '/api/v1/namespaces/ns/pods/web-0');
    assert.equal(resourcePath(kind('Pod'), 'ns'), '/api/v1/namespaces/ns/pods');
    assert.equal(resourcePath(kind('Pod')), '/api/v1/pods');
    assert.equal(resourcePath(kind('Deployment'), 'ns'), '/apis/apps/v1/namespaces/ns/deployments');
    assert.equal(resourcePath(kind('Deployment'), 'ns', 'web'), '/apis/apps/v1/namespaces/ns/deployments/web');
    assert.equal(resourcePath(kind('Node'), 'ignored', 'n1'), '/api/v1/nodes/n1');
    assert.equal(resourcePath(kind('Namespace'), undefined, 'kube-system'), '/api/v1/namespaces/kube-system');
  });

  it('escapes names that are not path-safe', () => {
    assert.equal(resourcePath(kind('Node'), '', 'a/b c'), '/api/v1/nodes/a%2Fb%20c');
  });
});

// ---- the Discovery class over a fake client ---------------------------------------------------------------------

describe('Discovery', () => {
  it('lists listable kinds in discovery order, core first, and skips a failing group with a warning', async () => {
    const warnings: string[] = [];
    const d = discoveryOver(cluster(), new FakeClock(), warnings);
    const kinds = await d.kinds();
    assert.ok(kinds.ok);
    assert.deepEqual(names(kinds.value), [
      'v1 ConfigMap',
      'v1 Event',
      'v1 Namespace',
      'v1 Node',
      'v1 Pod',
      'apps/v1 Deployment',
      'apps/v1 ReplicaSet',
      'events.k8s.io/v1 Event',
      'batch/v1 CronJob',
      'batch/v1 Job',
      'example.com/v1 Widget',
      'other.example.org/v1 Widget',
    ]);
    assert.deepEqual(d.skippedGroups, ['metrics.k8s.io/v1beta1']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /metrics\.k8s\.io\/v1beta1.*503/);
  });

  it('reads each group once for concurrent callers, at most 6 at a time, and caches for the TTL', async () => {
    const groups = Array.from({ length: 20 }, (_, i) => group(`g${i}.example.com`, 'v1'));
    const extra: Array<[string, Answer]> = [['/apis', { groups }]];
    for (let i = 0; i < 20; i++) extra.push([`/apis/g${i}.example.com/v1`, widgets(`g${i}.example.com/v1`, `Thing${i}`)]);
    const client = cluster(extra);
    const clock = new FakeClock();
    const d = discoveryOver(client, clock);
    const [a, b, c] = await Promise.all([d.kinds(), d.kinds(), d.resolve('', 'Thing7')]);
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(c.value.apiVersion, 'g7.example.com/v1');
    assert.equal(client.callsTo('/apis'), 1);
    assert.equal(client.callsTo('/apis/g3.example.com/v1'), 1);
    assert.ok(client.peak <= 6, `peak ${client.peak} requests at once`);

    clock.t += 4 * 60_000;
    await d.kinds();
    assert.equal(client.callsTo('/apis'), 1, 'fresh for 5 minutes');
    clock.t += 2 * 60_000;
    await d.kinds();
    assert.equal(client.callsTo('/apis'), 2, 'read again after the TTL');
  });

  it('retries a catalog with skipped groups sooner than the TTL', async () => {
    const client = cluster();
    const clock = new FakeClock();
    const d = discoveryOver(client, clock);
    await d.kinds();
    clock.t += 31_000;
    await d.kinds();
    assert.equal(client.callsTo('/apis/metrics.k8s.io/v1beta1'), 2);
  });

  it('refresh() picks up a CRD installed since the last read', async () => {
    const client = cluster();
    const d = discoveryOver(client);
    assert.ok((await d.kinds()).ok);
    const apis = structuredClone(APIS);
    apis.groups.push(group('gadgets.io', 'v1'));
    client.table.set('/apis', apis);
    client.table.set('/apis/gadgets.io/v1', widgets('gadgets.io/v1', 'Gadget'));
    const cached = await d.kinds();
    assert.ok(cached.ok && !cached.value.some((k) => k.kind === 'Gadget'));
    const refreshed = await d.refresh();
    assert.ok(refreshed.ok && refreshed.value.some((k) => k.kind === 'Gadget'));
  });

  it('an unknown kind re-reads discovery when the cache is old enough, at most once per interval', async () => {
    const client = cluster();
    const clock = new FakeClock();
    const d = discoveryOver(client, clock);
    const miss = await d.resolve('', 'Gadget');
    assert.ok(!miss.ok && miss.reason === 'unknown-kind');
    assert.match(miss.message, /does not serve a kind "Gadget"/);
    assert.equal(client.callsTo('/apis'), 1, 'a brand-new cache is not re-read');

    const apis = structuredClone(APIS);
    apis.groups.push(group('gadgets.io', 'v1'));
    client.table.set('/apis', apis);
    client.table.set('/apis/gadgets.io/v1', widgets('gadgets.io/v1', 'Gadget'));
    clock.t += 11_000;
    const hit = await d.resolve('', 'gadget');
    assert.ok(hit.ok);
    assert.equal(hit.value.apiVersion, 'gadgets.io/v1');
    assert.equal(client.callsTo('/apis'), 2);

    clock.t += 5_000;
    assert.ok(!(await d.resolve('', 'Sprocket')).ok);
    assert.equal(client.callsTo('/apis'), 2, 'not again within 10 s');
  });

  it('reads a served but not preferred version on demand, and falls back to the preferred one for a version no longer served', async () => {
    const client = cluster();
    const d = discoveryOver(client);
    const alpha = await d.resolve('example.com/v1alpha1', 'Widget');
    assert.ok(alpha.ok);
    assert.equal(alpha.value.apiVersion, 'example.com/v1alpha1');
    await d.resolve('example.com/v1alpha1', 'Widget');
    assert.equal(client.callsTo('/apis/example.com/v1alpha1'), 1);

    const gone = await d.resolve('example.com/v1beta9', 'Widget');
    assert.ok(gone.ok);
    assert.equal(gone.value.apiVersion, 'example.com/v1');
  });

  it('says where a kind is served when the given apiVersion does not have it', async () => {
    const d = discoveryOver(cluster());
    const r = await d.resolve('v1', 'Deployment');
    assert.ok(!r.ok);
    assert.equal(r.reason, 'unknown-kind');
    assert.match(r.message, /serves Deployment as apps\/v1/);
  });

  it('fails as a whole only when /api/v1 or /apis cannot be read, and keeps serving the last answer after that', async () => {
    const down = cluster([['/apis', new KubeNetworkError('cannot reach https://127.0.0.1:1: connection refused', 'ECONNREFUSED')]]);
    const first = await discoveryOver(down).kinds();
    assert.ok(!first.ok);
    assert.equal(first.reason, 'unavailable');
    assert.match(first.message, /connection refused/);

    const denied = cluster([['/api/v1', new KubeApiError(403, 'Forbidden', 'nope', 'GET', '/api/v1')]]);
    const refused = await discoveryOver(denied).kinds();
    assert.ok(!refused.ok && refused.reason === 'forbidden');

    const client = cluster();
    const clock = new FakeClock();
    const d = discoveryOver(client, clock);
    assert.ok((await d.kinds()).ok);
    client.table.set('/apis', new KubeNetworkError('cannot reach: connection reset', 'ECONNRESET'));
    clock.t += 10 * 60_000;
    const stale = await d.kinds();
    assert.ok(stale.ok && stale.value.some((k) => k.kind === 'Deployment'));
    const forced = await d.refresh();
    assert.ok(!forced.ok && forced.reason === 'unavailable', 'an explicit refresh reports the failure');
  });

  it('pathFor gives the REST path of a resolved kind', async () => {
    const d = discoveryOver(cluster());
    const w = await d.resolve('', 'widget');
    assert.ok(w.ok);
    assert.equal(d.pathFor(w.value, 'team-a', 'w1'), '/apis/example.com/v1/namespaces/team-a/widgets/w1');
  });
});

// ---- YAML for "Open Resource YAML" ------------------------------------------------------------------------------

describe('toYaml', () => {
  it('drops managedFields, keeps apiVersion and kind first, and keeps fields client-node models do not know', () => {
    const crd = {
      metadata: { name: 'widgets.example.com', managedFields: [{ manager: 'kubectl' }], labels: { a: 'yes' } },
      kind: 'CustomResourceDefinition',
      apiVersion: 'apiextensions.k8s.io/v1',
      spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    const yaml = toYaml(crd);
    assert.ok(yaml.startsWith('apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n'), yaml);
    assert.doesNotMatch(yaml, /managedFields|kubectl/);
    assert.match(yaml, /x-kubernetes-preserve-unknown-fields: true/);
    assert.match(yaml, /a: 'yes'/, 'strings that YAML would read as booleans stay quoted');
    assert.ok(crd.metadata.managedFields.length === 1, 'the input is not changed');
  });

  it('quotes text that would otherwise change meaning', () => {
    const yaml = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'key: value', b: '0123', c: '- item', d: 'line1\nline2' } });
    assert.match(yaml, /a: 'key: value'/);
    assert.match(yaml, /b: '0123'/);
    assert.match(yaml, /c: '- item'/);
    assert.match(yaml, /d: \|-\n {4}line1\n {4}line2/);
  });
});

describe('withoutSecretValues', () => {
  it('keeps a Secret\'s keys with their sizes, and hides kubectl apply\'s copy of it', () => {
    const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: 'aHVudGVyMg==' } });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, team: 'web' } },
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==', empty: '' },
      stringData: { token: 'abc' },
    };
    const { object, hidden } = withoutSecretValues(secret);
    assert.equal(hidden, 4);
    const yaml = toYaml(object);
    assert.doesNotMatch(yaml, /aHVudGVyMg|hunter2|abc/);
    assert.match(yaml, /password: <7 bytes>/);
    assert.match(yaml, /empty: <0 bytes>/);
    assert.match(yaml, /token: <3 bytes>/);
    assert.match(yaml, new RegExp(`kubectl.kubernetes.io/last-applied-configuration: <${Buffer.byteLength(lastApplied)} bytes>`));
    assert.match(yaml, /team: web/);
    assert.match(yaml, /type: Opaque/);
    assert.equal(secret.data.password, 'aHVudGVyMg==', 'the input is not changed');
  });

  it('leaves other kinds alone, a ConfigMap or a CRD called Secret included', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } };
    assert.deepEqual(withoutSecretValues(cm), { object: cm, hidden: 0 });
    const crd = { apiVersion: 'example.com/v1', kind: 'Secret', data: { a: 'b' } };
    assert.equal(withoutSecretValues(crd).hidden, 0);
  });
});

describe('ResourceReader metadata reads', () => {
  const pods = Array.from({ length: 30 }, (_, i) => `p${i}`);
  const podAnswers = (): Array<[string, Answer]> =>
    pods.map((name) => [`/api/v1/namespaces/shop/pods/${name}`, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: '9', ownerReferences: [], annotations: { big: 'x' } } }]);

  it('asks for PartialObjectMetadata, keeps the kind discovery names, and at most 4 run at once', async () => {
    const client = cluster(podAnswers());
    const reader = new ResourceReader(client as unknown as KubeClient, new Discovery(client as unknown as KubeClient));
    assert.ok((await reader.metadata({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'p0' })).ok, 'discovery warmed');
    client.peak = 0;
    const reads = await Promise.all(pods.map((name) => reader.metadata({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name })));
    assert.ok(reads.every((r) => r.ok));
    assert.equal(client.peak, 4);
    const first = reads[0];
    assert.ok(first.ok);
    assert.deepEqual(first.value, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p0', namespace: 'shop', uid: 'uid-p0', resourceVersion: '9', ownerReferences: [] } }, 'annotations are not kept');
    const ref = await reader.reference({ kind: 'Pod', namespace: 'shop', name: 'p1' });
    assert.ok(ref.ok);
    assert.deepEqual(ref.value, { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'p1', uid: 'uid-p1', resourceVersion: '9' });
    const objectReads = client.calls.map((c, i) => [c, client.accepts[i]] as const).filter(([c]) => c.includes('/pods/'));
    assert.ok(objectReads.length > 30 && objectReads.every(([, accept]) => accept === METADATA_ACCEPT));
    assert.ok((await reader.list({ apiVersion: 'v1', kind: 'Pod' }, 'shop')).ok === false, 'no list answer in the fixture');
    assert.equal(client.accepts[client.accepts.length - 1], METADATA_LIST_ACCEPT, 'a name list asks for metadata only');
  });

  it('refuses reads beyond the queue at once, as unavailable', async () => {
    const client = cluster(podAnswers());
    const reader = new ResourceReader(client as unknown as KubeClient, new Discovery(client as unknown as KubeClient), { metadataConcurrency: 2, metadataQueue: 3 });
    assert.ok((await reader.metadata({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'p0' })).ok);
    const reads = await Promise.all(pods.slice(0, 10).map((name) => reader.metadata({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name })));
    assert.equal(reads.filter((r) => r.ok).length, 5);
    const refused = reads.find((r) => !r.ok);
    assert.ok(refused && !refused.ok && refused.reason === 'unavailable');
    assert.match(refused.message, /3 reads of objects are already waiting/);
  });
});
