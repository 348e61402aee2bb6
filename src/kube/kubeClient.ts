import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '../core/errorMessage';

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
    readonly code: string,
  ) {
    super(message);
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

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Milliseconds until the response headers must have arrived. */
  readonly timeoutMs?: number;
}

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
  return new KubeNetworkError(`cannot reach ${server}: ${hint}`, code);
}

/**
 * A thin HTTP client over one kubeconfig context. It uses @kubernetes/client-node only to turn the
 * kubeconfig into TLS options and an Authorization header (exec plugins, OIDC, client certs, proxies),
 * then speaks HTTP itself: raw JSON (no deserialiser on the hot path), streaming for watches, real aborts,
 * and a kept-alive agent instead of client-node 1.4's agent per call.
 */
export class KubeClient {
  private agent: http.Agent | undefined;

  constructor(
    private kc: KubeConfig,
    /** Re-reads the kubeconfig from disk (re-running exec plugins); used once after a 401. */
    private readonly reload?: () => KubeConfig,
  ) {}

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  get contextName(): string {
    return this.kc.getCurrentContext();
  }

  get userName(): string {
    return this.kc.getCurrentUser()?.name ?? '';
  }

  /** Drops cached credentials and TLS state, re-reading the kubeconfig when a loader was given. */
  refreshCredentials(): void {
    if (this.reload) this.kc = this.reload();
    this.agent?.destroy();
    this.agent = undefined;
  }

  dispose(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async prepare(method: string, path: string, opts: RequestOptions): Promise<{ url: URL; options: https.RequestOptions }> {
    const server = this.server;
    if (!server) throw new KubeAuthSetupError(`context "${this.contextName}" has no cluster server address`);
    const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (err) {
      const msg = errorMessage(err);
      throw new KubeAuthSetupError(`could not get credentials for user "${this.userName}": ${msg.trim().split('\n')[0]}`);
    }
    const url = new URL(buildPath(path, opts.query), server.endsWith('/') ? server : server + '/');
    url.pathname = (new URL(server).pathname.replace(/\/$/, '') + path).replace(/\/\/+/g, '/');
    if (!this.kc.getCurrentCluster()?.proxyUrl) {
      // Keep one pooled agent with the same TLS material instead of client-node's fresh agent per call.
      this.agent ??= new (url.protocol === 'http:' ? http.Agent : https.Agent)({
        keepAlive: true,
        maxSockets: 8,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        pfx: options.pfx,
        passphrase: options.passphrase,
        servername: options.servername,
        ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
      } as https.AgentOptions);
      (options.agent as http.Agent | undefined)?.destroy();
      options.agent = this.agent;
    }
    if (opts.body !== undefined) (options.headers as Record<string, string>)['Content-Type'] = opts.contentType ?? 'application/json';
    return { url, options };
  }

  /** Sends a request and returns the response once its headers arrive; the caller consumes the body. */
  async open(path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const method = opts.method ?? 'GET';
    const { url, options } = await this.prepare(method, path, opts);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = transport.request(url, { ...options, signal: opts.signal }, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      const timer = opts.timeoutMs
        ? setTimeout(() => req.destroy(Object.assign(new Error('no response headers in time'), { code: 'ETIMEDOUT' })), opts.timeoutMs)
        : undefined;
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(toNetworkError(err, this.server));
      });
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
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    throw toNetworkError(err, server);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds a {@link KubeApiError} from an error response body (a `Status` object, or anything else). */
export function statusError(status: number, body: string, method: string, path: string): KubeApiError {
  let reason = '';
  let message = '';
  try {
    const s = JSON.parse(body) as { reason?: unknown; message?: unknown };
    reason = typeof s.reason === 'string' ? s.reason : '';
    message = typeof s.message === 'string' ? s.message : '';
  } catch {
    message = body.slice(0, 300).trim();
  }
  return new KubeApiError(status, reason, message, method, path);
}
