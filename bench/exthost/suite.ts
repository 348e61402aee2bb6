/**
 * Runs inside code-server's extension host (loaded as the extension-tests module by bench/exthost/runner.ts).
 * Measures, with the real control plane's 10,000 events behind KUBECONFIG:
 *   activate_ms:            `activate()` of the extension, bundle load included (it is not active before).
 *   activate_cpu_ms:        the CPU time the extension host's process spent in those milliseconds: on a loaded
 *                           machine the wall clock counts the other processes' turns too.
 *   first_connect_ms:       the Events view shown after activation (the first reason to connect) → the first list's
 *                           events in the store: loading @kubernetes/client-node (dist/kube.js), reading the
 *                           kubeconfig, credentials, the watch plan and the first page of the list.
 *   first_rows_host_ms:     activation start → the Events tree's provider has rows (the runner also times the
 *                           rows appearing in the workbench's DOM, which is what first_rows_10k_ms reports).
 *   host_rss_mb_50k:        the extension host's RSS growth from before activation to 50,000 events held.
 * Prints one `BENCH {json}` line, then the closing `N passed, N failed` line.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { KubeEventsApi } from '../../src/compose/api';
import { EXTENSION_ID } from '../../src/constants';
import { until } from './until';
import { normalizeEvent } from '../../src/core/events/kubeEvent';
import { eventJson } from '../events';

const CLUSTER_EVENTS = Number(process.env.KUBE_EVENTS_BENCH_CLUSTER_EVENTS ?? 10_000);
const HOLD = Number(process.env.KUBE_EVENTS_BENCH_HOLD ?? 50_000);
/**
 * When set (BENCH_PROFILE=1 in the runner): where to write a CPU profile of activation → first tree rows; one of
 * `activate()` alone goes beside it (`-activate.cpuprofile`).
 */
const PROFILE = process.env.KUBE_EVENTS_BENCH_PROFILE;

function post(session: inspector.Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
}

/** A full GC, so heap figures count what is held, not garbage (the extension host has no --expose-gc). */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Where the memory is, in MB: V8 heap in use, off-heap buffers, and the V8 code space. */
function memory(): { rss: number; heap: number; external: number; code: number; heapTotal: number; peak: number; anon: number } {
  const m = process.memoryUsage();
  const code = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_used_size ?? 0;
  return { rss: m.rss / 1e6, heap: m.heapUsed / 1e6, external: m.external / 1e6, code: code / 1e6, heapTotal: m.heapTotal / 1e6, ...procStatus() };
}

/** The process's peak RSS (VmHWM) and its anonymous RSS (RssAnon) in MB, from Linux's /proc/self/status. */
function procStatus(): { peak: number; anon: number } {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return { peak: NaN, anon: NaN };
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024 / 1e6;
  return { peak: kb('VmHWM'), anon: kb('RssAnon') };
}

export async function run(): Promise<void> {
  try {
    const ext = vscode.extensions.getExtension<KubeEventsApi>(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
    if (ext.isActive) throw new Error('the extension was already active: activate_ms would measure nothing');
    const profiler = PROFILE ? new inspector.Session() : undefined;
    if (profiler) {
      profiler.connect();
      await post(profiler, 'Profiler.enable');
      await post(profiler, 'Profiler.start');
    }
    collect();
    const mem0 = memory();
    const wall0 = Date.now();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // The benchmark reads the pipeline through the test-only handle (present outside production mode).
    const api = (await ext.activate()).testing;
    if (!api) throw new Error('the extension runs in production mode: no test handle');
    const activateMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (profiler && PROFILE) {
      const { profile } = (await post(profiler, 'Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(PROFILE.replace(/\.cpuprofile$/, '-activate.cpuprofile'), JSON.stringify(profile));
      await post(profiler, 'Profiler.start');
    }
    const t1 = performance.now();
    await vscode.commands.executeCommand('kubeEvents.events.focus');
    await until('the first events in the store', () => api.session.store.size > 0, 60_000);
    const firstConnectMs = performance.now() - t1;
    await until('tree rows', () => api.tree.snapshot().length > 0, 60_000);
    const firstRowsHostMs = performance.now() - t0;
    if (profiler && PROFILE) {
      const { profile } = (await post(profiler, 'Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(PROFILE, JSON.stringify(profile));
      profiler.disconnect();
    }
    await until(`${CLUSTER_EVENTS} cluster events in the store`, () => api.session.store.size >= CLUSTER_EVENTS, 120_000);
    const allLoadedMs = performance.now() - t0;
    // Fill the store up to HOLD with events as the watch would deliver them, through every view.
    for (let i = api.session.store.size; i < HOLD; i++) {
      const event = normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1');
      if (event) await api.session.broadcaster.action({ type: 'ADDED', event });
    }
    await until(`${HOLD} events in the store`, () => api.session.store.size >= HOLD, 120_000);
    // The history writes behind the store (a part of 5,000 at a time, in its worker): wait until it has written them
    // all, or the figure is of a write in flight (the changes posted, the worker's copies), not of 50,000 events held.
    const historyStart = performance.now();
    await api.history.flush();
    const historyFlushMs = performance.now() - historyStart;
    // Let the views' batched work (tree refresh, log flush) settle before reading the RSS.
    await new Promise((r) => setTimeout(r, 2000));
    collect();
    const mem = memory();
    // BENCH_PROFILE: a V8 heap snapshot with the 50,000 events held, beside the CPU profile.
    if (PROFILE) v8.writeHeapSnapshot(PROFILE.replace(/\.cpuprofile$/, '-50k.heapsnapshot'));
    const report = {
      wall0,
      activate_ms: +activateMs.toFixed(1),
      activate_cpu_ms: +((cpu.user + cpu.system) / 1000).toFixed(1),
      first_connect_ms: Math.round(firstConnectMs),
      first_rows_host_ms: Math.round(firstRowsHostMs),
      all_rows_10k_ms: Math.round(allLoadedMs),
      host_rss_mb_50k: Math.round(mem.rss - mem0.rss),
      // Where the RSS growth is: the V8 heap after a full GC, off-heap buffers, compiled code.
      host_heap_mb_50k: Math.round(mem.heap - mem0.heap),
      host_external_mb_50k: Math.round(mem.external - mem0.external),
      host_code_mb_50k: +(mem.code - mem0.code).toFixed(1),
      // The V8 heap's committed pages, the RSS's peak and its anonymous part (the rest is mapped files).
      host_heap_total_mb_50k: Math.round(mem.heapTotal - mem0.heapTotal),
      host_rss_peak_mb_50k: Math.round(mem.peak - mem0.rss),
      host_rss_anon_mb_50k: Math.round(mem.anon - mem0.anon),
      store_size: api.session.store.size,
      history_flush_ms: Math.round(historyFlushMs),
    };
    console.log(`BENCH ${JSON.stringify(report)}`);
    console.log('1 passed, 0 failed');
  } catch (err) {
    console.error(`BENCH failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    console.log('0 passed, 1 failed');
    throw err;
  }
}
