/**
 * Reads single objects and name lists of any kind the cluster serves, CRDs included, for "Open Resource
 * YAML", the resource quick pick and the owner resolver. Expected failures are Results whose message says
 * in plain words what went wrong (for a 403: which verb, resource and namespace).
 */
import { dumpYaml } from '@kubernetes/client-node';
import type { ObjectKey, ObjectKeyWith, ObjectRef } from '../core/kubeEvent';
import { silentLogger, type Logger } from '../core/ports';
import { fail, ok, type Result } from '../core/result';
import type { Discovery, ResourceKind } from './discovery';
import { classifyKubeError, describeKubeError, type KubeClient, type Query } from './kubeClient';

/**
 * Why an object or a list could not be read: 404; 403, rejected credentials or discovery refused; kind not served;
 * network, timeouts, 5xx.
 */
export type ReadProblem = 'not-found' | 'forbidden' | 'unknown-kind' | 'unavailable';

/** An object to read. `apiVersion` empty or absent: the kind is looked up by name alone (see findKind). */
export type ResourceRef = ObjectKey & Partial<Pick<ObjectRef, 'apiVersion'>>;

/** A kind to list: a resolved {@link ResourceKind}, or a kind name with an optional apiVersion. */
export type KindRef = string | { readonly apiVersion?: string; readonly kind: string };

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
  /** Pass one made by `tagged(log, 'resources')`. */
  readonly log?: Logger;
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

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    options: ResourceReaderOptions = {},
  ) {
    this.maxListItems = Math.max(1, options.maxListItems ?? 2_000);
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.log = options.log ?? silentLogger;
  }

  /** The raw object. A namespaced kind needs `ref.namespace`; a cluster-scoped kind ignores it. */
  async get(ref: ResourceRef, signal?: AbortSignal): Promise<Result<KubeObject, ReadProblem>> {
    const kind = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (!kind.ok) return kind;
    const k = kind.value;
    if (!ref.name) return fail('not-found', `No name given for the ${k.kind} to read.`);
    if (k.namespaced && !ref.namespace) return fail('not-found', `${k.kind} "${ref.name}" needs a namespace: ${k.kind} is a namespaced kind.`);
    const namespace = k.namespaced ? ref.namespace : undefined;
    try {
      const obj = await this.request<unknown>(this.discovery.pathFor(k, namespace, ref.name), undefined, signal);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        return fail('unavailable', `The server answered the read of ${k.kind} "${ref.name}" with something that is not an object.`);
      }
      return ok(obj as KubeObject);
    } catch (err) {
      this.log.debug(`get ${k.apiVersion} ${k.kind} ${namespace ?? ''}/${ref.name}: ${describeKubeError(err)}`);
      return problemOf(err, this.client, 'get', k, namespace, ref.name);
    }
  }

  /** The live object's reference (uid and resourceVersion included), read with one GET like {@link get}. */
  async reference(ref: ResourceRef, signal?: AbortSignal): Promise<Result<LiveReference, ReadProblem>> {
    const kind = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (!kind.ok) return kind;
    const obj = await this.get({ ...ref, apiVersion: kind.value.apiVersion, kind: kind.value.kind }, signal);
    return obj.ok ? ok(referenceOf(obj.value, kind.value)) : obj;
  }

  /**
   * Names of a kind, for a quick pick: one namespace, or all namespaces when `namespace` is absent (a
   * cluster-scoped kind ignores it). Pages of `pageSize` up to `maxListItems`; says when there were more.
   */
  async list(kind: KindRef, namespace?: string, signal?: AbortSignal): Promise<Result<ResourceNames, ReadProblem>> {
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
        const page = await this.request<{ items?: unknown[]; metadata?: { continue?: string } }>(path, { limit, continue: token }, signal);
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

  private async request<T>(path: string, query: Query | undefined, signal: AbortSignal | undefined): Promise<T> {
    const send = (): Promise<T> => {
      const timeout = AbortSignal.timeout(this.requestTimeoutMs);
      return this.client.request<T>(path, { query, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
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

/** What an event's involvedObject / regarding says about a live object (client-go `ObjectReference`). */
export type LiveReference = ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>;

/**
 * client-go `GetReference` on an object read from the apiserver: apiVersion and kind from the object (or from
 * discovery's `kind` when the server left them out), namespace, name, uid and resourceVersion from its metadata.
 * No fieldPath: that names a part of the object, and only the caller knows whether it means one.
 */
export function referenceOf(obj: KubeObject, kind: Pick<ResourceKind, 'apiVersion' | 'kind'>): LiveReference {
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
  return parts.map((p) => dumpYaml(p, { noRefs: true, lineWidth: -1 })).join('');
}
