// Owner lookups, existence checks and the live references of Emit Test Event read metadata only: an event
// about a Secret must not make the extension read the Secret. Judged from the apiserver's side, by its audit
// log, where Secrets are logged at RequestResponse: the response's kind says PartialObjectMetadata (metadata
// only) or Secret (the whole object, data included).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent } from '../../src/core/events/kubeEvent';
import { OwnerGraph } from '../../src/core/owners/ownerGraph';
import { Discovery } from '../../src/kube/discovery';
import type { KubeClient } from '../../src/kube/kubeClient';
import { KubeOwnerResolver } from '../../src/kube/ownerResolver';
import { ResourceReader } from '../../src/kube/resourceReader';
import type { ControlPlane } from '../cluster/controlPlane';
import { auditFrom, type AuditEntry } from '../support/audit';
import { clientFor, createCoreEvent, createNamespace, useCluster, waitFor } from './support/cluster';

const AGENT = 'kube-events-vscode';
const PASSWORD = Buffer.from('correct horse battery staple').toString('base64');

interface Created {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly uid: string; readonly resourceVersion: string };
}

/** Our reads of Secrets in `namespace` since `since`, as the apiserver logged them once complete. */
function secretReads(cp: ControlPlane, namespace: string, since: Date): AuditEntry[] {
  return auditFrom(cp.auditLogPath, AGENT, since).filter(
    (e) => e.stage === 'ResponseComplete' && (e.verb === 'get' || e.verb === 'list') && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === namespace,
  );
}

function describeReads(entries: readonly AuditEntry[]): string {
  return JSON.stringify(entries.map((e) => `${e.verb} ${e.requestURI} → ${e.responseObject?.kind ?? '?'}`));
}

describe('reads for owners and existence take metadata only (the apiserver\'s audit log)', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let ns: string;
  let owner: Created;
  let secret: Created;
  let reader: ResourceReader;

  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
    ns = await createNamespace(admin, 'meta-reads');
    owner = await admin.request<Created>(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: { metadata: { name: 'db-owner' }, data: { a: 'b' } } });
    secret = await admin.request<Created>(`/api/v1/namespaces/${ns}/secrets`, {
      method: 'POST',
      body: {
        metadata: { name: 'db-credentials', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] },
        type: 'Opaque',
        data: { password: PASSWORD },
      },
    });
    reader = new ResourceReader(admin, new Discovery(admin));
  });
  after(() => admin?.dispose());

  it('an event on a Secret: its owner chain and its live reference are read as PartialObjectMetadata, never the Secret', async () => {
    const created = await createCoreEvent(admin, ns, { reason: 'Rotated', involvedObject: { kind: 'Secret', apiVersion: 'v1', name: secret.metadata.name, uid: secret.metadata.uid } });
    const event = normalizeEvent(await admin.request(`/api/v1/namespaces/${ns}/events/${created.metadata.name}`), 'core/v1');
    assert.ok(event);
    const since = new Date();

    // The owner graph as the filter's under: and the language server use it.
    const graph = new OwnerGraph(new KubeOwnerResolver(reader));
    await graph.learn(event.regarding);
    assert.equal(graph.isUnder(event.regarding, { kind: 'ConfigMap', namespace: ns, name: 'db-owner' }), true, 'the Secret is learnt to be owned by the ConfigMap');
    // Emit Test Event… reads the live reference, as client-go's GetReference does.
    const ref = await reader.reference({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: secret.metadata.name });
    assert.ok(ref.ok, ref.ok ? '' : ref.message);
    assert.deepEqual(ref.value, { apiVersion: 'v1', kind: 'Secret', namespace: ns, name: secret.metadata.name, uid: secret.metadata.uid, resourceVersion: secret.metadata.resourceVersion });
    // The resource quick pick lists names.
    const names = await reader.list({ apiVersion: 'v1', kind: 'Secret' }, ns);
    assert.ok(names.ok && names.value.items.some((n) => n.name === secret.metadata.name));

    const reads = await waitFor('the three reads in the audit log', () => {
      const r = secretReads(cp, ns, since);
      return r.length >= 3 && r;
    });
    assert.deepEqual(
      reads.map((e) => e.responseObject?.kind),
      ['PartialObjectMetadata', 'PartialObjectMetadata', 'PartialObjectMetadataList'],
      `what the apiserver answered our reads of the Secret: ${describeReads(reads)}`,
    );
    for (const e of reads) assert.doesNotMatch(JSON.stringify(e), new RegExp(PASSWORD), 'no Secret data in any response');
    graph.dispose();
  });

  it('the language server\'s existence check reads metadata; only Open Resource YAML reads the whole Secret', async () => {
    const since = new Date();
    const exists = await reader.metadata({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: secret.metadata.name });
    assert.ok(exists.ok);
    assert.equal(exists.value.metadata.uid, secret.metadata.uid);
    const missing = await reader.metadata({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'no-such-secret' });
    assert.ok(!missing.ok && missing.reason === 'not-found');
    await waitFor('the existence check in the audit log', () => secretReads(cp, ns, since).length >= 2);
    assert.deepEqual(secretReads(cp, ns, since).map((e) => e.responseObject?.kind), ['PartialObjectMetadata', 'Status']);

    // The user asked to see the object: the one whole read, and the audit log tells it apart.
    const whole = await reader.get({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: secret.metadata.name });
    assert.ok(whole.ok);
    const reads = await waitFor('the YAML read in the audit log', () => {
      const r = secretReads(cp, ns, since);
      return r.length >= 3 && r;
    });
    assert.equal(reads[2].responseObject?.kind, 'Secret', describeReads(reads));
  });
});
