// A real control plane for integration tests and the sandbox: etcd + kube-apiserver built from their Go
// modules by build.sh, started on loopback with random ports, token auth and RBAC. With `producers`, also
// the components that write events in a real cluster: kube-controller-manager, kube-scheduler, kwok (the
// kubelet of fake nodes) and our demo controller (test/cluster/go/demo-controller).
// See /work/shared/recipes/control-plane.md for the reasoning behind the flag set.
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

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

/** The components that {@link StartControlPlaneOptions.producers} starts, in start order. */
export const PRODUCERS = ['kube-controller-manager', 'kube-scheduler', 'kwok', 'demo-controller'] as const;
export type ProducerName = (typeof PRODUCERS)[number];

/** Fake nodes that kwok manages (4 CPUs, 8 GiB, 110 pods each), created with the producers. */
export const FAKE_NODES = ['kwok-node-1', 'kwok-node-2', 'kwok-node-3'] as const;
/** Pods with this label set to "true" crash-loop on a fake node: kwok records a repeating BackOff warning. */
export const CRASH_LOOP_LABEL = 'kube-events.local/crash-loop';
/** The demo controller's custom resource (test/cluster/go/demo-controller/website-crd.yaml). */
export const WEBSITE = { group: 'demo.kube-events.local', version: 'v1', kind: 'Website', plural: 'websites' } as const;

/**
 * Controllers kube-controller-manager runs: the ones whose objects the tests and the sandbox create,
 * plus what keeps a namespace usable (service accounts, quota, garbage collection). Not the pod garbage
 * collector: it deletes pods bound to nodes that do not exist, which demoCluster's seedDemo relies on.
 */
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'namespace-controller',
  // Removes the not-ready taint that admission puts on every new node once kwok reports it Ready.
  'node-lifecycle-controller',
  'resourcequota-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
];

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

/** Namespace in which the restricted user has rights. */
export const RESTRICTED_NAMESPACE = 'kube-events-restricted';
const RESTRICTED_USER = 'kube-events-restricted';
/**
 * kube-apiserver closes each watch after a random time between this and twice this (unless the client
 * asks for timeoutSeconds), so tests see server-side watch ends and reconnects within minutes instead
 * of the default 30-60.
 */
export const MIN_REQUEST_TIMEOUT_SECONDS = 60;

const READY_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 10_000;
const STATE_FILE = 'state.json';

interface ProcessState {
  bin: string;
  args: string[];
  log: string;
  pid: number | null;
}

/** A producer process and the URL that answers 200 once it works. */
interface ProducerState extends ProcessState {
  name: ProducerName;
  health: string;
}

/** Shape of <dir>/state.json; tokens stay in tokens.csv (mode 600), never here. */
interface StateFile {
  version: 1;
  dir: string;
  tempDir: boolean;
  /** Process that will kill the pair when it exits; null for `cluster:up` clusters. */
  ownerPid: number | null;
  watchdogPid: number | null;
  server: string;
  caFile: string;
  kubeconfigPath: string;
  tokensFile: string;
  restrictedNamespace: string;
  etcdEndpoint: string;
  ports: { etcdClient: number; etcdPeer: number; apiserver: number };
  etcdctl: string;
  etcd: ProcessState;
  apiserver: ProcessState;
  /** Absent in state files written before producers existed. */
  producers?: ProducerState[];
}

interface Binaries {
  kubeApiserver: string;
  etcd: string;
  etcdctl: string;
  producers?: Record<ProducerName, string>;
}

const noop = (): void => {};

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

function spawnDetached(p: ProcessState): number {
  const fd = fs.openSync(p.log, 'a');
  try {
    // Own process group so we can kill it (and anything it forks) as a unit, and so a Ctrl-C aimed at
    // the test runner's group does not hit it before our cleanup has run.
    const child = spawn(p.bin, p.args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`cannot start ${p.bin}`);
    child.on('error', noop);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A tiny detached Node process that kills the pair (and removes a temp dir) when its parent disappears
 * without running 'exit' hooks, e.g. a test runner killed with SIGKILL.
 */
function spawnWatchdog(dir: string): number {
  const script = `
const fs = require('node:fs'); const path = require('node:path');
const [dir, parent] = [process.argv[1], Number(process.argv[2])];
function alive(p) {
  if (!p || !p.pid) return false;
  try {
    const stat = fs.readFileSync('/proc/' + p.pid + '/stat', 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return fs.readFileSync('/proc/' + p.pid + '/cmdline', 'utf8').split('\\0')[0] === p.bin;
  } catch { return false; }
}
setInterval(() => {
  if (process.ppid === parent) return;
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    if (s.ownerPid === parent) {
      for (const p of [...(s.producers || []), s.apiserver, s.etcd]) if (alive(p)) try { process.kill(-p.pid, 'SIGKILL'); } catch {}
      if (s.tempDir) fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {}
  process.exit(0);
}, 1000);
`;
  const child = spawn(process.execPath, ['-e', script, dir, String(process.pid)], { detached: true, stdio: 'ignore' });
  child.on('error', noop);
  child.unref();
  return child.pid ?? 0;
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

// Alive and still our binary: pids recorded by a crashed run may since have been reused.
function liveProcess(p: ProcessState): boolean {
  if (p.pid === null || p.pid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    // Nobody may reap a reparented child here, so a zombie counts as dead.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0] === p.bin;
  } catch {
    return false;
  }
}

async function terminate(p: ProcessState): Promise<void> {
  if (!liveProcess(p)) return;
  killGroup(p.pid!, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (liveProcess(p)) {
    if (Date.now() > deadline) {
      killGroup(p.pid!, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  while (liveProcess(p)) await sleep(50);
}

async function waitForEtcd(state: StateFile, started: number): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!liveProcess(state.etcd)) throw startupError('etcd exited during startup', state.etcd);
    try {
      const res = await request({ url: `${state.etcdEndpoint}/health` });
      if (res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === 'true') return;
      last = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw startupError(`etcd not healthy after ${READY_TIMEOUT_MS / 1000} s (last: ${last})`, state.etcd);
}

async function waitForApiserver(state: StateFile, adminToken: string, started: number): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!liveProcess(state.apiserver)) throw startupError('kube-apiserver exited during startup', state.apiserver);
    if (fs.existsSync(state.caFile)) {
      try {
        const res = await request({ url: `${state.server}/readyz`, ca: state.caFile, token: adminToken });
        if (res.status === 200) return;
        last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      } catch (err) {
        last = String(err);
      }
    }
    await sleep(250);
  }
  throw startupError(`kube-apiserver not ready after ${READY_TIMEOUT_MS / 1000} s (last /readyz: ${last})`, state.apiserver);
}

function startupError(message: string, p: ProcessState): Error {
  let tail: string;
  try {
    tail = fs.readFileSync(p.log, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    tail = '(no log)';
  }
  return new Error(`${message}\n--- last lines of ${p.log} ---\n${tail}`);
}

async function bootstrap(state: StateFile, adminToken: string, restrictedToken: string): Promise<void> {
  const ns = state.restrictedNamespace;
  const admin = { ca: state.caFile, token: adminToken };
  const create = async (apiPath: string, body: object): Promise<void> => {
    const res = await request({ ...admin, url: `${state.server}${apiPath}`, method: 'POST', body: JSON.stringify(body) });
    // 409: the object survived from an earlier run on the same etcd data.
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST ${apiPath}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  };
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'kube-events-restricted' },
    rules: [
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ],
  });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'kube-events-restricted' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kube-events-restricted' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
  });
  // The RBAC authorizer reads through an informer: wait until the binding is visible to it, so the
  // first test does not race it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await request({ url: `${state.server}/api/v1/namespaces/${ns}/events?limit=1`, ca: state.caFile, token: restrictedToken });
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`restricted user still gets HTTP ${res.status} in ${ns}: ${res.body.slice(0, 300)}`);
    await sleep(100);
  }
}

/**
 * Command lines of the producers. All of them use the admin kubeconfig (system:masters): this is a test
 * cluster, and per-component identities would add certificates without adding events. Each serves
 * /healthz on its own loopback port; leader election is off because each runs once.
 */
function producerStates(state: StateFile, bins: Record<ProducerName, string>, ports: number[]): ProducerState[] {
  const kubeconfig = state.kubeconfigPath;
  const delegated = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`];
  const args: Record<ProducerName, { args: string[]; health: (port: number) => string }> = {
    'kube-controller-manager': {
      args: [
        ...delegated,
        '--bind-address=127.0.0.1',
        `--cert-dir=${path.join(state.dir, 'certs', 'kube-controller-manager')}`,
        '--leader-elect=false',
        `--controllers=${CONTROLLERS.join(',')}`,
        // The serviceaccount-token controller signs with the key the apiserver verifies.
        `--service-account-private-key-file=${path.join(state.dir, 'sa.key')}`,
        `--root-ca-file=${state.caFile}`,
        '--profiling=false',
      ],
      health: (port) => `https://127.0.0.1:${port}/healthz`,
    },
    'kube-scheduler': {
      args: [...delegated, '--bind-address=127.0.0.1', `--cert-dir=${path.join(state.dir, 'certs', 'kube-scheduler')}`, '--leader-elect=false', '--profiling=false'],
      health: (port) => `https://127.0.0.1:${port}/healthz`,
    },
    kwok: {
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${path.join(repoRoot(), 'test', 'cluster', 'kwok', 'stages.yaml')}`,
        `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
      ],
      health: (port) => `http://127.0.0.1:${port}/healthz`,
    },
    'demo-controller': { args: [`--kubeconfig=${kubeconfig}`], health: (port) => `http://127.0.0.1:${port}/healthz` },
  };
  return PRODUCERS.map((name, i) => {
    const port = ports[i];
    const portFlag = name === 'kwok' ? `--server-address=127.0.0.1:${port}` : name === 'demo-controller' ? `--health-address=127.0.0.1:${port}` : `--secure-port=${port}`;
    return { name, bin: bins[name], args: [...args[name].args, portFlag], log: path.join(state.dir, `${name}.log`), pid: null, health: args[name].health(port) };
  });
}

const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** Creates the fake nodes, starts every producer and waits until each answers /healthz and the nodes are Ready. */
async function startProducers(state: StateFile, adminToken: string, log: (m: string) => void): Promise<void> {
  const producers = state.producers ?? [];
  const admin = { ca: state.caFile, token: adminToken };
  for (const [i, name] of FAKE_NODES.entries()) {
    const capacity = { cpu: '4', memory: '8Gi', pods: '110' };
    // TEST-NET-1 addresses: never routed, and distinct per node so pod hostIPs tell the nodes apart.
    const addresses = [{ type: 'InternalIP', address: `192.0.2.${11 + i}` }, { type: 'Hostname', address: name }];
    const res = await request({
      ...admin,
      url: `${state.server}/api/v1/nodes`,
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { [FAKE_NODE_ANNOTATION]: 'fake' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
        },
        status: { capacity, allocatable: capacity, addresses },
      }),
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST /api/v1/nodes ${name}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  }
  for (const p of producers) {
    if (p.args.some((a) => a.startsWith('--cert-dir='))) fs.mkdirSync(path.join(state.dir, 'certs', p.name), { recursive: true });
    p.pid = spawnDetached(p);
  }
  writeState(state);
  const started = Date.now();
  await Promise.all(
    producers.map(async (p) => {
      await waitForHealth(p, started);
      log(`${p.name} healthy after ${ms(started)}`);
    }),
  );
  const kwok = producers.find((p) => p.name === 'kwok')!;
  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    const res = await request({ ...admin, url: `${state.server}/api/v1/nodes` });
    type Node = { metadata: { name: string }; spec?: { taints?: unknown[] }; status?: { conditions?: Array<{ type: string; status: string }> } };
    const items = res.status === 200 ? (JSON.parse(res.body) as { items: Node[] }).items : [];
    // Schedulable too: the node-lifecycle controller has removed the not-ready taint.
    const ready = items.filter((n) => (FAKE_NODES as readonly string[]).includes(n.metadata.name) && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.taints?.length);
    if (ready.length === FAKE_NODES.length) break;
    if (!liveProcess(kwok)) throw startupError('kwok exited during startup', kwok);
    if (Date.now() > deadline) throw startupError(`fake nodes not Ready and untainted after ${READY_TIMEOUT_MS / 1000} s (${ready.length} of ${FAKE_NODES.length})`, kwok);
    await sleep(250);
  }
  log(`${FAKE_NODES.length} fake nodes Ready after ${ms(started)}`);
}

async function waitForHealth(p: ProducerState, started: number): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!liveProcess(p)) throw startupError(`${p.name} exited during startup`, p);
    try {
      const res = await request({ url: p.health, insecure: true });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(250);
  }
  throw startupError(`${p.name} not healthy after ${READY_TIMEOUT_MS / 1000} s (last ${p.health}: ${last})`, p);
}

function writeKubeconfig(state: StateFile, adminToken: string, restrictedToken: string): void {
  // JSON.stringify gives valid YAML double-quoted scalars for paths and tokens.
  const q = JSON.stringify;
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: kube-events-test
  cluster:
    server: ${q(state.server)}
    certificate-authority: ${q(state.caFile)}
users:
- name: kube-events-admin
  user:
    token: ${q(adminToken)}
- name: ${RESTRICTED_USER}
  user:
    token: ${q(restrictedToken)}
contexts:
- name: admin
  context:
    cluster: kube-events-test
    user: kube-events-admin
- name: restricted
  context:
    cluster: kube-events-test
    user: ${RESTRICTED_USER}
    namespace: ${state.restrictedNamespace}
current-context: admin
`;
  fs.writeFileSync(state.kubeconfigPath, yaml, { mode: 0o600 });
}

function writeState(state: StateFile): void {
  if (!fs.existsSync(state.dir)) return;
  // Write-then-rename: other processes (attach, watchdog, cluster:down) may read it at any moment.
  const file = path.join(state.dir, STATE_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

function readState(dir: string): StateFile {
  const file = path.join(dir, STATE_FILE);
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
  if (state.version !== 1) throw new Error(`${file}: unsupported state version ${String(state.version)}`);
  return state;
}

function readTokens(file: string): { admin: string; restricted: string } {
  let admin = '';
  let restricted = '';
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [token, user] = line.split(',');
    if (!token || !user) continue;
    if (user === RESTRICTED_USER) restricted = token;
    else if (line.includes('system:masters')) admin = token;
  }
  if (!admin || !restricted) throw new Error(`${file}: admin or restricted token missing`);
  return { admin, restricted };
}

function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let d = start; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'test', 'cluster', 'build.sh'))) return d;
      if (path.dirname(d) === d) break;
    }
  }
  throw new Error(`cannot find test/cluster/build.sh above ${__dirname} or ${process.cwd()}`);
}

async function resolveBinaries(log: (m: string) => void, producers: boolean): Promise<Binaries> {
  const script = path.join(repoRoot(), 'test', 'cluster', 'build.sh');
  const started = Date.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', producers ? [script] : [script, '--bare'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // Forward build progress lines as they come: a cold build takes many minutes.
      for (const line of b.toString().split('\n')) if (line.startsWith('build.sh:')) log(line);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${script} failed (exit ${code}):\n${stderr.split('\n').slice(-30).join('\n')}`))));
  });
  const vars = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.+)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2]);
  }
  const usable = (key: string): string => {
    const bin = vars.get(key);
    if (!bin || !fs.existsSync(bin)) throw new Error(`${script} printed no usable ${key} path`);
    return bin;
  };
  const bins: Binaries = { kubeApiserver: usable('KUBE_APISERVER'), etcd: usable('ETCD'), etcdctl: usable('ETCDCTL') };
  if (producers) {
    bins.producers = {
      'kube-controller-manager': usable('KUBE_CONTROLLER_MANAGER'),
      'kube-scheduler': usable('KUBE_SCHEDULER'),
      kwok: usable('KWOK'),
      'demo-controller': usable('DEMO_CONTROLLER'),
    };
  }
  log(`binaries ready after ${ms(started)}`);
  return bins;
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

interface RequestOptions {
  url: string;
  method?: string;
  body?: string;
  ca?: string;
  token?: string;
  /** Accept any server certificate: the controller-manager and scheduler serve /healthz with a self-signed one. */
  insecure?: boolean;
}

function request(o: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(o.url);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    const options: https.RequestOptions = { method: o.method ?? 'GET', headers, timeout: 10_000, agent: false };
    if (o.ca) options.ca = fs.readFileSync(o.ca);
    if (o.insecure) options.rejectUnauthorized = false;
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${o.method ?? 'GET'} ${o.url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function sleep(msec: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msec));
}

function ms(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
