/**
 * Cost as the work grows (issue 20 point 6): one run at each size of BENCH_SCALE (10,000, 100,000 and 1,000,000
 * events by default), each in a fresh Node process so that its heap and RSS are its own:
 *   watch:    the recorded stream of N events through EventSource → Broadcaster → EventStore (a store that holds
 *             all N), as bench/run.ts's watch part, beside the floor (decode, split, JSON.parse) on the same stream;
 *   memory:   heap (after a full GC) and RSS growth with the N events held (the store and the source's record);
 *   tree:     EventTreeModel over the N events: reset, the roots and the first group's and object's children,
 *             what the Events view needs for its first rows;
 *   history:  N rows written to the on-disk history, `since:7d reason:BackOff` (one page of 5,000) over them,
 *             and seeding the newest 50,000 (or N) into a store, as at start-up;
 *   timeline: the real webview fed N events in headless Chromium (bench/timeline.ts): first paint and filter.
 * Then the whole extension in code-server against a control plane this bench starts, holding
 * BENCH_SCALE_CLUSTER_EVENTS (100,000) events written through the API in 20 namespaces: first rows (on screen),
 * live, RSS (bench/exthost/scaleSuite.ts).
 * Writes bench/results/scale.json and bench/results/scale.md (the table). One run per size: it takes minutes.
 * `node --expose-gc out/bench/scale.js`, or `npm run bench` with BENCH_SCALE set; BENCH_SKIP=scale-exthost leaves
 * out the code-server part, BENCH_SKIP=timeline the Chromium one.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { EventTreeModel } from '../src/core/eventTreeModel';
import { planHistoryQuery } from '../src/core/events/history';
import { EventStore } from '../src/core/events/eventStore';
import { normalizeEvent, type EventChange, type KubeEvent } from '../src/core/events/kubeEvent';
import { parseQuery } from '../src/core/query/parse';
import { HistoryDatabase } from '../src/history/historyDatabase';
import { loadKubeconfig } from '../src/kube/kubeConfigLoader';
import { startControlPlane } from '../test/cluster/controlPlane';
import { launchBrowser, startCodeServer } from '../test/support/codeServer';
import { createEvents } from './clusterEvents';
import { eventJson } from './events';
import { WATCH_ROWS } from './exthost/runner';
import { log } from './stats';
import { benchTimeline } from './timeline';
import { recordedWatch, serveRecordedWatch, timeFloor, watchIntoStore, writeKubeconfig } from './watch';

const root = path.resolve(__dirname, '..', '..');
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const DAY = 86_400_000;

/**
 * The figures of one size, from its own process: `events` and whichever parts finished within the size's budget
 * (BENCH_SCALE_BUDGET_S, 1,800 s by default); a part cut short is missing, and `incomplete` says so.
 */
interface SizeFigures {
  events: number;
  incomplete?: boolean;
  watch_events_per_s?: number;
  watch_events_per_cpu_s?: number;
  floor_events_per_s?: number;
  watch_vs_floor?: number;
  heap_mb?: number;
  rss_mb?: number;
  tree_first_rows_ms?: number;
  history_write_rows_per_s?: number;
  history_query_ms?: number;
  history_seed_ms?: number;
  history_seeded?: number;
  timeline_first_paint_ms?: number;
  timeline_filter_ms?: number;
}

const BUDGET_S = Number(process.env.BENCH_SCALE_BUDGET_S ?? 1800);

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** One size, in this process: prints the figures so far on stdout after each part (the parent keeps the last). */
async function oneSize(n: number): Promise<SizeFigures> {
  const figures: SizeFigures = { events: n };
  const report = (): void => console.log(JSON.stringify(figures));
  // First, while this process holds nothing else: the extension seeds at start-up, with its store empty. After the
  // watch and tree parts this process holds their N events (714 MB live at 1,000,000), and the seed's 50,000 new
  // objects set off full collections of all of it (one mark-compact over 560 MB took 0.86 s), so the seed grew
  // with N though SQLite reads the same 50,000 rows of one index, at the same cost, at every size.
  Object.assign(figures, benchHistoryAt(n));
  report();
  log(`scale ${n}: recording the watch stream`);
  const body = recordedWatch(n);
  const server = await serveRecordedWatch(body);
  const kubeconfig = writeKubeconfig(server.url);
  const floorSeconds = await timeFloor(server.url, n);
  gc();
  const m0 = process.memoryUsage();
  const c0 = process.cpuUsage();
  // A store that holds everything, so that what grows with N is seen growing.
  const { seconds, session } = await watchIntoStore(kubeconfig, n, { storeCapacity: n, storeMaxBytes: Number.POSITIVE_INFINITY });
  const watchCpu = cpuSeconds(c0);
  await server.close();
  gc();
  const m1 = process.memoryUsage();
  Object.assign(figures, {
    watch_events_per_s: Math.round(n / seconds),
    watch_events_per_cpu_s: Math.round(n / watchCpu),
    floor_events_per_s: Math.round(n / floorSeconds),
    watch_vs_floor: +(floorSeconds / seconds).toFixed(2),
    heap_mb: Math.round((m1.heapUsed - m0.heapUsed) / 1e6),
    rss_mb: Math.round((m1.rss - m0.rss) / 1e6),
  });
  report();
  log(`scale ${n}: ${JSON.stringify(figures)}`);

  const t = performance.now();
  const model = new EventTreeModel();
  model.reset(session.store.all());
  const roots = model.roots();
  const objects = roots[0] ? model.children(roots[0]) : [];
  if (objects[0]) model.children(objects[0]);
  figures.tree_first_rows_ms = Math.round(performance.now() - t);
  session.dispose();
  report();
  log(`scale ${n}: ${JSON.stringify(figures)}`);
  if (!SKIP.has('timeline')) {
    // bench/timeline.ts reads its size from BENCH_TIMELINE_EVENTS, which the parent set for this process.
    const tl = await benchTimeline(root, 1);
    figures.timeline_first_paint_ms = tl.timeline_first_paint_100k_ms?.median;
    figures.timeline_filter_ms = tl.timeline_filter_100k_ms?.median;
  }
  return figures;
}

/** N rows into a fresh history file, one query page over them, and the start-up seed. */
function benchHistoryAt(n: number): Pick<SizeFigures, 'history_write_rows_per_s' | 'history_query_ms' | 'history_seed_ms' | 'history_seeded'> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-scale-'));
  const db = HistoryDatabase.open(path.join(dir, 'history.sqlite'), { server: 'https://bench', user: 'bench', context: 'bench' });
  try {
    const now = Date.now();
    // Ten days of events, evenly spread, newest last; 10 % are BackOff warnings.
    const at = (i: number): KubeEvent => ({ ...normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1')!, lastSeen: now - Math.round(((n - i) / n) * 10 * DAY) });
    const t0 = performance.now();
    for (let i = 0; i < n; ) {
      const batch: EventChange[] = [];
      for (let k = 0; k < 10_000 && i < n; k++, i++) batch.push({ type: 'ADDED', event: at(i) });
      db.write(batch);
    }
    const writeS = (performance.now() - t0) / 1000;
    const parsed = parseQuery('since:7d reason:BackOff');
    if (!parsed.ok) throw new Error(parsed.message);
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      db.query(planHistoryQuery(parsed.value, Date.now(), 5_000));
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const store = new EventStore({ capacity: 50_000 });
    const t1 = performance.now();
    const seeded = db.query({ limit: 50_000 }).reverse();
    store.applyBatch(seeded.map((event) => ({ type: 'ADDED' as const, event })));
    const seedMs = performance.now() - t1;
    return { history_write_rows_per_s: Math.round(n / writeS), history_query_ms: +times[1].toFixed(1), history_seed_ms: Math.round(seedMs), history_seeded: store.size };
  } finally {
    db.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one size in a child process (its own heap) and returns its figures: all of them, or, when it fails or
 * outlives the budget (then it is killed), those it reported before, marked incomplete.
 */
function runSize(n: number): Promise<SizeFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', path.join(root, 'out', 'bench', 'scale.js'), '--size', String(n)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_TIMELINE_EVENTS: String(n) },
    });
    const budget = setTimeout(() => {
      log(`scale ${n}: over its budget of ${BUDGET_S} s; keeping what it measured`);
      child.kill('SIGKILL');
    }, BUDGET_S * 1000);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(budget);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (!line) reject(new Error(`the ${n}-event run exited ${code} before reporting anything`));
      else resolve({ ...(JSON.parse(line) as SizeFigures), ...(code === 0 ? {} : { incomplete: true }) });
    });
  });
}

/** The whole extension in code-server, against a control plane of its own holding `events` events. */
async function benchExtensionAt(events: number): Promise<Record<string, number>> {
  const cp = await startControlPlane({ log });
  try {
    const admin = loadKubeconfig({ path: cp.kubeconfigPath, context: 'admin' });
    if (!admin.ok) throw new Error(admin.message);
    await createEvents(admin.value.client, events, Array.from({ length: 20 }, (_, i) => `bench-${i}`), log);
    admin.value.client.dispose();
    const kubeconfig = writeKubeconfig(cp.server, cp.adminToken, cp.caFile);
    return await codeServerRun(kubeconfig, events);
  } finally {
    await cp.stop();
  }
}

async function codeServerRun(kubeconfig: string, events: number): Promise<Record<string, number>> {
  const server = await startCodeServer({ env: { KUBECONFIG: kubeconfig, KUBE_EVENTS_BENCH_CLUSTER_EVENTS: String(events) } });
  const browser = await launchBrowser(server.runDir);
  let ok = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let report: Record<string, number> | undefined;
    const lines: string[] = [];
    let resolveExit: (code: number) => void = () => {};
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : format(message);
      lines.push(text);
      const m = /^BENCH (\{.*\})$/.exec(text.trim());
      if (m) report = JSON.parse(m[1]) as Record<string, number>;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    await page.addInitScript(WATCH_ROWS);
    const remote = (p: string) => `vscode-remote://${server.authority}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(path.join(root, 'out', 'bench', 'exthost', 'scaleSuite'))],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), 600_000)))]);
    clearTimeout(timer);
    if (code !== 0 || !report) throw new Error(`the extension-host scale run ${code === -1 ? 'timed out' : `exited ${code}`}:\n${lines.slice(-20).join('\n')}`);
    const firstRowsAt = await page.evaluate(() => (globalThis as unknown as { __firstRowsAt?: number }).__firstRowsAt);
    if (firstRowsAt === undefined) throw new Error('the Events view never showed a row');
    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'test-results', `bench-scale-exthost-${events}.png`) });
    ok = true;
    const { wall0, ...rest } = report;
    return { ...rest, first_rows_ms: firstRowsAt - wall0 };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop({ removeRunDir: ok });
    if (!ok) log(`code-server run dir kept for its logs: ${server.runDir}`);
  }
}

function loadAverages(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/**
 * How a figure grows from one size to the next, as the cost per unit of work at the larger size over that at the
 * smaller (1.00: linear; above 1: faster than linear). A rate is per event already; a total is divided by the
 * events; the seed by the events it seeded; the query reads one page of at most 5,000 rows, so it is compared as is.
 */
function growth(rows: readonly SizeFigures[], key: Exclude<keyof SizeFigures, 'incomplete'>, kind: 'rate' | 'total' | 'seed' | 'page'): string {
  const cells: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const [p, q] = [rows[i - 1], rows[i]];
    const a = p[key];
    const b = q[key];
    if (typeof a !== 'number' || typeof b !== 'number' || a <= 0 || b <= 0) continue;
    const work = kind === 'total' ? q.events / p.events : kind === 'seed' ? (q.history_seeded ?? NaN) / (p.history_seeded ?? NaN) : 1;
    cells.push((kind === 'rate' ? a / b : b / a / work).toFixed(2));
  }
  return cells.join(', ');
}

function markdown(rows: readonly SizeFigures[], ext: Record<string, number> | undefined, head: Record<string, string | number>): string {
  const n = (v: number | undefined, unit = '') => (v === undefined ? '–' : `${v.toLocaleString('en-US')}${unit}`);
  const sizes = rows.map((r) => `${r.events.toLocaleString('en-US')}${r.incomplete ? ' (cut short: – not measured)' : ''}`);
  const line = (what: string, key: Exclude<keyof SizeFigures, 'incomplete'>, unit: string, kind: 'rate' | 'total' | 'seed' | 'page') =>
    `| ${what} | ${rows.map((r) => n(r[key], unit)).join(' | ')} | ${growth(rows, key, kind)} |`;
  const out = [
    '# Cost as the work grows',
    '',
    `\`node --expose-gc out/bench/scale.js\` (bench/scale.ts), ${head.date}: one run per size, each in its own Node process; ` +
      `${head.cpus} × ${head.cpu_model}, Node ${head.node}, load average (1 / 5 / 15 min) ${head.load_start} at the start and ${head.load_end} at the end. ` +
      'The machine is shared: wall-clock figures move with its load.',
    '',
    `| what | ${sizes.join(' | ')} | growth per step (1.00 = linear) |`,
    `|---|${rows.map(() => '---:|').join('')}---|`,
    line('watch, events/s (wall)', 'watch_events_per_s', '', 'rate'),
    line('watch, events per CPU-second', 'watch_events_per_cpu_s', '', 'rate'),
    line('floor: decode + split + JSON.parse, events/s', 'floor_events_per_s', '', 'rate'),
    `| watch ÷ floor | ${rows.map((r) => (r.watch_vs_floor === undefined ? '–' : r.watch_vs_floor.toFixed(2))).join(' | ')} | |`,
    line('heap held, MB (after GC)', 'heap_mb', '', 'total'),
    line('RSS growth, MB', 'rss_mb', '', 'total'),
    line('tree first rows (EventTreeModel), ms', 'tree_first_rows_ms', '', 'total'),
    line('history write, rows/s', 'history_write_rows_per_s', '', 'rate'),
    line('history query `since:7d reason:BackOff` (5,000 rows), ms', 'history_query_ms', '', 'page'),
    line('history seed of the newest ≤ 50,000 into a store, ms', 'history_seed_ms', '', 'seed'),
    line('timeline first paint, ms', 'timeline_first_paint_ms', '', 'total'),
    line('timeline filter `type:Warning`, ms', 'timeline_filter_ms', '', 'total'),
    '',
    'Growth per step: the cost per unit of work at the larger size over that at the smaller (1.00: linear, above 1: faster than linear). ' +
      'Rates are per event already; totals are divided by the events; the seed by the events it seeded (at most 50,000); ' +
      'the query reads one page of at most 5,000 rows and is compared as is. The heap and RSS hold every event (a store of capacity N).',
  ];
  if (ext) {
    out.push(
      '',
      `## The whole extension, ${n(ext.events)} events on the real control plane`,
      '',
      'A control plane started by the bench (etcd + kube-apiserver), the events written through the API into 20 namespaces; then a cold ' +
        'code-server with the extension, its Events view opened (bench/exthost/scaleSuite.ts). The store keeps its default 50,000.',
      '',
      '| what | value |',
      '|---|---:|',
      `| activate(), ms | ${n(ext.activate_ms)} |`,
      `| first rows on screen, ms from activation | ${n(ext.first_rows_ms)} |`,
      `| live (list in, watch open, store full), ms from activation | ${n(ext.live_ms)} |`,
      `| extension host RSS at live, MB | ${n(ext.rss_mb_live)} (before activation ${n(ext.rss_mb_before)}) |`,
      `| extension host RSS 20 s after live, MB | ${n(ext.rss_mb_live_20s)} |`,
      `| RSS / heap growth after a full GC, MB | ${n(ext.rss_growth_mb_gc)} / ${n(ext.heap_growth_mb_gc)} |`,
      `| events in the store / tree | ${n(ext.store_size)} / ${n(ext.tree_rows)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Every size, then the extension: what `npm run bench` calls when BENCH_SCALE is set. */
export async function benchScale(): Promise<Record<string, number>> {
  const sizes = (process.env.BENCH_SCALE ?? '10000,100000,1000000').split(',').map(Number).filter((x) => x > 0);
  const cpus = os.cpus();
  const head: Record<string, string | number> = { date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpu_model: cpus[0]?.model.trim() ?? 'unknown', load_start: loadAverages() };
  const rows: SizeFigures[] = [];
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  let ext: Record<string, number> | undefined;
  // Written after each part, so that a run stopped early leaves what it measured.
  const write = (): void => {
    head.load_end = loadAverages();
    fs.writeFileSync(path.join(dir, 'scale.json'), `${JSON.stringify({ ...head, sizes: rows, extension: ext }, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, 'scale.md'), markdown(rows, ext, head));
  };
  for (const n of sizes) {
    log(`scale: ${n} events (load ${loadAverages()})`);
    rows.push(await runSize(n));
    write();
  }
  if (!SKIP.has('scale-exthost')) {
    const events = Number(process.env.BENCH_SCALE_CLUSTER_EVENTS ?? 100_000);
    log(`scale: the extension in code-server with ${events} events on the control plane (load ${loadAverages()})`);
    ext = { events, ...(await benchExtensionAt(events)) };
  }
  write();
  log(`scale: wrote bench/results/scale.md and scale.json`);
  const flat: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== 'events' && typeof v === 'number') flat[`scale_${r.events}_${k}`] = v;
  for (const [k, v] of Object.entries(ext ?? {})) flat[`scale_exthost_${k}`] = v;
  return flat;
}

// Bundled into out/bench/run.js too (which calls benchScale): only out/bench/scale.js runs on its own.
if (require.main === module && path.basename(__filename) === 'scale.js') {
  const at = process.argv.indexOf('--size');
  const run = at > 0 ? oneSize(Number(process.argv[at + 1])).then((f) => console.log(JSON.stringify(f))) : benchScale().then(() => undefined);
  run.then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
