/**
 * The language server under load (issue 20 point 5), with its real parts: the server bundle (dist/server.js, its own
 * process over IPC, as the language client starts it) and the host's feed (LanguageServerFeed with the real
 * EventStore fed through the Broadcaster, and the real OwnerGraph over a resolver that answers at once), over the
 * real protocol. 20 manifests (one Deployment each, whose Pods' events reach it through the owner graph) and 10 Go
 * files (recorder calls naming reasons) are open; the store holds 50,000 events; then 1,000 events/s arrive for
 * LOAD_SECONDS:
 *   lsp_host_loop_p99_ms:              event-loop delay p99 of this process (the host's side: store, owner graph,
 *                                      feed, protocol) during the load;
 *   lsp_server_loop_p99_ms:            the same in the server's process (bench/serverLoopProbe.ts, preloaded);
 *   lsp_event_to_diagnostic_p95_ms:    a new Warning reason on an open manifest's object (5 a second), from
 *                                      `broadcaster.action` to the server publishing it on that manifest;
 *   lsp_big_manifest_first_diagnostic_ms: a 5,000-line manifest opened halfway through the load, from didOpen to
 *                                      its first diagnostic (its last document's object has warnings).
 * BENCH_PROFILE=1 writes the server's CPU profiles to test-results/lsp-server-profile/. Reported, never asserted. `node out/bench/languageServerLoad.js` runs it alone (BENCH_RUNS runs, default 3).
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { Broadcaster } from '../src/core/events/broadcaster';
import { Emitter } from '../src/core/emitter';
import type { EventChange } from '../src/core/events/kubeEvent';
import { EventStore } from '../src/core/events/eventStore';
import { RunOnceScheduler } from '../src/core/lifecycle';
import { OwnerGraph, type OwnerResolver } from '../src/core/owners/ownerGraph';
import { silentLogger } from '../src/core/ports';
import { ok } from '../src/core/result';
import { LanguageServerFeed } from '../src/host/lsp/languageServerFeed';
import { ClusterNotification, ObjectsNotification, ReasonsNotification, SubscribeNotification } from '../src/protocol/languageServer';
import { aWatchedChange } from '../test/unit/support/eventBuilder';
import { log, spread, type Spread } from './stats';

const RATE = 1_000;
const TICK_MS = 100;
const LOAD_SECONDS = Number(process.env.BENCH_LSP_SECONDS ?? 15);
const MANIFESTS = 20;
const GO_FILES = 10;
const PREFILL = 50_000;
const PODS_PER_APP = 25;
const NS = 'shop';
/** One probe (a new Warning reason on a manifest's Deployment) every this many ticks: 5 a second. */
const PROBE_EVERY_TICKS = 2;

const uidOf = (kind: string, name: string): string => `uid-${kind}-${name}`;

/** Pod app-i-pod-j → ReplicaSet app-i-rs → Deployment app-i; anything else has no owners. */
const resolver: OwnerResolver = {
  getOwners(ref) {
    const pod = /^(app-\d+)-pod-\d+$/.exec(ref.name);
    const rs = /^(app-\d+)-rs$/.exec(ref.name);
    const owner = ref.kind === 'Pod' && pod ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${pod[1]}-rs` } : ref.kind === 'ReplicaSet' && rs ? { apiVersion: 'apps/v1', kind: 'Deployment', name: rs[1] } : undefined;
    return Promise.resolve(ok({ uid: uidOf(ref.kind, ref.name), ownerReferences: owner ? [{ ...owner, uid: uidOf(owner.kind, owner.name), controller: true }] : [] }));
  },
};

let serial = 0;
function change(namespace: string, kind: string, name: string, type: 'Normal' | 'Warning', reason: string): EventChange {
  return aWatchedChange(serial++, { namespace, kind, name, uid: uidOf(kind, name), type, reason }, 'lsp-load');
}

/** The stream's background: a third about the open manifests' Pods, a tenth with the Go files' reasons, the rest elsewhere. */
function background(i: number): EventChange {
  const m = i % 10;
  const j = Math.floor(i / 10);
  if (m < 3) return change(NS, 'Pod', `app-${j % MANIFESTS}-pod-${Math.floor(j / MANIFESTS) % PODS_PER_APP}`, j % 7 === 0 ? 'Warning' : 'Normal', j % 7 === 0 ? 'BackOff' : 'Pulled');
  if (m === 3) return change(`other-${i % 7}`, 'Pod', `worker-${i % 300}`, i % 2 === 0 ? 'Warning' : 'Normal', `GoReason${i % GO_FILES}`);
  return change(`other-${i % 7}`, 'Pod', `worker-${i % 300}`, i % 10 === 4 ? 'Warning' : 'Normal', i % 10 === 4 ? 'FailedMount' : 'Scheduled');
}

function manifestText(i: number): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ${NS}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n`;
}

function goText(k: number): string {
  return `package controllers\n\nimport (\n\tcorev1 "k8s.io/api/core/v1"\n\t"k8s.io/client-go/tools/record"\n)\n\ntype Reconciler${k} struct {\n\tRecorder record.EventRecorder\n}\n\nfunc (r *Reconciler${k}) Reconcile(pod *corev1.Pod) {\n\tr.Recorder.Event(pod, corev1.EventTypeWarning, "GoReason${k}", "failed")\n\tr.Recorder.Eventf(pod, corev1.EventTypeNormal, "Scheduled", "scheduled %s", pod.Name)\n}\n`;
}

/** 5,000 lines: 500 ConfigMaps, then app-0's Deployment (which has warnings). */
function bigManifestText(): string {
  const docs: string[] = [];
  for (let i = 0; docs.length * 10 < 5_000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler-${i}\n  namespace: ${NS}\ndata:\n  a: "1"\n  b: "2"\n  c: "3"\n---`);
  docs.push(manifestText(0));
  return docs.join('\n');
}

function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function waitUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RunFigures {
  host_p99: number;
  server_p99: number;
  diag_p95: number;
  big_ms: number;
  kb_per_s: number;
}

async function oneRun(root: string, dir: string, run: number): Promise<RunFigures> {
  const probeFile = path.join(dir, `loop-${run}.json`);
  const child = fork(path.join(root, 'dist', 'server.js'), ['--node-ipc'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--require', path.join(root, 'out', 'bench', 'serverLoopProbe.js'), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'test-results', 'lsp-server-profile')}`] : [])],
    env: { ...process.env, KUBE_EVENTS_LOOP_PROBE: probeFile },
  });
  const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const broadcaster = new Broadcaster<EventChange>({});
  const store = new EventStore({ capacity: PREFILL });
  broadcaster.watch((batch) => void store.applyBatch(batch), { name: 'store' });
  const graph = new OwnerGraph(resolver);
  const learned = new Emitter<void>();
  const learnNotice = new RunOnceScheduler(() => learned.fire(), 300);
  graph.onDidLearn(() => learnNotice.scheduleIfIdle());
  const feed = new LanguageServerFeed({
    store,
    owners: () => graph,
    onDidLearnOwners: learned.event,
    exists: (o) => Promise.resolve({ exists: 'yes', uid: uidOf(o.kind, o.name) }),
    sendObjects: (p) => void conn.sendNotification(ObjectsNotification, p),
    sendReasons: (p) => void conn.sendNotification(ReasonsNotification, p),
    windowMs: () => 3_600_000,
    logger: silentLogger,
  });
  const published = new Map<string, PublishDiagnosticsParams>();
  const listeners = new Set<(p: PublishDiagnosticsParams) => void>();
  conn.onNotification(SubscribeNotification, (p) => feed.subscribe(p));
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, p);
    for (const l of listeners) l(p);
  });
  conn.listen();
  try {
    await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    await conn.sendNotification(InitializedNotification.type, {});
    await conn.sendNotification(ClusterNotification, { context: 'bench', defaultNamespace: 'default', windowMs: 3_600_000, live: true, clusters: 1 });

    for (let i = 0; i < PREFILL; i++) await broadcaster.action(background(i));
    await waitUntil('the prefill in the store', () => store.size >= PREFILL);

    const uris: string[] = [];
    for (let i = 0; i < MANIFESTS; i++) {
      const file = path.join(dir, `app-${i}.yaml`);
      fs.writeFileSync(file, manifestText(i));
      uris.push(pathToFileURL(file).toString());
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uris[i], languageId: 'yaml', version: 1, text: manifestText(i) } });
    }
    for (let k = 0; k < GO_FILES; k++) {
      const file = path.join(dir, 'controllers', `reconciler${k}.go`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, goText(k));
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: pathToFileURL(file).toString(), languageId: 'go', version: 1, text: goText(k) } });
    }
    // Every manifest shows its Pods' BackOff (learnt through the owner graph) before the load starts.
    await waitUntil('every manifest\'s first diagnostic', () => uris.every((u) => published.get(u)?.diagnostics.some((d) => d.code === 'BackOff')));

    const bigText = bigManifestText();
    const bigUri = pathToFileURL(path.join(dir, `big-${run}.yaml`)).toString();
    let bigMs = NaN;
    const latencies: number[] = [];
    const pending = new Map<string, { uri: string; t0: number }>();
    const onPublish = (p: PublishDiagnosticsParams): void => {
      for (const [reason, probe] of pending) {
        if (probe.uri === p.uri && p.diagnostics.some((d) => d.code === reason)) {
          latencies.push(performance.now() - probe.t0);
          pending.delete(reason);
        }
      }
    };
    listeners.add(onPublish);

    const hostDelay = monitorEventLoopDelay({ resolution: 10 });
    child.kill('SIGUSR2');
    hostDelay.enable();
    const bytesBefore = feed.bytesSent;
    const started = performance.now();
    const perTick = (RATE * TICK_MS) / 1000;
    const ticks = (LOAD_SECONDS * 1000) / TICK_MS;
    let probes = 0;
    let sent = PREFILL;
    for (let tick = 0; tick < ticks; tick++) {
      if (tick === Math.floor(ticks / 2)) {
        const t0 = performance.now();
        const first = (p: PublishDiagnosticsParams): void => {
          if (p.uri === bigUri && p.diagnostics.length > 0 && Number.isNaN(bigMs)) bigMs = performance.now() - t0;
        };
        listeners.add(first);
        void conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: bigUri, languageId: 'yaml', version: 1, text: bigText } });
      }
      for (let i = 0; i < perTick; i++) {
        if (i === 0 && tick % PROBE_EVERY_TICKS === 0) {
          const k = probes++;
          const reason = `LoadProbe${run}x${k}`;
          pending.set(reason, { uri: uris[k % MANIFESTS], t0: performance.now() });
          await broadcaster.action(change(NS, 'Deployment', `app-${k % MANIFESTS}`, 'Warning', reason));
        } else {
          await broadcaster.action(background(sent++));
        }
      }
      const next = started + (tick + 1) * TICK_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    const seconds = (performance.now() - started) / 1000;
    hostDelay.disable();
    fs.rmSync(probeFile, { force: true });
    child.kill('SIGUSR2');
    const server = await waitUntil('the server\'s loop figures', () => fs.existsSync(probeFile) && (JSON.parse(fs.readFileSync(probeFile, 'utf8')) as { p99_ms: number; max_ms: number }));
    await waitUntil('every probe as a diagnostic', () => pending.size === 0, 30_000);
    await waitUntil('the big manifest\'s first diagnostic', () => !Number.isNaN(bigMs), 30_000);
    const figures: RunFigures = {
      host_p99: hostDelay.percentile(99) / 1e6,
      server_p99: server.p99_ms,
      diag_p95: percentile(latencies, 0.95),
      big_ms: bigMs,
      kb_per_s: (feed.bytesSent - bytesBefore) / 1024 / seconds,
    };
    log(
      `language server load run ${run + 1}: ${Math.round(((ticks * perTick) / seconds))} events/s for ${seconds.toFixed(1)} s; ` +
        `event loop p99 host ${figures.host_p99.toFixed(1)} ms (max ${(hostDelay.max / 1e6).toFixed(0)}), server ${figures.server_p99.toFixed(1)} ms (max ${server.max_ms.toFixed(0)}); ` +
        `new event → diagnostic p50 ${percentile(latencies, 0.5).toFixed(0)} / p95 ${figures.diag_p95.toFixed(0)} ms over ${latencies.length} probes; ` +
        `5,000-line manifest first diagnostic ${bigMs.toFixed(0)} ms; host → server ${figures.kb_per_s.toFixed(1)} KiB/s`,
    );
    return figures;
  } finally {
    feed.dispose();
    learnNotice.dispose();
    graph.dispose();
    // Shut down as the client does, so that a CPU profile gets written; killed if it takes longer than 5 s.
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await Promise.race([
      (async () => {
        await conn.sendRequest(ShutdownRequest.type);
        await conn.sendNotification(ExitNotification.type);
        await exited;
      })(),
      new Promise((r) => setTimeout(r, 5_000)),
    ]).catch(() => undefined);
    conn.dispose();
    child.kill();
  }
}

/** BENCH_SKIP=lsp leaves it out of `npm run bench`. */
export async function benchLanguageServerLoad(root: string, runs: number): Promise<Record<string, Spread>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-lsp-load-'));
  const all: RunFigures[] = [];
  try {
    for (let r = 0; r < runs; r++) all.push(await oneRun(root, dir, r));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    lsp_host_loop_p99_ms: spread(all.map((f) => f.host_p99), 1),
    lsp_server_loop_p99_ms: spread(all.map((f) => f.server_p99), 1),
    lsp_event_to_diagnostic_p95_ms: spread(all.map((f) => f.diag_p95)),
    lsp_big_manifest_first_diagnostic_ms: spread(all.map((f) => f.big_ms)),
    lsp_host_to_server_kib_per_s: spread(all.map((f) => f.kb_per_s), 1),
  };
}

// Not `require.main === module`: bundled into bench/run.ts, `module` is run.js's own.
if (/[\\/]languageServerLoad\.js$/.test(process.argv[1] ?? '')) {
  benchLanguageServerLoad(path.resolve(__dirname, '..', '..'), Number(process.env.BENCH_RUNS ?? 3)).then(
    (figures) => {
      const [l1] = os.loadavg();
      console.log(JSON.stringify({ load_avg_1m_at_end: +l1.toFixed(2), ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v.median])), spread: figures }));
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
