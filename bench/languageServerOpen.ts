// `node out/bench/languageServerOpen.js`: the language server process alone (dist/server.js over IPC), time
// from opening a 5,000-line manifest to its first diagnostic, its object's state already known. Reported only.
import { fork } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
} from 'vscode-languageserver-protocol/node';
import { ClusterNotification, ObjectsNotification } from '../src/protocol/languageServer';

async function main(): Promise<void> {
  const child = fork(path.resolve(__dirname, '..', '..', 'dist', 'server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [] });
  const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const published = new Map<string, (n: number) => void>();
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.diagnostics.length > 0) published.get(p.uri)?.(p.diagnostics.length);
  });
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  await conn.sendNotification(InitializedNotification.type, {});
  await conn.sendNotification(ClusterNotification, { context: 'bench', defaultNamespace: 'bench', windowMs: 3_600_000, live: true });
  await conn.sendNotification(ObjectsNotification, {
    objects: [{ object: { kind: 'ConfigMap', namespace: 'bench', name: 'last', apiVersion: 'v1' }, exists: 'yes', total: 1, warnings: 1, events: [{ uid: 'u', type: 'Warning', reason: 'Probe', message: 'm', count: 1, lastSeen: Date.now(), kind: 'ConfigMap', namespace: 'bench', name: 'last', fieldPath: '', source: 's' }] }],
  });
  for (let run = 0; run < 3; run++) {
    const docs: string[] = [];
    for (let i = 0; docs.length * 10 < 5_000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler-${run}-${i}\n  namespace: bench\ndata:\n  a: "1"\n  b: "2"\n  c: "3"\n---`);
    docs.push('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n');
    const text = docs.join('\n');
    const uri = `untitled:big-${run}.yaml`;
    const t0 = performance.now();
    const done = new Promise<number>((resolve) => published.set(uri, resolve));
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    await done;
    console.log(`open ${text.split('\n').length} lines → first diagnostic: ${(performance.now() - t0).toFixed(0)} ms (run ${run + 1})`);
  }
  conn.dispose();
  child.kill();
}

void main();
