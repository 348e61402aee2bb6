/**
 * Where the extension host's memory goes with 50,000 events held, part by part (bench/memory.ts runs it
 * for `npm run bench`). Each part is the real module built under plain Node over the same 50,000 events, normalised
 * from watch lines as the watch does (bench/events.ts), and measured as the V8 heap it adds after a full GC,
 * in the order the extension builds them, each holding the events the parts before it hold:
 *   events:   the KubeEvent objects themselves, as the watch delivers them;
 *   store:    EventStore's own structures (map, update-order list, indexes) over those events;
 *   known:    the watch's reconciliation map (src/kube/knownEvents.ts);
 *   owners:   the owner graph taught every object the events name, as an `under:` filter makes it (a resolver
 *             answering at once: Pod → ReplicaSet → Deployment);
 *   tree:     the Events view's model, grouped by namespace;
 *   lsp:      the language server's feed with 20 manifests and a Go file (three reasons) open;
 *   timeline: what the timeline's feed keeps once a full reset (its first screenful, then the pages) has gone
 *             out, and (timeline_reset) the DTOs of every event, as a full reset sends them;
 *   history:  the on-disk history after the 50,000 are written and seeded back: SQLite's WebAssembly memory
 *             (history_wasm; it never shrinks) and the JS heap it keeps (history).
 * This is the process bench/memory.ts starts for each run (`node --expose-gc out/bench/memoryParts.js`, which
 * prints one `MEMORY {json}` line): nothing else is on its heap, and bench/wasmMemory.ts, loaded first, sees
 * SQLite's memory. BENCH_MEMORY_SNAPSHOT=FILE also writes a heap snapshot with every part alive (read it with
 * `node out/bench/heapSummary.js FILE`).
 */
import { wasmMemoryBytes } from './wasmMemory';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type * as vscode from 'vscode';
import { EventStore } from '../src/core/events/eventStore';
import { normalizeEvent, type EventChange, type KubeEvent, type ObjectKeyWith } from '../src/core/events/kubeEvent';
import { EventTreeModel } from '../src/core/eventTreeModel';
import { OwnerGraph, type OwnerInfo, type OwnerResolveReason } from '../src/core/owners/ownerGraph';
import { silentLogger } from '../src/core/ports';
import type { Result } from '../src/core/result';
import { HistoryDatabase } from '../src/history/historyDatabase';
import { FilterController } from '../src/host/filterController';
import { LanguageServerFeed } from '../src/host/lsp/languageServerFeed';
import { toEventDto } from '../src/host/timeline/eventDto';
import { TimelineFeed } from '../src/host/timeline/timelineFeed';
import { DEFAULT_SORT } from '../src/protocol/timelineOrder';
import type { ViewMessage } from '../src/protocol/webview';
import { KnownEvents } from '../src/kube/knownEvents';
import { eventJson } from './events';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 50_000);
const MB = 1e6;

type Parts = Record<string, number>;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  // Twice: the first may leave what finalizers and weak references free for the second.
  collect();
  collect();
}

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

async function settle(until: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!until()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The memento as the workbench keeps it, in memory. */
class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

/** Pods are owned by one of 20 ReplicaSets per namespace, each by its Deployment (bench/events.ts names the Pods). */
function ownerOf(ref: ObjectKeyWith<'apiVersion', 'uid'>): OwnerInfo {
  const app = (name: string) => Number(/(\d+)/.exec(name)?.[1] ?? 0) % 20;
  if (ref.kind === 'Pod') {
    const k = app(ref.name);
    return { uid: ref.uid ?? '', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${k}-5d8f7c9b4`, uid: `rs-${ref.namespace}-${k}`, controller: true }] };
  }
  if (ref.kind === 'ReplicaSet') {
    const k = app(ref.name);
    return { uid: ref.uid ?? '', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `app-${k}`, uid: `deploy-${ref.namespace}-${k}`, controller: true }] };
  }
  return { uid: ref.uid ?? `uid-${ref.kind}-${ref.namespace}-${ref.name}`, ownerReferences: [] };
}

async function measure(): Promise<Parts> {
  const parts: Parts = {};
  const keep: unknown[] = [];
  const wasm0 = wasmMemoryBytes();
  const rss0 = process.memoryUsage().rss;
  const start = heap();
  let last = start;
  const part = (name: string): void => {
    const now = heap();
    parts[name] = +((now - last) / MB).toFixed(1);
    last = now;
  };

  // The events as the watch delivers them: one JSON.parse per watch line, normalised.
  const events: KubeEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const line = JSON.parse(`{"type":"ADDED","object":${eventJson(i, i + 2)}}`) as { object: unknown };
    const e = normalizeEvent(line.object, 'core/v1');
    if (e) events.push(e);
  }
  keep.push(events);
  part('events');

  const store = new EventStore({ capacity: EVENTS });
  for (let i = 0; i < events.length; i += 1000) store.applyBatch(events.slice(i, i + 1000).map((event): EventChange => ({ type: 'ADDED', event })));
  if (store.size !== EVENTS) throw new Error(`the store holds ${store.size}`);
  keep.push(store);
  part('store');

  const known = new KnownEvents({ maxEvents: store.capacity, maxBytes: store.maxBytes });
  for (const e of events) known.set(e);
  keep.push(known);
  part('known');

  // The owner graph as an `under:` filter teaches it: every object the stored events name, through the filter.
  // errorTtlMs 0: what the bounded queue turned away is asked again at the next pass, as a long session would.
  const graph = new OwnerGraph({ getOwners: async (ref): Promise<Result<OwnerInfo, OwnerResolveReason>> => ({ ok: true, value: ownerOf(ref) }) }, { errorTtlMs: 0 });
  const filter = new FilterController(new MemoryMemento(), store, () => graph);
  filter.set('under:Deployment/ns-0/app-0');
  // Reads go through a bounded queue, and those beyond it are asked again later (as new events come): teach the
  // graph again until it stops growing, which is where its own bound (10,000 objects) holds it.
  for (let size = -1, stable = 0; stable < 3; ) {
    await tick(20);
    if (graph.size === size) stable++;
    else {
      stable = 0;
      size = graph.size;
    }
    filter.relearn();
  }
  process.stderr.write(`[memory] the owner graph holds ${graph.size} objects\n`);
  keep.push(graph, filter);
  part('owners');

  const tree = new EventTreeModel('namespace');
  tree.reset(store.all());
  keep.push(tree);
  part('tree');

  // 20 manifests (a Deployment each, in its own namespace) and a Go file naming three reasons.
  const newest = events.reduce((t, e) => Math.max(t, e.lastSeen), 0);
  const sent = { objects: 0, reasons: 0 };
  const feed = new LanguageServerFeed({
    store,
    owners: () => graph,
    exists: async (o) => ({ exists: 'yes', uid: `deploy-${o.namespace}-${o.name}` }),
    sendObjects: (p) => void (sent.objects += JSON.stringify(p).length),
    sendReasons: (p) => void (sent.reasons += JSON.stringify(p).length),
    windowMs: () => 3_600_000,
    logger: silentLogger,
    clock: { now: () => newest + 60_000 },
  });
  feed.subscribe({
    objects: Array.from({ length: 20 }, (_, j) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: `ns-${j}`, name: `app-${j}` })),
    reasons: ['BackOff', 'Pulled', 'Created'],
    completesReasons: true,
    recorderCalls: true,
  });
  await settle(() => sent.objects > 0 && sent.reasons > 0, 'the language-server feed');
  await tick(1_500);
  keep.push(feed);
  part('lsp');

  // The timeline's feed: a full reset sent (and serialised, as postMessage does), then what it keeps.
  let posted = 0;
  const timeline = new TimelineFeed({
    store,
    post: (m) => {
      JSON.stringify(m);
      if (m.type === 'events/reset' || m.type === 'events/page' || m.type === 'events/append') posted += m.events.length;
    },
    logger: silentLogger,
    onReveal: () => undefined,
    onOpenResource: () => undefined,
  });
  timeline.receive({ type: 'view/ready', sort: DEFAULT_SORT } satisfies ViewMessage);
  await settle(() => posted >= EVENTS, 'the timeline reset');
  keep.push(timeline);
  part('timeline');
  const dtos = store.snapshot().map(toEventDto);
  part('timeline_reset');
  dtos.length = 0;
  last = heap();

  // History: the 50,000 written as the sink writes them, then seeded back as a new window does.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-memory-'));
  try {
    const wasm1 = wasmMemoryBytes();
    const db = HistoryDatabase.open(path.join(dir, 'history.sqlite'), { server: 'https://bench', user: 'bench', context: 'bench' });
    for (let i = 0; i < events.length; i += 1000) db.write(events.slice(i, i + 1000).map((event): EventChange => ({ type: 'ADDED', event })));
    const seeded = db.query({ limit: store.capacity }).length;
    if (seeded !== EVENTS) throw new Error(`history seeded ${seeded}`);
    keep.push(db);
    part('history');
    parts.history_wasm = +((wasmMemoryBytes() - (wasm1 || wasm0)) / MB).toFixed(1);
    parts.history_wasm_total = +(wasmMemoryBytes() / MB).toFixed(1);

    parts.total_heap = +((heap() - start) / MB).toFixed(1);
    parts.rss = +((process.memoryUsage().rss - rss0) / MB).toFixed(1);
    const snapshot = process.env.BENCH_MEMORY_SNAPSHOT;
    if (snapshot) v8.writeHeapSnapshot(snapshot);
    for (const k of keep) if (k && typeof (k as { dispose?: unknown }).dispose === 'function') (k as { dispose(): void }).dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return parts;
}

measure().then(
  (parts) => {
    console.log(`MEMORY ${JSON.stringify(parts)}`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
