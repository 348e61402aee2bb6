import type { IncomingMessage } from 'node:http';
import { eventsPath, normalizeEvent, type EventApi, type EventChange, type KubeEvent } from '../core/events/kubeEvent';
import { Emitter, type Subscribe } from '../core/emitter';
import { errorMessage } from '../core/text/errorMessage';
import { silentLogger, tagged, type Disposable, type Logger } from '../core/ports';
import { DEFAULT_STORE_CAPACITY, DEFAULT_STORE_MEGABYTES } from '../core/events/eventStore';
import { classifyKubeError, KubeNetworkError, readBody, readBodyBytes, statusError, type KubeClient, type KubeErrorClass } from './kubeClient';
import { KnownEvents, type KnownBounds } from './knownEvents';
import { LineSplitter } from './lineSplitter';
import { RelistBackoff } from './relistBackoff';

/** What the stream is doing, for the status bar and the welcome view. */
export type SourceState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'connecting' }
  | { readonly phase: 'live'; readonly api: EventApi }
  | { readonly phase: 'relisting'; readonly reason: string }
  | { readonly phase: 'reconnecting'; readonly attempt: number; readonly reason: string; readonly retryInMs: number }
  | { readonly phase: 'error'; readonly reason: SourceErrorReason; readonly message: string; readonly retryInMs: number }
  | { readonly phase: 'stopped' };

/**
 * Why the stream cannot run. The state's message states the facts (who was refused what, where); what to do
 * about each reason is the host's to say (src/host/errorText.ts).
 */
export type SourceErrorReason = 'forbidden' | 'unauthorized' | 'credentials' | 'notFound' | 'tls' | 'rejected';

/** What the loop does about a failure: the rules of docs/ARCHITECTURE.md §4, on the classifier's reasons. */
type Reaction = 'relist' | 'switchApi' | 'refreshCredentials' | 'refused' | 'transient';

function reactionTo(failure: KubeErrorClass): Reaction {
  switch (failure.reason) {
    case 'forbidden':
    case 'notFound':
      return 'switchApi';
    case 'unauthorized':
      return 'refreshCredentials';
    // The same request would be refused again (a field selector the server does not support, a certificate
    // nobody trusts, an exec plugin that is not installed): wait for a fix or a retry the user asks for.
    case 'invalid':
    case 'credentials':
    case 'tls':
      return 'refused';
    // The resourceVersion is too old (410 on the watch, or an ERROR event with code 410) or the list's continue
    // token expired: only a new list can go on.
    case 'gone':
      return 'relist';
    case 'conflict':
    case 'tooManyRequests':
    case 'serverError':
    case 'timeout':
    case 'aborted':
    case 'network':
    case 'malformed':
    case 'unknown':
      return 'transient';
    default: {
      const never: never = failure.reason;
      return never;
    }
  }
}

/** Timings of the loop; tests shorten them. The rules they serve: docs/ARCHITECTURE.md §4. */
export interface WatchTiming {
  /** The most events a list page asks for (`limit`); fewer while pages are large (see {@link pageBytes}). */
  readonly pageSize: number;
  /**
   * The most bytes of one list page read into one string. A page over it is dropped unread and asked for again
   * with half the `limit`; after a page, the next `limit` aims at half of it by the page's bytes per event.
   */
  readonly pageBytes: number;
  readonly watchTimeoutMinS: number;
  readonly watchTimeoutMaxS: number;
  /** Abort a watch that sent nothing (not even a bookmark) for this long. */
  readonly idleMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** The wait before a relist after 410 Gone or an expired continue token: see src/kube/relistBackoff.ts. */
  readonly relistBackoffInitialMs: number;
  readonly relistBackoffMaxMs: number;
  readonly relistBackoffResetMs: number;
  /** Retry interval while the server refuses us (403, 401 after a credential refresh). */
  readonly refusedRetryMs: number;
  readonly headersTimeoutMs: number;
}

export const DEFAULT_TIMING: WatchTiming = {
  pageSize: 500,
  pageBytes: 16 * 1024 * 1024,
  watchTimeoutMinS: 300,
  watchTimeoutMaxS: 600,
  idleMs: 90_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
  // client-go's reflector: 800 ms doubling to 30 s, jitter 1.0, reset after 2 quiet minutes.
  relistBackoffInitialMs: 800,
  relistBackoffMaxMs: 30_000,
  relistBackoffResetMs: 120_000,
  refusedRetryMs: 30_000,
  headersTimeoutMs: 30_000,
};

export interface EventSourceOptions {
  readonly client: KubeClient;
  /** Namespaces to watch; empty means all namespaces (one cluster-wide stream). */
  readonly namespaces?: readonly string[];
  /**
   * With no `namespaces` (one cluster-wide stream): keep only the events of these namespaces, as if each were
   * watched on its own (src/kube/watchPlan.ts decides when). Undefined: keep everything.
   */
  readonly only?: readonly string[];
  /** The API to try first; the other one is tried when this one is forbidden or not served. */
  readonly preferredApi?: EventApi;
  /** Receives every batch of changes; the stream pauses until a returned promise settles (backpressure). */
  readonly sink: (changes: EventChange[]) => void | Promise<void>;
  /**
   * Events already delivered downstream (by an earlier source for the same cluster), by namespace ('' =
   * all). The first list reconciles against them, so a restarted stream reports only what changed.
   */
  readonly known?: (namespace: string) => Iterable<KubeEvent>;
  /** The bounds of what the source remembers for reconciling: the store's. Default: the store's defaults. */
  readonly bounds?: KnownBounds;
  /** The cluster's name, set on every event read (`KubeEvent.cluster`); none leaves it unset. */
  readonly cluster?: string;
  readonly logger?: Logger;
  readonly timing?: Partial<WatchTiming>;
  readonly random?: () => number;
}

/** Whether two states say the same thing, field by field. */
export function sameSourceState(a: SourceState, b: SourceState): boolean {
  switch (a.phase) {
    case 'idle':
    case 'connecting':
    case 'stopped':
      return b.phase === a.phase;
    case 'live':
      return b.phase === 'live' && b.api === a.api;
    case 'relisting':
      return b.phase === 'relisting' && b.reason === a.reason;
    case 'reconnecting':
      return b.phase === 'reconnecting' && b.attempt === a.attempt && b.reason === a.reason && b.retryInMs === a.retryInMs;
    case 'error':
      return b.phase === 'error' && b.reason === a.reason && b.message === a.message && b.retryInMs === a.retryInMs;
    default: {
      const never: never = a;
      return never;
    }
  }
}

function otherApi(api: EventApi): EventApi {
  return api === 'core/v1' ? 'events.k8s.io/v1' : 'core/v1';
}

/**
 * The most one event's page (limit 1) or watch line may hold, whatever `pageBytes` says: far above what etcd
 * stores (1.5 MiB a request by default), far below V8's string limit (~512 MiB).
 */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < MIB ? 2 : 1)} MiB`;
}

/**
 * A list+watch of Kubernetes events over one context and a set of namespaces. One loop per namespace
 * (or one cluster-wide loop) runs: paged list → watch from the list's resourceVersion with bookmarks and a
 * jittered timeout → re-watch from the last resourceVersion → relist and reconcile on 410 Gone. It owns
 * the loop rather than using client-node's ListWatch (1.4.x), which has no client-side timeout, no bookmarks,
 * no backoff, swallows callback exceptions and stops for good on non-410 errors (docs/ARCHITECTURE.md §4).
 */
export class EventSource implements Disposable {
  private readonly loops: NamespaceLoop[];
  private current: SourceState = { phase: 'idle' };
  private readonly stateEmitter: Emitter<SourceState>;
  /** Fires when the combined state changes (never twice in a row with the same state). */
  readonly onDidChangeState: Subscribe<SourceState>;

  constructor(opts: EventSourceOptions) {
    const namespaces = opts.namespaces && opts.namespaces.length > 0 ? [...new Set(opts.namespaces)] : [''];
    const timing = { ...DEFAULT_TIMING, ...opts.timing };
    const log = tagged(opts.logger ?? silentLogger, 'watch');
    const known = new KnownEvents(opts.bounds ?? { maxEvents: DEFAULT_STORE_CAPACITY, maxBytes: DEFAULT_STORE_MEGABYTES * MIB });
    // A cluster-wide loop kept to some namespaces reconciles only those: seeding others would relist them as gone.
    const only = namespaces[0] === '' && opts.only ? new Set(opts.only) : undefined;
    for (const ns of namespaces) for (const e of opts.known?.(ns) ?? []) if (!e.expired && (!only || only.has(e.namespace))) known.set(e);
    // The loops fire from inside their own retry logic: a listener's failure is logged, never thrown into them.
    this.stateEmitter = new Emitter<SourceState>((err) => log.error(`a state listener failed: ${errorMessage(err)}`));
    this.onDidChangeState = this.stateEmitter.event;
    this.loops = namespaces.map((ns) => new NamespaceLoop(ns, opts, timing, known, log, () => this.recomputeState()));
  }

  get state(): SourceState {
    return this.current;
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  /** Stops every loop for good: in-flight requests are aborted and nothing restarts them. */
  stop(): void {
    for (const loop of this.loops) loop.stop();
    this.recomputeState();
  }

  dispose(): void {
    this.stop();
    this.stateEmitter.dispose();
  }

  /** Resumes every loop that is waiting out a backoff or a refusal, right now. */
  retryNow(): void {
    for (const loop of this.loops) loop.retryNow();
  }

  private recomputeState(): void {
    const states = this.loops.map((l) => l.state);
    // The worst state wins: the user should see a problem in any namespace.
    const rank: Record<SourceState['phase'], number> = { error: 6, reconnecting: 5, relisting: 4, connecting: 3, live: 2, idle: 1, stopped: 0 };
    const next = states.reduce((a, b) => (rank[b.phase] > rank[a.phase] ? b : a));
    if (sameSourceState(next, this.current)) return;
    this.current = next;
    this.stateEmitter.fire(next);
  }
}

class NamespaceLoop {
  state: SourceState = { phase: 'idle' };
  private generation = 0;
  private api: EventApi;
  private resourceVersion = '';
  /** The `limit` of the next list page: `pageSize`, less while pages are large. */
  private pageLimit: number;
  private readonly relistBackoff: RelistBackoff;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private attempt = 0;
  private credentialsRefreshed = false;
  private readonly log: Logger;
  private readonly random: () => number;
  /** The namespaces a cluster-wide loop keeps ({@link EventSourceOptions.only}); undefined keeps all. */
  private readonly only: ReadonlySet<string> | undefined;

  constructor(
    private readonly namespace: string,
    private readonly opts: EventSourceOptions,
    private readonly timing: WatchTiming,
    /** What the source has reported (every loop's), by uid: the base for reconciling after a relist. */
    private readonly known: KnownEvents,
    log: Logger,
    private readonly onStateChange: () => void,
  ) {
    this.api = opts.preferredApi ?? 'core/v1';
    this.log = namespace ? tagged(log, `ns ${namespace}`) : log;
    this.only = !namespace && opts.only ? new Set(opts.only) : undefined;
    this.random = opts.random ?? Math.random;
    this.pageLimit = Math.max(1, timing.pageSize);
    this.relistBackoff = new RelistBackoff(
      { initialMs: timing.relistBackoffInitialMs, maxMs: timing.relistBackoffMaxMs, resetAfterMs: timing.relistBackoffResetMs },
      Date.now,
      this.random,
    );
  }

  private get scope(): string {
    if (this.only) return `all namespaces (keeping ${this.only.size} of them)`;
    return this.namespace ? `namespace "${this.namespace}"` : 'all namespaces';
  }

  private keeps(ev: KubeEvent): boolean {
    return !this.only || this.only.has(ev.namespace);
  }

  start(): void {
    const gen = ++this.generation;
    this.setState({ phase: 'connecting' });
    void this.run(gen);
  }

  stop(): void {
    this.generation++;
    this.abort?.abort();
    this.wake?.();
    this.setState({ phase: 'stopped' });
  }

  /** Retries at once; a retry the user asks for may follow a fix of the credentials, so they are reloaded too. */
  retryNow(): void {
    this.credentialsRefreshed = false;
    if (this.state.phase === 'error') this.opts.client.refreshCredentials();
    this.wake?.();
  }

  private live(gen: number): boolean {
    return gen === this.generation;
  }

  private setState(s: SourceState): void {
    this.state = s;
    this.onStateChange();
  }

  private async run(gen: number): Promise<void> {
    let triedOtherApi = false;
    while (this.live(gen)) {
      // A failure while listing is an expired continue token when it is 410, never a too-old resourceVersion.
      let listing = false;
      try {
        listing = !this.resourceVersion;
        if (listing) await this.list(gen);
        listing = false;
        if (!this.live(gen)) return;
        const opened = Date.now();
        await this.watch(gen);
        triedOtherApi = false;
        // A server (or proxy) that ends every watch at once would otherwise be hammered in a tight loop.
        if (Date.now() - opened < this.timing.backoffInitialMs) await this.sleep(this.timing.backoffInitialMs, gen);
      } catch (err) {
        if (!this.live(gen)) return;
        const failure = classifyKubeError(err);
        const reaction = reactionTo(failure);
        if (reaction === 'relist') {
          // Not at once: an apiserver that answers 410 to every watch would see a tight LIST loop.
          const retryInMs = this.relistBackoff.next();
          const what = listing ? 'the list\'s continue token expired' : `resourceVersion ${this.resourceVersion} is too old`;
          this.log.info(`${what} (410 Gone); relisting ${this.scope} in ${(retryInMs / 1000).toFixed(1)} s`);
          this.resourceVersion = '';
          this.setState({ phase: 'relisting', reason: listing ? 'the list expired (410 Gone)' : 'the watch expired (410 Gone)' });
          await this.sleep(retryInMs, gen);
          continue;
        }
        if (reaction === 'switchApi' && !triedOtherApi) {
          const from = this.api;
          this.api = otherApi(this.api);
          this.resourceVersion = '';
          triedOtherApi = true;
          this.log.warn(`${failure.detail}; trying ${this.api} events instead of ${from}`);
          continue;
        }
        if (reaction === 'refreshCredentials' && !this.credentialsRefreshed) {
          this.credentialsRefreshed = true;
          this.log.warn(`${failure.detail}; reloading the kubeconfig and credentials once`);
          this.opts.client.refreshCredentials();
          continue;
        }
        if (reaction !== 'transient') {
          const { reason, message } = this.explain(failure, triedOtherApi);
          triedOtherApi = false;
          this.api = this.opts.preferredApi ?? 'core/v1';
          this.resourceVersion = '';
          const retryInMs = this.timing.refusedRetryMs;
          this.log.error(`${message} (retrying in ${Math.round(retryInMs / 1000)} s)`);
          this.setState({ phase: 'error', reason, message, retryInMs });
          await this.sleep(retryInMs, gen);
          continue;
        }
        this.attempt++;
        const retryInMs = this.backoff(this.attempt);
        const reason = failure.detail;
        this.log.warn(`${reason}; reconnecting in ${(retryInMs / 1000).toFixed(1)} s (attempt ${this.attempt})`);
        this.setState({ phase: 'reconnecting', attempt: this.attempt, reason, retryInMs });
        await this.sleep(retryInMs, gen);
      }
    }
  }

  /** Exponential backoff with full jitter on the upper half: 1 s, 2 s, 4 s … capped at 30 s. */
  private backoff(attempt: number): number {
    const base = Math.min(this.timing.backoffMaxMs, this.timing.backoffInitialMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  /** The facts of a refusal for the state and the log; the host adds what to do about it (src/host/errorText.ts). */
  private explain(failure: KubeErrorClass, triedBoth: boolean): { reason: SourceErrorReason; message: string } {
    const user = this.opts.client.userName ? `user "${this.opts.client.userName}"` : 'this user';
    const said = failure.serverMessage ? `: ${failure.serverMessage}` : '';
    switch (failure.reason) {
      case 'tls':
        return { reason: 'tls', message: `The TLS connection was refused: ${failure.detail}.` };
      case 'invalid':
        return { reason: 'rejected', message: `The apiserver rejected the events request (HTTP ${failure.status}${said}).` };
      case 'credentials':
        return { reason: 'credentials', message: `Cannot get credentials: ${failure.detail}.` };
      case 'unauthorized':
        return { reason: 'unauthorized', message: `The cluster rejected the credentials of ${user} (401 Unauthorized), even after reloading them.` };
      case 'notFound':
        return { reason: 'notFound', message: `The events API was not found in ${this.scope} (404${said}).` };
      default: {
        const apis = triedBoth ? 'in either API group (core "" or events.k8s.io)' : `in ${this.api}`;
        const server = failure.serverMessage ? ` The server said: ${failure.serverMessage}.` : '';
        return { reason: 'forbidden', message: `RBAC forbids ${user} to list/watch events ${apis} in ${this.scope}.${server}` };
      }
    }
  }

  private sleep(ms: number, gen: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      if (!this.live(gen)) done();
    });
  }

  /**
   * Paged list, then reconcile against what was reported before: ADDED, MODIFIED (resourceVersion changed),
   * DELETED (vanished). Pages are read within `pageBytes`; one over it is asked for again with half the limit.
   */
  private async list(gen: number): Promise<void> {
    if (this.state.phase !== 'relisting') this.setState({ phase: 'connecting' });
    const path = eventsPath(this.api, this.namespace);
    const seen = new Set<string>();
    let continueToken = '';
    let rv = '';
    let pages = 0;
    const started = Date.now();
    // Each page's last change is held back until the next page (or the end), so that the list's final change can be
    // marked 'last' even when the last page brings nothing new.
    let held: EventChange | undefined;
    for (;;) {
      const limit = this.pageLimit;
      const read = await this.listPage(path, limit, continueToken);
      if (!this.live(gen)) return;
      if (!read) {
        this.pageLimit = Math.max(1, Math.floor(limit / 2));
        this.log.info(`a list page of ${limit} events is larger than ${mib(this.timing.pageBytes)}; asking for ${this.pageLimit} at a time`);
        continue;
      }
      const { page, bytes } = read;
      pages++;
      const items = page.items ?? [];
      // Aim the next page at half the budget by this page's bytes per event: large events shrink it, small ones grow it back.
      if (items.length > 0) this.pageLimit = Math.max(1, Math.min(this.timing.pageSize, Math.floor(this.timing.pageBytes / 2 / (bytes / items.length))));
      const changes: EventChange[] = held ? [held] : [];
      for (const item of items) {
        const ev = normalizeEvent(item, this.api, this.opts.cluster);
        if (!ev || !this.keeps(ev)) continue;
        seen.add(ev.uid);
        const prev = this.known.get(ev.uid);
        // Unchanged: keep the object already held (the store holds the same one) rather than a second copy.
        if (prev && prev.resourceVersion === ev.resourceVersion) continue;
        this.known.set(ev);
        changes.push({ type: prev ? 'MODIFIED' : 'ADDED', event: ev, list: 'more' });
      }
      held = changes.pop();
      continueToken = page.metadata?.continue ?? '';
      rv = page.metadata?.resourceVersion ?? rv;
      if (changes.length > 0) await this.opts.sink(changes);
      if (!this.live(gen)) return;
      if (!continueToken) break;
    }
    const final: EventChange[] = held ? [held] : [];
    for (const ev of this.known.inNamespace(this.namespace)) {
      if (seen.has(ev.uid)) continue;
      this.known.delete(ev.uid);
      final.push({ type: 'DELETED', event: { ...ev, expired: true }, list: 'more' });
    }
    const deleted = final.length - (held ? 1 : 0);
    if (final.length > 0) final[final.length - 1] = { ...final[final.length - 1], list: 'last' };
    if (final.length > 0) await this.opts.sink(final);
    this.resourceVersion = rv;
    const paging = this.pageLimit < this.timing.pageSize ? `, ${pages} pages, next limit ${this.pageLimit}` : '';
    this.log.info(`listed ${seen.size} ${this.api} events in ${this.scope} in ${Date.now() - started} ms (resourceVersion ${rv}${deleted ? `, ${deleted} gone since the last list` : ''}${paging})`);
  }

  /** One list page, read within `pageBytes` (a page of one event within {@link MAX_EVENT_BYTES}); undefined when over it. */
  private async listPage(path: string, limit: number, continueToken: string): Promise<{ page: EventList; bytes: number } | undefined> {
    this.abort = new AbortController();
    const res = await this.opts.client.open(path, {
      query: { limit, continue: continueToken },
      signal: this.abort.signal,
      timeoutMs: this.timing.headersTimeoutMs,
    });
    const status = res.statusCode ?? 0;
    const budget = limit > 1 ? this.timing.pageBytes : Math.max(this.timing.pageBytes, MAX_EVENT_BYTES);
    const body = await readBodyBytes(res, this.opts.client.server, budget);
    if (status < 200 || status > 299) {
      // 410 (an expired continue token) is classified `gone`, and the loop starts the list again from the top.
      throw statusError(status, body?.toString('utf8') ?? '', 'GET', path);
    }
    if (!body) {
      if (limit > 1) return undefined;
      // Either one event is that large, or the server ignores `limit`: the list cannot go on past it.
      throw new KubeNetworkError(`a list page of one event in ${this.scope} was larger than ${mib(budget)}`, 'E2BIG');
    }
    return { page: JSON.parse(body.toString('utf8')) as EventList, bytes: body.length };
  }

  private async watch(gen: number): Promise<void> {
    const timeoutSeconds = Math.round(this.timing.watchTimeoutMinS + this.random() * (this.timing.watchTimeoutMaxS - this.timing.watchTimeoutMinS));
    const abort = new AbortController();
    this.abort = abort;
    const path = eventsPath(this.api, this.namespace);
    const res = await this.opts.client.open(path, {
      query: { watch: true, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
      signal: abort.signal,
      timeoutMs: this.timing.headersTimeoutMs,
      stream: true,
    });
    if (res.statusCode !== 200) {
      const body = await readBody(res, this.opts.client.server).catch(() => '');
      throw statusError(res.statusCode ?? 0, body, 'GET', path);
    }
    if (!this.live(gen)) {
      res.destroy();
      return;
    }
    this.credentialsRefreshed = false;
    this.setState({ phase: 'live', api: this.api });
    await this.consume(res, abort, gen);
  }

  /**
   * Reads the watch stream line by line (split as bytes: src/kube/lineSplitter.ts), pausing the socket while the
   * sink digests a batch.
   */
  private consume(res: IncomingMessage, abort: AbortController, gen: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const lines = new LineSplitter();
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        res.destroy();
        if (err) reject(err instanceof Error ? err : new Error('the watch stream failed'));
        else resolve();
      };
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(new KubeNetworkError(`no data from the watch for ${Math.round(this.timing.idleMs / 1000)} s`, 'ETIMEDOUT')), this.timing.idleMs);
      };
      abort.signal.addEventListener('abort', () => finish(), { once: true });
      armIdle();
      let changes: EventChange[] = [];
      let complete = 0;
      const onLine = (line: string): void => {
        complete++;
        if (line.trim()) this.handleLine(line, changes);
      };
      res.on('data', (chunk: Buffer) => {
        armIdle();
        complete = 0;
        try {
          lines.push(chunk, onLine);
        } catch (err) {
          finish(err);
          return;
        }
        if (complete === 0) {
          if (lines.pendingBytes > MAX_EVENT_BYTES) finish(new KubeNetworkError(`a watch line is longer than ${mib(MAX_EVENT_BYTES)}`, 'E2BIG'));
          return;
        }
        // Any complete line, a bookmark included, proves the connection works: reset the backoff.
        this.attempt = 0;
        if (changes.length === 0) return;
        const batch = changes;
        changes = [];
        const pending = this.opts.sink(batch);
        if (pending && typeof (pending).then === 'function') {
          // Our own pause is not silence from the server: the idle watchdog waits while the sink digests.
          clearTimeout(idle);
          res.pause();
          (pending).then(
            () => {
              if (!this.live(gen) || settled) return;
              armIdle();
              res.resume();
            },
            (err: unknown) => finish(err),
          );
        }
      });
      res.on('end', () => finish());
      res.on('error', (err) => finish(abort.signal.aborted ? undefined : new KubeNetworkError(`the watch connection broke: ${err.message}`, 'ECONNRESET')));
      res.on('close', () => finish());
    });
  }

  private handleLine(line: string, changes: EventChange[]): void {
    let parsed: WatchLine;
    try {
      parsed = JSON.parse(line) as WatchLine;
    } catch {
      this.log.warn(`skipped a watch line that is not JSON (${line.length} bytes)`);
      return;
    }
    const { type, object } = parsed;
    if (type === 'BOOKMARK') {
      const rv = object?.metadata?.resourceVersion;
      if (typeof rv === 'string' && rv) this.resourceVersion = rv;
      return;
    }
    if (type === 'ERROR') {
      const code = (object as { code?: unknown } | undefined)?.code;
      const status = typeof code === 'number' ? code : 500;
      throw statusError(status, JSON.stringify(object ?? {}), 'WATCH', eventsPath(this.api, this.namespace));
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    const ev = normalizeEvent(object, this.api, this.opts.cluster);
    if (!ev) return;
    if (ev.resourceVersion) this.resourceVersion = ev.resourceVersion;
    if (!this.keeps(ev)) return;
    if (type === 'DELETED') {
      this.known.delete(ev.uid);
      changes.push({ type, event: { ...ev, expired: true } });
      return;
    }
    const prev = this.known.get(ev.uid);
    if (prev && prev.resourceVersion === ev.resourceVersion) return; // already reported (replayed after a reconnect)
    this.known.set(ev);
    changes.push({ type: prev ? 'MODIFIED' : 'ADDED', event: ev });
  }
}

interface EventList {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items?: unknown[];
}

interface WatchLine {
  readonly type?: string;
  readonly object?: { readonly metadata?: { readonly resourceVersion?: string } };
}
