// Starts an isolated code-server (VS Code served to a browser) and Debian's Chromium for the extension-host
// suite (test/vscode) and the UI tests (test/e2e). Desktop VS Code cannot be downloaded on CI machines
// here, code-server installs from npm; see test/support/installCodeServer.sh.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export interface CodeServerOptions {
  /** Folder for everything this instance writes; a fresh temp folder when omitted. */
  runDir?: string;
  /** Merged over the harness defaults into the user settings.json. */
  settings?: Record<string, unknown>;
  /** Added to code-server's environment, which the extension host inherits (e.g. KUBECONFIG). */
  env?: Record<string, string>;
  /** A .vsix installed into the instance's extensions dir before the server starts. */
  vsix?: string;
  /** Unpacked extension folders copied into the extensions dir (code-server registers them at start). */
  extensionFolders?: string[];
  /** Extra code-server command-line arguments. */
  args?: string[];
  /** The code-server binary; defaults to $KUBE_EVENTS_CODE_SERVER, else installCodeServer.sh's answer. */
  bin?: string;
  /** How long to wait for /healthz (default 30 s). */
  startTimeoutS?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** 127.0.0.1:<port>, the authority of vscode-remote:// URIs. */
  readonly authority: string;
  readonly port: number;
  readonly pid: number;
  readonly runDir: string;
  /** The folder opened as the workspace. */
  readonly workspaceDir: string;
  /** code-server's own stdout and stderr. */
  readonly logFile: string;
  /** VS Code's log folder: <session>/exthost1/remoteexthost.log holds extension activation and errors. */
  readonly logsDir: string;
  /** The remote extension host's log so far (activations, activation errors, uncaught errors). */
  extensionHostLog(): string;
  /** The workbench URL with the workspace folder open, plus extra query parameters. */
  workbenchUrl(query?: Record<string, string>): string;
  /** Stops the whole process group; removes runDir only when asked (keep it to read logs after a failure). */
  stop(opts?: { removeRunDir?: boolean }): Promise<void>;
}

/** User settings that keep the workbench quiet and deterministic for tests. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  // The welcome page brings its own webview, which would confuse webview lookups and screenshots.
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
};

const CHROMIUM_ARGS = [
  // Root in a container: the setuid sandbox is unavailable.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // No network beyond the npm registry: background fetches only add noise and delays.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const live = new Set<ChildProcess>();

/** The repository root: the nearest folder above `from` whose package.json is this extension's. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kube-events') return dir;
    if (dirname(dir) === dir) throw new Error(`no kube-events package.json above ${from}`);
  }
}

/** The code-server binary: $KUBE_EVENTS_CODE_SERVER, or installs it (a fast no-op once installed). */
export function resolveCodeServerBin(): string {
  const fromEnv = process.env.KUBE_EVENTS_CODE_SERVER;
  if (fromEnv) return fromEnv;
  const script = join(findRepoRoot(), 'test', 'support', 'installCodeServer.sh');
  // The installer reports progress on stderr and the binary path as the last line of stdout.
  const out = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!existsSync(bin)) throw new Error(`installCodeServer.sh printed no usable binary path: ${JSON.stringify(out)}`);
  return bin;
}

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const bin = opts.bin ?? resolveCodeServerBin();
  if (!existsSync(bin)) throw new Error(`code-server binary not found: ${bin} (see test/support/installCodeServer.sh)`);
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'kube-events-cs-'));
  const dirs = {
    ws: join(runDir, 'ws'),
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    home: join(runDir, 'home'),
    tmp: join(runDir, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2),
  );

  const env = isolatedEnv(runDir, opts.env);
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  if (opts.vsix) await installExtension(bin, common, opts.vsix, env, join(runDir, 'install-extension.log'));
  for (const folder of opts.extensionFolders ?? []) {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    const relative = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
    cpSync(folder, join(dirs.extensions, relative), { recursive: true });
    // Once an install wrote extensions.json, the server loads only what it lists: list the copied folder too.
    const registry = join(dirs.extensions, 'extensions.json');
    if (existsSync(registry)) {
      const listed = JSON.parse(readFileSync(registry, 'utf8')) as unknown[];
      const path = join(dirs.extensions, relative);
      listed.push({ identifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version, location: { $mid: 1, path, scheme: 'file' }, relativeLocation: relative, metadata: { source: 'resource' } });
      writeFileSync(registry, JSON.stringify(listed));
    }
  }

  const logFile = join(runDir, 'code-server.log');
  const timeoutMs = (opts.startTimeoutS ?? 30) * 1000;
  // A port picked free can be taken before code-server binds it; try a fresh one a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = openSync(logFile, 'w');
    const child = spawn(
      bin,
      [
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        ...common,
        ...(opts.args ?? []),
        dirs.ws,
      ],
      // Own process group: stop() kills code-server together with its extension host and pty host.
      { env, stdio: ['ignore', log, log], detached: true },
    );
    closeSync(log);
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    track(child);
    const ready = await waitForHealthz(child, port, timeoutMs, () => spawnError !== undefined);
    if (spawnError) {
      // Nothing ran, so there are no logs worth keeping.
      if (!opts.runDir) rmSync(runDir, { recursive: true, force: true });
      throw new Error(`code-server failed to start: ${spawnError.message}`);
    }
    if (ready === 'ok') {
      return makeHandle({ child, port, runDir, workspaceDir: dirs.ws, logFile, logsDir: join(dirs.userData, 'logs') });
    }
    await killGroup(child);
    const tail = readFileSync(logFile, 'utf8').slice(-2000);
    if (ready === 'exited' && tail.includes('EADDRINUSE') && attempt < 3) continue;
    throw new Error(`code-server did not become healthy on port ${port} (${ready}); ${logFile}:\n${tail}`);
  }
}

/** Headless Debian Chromium driven by playwright-core (no Playwright browser download exists here). */
export async function launchBrowser(runDir: string): Promise<Browser> {
  const executablePath = process.env.KUBE_EVENTS_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (or set KUBE_EVENTS_CHROMIUM)`);
  }
  const dirs = { tmp: join(runDir, 'tmp'), config: join(runDir, 'chromium', 'config'), cache: join(runDir, 'chromium', 'cache') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    // Chromium's temp profile and its crashpad folder (~/.config/chromium/Crash Reports) stay in the run dir.
    env: { ...process.env, TMPDIR: dirs.tmp, XDG_CONFIG_HOME: dirs.config, XDG_CACHE_HOME: dirs.cache },
  });
}

function isolatedEnv(runDir: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Inside a VS Code terminal, VSCODE_IPC_HOOK_CLI makes code-server's CLI hand --install-extension and
    // folders to that outer VS Code instead of this instance; the other VSCODE_* vars leak its state too.
    if (!key.startsWith('VSCODE_')) env[key] = value;
  }
  return {
    ...env,
    // code-server writes ~/.config/code-server and ~/.local/share/code-server and puts its IPC sockets in
    // $TMPDIR. HOME is isolated too so the extension never falls back to the developer's ~/.kube/config.
    HOME: join(runDir, 'home'),
    XDG_CONFIG_HOME: join(runDir, 'home', '.config'),
    XDG_DATA_HOME: join(runDir, 'home', '.local', 'share'),
    XDG_CACHE_HOME: join(runDir, 'home', '.cache'),
    XDG_STATE_HOME: join(runDir, 'home', '.local', 'state'),
    TMPDIR: join(runDir, 'tmp'),
    ...extra,
  };
}

async function installExtension(
  bin: string,
  common: string[],
  vsix: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<void> {
  if (!existsSync(vsix)) throw new Error(`no .vsix at ${vsix}`);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(bin, [...common, '--install-extension', vsix], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const text = `${stdout}${stderr}`;
      writeFileSync(logFile, text);
      if (err) reject(new Error(`code-server --install-extension ${vsix} failed: ${err.message}\n${text}`));
      else resolve(text);
    });
  });
  // code-server exits 0 even for some failures; the success line is the reliable signal.
  if (!/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} did not report success:\n${output}`);
  }
}

function makeHandle(p: {
  child: ChildProcess;
  port: number;
  runDir: string;
  workspaceDir: string;
  logFile: string;
  logsDir: string;
}): CodeServer {
  const authority = `127.0.0.1:${p.port}`;
  const url = `http://${authority}`;
  return {
    url,
    authority,
    port: p.port,
    pid: p.child.pid ?? -1,
    runDir: p.runDir,
    workspaceDir: p.workspaceDir,
    logFile: p.logFile,
    logsDir: p.logsDir,
    extensionHostLog() {
      return findFiles(p.logsDir, 'remoteexthost.log')
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
    },
    workbenchUrl(query = {}) {
      const params = new URLSearchParams({ folder: p.workspaceDir, ...query });
      return `${url}/?${params.toString()}`;
    },
    async stop(opts = {}) {
      await killGroup(p.child);
      if (opts.removeRunDir) rmSync(p.runDir, { recursive: true, force: true });
    },
  };
}

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findFiles(path, name);
    return entry.name === name ? [path] : [];
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealthz(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  failed: () => boolean,
): Promise<'ok' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failed() || child.exitCode !== null || child.signalCode !== null) return 'exited';
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      // Answered while our child is alive; if another server held the port, ours would have exited.
      if (res.ok && child.exitCode === null) return 'ok';
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  return 'timeout';
}

/** SIGTERM to the group, SIGKILL to whatever is left after 5 s; resolves when the group is gone. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  live.delete(child);
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL');
      break;
    }
    await delay(50);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

let exitHooksInstalled = false;

/**
 * code-server runs in its own process group, so Ctrl-C or a killed test process would orphan it: stop
 * every live instance when this process ends.
 */
function track(child: ChildProcess): void {
  // Forgotten only in killGroup, not on 'exit': the group can outlive its leader (extension host, pty host).
  live.add(child);
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', () => {
    for (const c of live) if (c.pid !== undefined) signalGroup(c.pid, 'SIGKILL');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      for (const c of live) if (c.pid !== undefined) signalGroup(c.pid, 'SIGKILL');
      process.exit(code);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
