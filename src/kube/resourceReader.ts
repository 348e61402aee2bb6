/**
 * Reads single objects and name lists of any kind the cluster serves, CRDs included, for "Open Resource
 * YAML", the resource quick pick, the owner resolver, existence checks and the live references events carry.
 * Expected failures are Results whose message says in plain words what went wrong (for a 403: which verb,
 * resource and namespace).
 *
 * Only "Open Resource YAML" reads a whole object ({@link ResourceReader.get}). Everything else reads metadata
 * only, as client-go's metadata client does: the server answers `PartialObjectMetadata`, so an owner lookup or
 * an existence check on a Secret never transfers its data (docs/ARCHITECTURE.md §7).
 */
import type { ObjectKeyWith } from '../core/events/kubeEvent';
import { silentLogger, type Logger } from '../core/ports';
import { BoundedQueue, QueueFullError } from '../core/boundedQueue';
import { fail, ok, type Result } from '../core/result';
import type { Discovery, ResourceKind } from './discovery';
import { classifyKubeError, describeKubeError, type KubeClient, type Query } from './kubeClient';
import { clientNodeBundle } from './lazy';

/**
 * Why an object or a list could not be read: 404; 403, rejected credentials or discovery refused; kind not served;
 * network, timeouts, 5xx.
 */
export type ReadProblem = 'not-found' | 'forbidden' | 'unknown-kind' | 'unavailable';

/** The raw JSON of an object as the apiserver returns it. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly ownerReferences?: unknown;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/**
 * What a metadata read keeps of an object: the kind as discovery names it (the server's answer says
 * `meta.k8s.io/v1 PartialObjectMetadata`) and the metadata fields the reader's callers use. Labels and
 * annotations are dropped as they arrive: kubectl apply keeps a whole copy of what it applied (a Secret's data
 * included) in an annotation.
 */
export interface ObjectMetadata {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    /** '' for a cluster-scoped object. */
    readonly namespace: string;
    readonly uid: string;
    readonly resourceVersion: string;
    /** As the server sent it (the owner resolver checks each entry). */
    readonly ownerReferences?: unknown;
  };
}

/**
 * The `Accept` header client-go's metadata client sends (k8s.io/client-go/metadata): the apiserver converts the
 * object to `PartialObjectMetadata` before it leaves the server. The plain JSON after the comma is for servers
 * that cannot convert (an aggregated API server that does not implement it): they send the whole object, of
 * which only {@link ObjectMetadata} is kept.
 */
const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
/** The same for a list: `PartialObjectMetadataList`, each item's metadata only. */
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** One entry of a name list; `namespace` is '' for cluster-scoped objects. */
export interface ResourceName {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** The names {@link ResourceReader.list} found. `truncated`: there were more than `maxListItems`. */
export interface ResourceNames {
  readonly kind: ResourceKind;
  readonly items: readonly ResourceName[];
  readonly truncated: boolean;
}

export interface ResourceReaderOptions {
  /** Names returned by list at most (default 2,000); beyond that the result says `truncated`. */
  readonly maxListItems?: number;
  /** Page size of list requests (default 500). */
  readonly pageSize?: number;
  /** Deadline for one request, headers and body (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Metadata reads in flight at once (default 4): owner lookups come in bursts when a filter asks for `under:`. */
  readonly metadataConcurrency?: number;
  /** Metadata reads waiting for a slot at most (default 256); one more is refused as `unavailable` at once. */
  readonly metadataQueue?: number;
  /** Pass one made by `tagged(logger, 'resources')`. */
  readonly logger?: Logger;
}

function describeKind(kind: ResourceKind): string {
  return kind.group ? `${kind.resource}.${kind.group}` : kind.resource;
}

function where(kind: ResourceKind, namespace: string | undefined): string {
  if (!kind.namespaced) return ' (cluster-scoped)';
  return namespace ? ` in namespace "${namespace}"` : ' in all namespaces';
}

/** Turns a failed request into a {@link ReadProblem} with a message that says what was refused or missing. */
function problemOf(
  err: unknown,
  client: KubeClient,
  verb: 'get' | 'list',
  kind: ResourceKind,
  namespace: string | undefined,
  name?: string,
): Result<never, ReadProblem> {
  const what = name ? `${kind.kind} "${name}"` : `${kind.kind} objects`;
  const failure = classifyKubeError(err);
  if (failure.reason === 'notFound') {
    return fail('not-found', name ? `${what} was not found${where(kind, namespace)}.` : `The cluster has no ${describeKind(kind)} collection${where(kind, namespace)} (${failure.serverMessage || 'HTTP 404'}).`);
  }
  if (failure.reason === 'forbidden') {
    return fail(
      'forbidden',
      `Context "${client.contextName}" is not allowed to ${verb} ${describeKind(kind)}${where(kind, namespace)} (RBAC). ` +
        `Ask for "${verb}" on "${describeKind(kind)}"${kind.namespaced && namespace ? ` in "${namespace}"` : ''}, or use another context.` +
        (failure.serverMessage ? ` The server said: ${failure.serverMessage}` : ''),
    );
  }
  if (failure.reason === 'unauthorized') {
    return fail('forbidden', `The cluster did not accept the credentials of context "${client.contextName}" (HTTP 401). Log in again or pick another context.`);
  }
  return fail('unavailable', `Cannot ${verb} ${what}${where(kind, namespace)}: ${failure.detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields of {@link ObjectMetadata} from a server's `metadata`, nothing else. */
function metadataOf(meta: Record<string, unknown>, kind: Pick<ResourceKind, 'apiVersion' | 'kind'>): ObjectMetadata {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name: text(meta.name),
      namespace: text(meta.namespace),
      uid: text(meta.uid),
      resourceVersion: text(meta.resourceVersion),
      ...(meta.ownerReferences !== undefined ? { ownerReferences: meta.ownerReferences } : {}),
    },
  };
}

function nameOf(item: unknown): ResourceName | undefined {
  const meta = (item as KubeObject | undefined)?.metadata;
  if (!meta || typeof meta.name !== 'string') return undefined;
  return { name: meta.name, namespace: typeof meta.namespace === 'string' ? meta.namespace : '', uid: typeof meta.uid === 'string' ? meta.uid : '' };
}

/**
 * Reads objects through discovery: the kind gives the REST path, then one GET (or paged LISTs). A 401 rebuilds
 * the client's credentials once (exec plugins run again) before it is reported.
 */
export class ResourceReader {
  private readonly maxListItems: number;
  private readonly pageSize: number;
  private readonly requestTimeoutMs: number;
  private readonly log: Logger;
  private readonly metadataQueue: BoundedQueue;

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    options: ResourceReaderOptions = {},
  ) {
    this.maxListItems = Math.max(1, options.maxListItems ?? 2_000);
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.log = options.logger ?? silentLogger;
    this.metadataQueue = new BoundedQueue({ concurrency: options.metadataConcurrency ?? 4, maxWaiting: options.metadataQueue ?? 256 });
  }

  /**
   * The whole object, for "Open Resource YAML" only: every other read wants {@link metadata}. A namespaced kind
   * needs `ref.namespace`; a cluster-scoped kind ignores it. Without `ref.apiVersion` (or with an empty one) the
   * kind is looked up by name alone (see findKind), here and in {@link metadata}.
   */
  async get(ref: ObjectKeyWith<never, 'apiVersion'>, signal?: AbortSignal): Promise<Result<KubeObject, ReadProblem>> {
    const target = await this.target(ref);
    if (!target.ok) return target;
    const { kind: k, namespace, path } = target.value;
    try {
      const obj = await this.request<unknown>(path, undefined, signal);
      if (!isObject(obj)) return fail('unavailable', `The server answered the read of ${k.kind} "${ref.name}" with something that is not an object.`);
      return ok(obj as KubeObject);
    } catch (err) {
      this.log.debug(`get ${k.apiVersion} ${k.kind} ${namespace ?? ''}/${ref.name}: ${describeKubeError(err)}`);
      return problemOf(err, this.client, 'get', k, namespace, ref.name);
    }
  }

  /**
   * The object's metadata, read as `PartialObjectMetadata` ({@link METADATA_ACCEPT}) through a bounded queue:
   * at most `metadataConcurrency` in flight, `metadataQueue` waiting; beyond that the read is refused as
   * `unavailable` at once (the owner graph tries again later). Owner lookups, existence checks and live
   * references all read this way.
   */
  async metadata(ref: ObjectKeyWith<never, 'apiVersion'>, signal?: AbortSignal): Promise<Result<ObjectMetadata, ReadProblem>> {
    const target = await this.target(ref);
    if (!target.ok) return target;
    const { kind: k, namespace, path } = target.value;
    try {
      const obj = await this.metadataQueue.run(() => this.request<unknown>(path, undefined, signal, METADATA_ACCEPT), signal);
      const meta = isObject(obj) ? (obj as KubeObject).metadata : undefined;
      if (!isObject(meta)) return fail('unavailable', `The server answered the read of ${k.kind} "${ref.name}" without the object's metadata.`);
      return ok(metadataOf(meta, k));
    } catch (err) {
      if (QueueFullError.is(err)) return fail('unavailable', `Not read: ${err.maxWaiting} reads of objects are already waiting for the cluster; ${k.kind} "${ref.name}" is read again later.`);
      this.log.debug(`get metadata ${k.apiVersion} ${k.kind} ${namespace ?? ''}/${ref.name}: ${describeKubeError(err)}`);
      return problemOf(err, this.client, 'get', k, namespace, ref.name);
    }
  }

  /** The live object's reference (uid and resourceVersion included), read as {@link metadata}. */
  async reference(ref: ObjectKeyWith<never, 'apiVersion'>, signal?: AbortSignal): Promise<Result<ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>, ReadProblem>> {
    const meta = await this.metadata(ref, signal);
    return meta.ok ? ok(referenceOf(meta.value, meta.value)) : meta;
  }

  /** The kind, namespace and REST path of one object, or why there is none. */
  private async target(ref: ObjectKeyWith<never, 'apiVersion'>): Promise<Result<{ kind: ResourceKind; namespace: string | undefined; path: string }, ReadProblem>> {
    const kind = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (!kind.ok) return kind;
    const k = kind.value;
    if (!ref.name) return fail('not-found', `No name given for the ${k.kind} to read.`);
    if (k.namespaced && !ref.namespace) return fail('not-found', `${k.kind} "${ref.name}" needs a namespace: ${k.kind} is a namespaced kind.`);
    const namespace = k.namespaced ? ref.namespace : undefined;
    return ok({ kind: k, namespace, path: this.discovery.pathFor(k, namespace, ref.name) });
  }

  /**
   * Names of a kind (a resolved {@link ResourceKind}, or a kind name with an optional apiVersion), for a quick
   * pick: one namespace, or all namespaces when `namespace` is absent (a
   * cluster-scoped kind ignores it). Pages of `pageSize` up to `maxListItems`; says when there were more.
   */
  async list(kind: string | { readonly apiVersion?: string; readonly kind: string }, namespace?: string, signal?: AbortSignal): Promise<Result<ResourceNames, ReadProblem>> {
    const ref = typeof kind === 'string' ? { kind } : kind;
    const resolved = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (!resolved.ok) return resolved;
    const k = resolved.value;
    if (!k.verbs.includes('list')) return fail('unknown-kind', `${k.kind} (${k.apiVersion}) cannot be listed: the server does not offer "list" for ${describeKind(k)}.`);
    const ns = k.namespaced && namespace ? namespace : undefined;
    const path = this.discovery.pathFor(k, ns);
    const items: ResourceName[] = [];
    let token: string | undefined;
    try {
      do {
        const limit = Math.min(this.pageSize, this.maxListItems - items.length + 1);
        const page = await this.request<{ items?: unknown[]; metadata?: { continue?: string } }>(path, { limit, continue: token }, signal, METADATA_LIST_ACCEPT);
        for (const item of page?.items ?? []) {
          const n = nameOf(item);
          if (n) items.push(n);
        }
        token = page?.metadata?.continue || undefined;
      } while (token && items.length <= this.maxListItems);
    } catch (err) {
      this.log.debug(`list ${k.apiVersion} ${k.kind} ${ns ?? '*'}: ${describeKubeError(err)}`);
      return problemOf(err, this.client, 'list', k, ns);
    }
    // One item past the cap was asked for, so "exactly the cap" and "more" are told apart without another page.
    const truncated = items.length > this.maxListItems || token !== undefined;
    return ok({ kind: k, items: items.slice(0, this.maxListItems), truncated });
  }

  private async request<T>(path: string, query: Query | undefined, signal: AbortSignal | undefined, accept?: string): Promise<T> {
    const send = (): Promise<T> => {
      const timeout = AbortSignal.timeout(this.requestTimeoutMs);
      return this.client.request<T>(path, { query, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, ...(accept ? { accept } : {}) });
    };
    try {
      return await send();
    } catch (err) {
      if (classifyKubeError(err).reason !== 'unauthorized') throw err;
      this.client.refreshCredentials();
      return send();
    }
  }
}

/**
 * client-go `GetReference` on an object read from the apiserver: apiVersion and kind from the object (or from
 * discovery's `kind` when the server left them out), namespace, name, uid and resourceVersion from its metadata.
 * No fieldPath: that names a part of the object, and only the caller knows whether it means one.
 */
function referenceOf(obj: KubeObject | ObjectMetadata, kind: Pick<ResourceKind, 'apiVersion' | 'kind'>): ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'> {
  const meta = obj.metadata ?? {};
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    apiVersion: text(obj.apiVersion) || kind.apiVersion,
    kind: text(obj.kind) || kind.kind,
    namespace: text(meta.namespace),
    name: text(meta.name),
    uid: text(meta.uid),
    resourceVersion: text(meta.resourceVersion),
  };
}

/** The annotation in which `kubectl apply` keeps a copy of what it applied: for a Secret, its data. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A core/v1 Secret without its values, as `kubectl describe secret` shows it: each key of `data` and
 * `stringData` stays, its value replaced by `<N bytes>`, and kubectl apply's copy of the whole Secret in the
 * last-applied annotation is replaced the same way. `hidden` counts what was replaced; any other object is
 * returned as it is, with `hidden` 0. The input is not changed.
 */
export function withoutSecretValues(obj: KubeObject): { readonly object: KubeObject; readonly hidden: number } {
  if (obj.kind !== 'Secret' || obj.apiVersion !== 'v1') return { object: obj, hidden: 0 };
  let hidden = 0;
  const sizes = (values: unknown, base64: boolean): unknown => {
    if (!isObject(values)) return values;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      const text = typeof value === 'string' ? value : '';
      out[key] = `<${base64 ? Buffer.from(text, 'base64').length : Buffer.byteLength(text)} bytes>`;
      hidden++;
    }
    return out;
  };
  const copy: Record<string, unknown> = { ...obj };
  if ('data' in obj) copy.data = sizes(obj.data, true);
  if ('stringData' in obj) copy.stringData = sizes(obj.stringData, false);
  const annotations = obj.metadata?.annotations;
  if (isObject(annotations) && typeof annotations[LAST_APPLIED] === 'string') {
    copy.metadata = { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: `<${Buffer.byteLength(annotations[LAST_APPLIED])} bytes>` } };
    hidden++;
  }
  return { object: copy, hidden };
}

/**
 * An object as YAML for a read-only editor, without `metadata.managedFields` (server bookkeeping nobody reads).
 * The input is not changed. client-node's `dumpYaml` runs an object through its typed model when it carries
 * apiVersion and kind, which drops fields the model does not know (a CRD's `x-kubernetes-*` schema keys, fields
 * newer than the library); so the object is dumped in parts that carry no apiVersion/kind pair, which pass
 * through untouched, and the YAML mappings are joined.
 */
export function toYaml(obj: object): string {
  const { apiVersion, kind, metadata, ...rest } = obj as KubeObject;
  const parts: Array<Record<string, unknown>> = [];
  if (apiVersion !== undefined) parts.push({ apiVersion });
  if (kind !== undefined) parts.push({ kind });
  if (metadata !== undefined) {
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
      const { managedFields: _dropped, ...meta } = metadata as Record<string, unknown>;
      parts.push({ metadata: meta });
    } else {
      parts.push({ metadata });
    }
  }
  if (Object.keys(rest).length > 0) parts.push(rest);
  if (parts.length === 0) return '{}\n';
  const { dumpYaml } = clientNodeBundle();
  return parts.map((p) => dumpYaml(p, { noRefs: true, lineWidth: -1 })).join('');
}
