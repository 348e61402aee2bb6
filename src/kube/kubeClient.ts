import * as http from 'node:http';
import * as https from 'node:https';
import { errorMessage } from '../core/text/errorMessage';

/** A Kubernetes `Status` reason (`Forbidden`, `Expired`, `NotFound`…), or empty when the body had none. */
export type StatusReason = string;

/**
 * The apiserver answered with an error status. `serverMessage` is the Status message, which names the
 * user, verb, resource and namespace for RBAC refusals; branch on `status`/`reason`, never on the text.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: StatusReason,
    readonly serverMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
  }

  static is(err: unknown, status?: number): err is KubeApiError {
    return err instanceof KubeApiError && (status === undefined || err.status === status);
  }
}

/** The server could not be reached, or the connection broke (refused, reset, TLS failure, idle timeout). */
export class KubeNetworkError extends Error {
  override readonly name = 'KubeNetworkError';
  constructor(
    message: string,
    /** Node's error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…), `ABORTED` or `UNKNOWN`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static is(err: unknown): err is KubeNetworkError {
    return err instanceof KubeNetworkError;
  }
}

/** Getting credentials failed before any request was sent (exec plugin missing or failing, bad cert file…). */
export class KubeAuthSetupError extends Error {
  override readonly name = 'KubeAuthSetupError';
  static is(err: unknown): err is KubeAuthSetupError {
    return err instanceof KubeAuthSetupError;
  }
}

/**
 * What went wrong with a request, in the kube layer's terms; the host words it for the user
 * (src/host/errorText.ts). docs/ARCHITECTURE.md §14 lists who decides what on each reason.
 *
 * - the server answered: `unauthorized` 401, `forbidden` 403, `notFound` 404, `conflict` 409, `gone` 410,
 *   `invalid` 400/405/422 (the same request is refused again), `tooManyRequests` 429, `serverError` any other;
 * - no answer: `credentials` (none could be obtained, nothing was sent), `tls` (the certificate is not
 *   trusted: retrying does not help until the kubeconfig or the server changes), `timeout`, `aborted`,
 *   `network` (refused, reset, DNS…);
 * - `malformed`: the body was not JSON; `unknown`: anything else thrown.
 */
export type KubeErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'gone'
  | 'invalid'
  | 'tooManyRequests'
  | 'serverError'
  | 'credentials'
  | 'tls'
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'malformed'
  | 'unknown';

/** A failed request, classified by {@link classifyKubeError}. */
export interface KubeErrorClass {
  readonly reason: KubeErrorReason;
  /** The HTTP status when the server answered, else undefined. */
  readonly status: number | undefined;
  /** The `Status` reason the server gave (`Forbidden`, `AlreadyExists`…), '' when none. */
  readonly statusReason: string;
  /** The `Status` message the server gave (for RBAC: user, verb, resource, namespace), '' when none. */
  readonly serverMessage: string;
  /** The transport's error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…), '' when none. */
  readonly code: string;
  /** The same request may succeed later with nothing changed: network trouble, timeouts, 409, 429, 5xx. */
  readonly retryable: boolean;
  /** One line of facts for logs and messages: `HTTP 403 Forbidden: …`, `cannot reach …: connection refused`. */
  readonly detail: string;
}

/** Certificate failures: retrying does not help until the kubeconfig or the server's certificate changes. */
const TLS_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Node's, undici's and node-fetch's names for "no answer in time". */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'request-timeout',
  'body-timeout',
]);

const RETRYABLE: ReadonlySet<KubeErrorReason> = new Set<KubeErrorReason>(['conflict', 'tooManyRequests', 'serverError', 'timeout', 'network']);

function reasonOfStatus(status: number): KubeErrorReason {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 410:
      return 'gone';
    case 400:
    case 405:
    case 422:
      return 'invalid';
    case 429:
      return 'tooManyRequests';
    default:
      return 'serverError';
  }
}

function reasonOfCode(code: string, cause: unknown): KubeErrorReason {
  if (TLS_CODES.has(code)) return 'tls';
  if (code === 'invalid-json') return 'malformed'; // node-fetch's FetchError type
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (code === 'ABORT_ERR' || code === 'ABORTED') return (cause as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'timeout' : 'aborted';
  return 'network';
}

function isHttpStatus(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;
}

function statusDetail(status: number, statusReason: string, serverMessage: string): string {
  return `HTTP ${status}${statusReason ? ` ${statusReason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
}

/** A `Status` body as a string (client-node's ApiException keeps it as text) or as an object. */
function statusOfBody(body: unknown): { reason: string; message: string } {
  let s: unknown = body;
  if (typeof body === 'string') {
    try {
      s = JSON.parse(body);
    } catch {
      return { reason: '', message: body.slice(0, 300).trim() };
    }
  }
  const o = (typeof s === 'object' && s !== null ? s : {}) as { reason?: unknown; message?: unknown };
  return { reason: typeof o.reason === 'string' ? o.reason : '', message: typeof o.message === 'string' ? o.message : '' };
}

function classified(reason: KubeErrorReason, detail: string, facts: Partial<Pick<KubeErrorClass, 'status' | 'statusReason' | 'serverMessage' | 'code'>> = {}): KubeErrorClass {
  return { reason, status: facts.status, statusReason: facts.statusReason ?? '', serverMessage: facts.serverMessage ?? '', code: facts.code ?? '', retryable: RETRYABLE.has(reason), detail };
}

/**
 * Classifies anything a request threw: this client's errors, and the shapes client-node and fetch throw
 * (client-node's `ApiException` with a numeric `code` and the body, its `Watch`'s Error with `statusCode`,
 * node-fetch's `FetchError` with a `code`, undici's `TypeError('fetch failed')` with the cause's `code`,
 * `AbortSignal.timeout()`'s `TimeoutError`). Never reads the message to decide.
 */
export function classifyKubeError(err: unknown): KubeErrorClass {
  if (err instanceof KubeApiError) {
    return classified(reasonOfStatus(err.status), statusDetail(err.status, err.reason, err.serverMessage), { status: err.status, statusReason: err.reason, serverMessage: err.serverMessage });
  }
  if (err instanceof KubeAuthSetupError) return classified('credentials', err.message);
  if (err instanceof KubeNetworkError) return classified(reasonOfCode(err.code, err.cause), err.message, { code: err.code });
  if (err instanceof SyntaxError) return classified('malformed', `the server sent malformed JSON (${err.message})`);
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; statusCode?: unknown; body?: unknown; type?: unknown; cause?: unknown };
  // DOMExceptions carry a legacy numeric `code` too (23 for TimeoutError): the name comes first.
  if (e.name === 'TimeoutError') return classified('timeout', errorMessage(err));
  if (e.name === 'AbortError') return classified('aborted', errorMessage(err));
  // client-node: ApiException carries the status in `code`, Watch's error in `statusCode`.
  const status = isHttpStatus(e.code) ? e.code : isHttpStatus(e.statusCode) ? e.statusCode : undefined;
  if (status !== undefined) {
    const s = statusOfBody(e.body);
    return classified(reasonOfStatus(status), statusDetail(status, s.reason, s.message), { status, statusReason: s.reason, serverMessage: s.message });
  }
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' && e.type !== 'system' && e.name === 'FetchError' ? e.type : typeof cause.code === 'string' ? cause.code : '';
  if (code) {
    // undici says only "fetch failed"; what failed is in the cause.
    const detail = typeof cause.message === 'string' && cause.message ? `${errorMessage(err)}: ${cause.message}` : errorMessage(err);
    return classified(reasonOfCode(code, e.cause), detail, { code });
  }
  return classified('unknown', errorMessage(err));
}

/** One line of facts about a failed request ({@link KubeErrorClass.detail}), for logs and messages. */
export function describeKubeError(err: unknown): string {
  return classifyKubeError(err).detail;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  /** The `Accept` header; default `application/json` (a metadata read asks for `PartialObjectMetadata`). */
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /**
   * Milliseconds until the response headers must have arrived, counted whether or not a connection was free:
   * the promise rejects (`ETIMEDOUT`) when they are up, even for a request still waiting for a socket.
   */
  readonly timeoutMs?: number;
  /**
   * A long-lived stream (a watch): it gets a connection of its own from an unbounded pool, so streams never
   * hold the connections short requests wait for (docs/ARCHITECTURE.md §4).
   */
  readonly stream?: boolean;
}

/**
 * Connections short requests share at most: a burst of reads queues instead of opening dozens of
 * connections. Watches never count against it ({@link RequestOptions.stream}).
 */
const SHORT_REQUEST_SOCKETS = 8;

function buildPath(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not trusted',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match its address',
};

function toNetworkError(err: unknown, server: string): KubeNetworkError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? (e?.name === 'AbortError' ? 'ABORTED' : 'UNKNOWN');
  const hint = NETWORK_HINTS[code] ?? e?.message ?? String(err);
  // An aborted request's cause says why (a TimeoutError from AbortSignal.timeout, or the caller's reason).
  return new KubeNetworkError(`cannot reach ${server}: ${hint}`, code, { cause: (e as { cause?: unknown } | undefined)?.cause });
}

/** Names us in the apiserver's logs and audit trail, as client-go's `rest.Config.UserAgent` does for controllers. */
export const USER_AGENT = 'kube-events-vscode';

/** What a client is for: one kubeconfig context, its cluster's server and its user. */
export interface KubeTarget {
  readonly server: string;
  readonly context: string;
  readonly user: string;
  /** The cluster names a `proxy-url`: the credentials bring the proxy's agent, which is used instead of ours. */
  readonly proxied: boolean;
}

/** The user's credentials: TLS material and an Authorization header (or a proxy's agent) put on a request. */
export interface KubeAuth {
  applyTo(options: https.RequestOptions): Promise<void>;
}

/**
 * A thin HTTP client over one kubeconfig context. It takes the user's credentials from `credentials` (which
 * @kubernetes/client-node provides, with exec plugins, OIDC, client certs and proxies: src/kube/lazy/clientNode.ts)
 * on its first request, then speaks HTTP itself: raw JSON (no deserialiser on the hot path), streaming for watches,
 * real aborts, and a kept-alive agent instead of client-node 1.4's agent per call.
 */
export class KubeClient {
  /** Short requests (lists, gets, writes, discovery): bounded, kept alive. */
  private shortAgent: http.Agent | undefined;
  /** Watches: one connection each, unbounded, so that N watches never starve a short request. */
  private streamAgent: http.Agent | undefined;
  private auth: KubeAuth | undefined;

  constructor(
    private readonly target: KubeTarget,
    /**
     * The credentials, asked for on the first request and again after {@link refreshCredentials} (which
     * re-reads the kubeconfig and re-runs exec plugins). It may throw: the request fails as `credentials`.
     */
    private readonly credentials: () => KubeAuth,
  ) {}

  get server(): string {
    return this.target.server;
  }

  get contextName(): string {
    return this.target.context;
  }

  get userName(): string {
    return this.target.user;
  }

  /** Drops cached credentials and TLS state: the next request asks for the credentials again. */
  refreshCredentials(): void {
    this.auth = undefined;
    this.dropAgents();
  }

  dispose(): void {
    this.dropAgents();
  }

  private dropAgents(): void {
    this.shortAgent?.destroy();
    this.shortAgent = undefined;
    this.streamAgent?.destroy();
    this.streamAgent = undefined;
  }

  /** A pooled agent with the kubeconfig's TLS material, instead of client-node's fresh agent per call. */
  private agentFor(stream: boolean, protocol: string, options: https.RequestOptions): http.Agent {
    const existing = stream ? this.streamAgent : this.shortAgent;
    if (existing) return existing;
    const agent = new (protocol === 'http:' ? http.Agent : https.Agent)({
      keepAlive: true,
      maxSockets: stream ? Infinity : SHORT_REQUEST_SOCKETS,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      servername: options.servername,
      ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
    } as https.AgentOptions);
    if (stream) this.streamAgent = agent;
    else this.shortAgent = agent;
    return agent;
  }

  private async prepare(method: string, path: string, opts: RequestOptions): Promise<{ url: URL; options: https.RequestOptions }> {
    const server = this.server;
    if (!server) throw new KubeAuthSetupError(`context "${this.contextName}" has no cluster server address`);
    const options: https.RequestOptions = { method, headers: { Accept: opts.accept ?? 'application/json', 'User-Agent': USER_AGENT } };
    try {
      this.auth ??= this.credentials();
      await this.auth.applyTo(options);
    } catch (err) {
      const msg = errorMessage(err);
      throw new KubeAuthSetupError(`could not get credentials for user "${this.userName}": ${msg.trim().split('\n')[0]}`);
    }
    const url = new URL(buildPath(path, opts.query), server.endsWith('/') ? server : server + '/');
    url.pathname = (new URL(server).pathname.replace(/\/$/, '') + path).replace(/\/\/+/g, '/');
    if (!this.target.proxied) {
      (options.agent as http.Agent | undefined)?.destroy();
      options.agent = this.agentFor(opts.stream === true, url.protocol, options);
    }
    if (opts.body !== undefined) (options.headers as Record<string, string>)['Content-Type'] = opts.contentType ?? 'application/json';
    return { url, options };
  }

  /**
   * Sends a request and returns the response once its headers arrive; the caller consumes the body.
   * The timeout and the signal settle the promise themselves: Node reports `req.destroy()` on a request that
   * is still queued for a socket only once a socket frees up, which may be never.
   */
  async open(path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const method = opts.method ?? 'GET';
    const { url, options } = await this.prepare(method, path, opts);
    const transport = url.protocol === 'http:' ? http : https;
    const signal = opts.signal;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(toNetworkError(err, this.server));
      };
      // Node's own AbortError shape, so the classifier reads the reason from its cause (a TimeoutError or not).
      const abortError = (): Error => Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal?.reason as unknown });
      const onAbort = (): void => {
        const err = abortError();
        fail(err);
        req.destroy(err);
      };
      if (signal?.aborted) {
        fail(abortError());
        return;
      }
      const req = transport.request(url, options, (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // An abort after the headers ends the body: the reader of the body sees it.
        if (signal) {
          const endBody = (): void => void res.destroy(abortError());
          signal.addEventListener('abort', endBody, { once: true });
          res.once('close', () => signal.removeEventListener('abort', endBody));
        }
        resolve(res);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          const err = Object.assign(new Error('no response headers in time'), { code: 'ETIMEDOUT' });
          fail(err);
          req.destroy(err);
        }, opts.timeoutMs);
      }
      req.on('error', fail);
      if (opts.body !== undefined) req.end(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      else req.end();
    });
  }

  /** A JSON request: resolves with the parsed body for 2xx, throws {@link KubeApiError} otherwise. */
  async request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
    const method = opts.method ?? 'GET';
    const res = await this.open(path, opts);
    const text = await readBody(res, this.server);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw statusError(status, text, method, path);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export async function readBody(res: http.IncomingMessage, server: string): Promise<string> {
  return (await readBodyBytes(res, server, Number.POSITIVE_INFINITY))?.toString('utf8') ?? '';
}

/**
 * Reads a response body into one Buffer of at most `maxBytes`. Over it, the response is destroyed unread and
 * the answer is undefined, so nothing ever builds a string the size of a body too large for V8.
 */
export async function readBodyBytes(res: http.IncomingMessage, server: string, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > maxBytes) {
        res.destroy();
        return undefined;
      }
      chunks.push(buf);
    }
  } catch (err) {
    throw toNetworkError(err, server);
  }
  return Buffer.concat(chunks, total);
}

/** Builds a {@link KubeApiError} from an error response body (a `Status` object, or anything else). */
export function statusError(status: number, body: string, method: string, path: string): KubeApiError {
  let reason = '';
  let message: string;
  try {
    const s = JSON.parse(body) as { reason?: unknown; message?: unknown };
    reason = typeof s.reason === 'string' ? s.reason : '';
    message = typeof s.message === 'string' ? s.message : '';
  } catch {
    message = body.slice(0, 300).trim();
  }
  return new KubeApiError(status, reason, message, method, path);
}
