// Starts the real language server (dist/server.js, as built by `node esbuild.mjs`) and speaks LSP to it over IPC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRequest,
  CompletionRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  type ProtocolConnection,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { ClusterNotification, isSubscribeParams, ObjectsNotification, ReasonsNotification, SubscribeNotification, type EditorEventDto, type SubscribeParams } from '../../../src/protocol/languageServer';
import { HOSTILE_REASONS, judgeGo, RAW_SAFE_REASONS, UNOFFERED_REASONS } from '../../support/goJudge';
import { waitFor } from '../../support/waitFor';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const server = path.join(root, 'dist', 'server.js');
const fixtures = path.join(root, 'test', 'fixtures', 'lsp');
const NOW = Date.now();

function event(over: Partial<EditorEventDto>): EditorEventDto {
  return { uid: `u-${Math.random()}`, type: 'Warning', reason: 'FailedCreate', message: 'm', count: 1, lastSeen: NOW - 180_000, kind: 'Deployment', namespace: 'shop', name: 'shop-web', fieldPath: '', source: 'deployment-controller', ...over };
}

/** LSP 3.18 lets a diagnostic's message be markdown; ours are plain text, and VS Code shows them as such. */
function plain(message: string | MarkupContent): string {
  assert.equal(typeof message, 'string', 'a diagnostic message is plain text');
  return message as string;
}

describe('language server process', () => {
  let child: ChildProcess;
  let conn: ProtocolConnection;
  const subscriptions: SubscribeParams[] = [];
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** How many times each document's diagnostics were published. */
  const publications = new Map<string, number>();

  before(async () => {
    assert.ok(fs.existsSync(server), `${server} is missing: run \`node esbuild.mjs\` first`);
    child = fork(server, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    conn.onNotification(SubscribeNotification, (p) => void subscriptions.push(p));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      diagnostics.set(p.uri, p);
      publications.set(p.uri, (publications.get(p.uri) ?? 0) + 1);
    });
    // The server's log (connection.console), for a failing run.
    conn.onNotification(LogMessageNotification.type, (p) => console.log(`[server] ${p.message}`));
    conn.listen();
    const init = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    assert.ok(init.capabilities.codeLensProvider);
    await conn.sendNotification(InitializedNotification.type, {});
    await conn.sendNotification(ClusterNotification, { context: 'admin', defaultNamespace: 'team', windowMs: 3_600_000, live: true, clusters: 1 });
  });

  after(() => {
    conn?.dispose();
    child?.kill();
  });

  it('subscribes to the objects of an open manifest and puts their warnings on the name and the container', async () => {
    const file = path.join(fixtures, 'helm-rendered.yaml');
    const uri = pathToFileURL(file).toString();
    const text = fs.readFileSync(file, 'utf8');
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const sub = await waitFor('a subscription', () => subscriptions.find((s) => s.objects.length === 4));
    // Without a namespace in the document, the context's namespace applies.
    assert.deepEqual(sub.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}`), ['ServiceAccount/team/shop-web', 'Service/team/shop-web', 'Deployment/shop/shop-web', 'Pod/team/shop-web-test-connection']);
    assert.equal(sub.recorderCalls, false, 'no Go document is open');
    const hostile = '[click](command:workbench.action.terminal.new) **bold** <img src=x> | pipe';
    await conn.sendNotification(ObjectsNotification, {
      objects: [
        {
          object: { kind: 'Deployment', namespace: 'shop', name: 'shop-web', apiVersion: 'apps/v1' },
          exists: 'yes',
          total: 3,
          warnings: 2,
          events: [
            event({ reason: 'BackOff', kind: 'Pod', name: 'shop-web-7c9d-x', fieldPath: 'spec.containers{app}', lastSeen: NOW - 20_000, message: hostile }),
            event({ reason: 'FailedCreate', kind: 'ReplicaSet', name: 'shop-web-7c9d', count: 12, message: 'pods "shop-web-7c9d-" is forbidden: exceeded quota' }),
            event({ type: 'Normal', reason: 'ScalingReplicaSet', lastSeen: NOW - 300_000 }),
          ],
        },
      ],
    });
    const published = await waitFor('two diagnostics', () => (diagnostics.get(uri)?.diagnostics.length === 2 ? diagnostics.get(uri) : undefined));
    const lines = text.split('\n');
    const byCode = new Map(published.diagnostics.map((d) => [d.code, d]));
    const failed = byCode.get('FailedCreate')!;
    assert.equal(failed.source, 'Kube Events');
    assert.equal(failed.severity, 2);
    assert.match(plain(failed.message), /^FailedCreate ×12 · 3m ago \(ReplicaSet\/shop-web-7c9d\): pods "shop-web-7c9d-" is forbidden: exceeded quota$/);
    assert.equal(lines[failed.range.start.line].slice(failed.range.start.character, failed.range.end.character), 'shop-web');
    assert.match(lines[failed.range.start.line - 1], /^metadata:/);
    const backOff = byCode.get('BackOff')!;
    assert.equal(lines[backOff.range.start.line].slice(backOff.range.start.character, backOff.range.end.character), 'app');

    const lenses = (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const titles = lenses.map((l) => l.command?.title);
    assert.ok(titles.some((t) => /^⚠ 2 warnings · 3 events · last 2\ds ago$/.test(t ?? '')), JSON.stringify(titles));
    assert.equal(titles.filter((t) => t === 'Emit Test Event…').length, 4);

    const nameLine = lines.findIndex((l, i) => i > 0 && l === '  name: shop-web' && lines[i + 1] === '  namespace: shop');
    const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: nameLine, character: 10 } });
    const md = (hover!.contents as MarkupContent).value;
    assert.match(md, /\| Warning \| BackOff \|/);
    // Cluster text is escaped: no link, no command, no HTML, no table break from it.
    assert.ok(!md.includes('[click](command:'), md);
    assert.ok(md.includes('\\[click\\]\\(command\\:workbench\\.action\\.terminal\\.new\\)'), md);
    assert.ok(md.includes('\\<img src\\=x\\>'));
    assert.ok(md.includes('\\| pipe'));
    // The only command links are ours (Go to Emitter is the newest event's, with its uid only).
    assert.deepEqual([...md.matchAll(/\]\(command:([^?)]+)/g)].map((m) => m[1]), ['kubeEvents.filterEvents', 'kubeEvents.emitTestEvent', 'kubeEvents.goToEmitter']);
    assert.match(md, /\[Go to Emitter of BackOff\]\(command:kubeEvents\.goToEmitter\?%5B%7B%22uid%22%3A%22[^%"]+%22%7D%5D\)/);
  });

  it('says "not in cluster" for an object that does not exist, and drops its diagnostics', async () => {
    const uri = pathToFileURL(path.join(fixtures, 'helm-rendered.yaml')).toString();
    await conn.sendNotification(ObjectsNotification, { objects: [{ object: { kind: 'Deployment', namespace: 'shop', name: 'shop-web', apiVersion: 'apps/v1' }, exists: 'no', total: 0, warnings: 0, events: [] }] });
    await waitFor('no diagnostics', () => diagnostics.get(uri)?.diagnostics.length === 0);
    const lenses = (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    assert.ok(lenses.some((l) => l.command?.title === 'not in cluster (context admin)'));
  });

  it('publishes a burst of updates about a manifest\'s object once, with the last state', async () => {
    const uri = 'untitled:burst.yaml';
    const object = { kind: 'ConfigMap', namespace: 'burst', name: 'settings', apiVersion: 'v1' };
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: burst\n' } });
    await waitFor('the manifest subscribed', () => subscriptions.some((s) => s.objects.some((o) => o.namespace === 'burst')));
    await waitFor('its first diagnostics', () => diagnostics.has(uri));
    const before = publications.get(uri) ?? 0;
    // What the host sends while events about the object keep coming, faster than anyone reads them.
    for (let i = 0; i < 10; i++) {
      void conn.sendNotification(ObjectsNotification, { objects: [{ object, exists: 'yes', total: i + 1, warnings: 1, events: [event({ reason: `Burst${i}`, kind: 'ConfigMap', namespace: 'burst', name: 'settings' })] }] });
    }
    await waitFor('the last state\'s diagnostic', () => diagnostics.get(uri)?.diagnostics.some((d) => d.code === 'Burst9'));
    assert.equal((publications.get(uri) ?? 0) - before, 1, 'one publication for the burst');
    assert.deepEqual(diagnostics.get(uri)?.diagnostics.map((d) => d.code), ['Burst9']);
  });

  it('puts live counts, hovers, completion and reason diagnostics on Go code', async () => {
    const file = path.join(fixtures, 'goctrl', 'controller.go');
    const uri = pathToFileURL(file).toString();
    const text = fs.readFileSync(file, 'utf8');
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'go', version: 1, text } });
    // The constants come from reasons.go beside it, which is not open.
    const sub = await waitFor('the reasons', () => subscriptions.find((s) => s.reasons.includes('BackOff')));
    assert.deepEqual([...sub.reasons].sort(), ['BackOff', 'FailedCreate', 'FailedDeploy', 'Synced', 'bad_reason']);
    assert.equal(sub.recorderCalls, true, 'the recorder calls tell the host the documents need the cluster');
    await conn.sendNotification(ReasonsNotification, {
      reasons: [{ reason: 'BackOff', occurrences: 14, objects: 3, lastSeen: Date.now() - 20_000, events: [event({ reason: 'BackOff', kind: 'Website', name: 'docs', message: '*evil* [x](https://evil.example)' })] }],
      known: ['BackOff', 'FailedCreate', 'Pulled'],
    });
    const lenses = await waitFor('the live count', async () => {
      const l = (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
      return l.some((x) => x.command?.title.startsWith('BackOff: 14')) ? l : undefined;
    });
    const backOff = lenses.find((l) => l.command?.title.startsWith('BackOff'))!;
    assert.match(backOff.command!.title, /^BackOff: 14 in the last hour on 3 objects · last 2\ds ago$/);
    assert.equal(backOff.command!.command, 'kubeEvents.filterEvents');
    assert.deepEqual(backOff.command!.arguments, ['reason:BackOff source:website-controller']);
    assert.ok(lenses.some((l) => l.command?.title === 'FailedDeploy: never seen in the last hour'));

    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('ReasonBackOff, "back-off'));
    const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: lines[line].indexOf('ReasonBackOff') + 3 } });
    const md = (hover!.contents as MarkupContent).value;
    assert.ok(md.includes("Website\\/shop\\/docs"), md);
    assert.ok(md.includes('\\*evil\\* \\[x\\]\\(https\\:\\/\\/evil\\.example\\)'), md);

    const published = await waitFor('the reason diagnostic', () => diagnostics.get(uri));
    assert.deepEqual(published.diagnostics.map((d) => [d.severity, d.code, lines[d.range.start.line].slice(d.range.start.character, d.range.end.character)]), [[3, 'event-reason', '"bad_reason"']]);
    assert.match(plain(published.diagnostics[0].message), /not UpperCamelCase.*"BadReason"/);

    const failedLine = lines.findIndex((l) => l.includes('"FailedDeploy"'));
    const items = await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: failedLine, character: lines[failedLine].indexOf('"FailedDeploy"') + 1 } });
    const labels = (Array.isArray(items) ? items : items!.items).map((i) => i.label);
    assert.deepEqual(labels, ['BackOff', 'FailedCreate', 'Pulled']);
    const none = await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: failedLine, character: lines[failedLine].indexOf('"deploy') + 2 } });
    assert.equal((Array.isArray(none) ? none : none!.items).length, 0, 'no reasons offered in the message argument');
  });

  it('completes reasons where a call is being typed, Go-escaped so that hostile reasons stay one literal (judged by Go)', async () => {
    // A Go file with no recorder call yet: the server asks for the known reasons all the same.
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'untitled:fresh.go', languageId: 'go', version: 1, text: 'package website\n' } });
    await waitFor('a subscription that asks for the known reasons', () => subscriptions.at(-1)?.completesReasons === true);
    const known = ['BackOff', ...HOSTILE_REASONS];
    await conn.sendNotification(ReasonsNotification, { reasons: [], known });
    const head = 'package website\n\nfunc (r *R) Reconcile(pod *corev1.Pod, site *Site, dep *Deployment) error {\n\t';
    const tail = '\n\treturn nil\n}\n';
    // `|` is the cursor; `finish` is what the author types after accepting, at the end of the line.
    const scenarios = [
      { name: 'empty literal, quote and parenthesis closed by the editor', line: 'r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|", "m")', finish: '', args: 4, at: 2, raw: false },
      { name: 'quote typed, nothing closed', line: 'r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|', finish: ', "m")', args: 4, at: 2, raw: false },
      { name: 'no quote yet', line: 'r.Recorder.Event(pod, corev1.EventTypeNormal, |', finish: ', "m")', args: 4, at: 2, raw: false },
      { name: 'an identifier typed', line: 'r.Recorder.AnnotatedEventf(pod, nil, corev1.EventTypeWarning, Ba|', finish: ', "m")', args: 5, at: 3, raw: false },
      { name: 'a prefix no reason has, tools/events', line: 'c.events.Eventf(site, dep, corev1.EventTypeNormal, "Hx|', finish: ', "Act", "note")', args: 6, at: 3, raw: false },
      { name: 'raw literal, closed', line: 'r.Recorder.Eventf(pod, corev1.EventTypeWarning, `|`, "m")', finish: '', args: 4, at: 2, raw: true },
      { name: 'raw literal, not closed', line: 'r.Recorder.Eventf(pod, corev1.EventTypeWarning, `|', finish: ', "m")', args: 4, at: 2, raw: true },
    ];
    const sources: string[] = [];
    const expected: { scenario: string; reason: string; args: number; at: number }[] = [];
    for (const [i, sc] of scenarios.entries()) {
      const cursor = sc.line.indexOf('|');
      const line = sc.line.replace('|', '');
      const uri = `untitled:typing${i}.go`;
      const lineNo = head.split('\n').length - 1;
      const character = head.split('\n')[lineNo].length + cursor;
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'go', version: 1, text: head + line + tail } });
      const answer = await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: lineNo, character } });
      const items = Array.isArray(answer) ? answer : (answer?.items ?? []);
      const offered = items.map((it) => known[Number(it.sortText)]);
      const wanted = known.filter((r) => !UNOFFERED_REASONS.includes(r) && (!sc.raw || r === 'BackOff' || RAW_SAFE_REASONS.includes(r)));
      assert.deepEqual(offered, wanted, sc.name);
      for (const it of items) {
        assert.ok(it.textEdit && 'range' in it.textEdit, sc.name);
        const { range, newText } = it.textEdit;
        assert.ok(!/\p{Cc}/u.test(newText) && !/\p{Cc}/u.test(it.label), `${sc.name}: a control character offered in ${JSON.stringify(newText)}`);
        // The edit replaces what is typed of the reason (so VS Code filters on it), on the cursor's line.
        const indent = head.split('\n')[lineNo].length;
        assert.equal(range.start.line, lineNo);
        assert.equal(range.end.line, lineNo);
        const typed = line.slice(range.start.character - indent, range.end.character - indent);
        assert.equal(typed, { 'an identifier typed': 'Ba', 'a prefix no reason has, tools/events': 'Hx' }[sc.name] ?? '', sc.name);
        const edited = line.slice(0, range.start.character - indent) + newText + line.slice(range.end.character - indent) + sc.finish;
        sources.push(head + edited + tail);
        expected.push({ scenario: sc.name, reason: known[Number(it.sortText)], args: sc.args, at: sc.at });
      }
    }
    assert.ok(sources.length > 80, `${sources.length} completions judged`);
    const judged = judgeGo({ sources });
    judged.sources.forEach((src, i) => {
      const e = expected[i];
      const what = `${e.scenario}, reason ${JSON.stringify(e.reason)}:\n${sources[i]}`;
      assert.deepEqual(src.errors, [], what);
      assert.equal(src.calls.length, 1, what);
      assert.equal(src.calls[0].args.length, e.args, what);
      assert.equal(src.calls[0].args[e.at].literal, e.reason, what);
    });
  });

  it('stays up on binary junk and a 10 MB file, with no diagnostics flood', async () => {
    const junk = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const big = `kind: Pod\nmetadata:\n  name: x\n${'# filler line\n'.repeat(800_000)}`;
    for (const [name, lang, text] of [['junk.yaml', 'yaml', junk], ['junk.go', 'go', junk], ['big.yaml', 'yaml', big], ['big.go', 'go', `package x\n${'// filler\n'.repeat(1_000_000)}`]] as const) {
      const uri = `untitled:${name}`;
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: lang, version: 1, text } });
      const d = await waitFor(`diagnostics for ${name}`, () => diagnostics.get(uri), 30_000);
      assert.ok(d.diagnostics.length <= 1, `${name}: ${d.diagnostics.length} diagnostics`);
    }
    // A reason or a name longer than the protocol carries is left out, not sent to be refused with the rest.
    const before = subscriptions.length;
    const long = 'X'.repeat(600);
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'untitled:long.go', languageId: 'go', version: 1, text: `package x\nfunc f() { r.Eventf(o, "Warning", "${long}", "m"); r.Eventf(o, "Warning", "ShortOne", "m") }\n` } });
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'untitled:long.yaml', languageId: 'yaml', version: 1, text: `kind: Pod\nmetadata:\n  name: ${'n'.repeat(600)}\n` } });
    const sub = await waitFor('the subscription with the short reason', () => subscriptions.slice(before).find((s) => s.reasons.includes('ShortOne')));
    assert.ok(!sub.reasons.includes(long));
    await waitFor('the long manifest analysed', () => diagnostics.get('untitled:long.yaml'));
    assert.ok(subscriptions.every((s) => isSubscribeParams(s)), 'every subscription passes the host\'s guard');
    const lenses = (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: pathToFileURL(path.join(fixtures, 'helm-rendered.yaml')).toString() } })) ?? [];
    assert.ok(lenses.length > 0, 'the server still answers');
    assert.equal(child.exitCode, null);
  });
});
