/**
 * What the cluster serves: kinds, their plural resource names, scope and verbs, read from the legacy
 * discovery documents (`/api/v1`, `/apis`, then `/apis/<group>/<preferredVersion>` per group). Aggregated
 * discovery would need an `Accept` header KubeClient does not let callers set, and the legacy documents
 * carry the same facts. CRDs appear here like built-in kinds once the apiserver serves them.
 */
import { mapBounded } from '../core/boundedQueue';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports';
import { fail, ok, type Result } from '../core/result';
import { classifyKubeError, describeKubeError, type KubeClient } from './kubeClient';

/** One resource the cluster serves at one group/version. */
export interface ResourceKind {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** `v1` for the core group, `<group>/<version>` otherwise: what manifests and ownerReferences carry. */
  readonly apiVersion: string;
  readonly kind: string;
  /** Plural resource name, as in the REST path (`deployments`). */
  readonly resource: string;
  /** Singular resource name; servers may leave it empty. */
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** An entry of `/apis`: one API group, the versions it serves and the one clients should prefer. */
export interface ApiGroupInfo {
  readonly name: string;
  readonly preferredVersion: string;
  readonly versions: readonly string[];
}

/** Why discovery failed as a whole (a single failing group is skipped instead). */
export type DiscoveryProblem = 'forbidden' | 'unavailable';

export interface DiscoveryOptions {
  /** How long a complete discovery stays fresh (default 5 min). */
  readonly ttlMs?: number;
  /** How long a discovery with skipped groups, or a failed one, is kept before trying again (default 30 s). */
  readonly retryMs?: number;
  /** A kind that is not found re-reads discovery when the cache is at least this old (default 10 s): a CRD may just have been installed. */
  readonly missRefreshMs?: number;
  /** Group documents read at once (default 6). */
  readonly concurrency?: number;
  /** Deadline for each discovery request, headers and body (default 15 s). */
  readonly requestTimeoutMs?: number;
  /** Skipped groups and failures go here; pass one made by `tagged(logger, 'discovery')`. */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** Splits an apiVersion into group and version: `v1` → ('', 'v1'), `apps/v1` → ('apps', 'v1'). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * The resources of an `APIResourceList` (`/api/v1`, `/apis/<group>/<version>`) that can be read: subresources
 * (`pods/status`) and resources without `get` or `list` (reviews, bindings) are left out. Malformed entries are
 * skipped; aggregated API servers are not always well-behaved.
 */
export function parseResourceList(doc: unknown, fallbackGroupVersion = ''): ResourceKind[] {
  if (!isRecord(doc)) return [];
  const gv = typeof doc.groupVersion === 'string' && doc.groupVersion ? doc.groupVersion : fallbackGroupVersion;
  const { group, version } = splitApiVersion(gv);
  if (!version || !Array.isArray(doc.resources)) return [];
  const out: ResourceKind[] = [];
  for (const r of doc.resources) {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.kind !== 'string') continue;
    if (!r.name || !r.kind || r.name.includes('/')) continue;
    const verbs = strings(r.verbs);
    if (!verbs.includes('get') && !verbs.includes('list')) continue;
    out.push({
      group,
      version,
      apiVersion: joinApiVersion(group, version),
      kind: r.kind,
      resource: r.name,
      singular: typeof r.singularName === 'string' ? r.singularName : '',
      shortNames: strings(r.shortNames),
      namespaced: r.namespaced === true,
      verbs,
    });
  }
  return out;
}

/** The groups of an `APIGroupList` (`/apis`), in the server's order. A group without a preferred version gets its first. */
export function parseGroupList(doc: unknown): ApiGroupInfo[] {
  if (!isRecord(doc) || !Array.isArray(doc.groups)) return [];
  const out: ApiGroupInfo[] = [];
  for (const g of doc.groups) {
    if (!isRecord(g) || typeof g.name !== 'string' || !g.name) continue;
    const versions = (Array.isArray(g.versions) ? g.versions : [])
      .map((v) => (isRecord(v) && typeof v.version === 'string' ? v.version : ''))
      .filter(Boolean);
    const preferred = isRecord(g.preferredVersion) && typeof g.preferredVersion.version === 'string' ? g.preferredVersion.version : '';
    const preferredVersion = preferred || versions[0] || '';
    if (!preferredVersion) continue;
    out.push({ name: g.name, preferredVersion, versions: versions.includes(preferredVersion) ? versions : [preferredVersion, ...versions] });
  }
  return out;
}

/**
 * Finds a kind in a catalog kept in discovery order (core group first, then groups as `/apis` lists them,
 * which is the server's priority order: built-in groups before CRDs and aggregated APIs).
 *
 * - `kind` matches `kind` case-insensitively; when no kind matches, the plural, singular and short names
 *   are tried (`deploy`, `deployments`), so names typed by people resolve too.
 * - With an apiVersion, only that group and version match. Without one, the first match in discovery order
 *   wins: the core group, then the earliest group in the server's order. `Event` is therefore core/v1,
 *   not events.k8s.io/v1, as with kubectl.
 */
export function findKind(catalog: readonly ResourceKind[], apiVersion: string, kind: string): ResourceKind | undefined {
  const wanted = kind.trim().toLowerCase();
  if (!wanted) return undefined;
  const gv = apiVersion.trim() ? splitApiVersion(apiVersion.trim()) : undefined;
  const inScope = gv ? catalog.filter((k) => k.group === gv.group && k.version === gv.version) : catalog;
  return (
    inScope.find((k) => k.kind.toLowerCase() === wanted) ??
    inScope.find((k) => k.resource === wanted || k.singular === wanted || k.shortNames.some((s) => s.toLowerCase() === wanted))
  );
}

/**
 * The REST path of a collection or of one object. A namespaced kind without a namespace gives the
 * all-namespaces collection; a cluster-scoped kind ignores the namespace.
 */
export function resourcePath(kind: ResourceKind, namespace?: string, name?: string): string {
  let path = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  if (kind.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${kind.resource}`;
  if (name) path += `/${encodeURIComponent(name)}`;
  return path;
}

interface Catalog {
  /** Preferred versions of every group that answered, in discovery order. */
  readonly kinds: readonly ResourceKind[];
  readonly groups: ReadonlyMap<string, ApiGroupInfo>;
  /** Groups whose document could not be read, with why. */
  readonly skipped: ReadonlyArray<{ groupVersion: string; message: string }>;
  readonly loadedAt: number;
}

/**
 * Discovery over one KubeClient, cached. Concurrent callers share one load. A group whose document fails
 * (an aggregated API that is down answers 503) is skipped and logged, and such a partial catalog is retried
 * after `retryMs` instead of `ttlMs`. When a reload fails as a whole, the previous catalog keeps serving.
 */
export class Discovery {
  private catalog: Catalog | undefined;
  /** Epoch ms after which {@link catalog} is reloaded. */
  private expiresAt = 0;
  private loading: Promise<Result<Catalog, DiscoveryProblem>> | undefined;
  /** Non-preferred versions read on demand, by apiVersion; dropped with the catalog. */
  private extraVersions = new Map<string, Promise<ResourceKind[]>>();
  /** Loads started, and the newest one whose answer was applied. */
  private generation = 0;
  private applied = 0;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly missRefreshMs: number;
  private readonly concurrency: number;
  private readonly requestTimeoutMs: number;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(
    private readonly client: KubeClient,
    options: DiscoveryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.retryMs = options.retryMs ?? 30_000;
    this.missRefreshMs = options.missRefreshMs ?? 10_000;
    this.concurrency = options.concurrency ?? 6;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.log = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  /** Every listable resource (verb `list`), in discovery order: core first, then groups in the server's order. */
  async kinds(): Promise<Result<ResourceKind[], DiscoveryProblem>> {
    const c = await this.current();
    return c.ok ? ok(c.value.kinds.filter((k) => k.verbs.includes('list'))) : c;
  }

  /** API groups (by `group/version`) whose discovery document could not be read in the last load. */
  get skippedGroups(): readonly string[] {
    return this.catalog?.skipped.map((s) => s.groupVersion) ?? [];
  }

  /**
   * Reads discovery again now, whatever the cache's age (after installing a CRD, say). A failure is returned
   * here, while kinds() and resolve() keep answering from the previous catalog.
   */
  async refresh(): Promise<Result<ResourceKind[], DiscoveryProblem>> {
    this.loading = undefined;
    const c = await this.current(true);
    return c.ok ? ok(c.value.kinds.filter((k) => k.verbs.includes('list'))) : c;
  }

  /**
   * The resource for a kind, optionally pinned to an apiVersion (see {@link findKind} for the rules). A version
   * the group serves but does not prefer is read on demand. A version the group does not serve falls back to
   * the group's preferred version when it has the kind: the stored object is the same in every version, and
   * ownerReferences written long ago may name a version since removed. A miss re-reads discovery once the
   * cache is older than `missRefreshMs`, so a CRD installed a moment ago is found.
   */
  async resolve(apiVersion: string | undefined, kind: string): Promise<Result<ResourceKind, 'unknown-kind' | DiscoveryProblem>> {
    const first = await this.current();
    if (!first.ok) return first;
    const found = await this.lookIn(first.value, apiVersion ?? '', kind);
    if (found) return ok(found);
    let catalog = first.value;
    if (this.clock.now() - catalog.loadedAt >= this.missRefreshMs) {
      const again = await this.current(true);
      if (again.ok) {
        catalog = again.value;
        const retry = await this.lookIn(catalog, apiVersion ?? '', kind);
        if (retry) return ok(retry);
      }
    }
    return fail('unknown-kind', this.unknownKindMessage(catalog, apiVersion ?? '', kind));
  }

  /** The REST path of a collection (`name` omitted) or one object; see {@link resourcePath}. */
  pathFor(kind: ResourceKind, namespace?: string, name?: string): string {
    return resourcePath(kind, namespace, name);
  }

  private async lookIn(catalog: Catalog, apiVersion: string, kind: string): Promise<ResourceKind | undefined> {
    const direct = findKind(catalog.kinds, apiVersion, kind);
    if (direct || !apiVersion.trim()) return direct;
    const { group, version } = splitApiVersion(apiVersion.trim());
    const info = group ? catalog.groups.get(group) : undefined;
    if (info && info.versions.includes(version) && version !== info.preferredVersion) {
      const extra = findKind(await this.versionKinds(group, version), apiVersion, kind);
      if (extra) return extra;
    }
    // Not served in that version: the same group's preferred version reads the same object.
    const groupKinds = catalog.kinds.filter((k) => k.group === group);
    return findKind(groupKinds, '', kind);
  }

  private versionKinds(group: string, version: string): Promise<ResourceKind[]> {
    const gv = joinApiVersion(group, version);
    let p = this.extraVersions.get(gv);
    if (!p) {
      p = this.get(`/apis/${gv}`).then(
        (doc) => parseResourceList(doc, gv),
        (err: unknown) => {
          this.log.warn(`cannot read ${gv}: ${describeKubeError(err)}`);
          this.extraVersions.delete(gv);
          return [];
        },
      );
      this.extraVersions.set(gv, p);
    }
    return p;
  }

  private unknownKindMessage(catalog: Catalog, apiVersion: string, kind: string): string {
    const elsewhere = apiVersion.trim() ? findKind(catalog.kinds, '', kind) : undefined;
    const skipped = catalog.skipped.length ? ` (${catalog.skipped.length} API group(s) could not be read: ${catalog.skipped.map((s) => s.groupVersion).join(', ')})` : '';
    if (elsewhere) return `The cluster does not serve kind "${kind}" in ${apiVersion}; it serves ${elsewhere.kind} as ${elsewhere.apiVersion}.`;
    return `The cluster does not serve a kind "${kind}"${apiVersion.trim() ? ` in ${apiVersion}` : ''}${skipped}. If it is a custom resource, is its CRD installed?`;
  }

  private async current(force = false): Promise<Result<Catalog, DiscoveryProblem>> {
    if (!force && this.catalog && this.clock.now() < this.expiresAt) return ok(this.catalog);
    if (!this.loading) {
      const generation = ++this.generation;
      const load = this.load().then((result) => {
        if (this.loading === load) this.loading = undefined;
        return this.settle(generation, result, force);
      });
      this.loading = load;
    }
    return this.loading;
  }

  /** Applies a finished load unless a newer one has already answered. */
  private settle(generation: number, result: Result<Catalog, DiscoveryProblem>, force: boolean): Result<Catalog, DiscoveryProblem> {
    const newest = generation > this.applied;
    if (result.ok) {
      if (!newest) return ok(this.catalog ?? result.value);
      this.applied = generation;
      this.catalog = result.value;
      this.extraVersions = new Map();
      this.expiresAt = result.value.loadedAt + (result.value.skipped.length ? this.retryMs : this.ttlMs);
      return result;
    }
    if (!this.catalog) return result;
    if (newest) {
      // Keep serving what we knew; try again soon rather than on every call.
      this.log.warn(`discovery failed, keeping the previous answer: ${result.message}`);
      this.expiresAt = this.clock.now() + this.retryMs;
    }
    return force ? result : ok(this.catalog);
  }

  private get(path: string): Promise<unknown> {
    return this.client.request<unknown>(path, { signal: AbortSignal.timeout(this.requestTimeoutMs) });
  }

  private async load(): Promise<Result<Catalog, DiscoveryProblem>> {
    let coreDoc: unknown;
    let groupsDoc: unknown;
    try {
      [coreDoc, groupsDoc] = await Promise.all([this.get('/api/v1'), this.get('/apis')]);
    } catch (err) {
      const failure = classifyKubeError(err);
      const forbidden = failure.reason === 'forbidden' || failure.reason === 'unauthorized';
      const message = forbidden
        ? `Context "${this.client.contextName}" may not read the cluster's API discovery (${failure.detail}).`
        : `Cannot read the cluster's API discovery: ${failure.detail}`;
      return fail(forbidden ? 'forbidden' : 'unavailable', message);
    }
    const groups = parseGroupList(groupsDoc);
    const skipped: Array<{ groupVersion: string; message: string }> = [];
    const perGroup = await mapBounded(groups, this.concurrency, async (g) => {
      const gv = joinApiVersion(g.name, g.preferredVersion);
      try {
        return parseResourceList(await this.get(`/apis/${gv}`), gv);
      } catch (err) {
        const message = describeKubeError(err);
        skipped.push({ groupVersion: gv, message });
        this.log.warn(`skipping API group ${gv}: ${message}`);
        return [];
      }
    });
    return ok({
      kinds: [...parseResourceList(coreDoc, 'v1'), ...perGroup.flat()],
      groups: new Map(groups.map((g) => [g.name, g])),
      skipped,
      loadedAt: this.clock.now(),
    });
  }
}
