/**
 * The extension host as a user feels it: code-server + headless Chromium as test/vscode/runExtensionHost.ts
 * runs them, with bench/exthost/suite.ts as the extension-tests module and KUBECONFIG pointing at the real
 * control plane (10,000 events). One fresh code-server per run, so every activation is a cold one.
 *   first_rows_10k_ms: activation start → the Events view shows its first rows in the workbench's DOM
 *   (watched every frame in the page; both clocks are this machine's wall clock).
 * BENCH_EXTHOST_BASELINE=<folder of another build of the extension> (e.g. a checkout of an earlier commit, built
 * with `node esbuild.mjs`): each run also measures that build in the same minutes (before ours in odd runs, after in even ones) against the
 * same cluster, with this suite; its figures are reported as `baseline_…`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { format } from 'node:util';
import { launchBrowser, startCodeServer } from '../../test/support/codeServer';
import { log, spread, topSelf, type CpuProfile, type Spread } from '../stats';

interface SuiteReport {
  wall0: number;
  activate_ms: number;
  activate_cpu_ms: number;
  first_connect_ms: number;
  first_rows_host_ms: number;
  all_rows_10k_ms: number;
  host_rss_mb_50k: number;
  host_heap_mb_50k: number;
  host_external_mb_50k: number;
  host_code_mb_50k: number;
  host_heap_total_mb_50k: number;
  host_rss_peak_mb_50k: number;
  host_rss_anon_mb_50k: number;
  store_size: number;
  history_flush_ms: number;
}

/** In the workbench page from the start: the wall-clock time the Events view first shows a row. */
export const WATCH_ROWS = `
(() => {
  const look = () => {
    const header = document.querySelector('.pane-header[aria-label="Events Section"]');
    const rows = header?.closest('.pane')?.querySelectorAll('.monaco-list-row') ?? [];
    if (rows.length > 0) { window.__firstRowsAt = Date.now(); return; }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
`;

async function oneRun(root: string, extension: string, kubeconfig: string, timeoutMs: number, profile?: string): Promise<SuiteReport & { first_rows_10k_ms: number }> {
  const env: Record<string, string> = { KUBECONFIG: kubeconfig };
  if (profile) env.KUBE_EVENTS_BENCH_PROFILE = profile;
  const server = await startCodeServer({ env });
  const browser = await launchBrowser(server.runDir);
  let ok = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let report: SuiteReport | undefined;
    const lines: string[] = [];
    let resolveExit: (code: number) => void = () => {};
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : format(message);
      lines.push(text);
      const m = /^BENCH (\{.*\})$/.exec(text.trim());
      if (m) report = JSON.parse(m[1]) as SuiteReport;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    await page.addInitScript(WATCH_ROWS);
    const remote = (p: string) => `vscode-remote://${server.authority}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extension)],
      ['extensionTestsPath', remote(join(root, 'out', 'bench', 'exthost', 'suite'))],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), timeoutMs)))]);
    clearTimeout(timer);
    if (code !== 0 || !report) {
      throw new Error(`the extension-host bench ${code === -1 ? 'timed out' : `exited ${code}`}:\n${lines.slice(-20).join('\n')}`);
    }
    const firstRowsAt = await page.evaluate(() => (globalThis as unknown as { __firstRowsAt?: number }).__firstRowsAt);
    if (firstRowsAt === undefined) throw new Error('the Events view never showed a row');
    ok = true;
    return { ...report, first_rows_10k_ms: firstRowsAt - report.wall0 };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop({ removeRunDir: ok });
    if (!ok) log(`code-server run dir kept for its logs: ${server.runDir}`);
  }
}

type RunReport = SuiteReport & { first_rows_10k_ms: number };

function figures(r: RunReport[], prefix = ''): Record<string, Spread> {
  return {
    [`${prefix}activate_ms`]: spread(r.map((x) => x.activate_ms), 1),
    [`${prefix}activate_cpu_ms`]: spread(r.map((x) => x.activate_cpu_ms), 1),
    [`${prefix}first_connect_ms`]: spread(r.map((x) => x.first_connect_ms)),
    [`${prefix}first_rows_10k_ms`]: spread(r.map((x) => x.first_rows_10k_ms)),
    [`${prefix}first_rows_host_10k_ms`]: spread(r.map((x) => x.first_rows_host_ms)),
    [`${prefix}all_rows_10k_ms`]: spread(r.map((x) => x.all_rows_10k_ms)),
    [`${prefix}host_rss_mb_50k`]: spread(r.map((x) => x.host_rss_mb_50k)),
    [`${prefix}host_heap_mb_50k`]: spread(r.map((x) => x.host_heap_mb_50k)),
  };
}

function describeRun(label: string, one: RunReport): string {
  return (
    `${label}: activate ${one.activate_ms} ms (CPU ${one.activate_cpu_ms} ms), first connect ${one.first_connect_ms} ms, first rows ${one.first_rows_10k_ms} ms on screen ` +
    `(${one.first_rows_host_ms} ms in the tree model, all 10k ${one.all_rows_10k_ms} ms), RSS +${one.host_rss_mb_50k} MB with ${one.store_size} events ` +
    `(history written ${one.history_flush_ms} ms after the store had them) ` +
    `(heap +${one.host_heap_mb_50k} MB after GC of +${one.host_heap_total_mb_50k} MB committed, external +${one.host_external_mb_50k} MB, code +${one.host_code_mb_50k} MB; ` +
    `anonymous RSS +${one.host_rss_anon_mb_50k} MB, peak RSS +${one.host_rss_peak_mb_50k} MB), load ${loadavg()[0].toFixed(2)}`
  );
}

export async function benchExtensionHost(root: string, kubeconfig: string, runs: number): Promise<Record<string, Spread>> {
  const suite = join(root, 'out', 'bench', 'exthost', 'suite.js');
  if (!existsSync(join(root, 'dist', 'extension.js')) || !existsSync(suite)) throw new Error('run `node esbuild.mjs && node esbuild.mjs --tests` first');
  const baseline = process.env.BENCH_EXTHOST_BASELINE;
  if (baseline && !existsSync(join(baseline, 'dist', 'extension.js'))) throw new Error(`BENCH_EXTHOST_BASELINE: no dist/extension.js in ${baseline}`);
  const r: RunReport[] = [];
  const b: RunReport[] = [];
  const runBaseline = async (i: number): Promise<void> => {
    if (!baseline) return;
    const one = await oneRun(root, baseline, kubeconfig, 240_000);
    b.push(one);
    log(describeRun(`extension host run ${i + 1}, baseline ${baseline}`, one));
  };
  for (let i = 0; i < runs; i++) {
    // The baseline goes first in even runs and last in odd ones: a run right after another is slower (the one
    // before is still shutting down), which put every baseline run ahead when it always went first.
    if (i % 2 === 0) await runBaseline(i);
    // BENCH_PROFILE=1: the first run's extension host writes CPU profiles of activate() and of activation → first rows.
    const profile = process.env.BENCH_PROFILE === '1' && i === 0 ? join(root, 'test-results', 'bench-exthost-activation.cpuprofile') : undefined;
    if (profile) mkdirSync(dirname(profile), { recursive: true });
    const one = await oneRun(root, root, kubeconfig, 240_000, profile);
    if (profile) {
      const activateProfile = profile.replace(/\.cpuprofile$/, '-activate.cpuprofile');
      log(`extension host: CPU profile of activate() in ${activateProfile}; top self time: ${topSelf(JSON.parse(readFileSync(activateProfile, 'utf8')) as CpuProfile)}`);
      log(`extension host: CPU profile of activation → first rows in ${profile}; top self time: ${topSelf(JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile)}`);
    }
    r.push(one);
    log(describeRun(`extension host run ${i + 1}`, one));
    if (i % 2 === 1) await runBaseline(i);
  }
  return { ...figures(r), ...(baseline ? figures(b, 'baseline_') : {}) };
}
