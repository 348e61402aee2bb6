// Runs the extension-host suite (test/vscode/suite) in code-server + headless Chromium.
//
//   node out/test/vscode/runExtensionHost.js [--timeout <seconds>]
//
// code-server rejects --extensionDevelopmentPath/--extensionTestsPath, but its workbench accepts the same
// two values in the URL `payload` (the route @vscode/test-web uses): it loads the repo as a development
// extension, awaits the suite's run() in the remote (Node) extension host, and reports through
// window.codeAutomationLog / window.codeAutomationExit, which this runner exposes to the page.
// Needs `node esbuild.mjs && node esbuild.mjs --tests` first.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { findRepoRoot, launchBrowser, startCodeServer, type CodeServer } from '../support/codeServer';
import { CAPTURE_FRESH_ENV, CAPTURE_FRESH_GREP, CAPTURE_HANDOFF_ENV } from './suite/captureHandoff';

export interface ExtensionHostRunOptions {
  /** Added to the extension host's environment, e.g. { KUBECONFIG: '/path/to/test/kubeconfig' }. */
  env?: Record<string, string>;
  /** Extra user settings for the workbench. */
  settings?: Record<string, unknown>;
  /** Whole run, code-server start included (default 180). */
  timeoutS?: number;
  /** Unpacked extensions to install next to the one under test (e.g. test/fixtures/kubernetes-extension-standin). */
  extensionFolders?: string[];
  /** Print the closing `N passed, N failed` line (default true); a caller that runs several adds them up itself. */
  summary?: boolean;
}

export interface ExtensionHostResult {
  passed: number;
  failed: number;
  /** The suite's exit code; 1 on timeout, 2 when the harness itself failed (then `failed` is at least 1). */
  exitCode: number;
}

const SUMMARY = /^(\d+) passed, (\d+) failed\b/;
/** Workbench messages that say nothing about the extension: there is no extension gallery offline. */
const HARMLESS = [/ENOTFOUND open-vsx\.org/];

/**
 * Prints the suite's output and ends with the plain line `N passed, N failed`. Never rejects: a harness
 * failure (not built, code-server or Chromium not starting) is printed and returned as a failure.
 */
export async function runExtensionHostTests(opts: ExtensionHostRunOptions = {}): Promise<ExtensionHostResult> {
  const started = Date.now();
  const timeoutS = opts.timeoutS ?? 180;
  let counts: { passed: number; failed: number } | undefined;
  let exitCode: number;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    const root = findRepoRoot();
    const suiteIndex = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');
    for (const [file, build] of [
      [join(root, 'dist', 'extension.js'), 'node esbuild.mjs'],
      [suiteIndex, 'node esbuild.mjs --tests'],
    ]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`${build}\` first`);
    }

    server = await startCodeServer({ env: opts.env, settings: opts.settings, extensionFolders: opts.extensionFolders });
    browser = await launchBrowser(server.runDir);
    const page = await browser.newPage();

    let resolveExit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = formatAutomationLog(message);
      if (HARMLESS.some((re) => re.test(text))) return;
      for (const line of text.split('\n')) {
        const summary = SUMMARY.exec(line.trim());
        // Held back and printed last, so the closing line is the runner's and appears once.
        if (summary) counts = { passed: Number(summary[1]), failed: Number(summary[2]) };
        else if (level === 'error' || level === 'warn') console.error(line);
        else console.log(line);
      }
    });
    const automationLogs = join(server.runDir, 'automation-logs');
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: Array<{ relativePath: string; contents: string }>) => {
      // The workbench hands over its log files on exit: keep them next to code-server's for a failed run.
      for (const log of logs ?? []) {
        const file = join(automationLogs, log.relativePath);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, log.contents);
      }
      resolveExit(code);
    });

    // Paths are used as they are inside vscode-remote:// URIs: the server and the tests share this machine.
    const remote = (path: string) => `vscode-remote://${server?.authority}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(suiteIndex.replace(/\.js$/, ''))],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }));

    const remainingMs = timeoutS * 1000 - (Date.now() - started);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remainingMs)));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      console.error(`# extension-host tests timed out after ${timeoutS}s`);
      exitCode = 1;
    } else {
      exitCode = outcome;
    }
  } catch (err) {
    console.error(`# extension-host harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    exitCode = 2;
  }

  await browser?.close().catch(() => undefined);
  if (exitCode === 0 && counts === undefined) {
    console.error('# the suite exited 0 without its "N passed, N failed" line');
    exitCode = 1;
  }
  const passed = counts?.passed ?? 0;
  // A run that failed without reporting a failing test (load error, timeout, harness) still counts as one.
  const failed = exitCode !== 0 && !counts?.failed ? 1 : (counts?.failed ?? 0);
  if (exitCode === 0 && failed > 0) exitCode = 1;
  await server?.stop({ removeRunDir: exitCode === 0 });
  if (server && exitCode !== 0) console.error(`# code-server run dir kept for its logs: ${server.runDir}`);
  console.error(`# extension-host run took ${((Date.now() - started) / 1000).toFixed(1)}s, exit code ${exitCode}`);
  if (opts.summary !== false) console.log(`${passed} passed, ${failed} failed`);
  return { passed, failed, exitCode };
}

/** Log calls arrive as their argument list (`['  %d passing (%s)', 3, '65ms']`), like console's. */
function formatAutomationLog(message: unknown): string {
  return Array.isArray(message) ? format(...(message as unknown[])) : format(message);
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--timeout');
  const timeoutS = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.KUBE_EVENTS_VSCODE_TIMEOUT_S ?? 180));
  // The suite exercises the bridge to the VS Code Kubernetes extension through a stand-in with its API, and
  // debugs the demo controller under Delve through a test-only debug type.
  const fixtures = join(findRepoRoot(), 'test', 'fixtures');
  // A test that saves a capture leaves its file and what the live window showed here (test/vscode/suite/capture.test.ts).
  const handoff = join(mkdtempSync(join(tmpdir(), 'kube-events-capture-')), 'handoff.json');
  const cache = { KUBE_EVENTS_CACHE: process.env.KUBE_EVENTS_CACHE ?? join(homedir(), '.cache', 'kube-events') };
  const result = await runExtensionHostTests({
    timeoutS,
    extensionFolders: [join(fixtures, 'kubernetes-extension-standin'), join(fixtures, 'delve-debug-type')],
    // code-server's HOME is isolated: build.sh must still find the binaries it cached (Delve among them).
    env: { ...cache, [CAPTURE_HANDOFF_ENV]: handoff },
    summary: false,
  });
  let { passed, failed } = result;
  if (existsSync(handoff)) {
    // The capture is opened in a fresh window with no cluster at all: another code-server (its own profile, so no
    // history or owner memory) whose kubeconfig has no cluster, running only the tests that open it.
    const empty = join(dirname(handoff), 'kubeconfig-without-clusters');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    console.log(`# a fresh window with no cluster opens the capture (${CAPTURE_FRESH_GREP})`);
    const fresh = await runExtensionHostTests({
      timeoutS,
      env: { ...cache, [CAPTURE_HANDOFF_ENV]: handoff, KUBECONFIG: empty, KUBE_EVENTS_VSCODE_GREP: CAPTURE_FRESH_GREP, [CAPTURE_FRESH_ENV]: '1' },
      summary: false,
    });
    passed += fresh.passed;
    failed += fresh.failed;
    if (fresh.exitCode !== 0 && fresh.failed === 0) failed++;
  }
  rmSync(dirname(handoff), { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = result.exitCode === 0 && failed === 0 ? 0 : 1;
}

// Not `require.main === module`: bundled into the orchestrator (out/test/run.js), `module` is the
// orchestrator's own and the check would start a run on import.
if (/[\\/]runExtensionHost\.js$/.test(process.argv[1] ?? '')) void main();
