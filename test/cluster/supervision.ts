// Supervision of the control plane's processes: detached process groups, a watchdog that outlives a crashed
// owner, readiness waits, termination, and the small HTTP and timing helpers they share.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { ProcessState, StateFile } from './stateFile';

export const READY_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 10_000;
export const noop = (): void => {};

export function spawnDetached(p: ProcessState): number {
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
export function spawnWatchdog(dir: string): number {
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

export function killGroup(pid: number, sig: NodeJS.Signals): void {
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
export function liveProcess(p: ProcessState): boolean {
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

export async function terminate(p: ProcessState): Promise<void> {
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

export async function waitForEtcd(state: StateFile, started: number): Promise<void> {
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

export async function waitForApiserver(state: StateFile, adminToken: string, started: number): Promise<void> {
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

export function startupError(message: string, p: ProcessState): Error {
  let tail: string;
  try {
    tail = fs.readFileSync(p.log, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    tail = '(no log)';
  }
  return new Error(`${message}\n--- last lines of ${p.log} ---\n${tail}`);
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

export function request(o: RequestOptions): Promise<{ status: number; body: string }> {
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

export function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export function sleep(msec: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msec));
}

export function ms(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
