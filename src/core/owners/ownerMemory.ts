/**
 * What the {@link OwnerGraph} keeps across window reloads: the owner links it learnt, per cluster, so that
 * `under:` still places events about objects that are gone (a scaled-down Deployment's Pods answer 404). A
 * narrow port (docs/ARCHITECTURE.md §7): a JSON file per cluster in the extension's global storage implements it
 * (src/host/ownerMemoryFile.ts); another store could take its place without touching the graph.
 */
import type { OwnerReference } from './ownerGraph';

/** How a link was learnt: a GET of the object, a controller's event naming it, or its generated name. */
export type OwnerLinkSource = 'read' | 'event' | 'name';

/** One object and its owners, as remembered. Written by the graph, read back at the next start. */
export interface OwnerRecord {
  readonly apiVersion: string;
  readonly kind: string;
  /** '' for a cluster-scoped object. */
  readonly namespace: string;
  readonly name: string;
  /** '' when only the name is known (an event named the object). */
  readonly uid: string;
  readonly ownerReferences: readonly OwnerReference[];
  readonly source: OwnerLinkSource;
}

/**
 * Port: loads and saves one cluster's remembered links. `load` answers [] when nothing was saved (or what was
 * saved cannot be read, which the implementation logs); `save` replaces everything saved before. Neither
 * rejects for expected failures (a read-only disk is logged and the graph carries on without memory).
 */
export interface OwnerMemory {
  load(): Promise<readonly OwnerRecord[]>;
  save(records: readonly OwnerRecord[]): Promise<void>;
}

const SOURCES: ReadonlySet<string> = new Set<OwnerLinkSource>(['read', 'event', 'name']);
const MAX_FIELD = 512;
/** More owners than any real object has: a record with more is not ours (a damaged or foreign file). */
const MAX_OWNER_REFERENCES = 64;

function field(v: unknown, allowEmpty: boolean): string | undefined {
  if (typeof v !== 'string' || v.length > MAX_FIELD) return undefined;
  return v !== '' || allowEmpty ? v : undefined;
}

function ownerReferenceOf(v: unknown): OwnerReference | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const apiVersion = field(o.apiVersion, true);
  const kind = field(o.kind, false);
  const name = field(o.name, false);
  const uid = field(o.uid, true);
  if (apiVersion === undefined || kind === undefined || name === undefined || uid === undefined) return undefined;
  return o.controller === true ? { apiVersion, kind, name, uid, controller: true } : { apiVersion, kind, name, uid };
}

/**
 * Checks one remembered record read from disk (anything could be in the file): every field present with the
 * right type and a bounded length, at least one owner. Returns undefined for anything else.
 */
export function ownerRecordOf(v: unknown): OwnerRecord | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const apiVersion = field(o.apiVersion, true);
  const kind = field(o.kind, false);
  const namespace = field(o.namespace, true);
  const name = field(o.name, false);
  const uid = field(o.uid, true);
  const source = typeof o.source === 'string' && SOURCES.has(o.source) ? (o.source as OwnerLinkSource) : undefined;
  if (apiVersion === undefined || kind === undefined || namespace === undefined || name === undefined || uid === undefined || !source) return undefined;
  if (!Array.isArray(o.ownerReferences) || o.ownerReferences.length > MAX_OWNER_REFERENCES) return undefined;
  const ownerReferences: OwnerReference[] = [];
  for (const r of o.ownerReferences as unknown[]) {
    const ref = ownerReferenceOf(r);
    if (ref) ownerReferences.push(ref);
  }
  if (ownerReferences.length === 0) return undefined;
  return { apiVersion, kind, namespace, name, uid, ownerReferences, source };
}
