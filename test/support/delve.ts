// Delve and the demo controller built for it (test/cluster/build.sh: DLV, DEMO_CONTROLLER_DEBUG), and the
// launch configuration of the test-only debug type `kube-events-delve` (test/fixtures/delve-debug-type).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../cluster/binaries';

export const DELVE_DEBUG_TYPE = 'kube-events-delve';

export interface DelveBinaries {
  readonly dlv: string;
  /** The demo controller built with -gcflags=all=-N -l and this checkout's file paths. */
  readonly demoController: string;
  /** Its main.go, where breakpoints go. */
  readonly demoSource: string;
}

/**
 * Runs build.sh (a check of the cache when warm) and reads the two paths it prints. Asynchronously: in the extension
 * host a cold build (minutes) must not block the host's event loop.
 */
export async function delveBinaries(): Promise<DelveBinaries> {
  const root = repoRoot();
  const { stdout: out } = await promisify(execFile)('bash', [path.join(root, 'test', 'cluster', 'build.sh')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const vars = new Map(out.split('\n').flatMap((l) => {
    const m = /^([A-Z_]+)=(.+)$/.exec(l.trim());
    return m ? [[m[1], m[2]] as const] : [];
  }));
  const usable = (key: string): string => {
    const bin = vars.get(key);
    if (!bin || !fs.existsSync(bin)) throw new Error(`test/cluster/build.sh printed no usable ${key} path`);
    return bin;
  };
  return { dlv: usable('DLV'), demoController: usable('DEMO_CONTROLLER_DEBUG'), demoSource: path.join(root, 'test', 'cluster', 'go', 'demo-controller', 'main.go') };
}

/** The 0-based line of main.go that contains `needle` (a breakpoint's place, found by text so edits don't move it). */
export function lineOf(source: string, needle: string): number {
  const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${source} has no line with ${JSON.stringify(needle)}`);
  return line;
}

/** A launch configuration that runs the debug build of the demo controller under `dlv dap`. */
export function demoLaunch(bins: DelveBinaries, name: string, kubeconfig: string, kubeEvents?: unknown): Record<string, unknown> & { type: string; name: string; request: string } {
  return {
    type: DELVE_DEBUG_TYPE,
    request: 'launch',
    name,
    mode: 'exec',
    program: bins.demoController,
    dlvPath: bins.dlv,
    args: [`--kubeconfig=${kubeconfig}`, '--health-address=127.0.0.1:0'],
    ...(kubeEvents === undefined ? {} : { kubeEvents }),
  };
}

/** Pids of running processes whose executable is `exe` (the debuggee, judged from outside the debugger). */
export function pidsOf(exe: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/exe`) === exe) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The kernel's view of a process's threads: true when every one is stopped by the tracer (state `t`). */
export function allThreadsTraceStopped(pid: number): boolean {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  return tasks.length > 0 && tasks.every((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces or parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] === 't';
  });
}
