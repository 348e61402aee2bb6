// A real control plane for integration tests and the sandbox: etcd + kube-apiserver built from their Go
// modules by build.sh, started on loopback with random ports, token auth and RBAC. With `producers`, also
// the components that write events in a real cluster: kube-controller-manager, kube-scheduler, kwok (the
// kubelet of fake nodes) and our demo controller (test/cluster/go/demo-controller).
// See /work/shared/recipes/control-plane.md for the reasoning behind the flag set.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveBinaries } from './binaries';
import { bootstrap, RESTRICTED_NAMESPACE, RESTRICTED_USER } from './bootstrap';
import { readTokens, writeKubeconfig } from './kubeconfig';
import { type ProducerName, PRODUCERS, producerStates, startProducers } from './producers';
import { readState, STATE_FILE, type StateFile, writeState } from './stateFile';
import { killGroup, liveProcess, ms, noop, run, spawnDetached, spawnWatchdog, terminate, waitForApiserver, waitForEtcd } from './supervision';

/** A running (or attached) etcd + kube-apiserver pair. Created by {@link startControlPlane} or {@link attachControlPlane}. */
export interface ControlPlane {
  /** State directory: etcd data, certs, tokens, logs, kubeconfig, state.json. */
  readonly dir: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** Kubeconfig with contexts `admin` (current) and `restricted`. */
  readonly kubeconfigPath: string;
  /** CA bundle for {@link server}: the apiserver's self-signed cert (it carries its own CA). */
  readonly caFile: string;
  /** Bearer token of a user in group system:masters. */
  readonly adminToken: string;
  /** Bearer token of `kube-events-restricted`, who has rights only in {@link restrictedNamespace}. */
  readonly restrictedToken: string;
  /** 'kube-events-restricted': the restricted user may get/list/watch/create events (core and events.k8s.io) and get/list pods there, nothing else. */
  readonly restrictedNamespace: string;
  /** `http://127.0.0.1:<port>` of etcd. */
  readonly etcdEndpoint: string;
  /**
   * The apiserver's audit log (JSON lines, test/support/audit.ts reads it): every request at Metadata level
   * (verb, URI, user, user agent, status), Secrets with their response objects, so a test can tell from the
   * server's side what a client read.
   */
  readonly auditLogPath: string;
  /** The event producers started with it ({@link StartControlPlaneOptions.producers}); empty for a bare control plane. */
  readonly producers: readonly ProducerName[];
  /** SIGTERM (SIGKILL after 10 s) to kube-apiserver, resolves once it has exited. etcd keeps running. */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again with the same args, port and etcd; resolves once /readyz answers 200. */
  startApiserver(): Promise<void>;
  /** `etcdctl compact` to the current revision, so older resourceVersions get 410 Gone; returns that revision. */
  compact(): Promise<number>;
  /** Stops both processes and waits for them; removes dir only when it was a temp dir made by start. */
  stop(): Promise<void>;
}

/** Options of {@link startControlPlane}. */
export interface StartControlPlaneOptions {
  /** State directory; a fresh temp dir (removed by stop) when absent. Known state entries in it are replaced. */
  dir?: string;
  /** Progress lines (build, ports, readiness timings). Never receives tokens. */
  log?: (m: string) => void;
  /**
   * Leave the processes running when this Node process exits (the `cluster:up` CLI). Without it the
   * processes die with this process: an 'exit' hook and a watchdog process kill them.
   */
  persist?: boolean;
  /** The apiserver's `--event-ttl` in seconds (default 1 h), with lease reuse cut to 1 s so events expire on time. */
  eventTtlSeconds?: number;
  /**
   * Also start the event producers ({@link PRODUCERS}) and create {@link FAKE_NODES}, so workloads run and
   * real controllers write events. The first run builds them (about 11 minutes on 2 cores, then cached).
   */
  producers?: boolean;
}

/** What {@link controlPlaneStatus} finds in a state dir. */
export interface ControlPlaneStatus {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly etcdPid: number | undefined;
  readonly apiserverPid: number | undefined;
  /** etcd, kube-apiserver and every producer it was started with are alive. */
  readonly running: boolean;
  /** Each producer started with the control plane and its pid, undefined when it is not running. */
  readonly producers: ReadonlyArray<{ readonly name: ProducerName; readonly pid: number | undefined }>;
}

function auditLogPathOf(dir: string): string {
  return path.join(dir, 'audit.log');
}

/**
 * Secrets at RequestResponse (the response's kind tells a full read from a metadata-only one), health
 * probes not at all, everything else at Metadata. Written per cluster so the apiserver's args name it.
 */
function writeAuditPolicy(dir: string): string {
  const file = path.join(dir, 'audit-policy.yaml');
  fs.writeFileSync(
    file,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages: [RequestReceived]',
      'rules:',
      '  - level: None',
      '    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]',
      '  - level: RequestResponse',
      '    resources: [{ group: "", resources: ["secrets"] }]',
      '  - level: Metadata',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * kube-apiserver closes each watch after a random time between this and twice this (unless the client
 * asks for timeoutSeconds), so tests see server-side watch ends and reconnects within minutes instead
 * of the default 30-60.
 */
export const MIN_REQUEST_TIMEOUT_SECONDS = 60;

/** Starts etcd and kube-apiserver, bootstraps the restricted namespace and RBAC, writes kubeconfig and state.json. */
export async function startControlPlane(opts: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? noop;
  const tempDir = opts.dir === undefined;
  const dir = path.resolve(opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-cp-')));
  if (!tempDir) {
    const status = controlPlaneStatus(dir);
    if (status?.etcdPid !== undefined || status?.apiserverPid !== undefined || status?.producers.some((p) => p.pid !== undefined)) {
      throw new Error(`a control plane is already running in ${dir} (etcd ${status.etcdPid ?? '-'}, kube-apiserver ${status.apiserverPid ?? '-'}); attach to it or stop it first`);
    }
    // Only our own entries: the dir may be user-chosen and hold other files.
    const producerEntries = PRODUCERS.map((p) => `${p}.log`);
    for (const name of ['etcd', 'certs', 'tokens.csv', 'sa.key', 'sa.pub', 'etcd.log', 'apiserver.log', ...producerEntries, 'kubeconfig', STATE_FILE]) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(path.join(dir, 'certs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'etcd'), { recursive: true, mode: 0o700 });

  const bins = await resolveBinaries(log, opts.producers === true);
  const [etcdClient, etcdPeer, apiserverPort, ...producerPorts] = await freePorts(3 + (opts.producers ? PRODUCERS.length : 0));
  const server = `https://127.0.0.1:${apiserverPort}`;
  const etcdEndpoint = `http://127.0.0.1:${etcdClient}`;
  log(`control plane in ${dir}: etcd ${etcdEndpoint}, kube-apiserver ${server}`);

  const adminToken = randomBytes(32).toString('hex');
  const restrictedToken = randomBytes(32).toString('hex');
  const tokensFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokensFile, `${adminToken},kube-events-admin,kube-events-admin,"system:masters"\n${restrictedToken},${RESTRICTED_USER},${RESTRICTED_USER}\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  const certDir = path.join(dir, 'certs');
  const state: StateFile = {
    version: 1,
    dir,
    tempDir,
    ownerPid: opts.persist ? null : process.pid,
    watchdogPid: null,
    server,
    caFile: path.join(certDir, 'apiserver.crt'),
    kubeconfigPath: path.join(dir, 'kubeconfig'),
    tokensFile,
    restrictedNamespace: RESTRICTED_NAMESPACE,
    etcdEndpoint,
    ports: { etcdClient, etcdPeer, apiserver: apiserverPort },
    etcdctl: bins.etcdctl,
    etcd: {
      bin: bins.etcd,
      log: path.join(dir, 'etcd.log'),
      pid: null,
      args: [
        '--name=kube-events',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdEndpoint}`,
        `--advertise-client-urls=${etcdEndpoint}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=kube-events=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
      ],
    },
    apiserver: {
      bin: bins.kubeApiserver,
      log: path.join(dir, 'apiserver.log'),
      pid: null,
      args: [
        `--etcd-servers=${etcdEndpoint}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiserverPort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokensFile}`,
        '--authorization-mode=RBAC',
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        // A bare control plane has no controller-manager to create default service accounts, so pods would
        // be refused; with the producers, pods still need no token volume (kwok runs no containers).
        '--disable-admission-plugins=ServiceAccount',
        // There is no real endpoint to reconcile for the kubernetes service on loopback.
        '--endpoint-reconciler-type=none',
        ...(opts.eventTtlSeconds === undefined ? ['--event-ttl=1h'] : [`--event-ttl=${opts.eventTtlSeconds}s`, '--lease-reuse-duration-seconds=1']),
        `--min-request-timeout=${MIN_REQUEST_TIMEOUT_SECONDS}`,
        '--profiling=false',
        `--audit-policy-file=${writeAuditPolicy(dir)}`,
        `--audit-log-path=${auditLogPathOf(dir)}`,
        '--audit-log-format=json',
        '--audit-log-maxsize=200',
        '--audit-log-maxbackup=1',
      ],
    },
  };
  if (bins.producers) state.producers = producerStates(state, bins.producers, producerPorts);
  writeState(state);

  const handle = new LocalControlPlane(state, adminToken, restrictedToken, log);
  if (!opts.persist) {
    owned.add(handle);
    installExitHooks();
  }
  try {
    const etcdStart = Date.now();
    state.etcd.pid = spawnDetached(state.etcd);
    writeState(state);
    await waitForEtcd(state, etcdStart);
    log(`etcd healthy after ${ms(etcdStart)}`);
    if (!opts.persist) {
      state.watchdogPid = spawnWatchdog(dir);
      writeState(state);
    }
    await handle.startApiserver();
    const bootStart = Date.now();
    await bootstrap(state, adminToken, restrictedToken);
    log(`restricted namespace and RBAC ready after ${ms(bootStart)}`);
    writeKubeconfig(state, adminToken, restrictedToken);
    // startApiserver recorded its pid in state.json through its own copy: continue from the file's.
    if (state.producers) await startProducers(readState(dir), adminToken, log);
  } catch (err) {
    await handle.stop().catch(noop);
    throw err;
  }
  return handle;
}

/** Connects to a control plane started by another process, from <dir>/state.json; stop() then kills it. */
export async function attachControlPlane(dir: string): Promise<ControlPlane> {
  const state = readState(path.resolve(dir));
  const tokens = readTokens(state.tokensFile);
  return new LocalControlPlane(state, tokens.admin, tokens.restricted, noop);
}

/** Reads <dir>/state.json and checks its pids; undefined when there is no state file. */
export function controlPlaneStatus(dir: string): ControlPlaneStatus | undefined {
  let state: StateFile;
  try {
    state = readState(path.resolve(dir));
  } catch {
    return undefined;
  }
  const etcdPid = liveProcess(state.etcd) ? (state.etcd.pid ?? undefined) : undefined;
  const apiserverPid = liveProcess(state.apiserver) ? (state.apiserver.pid ?? undefined) : undefined;
  const producers = (state.producers ?? []).map((p) => ({ name: p.name, pid: liveProcess(p) ? (p.pid ?? undefined) : undefined }));
  return {
    producers,
    dir: state.dir,
    server: state.server,
    kubeconfigPath: state.kubeconfigPath,
    etcdPid,
    apiserverPid,
    running: etcdPid !== undefined && apiserverPid !== undefined && producers.every((p) => p.pid !== undefined),
  };
}

class LocalControlPlane implements ControlPlane {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly caFile: string;
  readonly restrictedNamespace: string;
  readonly etcdEndpoint: string;
  readonly auditLogPath: string;
  readonly producers: readonly ProducerName[];

  constructor(
    private state: StateFile,
    readonly adminToken: string,
    readonly restrictedToken: string,
    private readonly log: (m: string) => void,
  ) {
    this.dir = state.dir;
    this.server = state.server;
    this.kubeconfigPath = state.kubeconfigPath;
    this.caFile = state.caFile;
    this.restrictedNamespace = state.restrictedNamespace;
    this.etcdEndpoint = state.etcdEndpoint;
    this.auditLogPath = auditLogPathOf(state.dir);
    this.producers = (state.producers ?? []).map((p) => p.name);
  }

  // Another process may have restarted the apiserver since we last looked: always act on the file's pids.
  private refresh(): StateFile {
    try {
      this.state = readState(this.dir);
    } catch {
      // state.json not written yet (start in progress) or already removed: keep the in-memory copy.
    }
    return this.state;
  }

  async stopApiserver(): Promise<void> {
    const state = this.refresh();
    await terminate(state.apiserver);
    state.apiserver.pid = null;
    writeState(state);
  }

  async startApiserver(): Promise<void> {
    const state = this.refresh();
    if (!liveProcess(state.apiserver)) {
      state.apiserver.pid = spawnDetached(state.apiserver);
      writeState(state);
    }
    const started = Date.now();
    await waitForApiserver(state, this.adminToken, started);
    this.log(`kube-apiserver ready after ${ms(started)}`);
  }

  async compact(): Promise<number> {
    const state = this.refresh();
    const status = JSON.parse(await run(state.etcdctl, [`--endpoints=${state.etcdEndpoint}`, 'endpoint', 'status', '--write-out=json'])) as Array<{ Status: { header: { revision: number } } }>;
    const revision = status[0]?.Status.header.revision;
    if (typeof revision !== 'number') throw new Error('etcdctl endpoint status returned no revision');
    // --physical: return only once the old revisions are really gone, so a following request sees 410.
    await run(state.etcdctl, [`--endpoints=${state.etcdEndpoint}`, 'compact', String(revision), '--physical']);
    return revision;
  }

  async stop(): Promise<void> {
    const state = this.refresh();
    owned.delete(this);
    // Kill the watchdog first so it does not race us for the same pids.
    if (state.watchdogPid !== null) killGroup(state.watchdogPid, 'SIGKILL');
    // Producers first: they would only log connection errors while the apiserver goes away.
    await Promise.all((state.producers ?? []).map((p) => terminate(p)));
    await terminate(state.apiserver);
    await terminate(state.etcd);
    if (state.tempDir) {
      fs.rmSync(state.dir, { recursive: true, force: true });
      return;
    }
    for (const p of state.producers ?? []) p.pid = null;
    state.apiserver.pid = null;
    state.etcd.pid = null;
    state.watchdogPid = null;
    state.ownerPid = null;
    writeState(state);
  }

  /** Synchronous last-resort kill for process 'exit'. */
  killNow(): void {
    const state = this.refresh();
    if (state.watchdogPid !== null) killGroup(state.watchdogPid, 'SIGKILL');
    for (const p of [...(state.producers ?? []), state.apiserver, state.etcd]) {
      if (liveProcess(p)) killGroup(p.pid!, 'SIGKILL');
    }
    if (state.tempDir) fs.rmSync(state.dir, { recursive: true, force: true });
  }
}

// Control planes this process must not leave behind.
const owned = new Set<LocalControlPlane>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const cp of owned) cp.killNow();
  });
  // A signal skips 'exit' unless someone handles it; only step in where nobody else does.
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    if (process.listenerCount(sig) === 0) process.once(sig, () => process.exit(code));
  }
}

async function freePorts(n: number): Promise<number[]> {
  // Hold every listener until all ports are known so the n ports are distinct.
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
