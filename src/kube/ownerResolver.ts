/**
 * The OwnerGraph's resolver against a cluster: discovery maps the kind to a REST path, one GET reads the
 * object's metadata only (`PartialObjectMetadata`: a Secret's data never leaves the server), and its uid,
 * namespace and ownerReferences are what the graph keeps.
 */
import type { OwnerInfo, OwnerReference, OwnerResolveReason, OwnerResolver } from '../core/owners/ownerGraph';
import type { ObjectKeyWith } from '../core/events/kubeEvent';
import { fail, ok, type Result } from '../core/result';
import type { ResourceReader } from './resourceReader';

function ownerReferencesOf(value: unknown): OwnerReference[] {
  if (!Array.isArray(value)) return [];
  const out: OwnerReference[] = [];
  for (const o of value as unknown[]) {
    if (typeof o !== 'object' || o === null) continue;
    const r = o as Record<string, unknown>;
    if (typeof r.kind !== 'string' || typeof r.name !== 'string' || !r.kind || !r.name) continue;
    out.push({
      apiVersion: typeof r.apiVersion === 'string' ? r.apiVersion : '',
      kind: r.kind,
      name: r.name,
      uid: typeof r.uid === 'string' ? r.uid : '',
      ...(r.controller === true ? { controller: true } : {}),
    });
  }
  return out;
}

/**
 * Implements {@link OwnerResolver} with a {@link ResourceReader}'s metadata reads (bounded in number): 404 → `not-found`, 403 (and rejected
 * credentials) → `forbidden`, a kind discovery does not know → `unknown-kind`, network errors, timeouts and
 * 5xx → `unavailable`. Caching, and telling a re-created object (another uid) from the one asked about, are
 * the graph's job.
 */
export class KubeOwnerResolver implements OwnerResolver {
  constructor(private readonly reader: ResourceReader) {}

  async getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    const read = await this.reader.metadata({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name });
    if (!read.ok) return fail(read.reason, read.message);
    const meta = read.value.metadata;
    return ok({ uid: meta.uid, ownerReferences: ownerReferencesOf(meta.ownerReferences), namespace: meta.namespace });
  }
}
