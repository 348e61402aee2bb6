// The state a control plane leaves in its dir (<dir>/state.json) so another process can attach to it or stop it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProducerName } from './producers';

export const STATE_FILE = 'state.json';

export interface ProcessState {
  bin: string;
  args: string[];
  log: string;
  pid: number | null;
}

/** A producer process and the URL that answers 200 once it works. */
export interface ProducerState extends ProcessState {
  name: ProducerName;
  health: string;
}

/** Shape of <dir>/state.json; tokens stay in tokens.csv (mode 600), never here. */
export interface StateFile {
  version: 1;
  dir: string;
  tempDir: boolean;
  /** Process that will kill the pair when it exits; null for `cluster:up` clusters. */
  ownerPid: number | null;
  watchdogPid: number | null;
  server: string;
  caFile: string;
  kubeconfigPath: string;
  tokensFile: string;
  restrictedNamespace: string;
  etcdEndpoint: string;
  ports: { etcdClient: number; etcdPeer: number; apiserver: number };
  etcdctl: string;
  etcd: ProcessState;
  apiserver: ProcessState;
  /** Absent in state files written before producers existed. */
  producers?: ProducerState[];
}

export function writeState(state: StateFile): void {
  if (!fs.existsSync(state.dir)) return;
  // Write-then-rename: other processes (attach, watchdog, cluster:down) may read it at any moment.
  const file = path.join(state.dir, STATE_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function readState(dir: string): StateFile {
  const file = path.join(dir, STATE_FILE);
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
  if (state.version !== 1) throw new Error(`${file}: unsupported state version ${String(state.version)}`);
  return state;
}
