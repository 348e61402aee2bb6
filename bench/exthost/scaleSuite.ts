/**
 * Runs inside code-server's extension host (loaded as the extension-tests module by bench/scale.ts) against a
 * control plane holding many events (100,000 in bench/scale.ts): the whole extension as a user opens it.
 *   first_rows_host_ms: activation start → the Events tree's provider has rows.
 *   live_ms:            activation start → the stream is live (its list is in, the watch open) and the store holds
 *                       what it keeps of the cluster's events (its capacity, 50,000 by default).
 *   rss_mb_live, rss_mb_live_20s: the extension host's RSS at live and 20 s later (what a user's system monitor
 *                       shows), and its growth from before activation (after a full GC at both ends).
 * Prints one `BENCH {json}` line, then the closing `N passed, N failed` line.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { KubeEventsApi } from '../../src/compose/api';
import { EXTENSION_ID } from '../../src/constants';
import { until } from './until';

const CLUSTER_EVENTS = Number(process.env.KUBE_EVENTS_BENCH_CLUSTER_EVENTS ?? 100_000);
/** How long after live the RSS is read again: the 20 s. */
const SETTLE_MS = 20_000;

function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function mb(n: number): number {
  return Math.round(n / 1e6);
}

export async function run(): Promise<void> {
  try {
    const ext = vscode.extensions.getExtension<KubeEventsApi>(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
    if (ext.isActive) throw new Error('the extension was already active');
    collect();
    const before = process.memoryUsage();
    const wall0 = Date.now();
    const t0 = performance.now();
    const api = (await ext.activate()).testing;
    if (!api) throw new Error('the extension runs in production mode: no test handle');
    const activateMs = performance.now() - t0;
    await vscode.commands.executeCommand('kubeEvents.events.focus');
    await until('tree rows', () => api.tree.snapshot().length > 0, 120_000);
    const firstRowsHostMs = performance.now() - t0;
    const keeps = Math.min(CLUSTER_EVENTS, api.session.store.capacity);
    await until(`the stream live with ${keeps} events in the store`, () => api.session.state.phase === 'live' && api.session.store.size >= keeps, 300_000);
    const liveMs = performance.now() - t0;
    const atLive = process.memoryUsage();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settled = process.memoryUsage();
    collect();
    const afterGc = process.memoryUsage();
    const report = {
      wall0,
      activate_ms: +activateMs.toFixed(1),
      first_rows_host_ms: Math.round(firstRowsHostMs),
      live_ms: Math.round(liveMs),
      rss_mb_before: mb(before.rss),
      rss_mb_live: mb(atLive.rss),
      rss_mb_live_20s: mb(settled.rss),
      rss_growth_mb_gc: mb(afterGc.rss - before.rss),
      heap_growth_mb_gc: mb(afterGc.heapUsed - before.heapUsed),
      store_size: api.session.store.size,
      tree_rows: api.tree.model.size,
    };
    console.log(`BENCH ${JSON.stringify(report)}`);
    console.log('1 passed, 0 failed');
  } catch (err) {
    console.error(`BENCH failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    console.log('0 passed, 1 failed');
    throw err;
  }
}
