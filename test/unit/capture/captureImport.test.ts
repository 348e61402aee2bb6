// Imports of peers' dumps as captures (src/core/capture/captureImport.ts, through readCapture). The fixtures are the
// real tools' output, recorded against the test cluster by test/fixtures/capture/record.sh: `kubectl get events -o
// json` and `kubectl get events.v1.events.k8s.io -o json` (kubectl v1.32) and kubernetes-event-exporter v1.6.1's stdout
// sink, built from its Go module. Every refusal is one problem whose message never quotes the file's text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { readCapture } from '../../../src/capture/captureFile';
import type { CaptureProblem, CaptureResult } from '../../../src/core/capture/capture';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'capture');
const KUBECTL = path.join(fixtures, 'kubectl-get-events.json');
const KUBECTL_V1 = path.join(fixtures, 'kubectl-get-events-v1.json');
const EXPORTER = path.join(fixtures, 'event-exporter.jsonl');
/** Text a hostile dump might carry: a terminal escape, markup, a bidi override, a NUL. */
const HOSTILE = '\u001b[31m<img src=x onerror=alert(1)>\u202e\u0000';

interface RawEvent {
  readonly metadata: { readonly uid: string; readonly namespace: string };
  readonly reason: string;
  readonly count?: number;
  readonly series?: { readonly count?: number };
  readonly message?: string;
  readonly clusterName?: string;
  readonly involvedObject: {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly ownerReferences?: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly uid: string; readonly controller?: boolean }>;
  };
}

const dirs: string[] = [];
function put(text: string | Buffer, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-import-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function refused(r: CaptureResult, reason: CaptureProblem['reason'], mentions: RegExp): CaptureProblem {
  assert.ok(!r.ok, 'refused');
  assert.equal(r.reason, reason, r.message);
  assert.match(r.message, mentions);
  for (const bad of ['\u001b', '<img', '\u202e', '\u0000', '\n    at ']) assert.ok(!r.message.includes(bad), 'no text of the file, no stack trace');
  return r;
}

/** Reads `file` and answers the problem, checking that the refusal left the file and its folder as they were. */
async function refusedUnchanged(file: string, reason: CaptureProblem['reason'], mentions: RegExp, opts?: { maxEvents: number }): Promise<CaptureProblem> {
  const before = fs.readFileSync(file);
  const listing = fs.readdirSync(path.dirname(file)).sort();
  const p = refused(await readCapture(file, opts), reason, mentions);
  assert.deepEqual(fs.readFileSync(file), before, 'the file is as it was');
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), listing, 'nothing written beside it');
  return p;
}

/** The count a core/v1 item says, as the extension counts it: `count`, else its series' count, else 1. */
const countOf = (e: RawEvent): number => e.count || e.series?.count || 1;

/** uid → `namespace reason ×count`, as the dump says and as the import says. */
const summary = (uid: string, ns: string, reason: string, count: number): [string, string] => [uid, `${ns} ${reason} ×${count}`];

describe('import of kubectl and kubernetes-event-exporter dumps', () => {
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports `kubectl get events -o json`: every item, its uid, reason, count and message', async () => {
    const items = (JSON.parse(fs.readFileSync(KUBECTL, 'utf8')) as { items: RawEvent[] }).items;
    assert.ok(items.length >= 5, 'the fixture holds a Deployment’s events');
    const r = await readCapture(KUBECTL);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.header.origin, 'kubectl');
    assert.deepEqual(r.value.header.clusters, []);
    assert.equal(r.value.header.query, '');
    assert.deepEqual(
      new Map(r.value.events.map((e) => summary(e.uid, e.namespace, e.reason, e.count))),
      new Map(items.map((i) => summary(i.metadata.uid, i.metadata.namespace, i.reason, countOf(i)))),
    );
    const backOff = r.value.events.find((e) => e.reason === 'BackOff');
    assert.equal(backOff?.type, 'Warning');
    assert.equal(backOff?.message, items.find((i) => i.reason === 'BackOff')?.message);
    assert.equal(backOff?.regarding.fieldPath, 'spec.containers{web}');
    assert.ok(r.value.header.from > 0 && r.value.header.from <= r.value.header.to);
    assert.deepEqual(r.value.owners, [], 'kubectl carries no owners: the owner graph infers them');
  });

  it("imports kubernetes-event-exporter's JSON lines: the events, their cluster, and owner records from ownerReferences", async () => {
    const lines = fs.readFileSync(EXPORTER, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const raw = lines.map((l) => JSON.parse(l) as RawEvent);
    assert.ok(raw.some((e) => e.involvedObject.ownerReferences?.length), 'the exporter enriched involvedObject with ownerReferences');
    const r = await readCapture(EXPORTER);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.header.origin, 'event-exporter');
    assert.deepEqual(r.value.header.clusters, [{ name: 'fixture-cluster', id: '' }]);
    // One event per uid, as last written (the exporter writes an event again when it sees it change).
    const lastByUid = new Map(raw.map((e) => summary(e.metadata.uid, e.metadata.namespace, e.reason, countOf(e))));
    assert.deepEqual(new Map(r.value.events.map((e) => summary(e.uid, e.namespace, e.reason, e.count))), lastByUid);
    assert.ok(r.value.events.every((e) => e.cluster === 'fixture-cluster'));
    // Pods name their ReplicaSet, the ReplicaSet its Deployment, as the API server answered the exporter.
    assert.equal(r.value.owners.length, 1);
    assert.equal(r.value.owners[0].cluster, 'fixture-cluster');
    const owned = new Map<string, string>();
    for (const e of raw) {
      const o = e.involvedObject;
      if (o.ownerReferences?.length) owned.set(`${o.kind}/${o.name}`, o.ownerReferences.map((x) => `${x.kind}/${x.name}`).join(','));
    }
    assert.deepEqual(new Map(r.value.owners[0].records.map((rec) => [`${rec.kind}/${rec.name}`, rec.ownerReferences.map((x) => `${x.kind}/${x.name}`).join(',')])), owned);
    assert.ok([...owned.keys()].some((k) => k.startsWith('Pod/')) && [...owned.keys()].some((k) => k.startsWith('ReplicaSet/')));
    assert.ok(r.value.owners[0].records.every((rec) => rec.source === 'read' && rec.uid !== ''));
  });

  it('imports the same lines gzipped, with CRLF ends and a byte order mark, and skips the exporter’s own log lines', async () => {
    const text = fs.readFileSync(EXPORTER, 'utf8');
    const log = '{"level":"warn","time":"2026-12-07T07:01:00Z","message":"Cannot list labels of the object"}';
    const windows = `\ufeff${log}\r\n${text.split('\n').join(`\r\n`)}`;
    const plain = await readCapture(EXPORTER);
    const r = await readCapture(put(zlib.gzipSync(windows), 'events.jsonl.gz'));
    assert.ok(r.ok && plain.ok, r.ok ? '' : r.message);
    assert.deepEqual(r.value.events, plain.value.events);
    assert.deepEqual(r.value.owners, plain.value.owners);
  });

  it('imports `kubectl get events.v1.events.k8s.io -o json`: the events.k8s.io/v1 view, its series, note and action', async () => {
    const items = (JSON.parse(fs.readFileSync(KUBECTL_V1, 'utf8')) as { items: Array<RawEvent & { apiVersion: string; deprecatedCount?: number }> }).items;
    assert.ok(items.every((i) => i.apiVersion === 'events.k8s.io/v1'));
    const r = await readCapture(KUBECTL_V1);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.ok(r.value.events.every((e) => e.api === 'events.k8s.io/v1'));
    assert.deepEqual(
      new Map(r.value.events.map((e) => summary(e.uid, e.namespace, e.reason, e.count))),
      new Map(items.map((i) => summary(i.metadata.uid, i.metadata.namespace, i.reason, i.deprecatedCount || i.series?.count || 1))),
    );
    const reconciled = r.value.events.find((e) => e.reason === 'Reconciled');
    assert.deepEqual(
      { series: reconciled?.series?.count, controller: reconciled?.reportingController, action: reconciled?.action, message: reconciled?.message, regarding: reconciled?.regarding.kind },
      { series: 3, controller: 'example.com/web-operator', action: 'Reconciling', message: 'Reconciled web', regarding: 'Deployment' },
    );
    // The same events as the core/v1 dump, by uid.
    const core = await readCapture(KUBECTL);
    assert.ok(core.ok);
    assert.deepEqual(new Set(r.value.events.map((e) => e.uid)), new Set(core.value.events.map((e) => e.uid)));
  });

  it('imports a dump from Windows: CRLF ends with a UTF-8 byte order mark, and UTF-16 LE as PowerShell 5 redirects it', async () => {
    const text = fs.readFileSync(KUBECTL, 'utf8');
    assert.ok(!text.includes('\r'));
    const plain = await readCapture(KUBECTL);
    assert.ok(plain.ok);
    const crlf = `\ufeff${text.replace(/\n/g, '\r\n')}`;
    for (const file of [put(crlf, 'crlf.json'), put(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]), 'utf16.json'), put(zlib.gzipSync(crlf), 'crlf.json.gz')]) {
      const r = await readCapture(file);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual(r.value.events, plain.value.events, path.basename(file));
    }
    const lines = fs.readFileSync(EXPORTER, 'utf8');
    const exporterPlain = await readCapture(EXPORTER);
    const utf16 = await readCapture(put(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.replace(/\n/g, '\r\n'), 'utf16le')]), 'utf16.jsonl'));
    assert.ok(utf16.ok && exporterPlain.ok, utf16.ok ? '' : utf16.message);
    assert.deepEqual(utf16.value.events, exporterPlain.value.events);
  });

  it('keeps hostile text in an event as data, verbatim, for the views to escape', async () => {
    const line = JSON.parse(fs.readFileSync(EXPORTER, 'utf8').split('\n')[0]) as Record<string, unknown>;
    const r = await readCapture(put(`${JSON.stringify({ ...line, message: HOSTILE, reason: HOSTILE })}\n`, 'odd.jsonl'));
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.events[0].message, HOSTILE);
    assert.equal(r.value.events[0].reason, HOSTILE);
  });

  it('refuses Events of a future apiVersion, saying which and to update, and never quotes an apiVersion that is not one', async () => {
    const doc = JSON.parse(fs.readFileSync(KUBECTL, 'utf8')) as { items: Array<Record<string, unknown>> };
    doc.items[2] = { ...doc.items[2], apiVersion: 'events.k8s.io/v2' };
    const p = await refusedUnchanged(put(JSON.stringify(doc, null, 4), 'v2.json'), 'future-version', /apiVersion events\.k8s\.io\/v2 \(item 3\).*Update the extension/);
    assert.equal(p.reason === 'future-version' && p.version, 'events.k8s.io/v2');
    doc.items[2] = { ...doc.items[2], apiVersion: HOSTILE };
    const q = await refusedUnchanged(put(JSON.stringify(doc), 'odd.json'), 'future-version', /an unrecognised apiVersion \(item 3\)/);
    assert.equal(q.reason === 'future-version' && q.version, 'unknown');
    const line = JSON.parse(fs.readFileSync(EXPORTER, 'utf8').split('\n')[0]) as Record<string, unknown>;
    await refusedUnchanged(put(`${JSON.stringify(line)}\n${JSON.stringify({ ...line, apiVersion: 'v2' })}\n`, 'v2.jsonl'), 'future-version', /apiVersion v2 \(line 2\)/);
  });

  it('refuses a cut, a damaged, a hostile or an empty dump, saying which', async () => {
    const text = fs.readFileSync(KUBECTL, 'utf8');
    refused(await readCapture(put(text.slice(0, Math.floor(text.length / 2)), 'cut.json')), 'truncated', /stops before its end/);
    const lines = text.split('\n');
    const broken = [...lines.slice(0, 10), '    "reason": "Broken" "here",', ...lines.slice(10)].join('\n');
    refused(await readCapture(put(broken, 'broken.json')), 'corrupt', /not valid JSON \(line 11\)/);
    const poisoned = text.replace('"metadata": {', '"metadata": {"__proto__": {"polluted": true},');
    assert.notEqual(poisoned, text);
    refused(await readCapture(put(poisoned, 'poisoned.json')), 'hostile', /"__proto__"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const exporterLines = fs.readFileSync(EXPORTER, 'utf8').split('\n');
    const huge = JSON.parse(exporterLines[0]) as Record<string, unknown>;
    refused(await readCapture(put(JSON.stringify({ ...huge, message: 'x'.repeat(2_000_000) }) + '\n', 'huge.jsonl')), 'hostile', /message is longer than 1,572,864 characters \(line 1\)/);
    refused(await readCapture(put(exporterLines.slice(0, 2).join('\n') + '\nnot json\n', 'mixed.jsonl')), 'corrupt', /not JSON .*\(line 3\)/);
    await refusedUnchanged(put(`${exporterLines[0]}\n${HOSTILE} {"not": json}\n`, 'hostile.jsonl'), 'corrupt', /line that is not JSON .*\(line 2\)/);
    await refusedUnchanged(put(`${exporterLines[0]}\n"${'x'.repeat(5 * 1024 * 1024)}"\n`, 'longline.jsonl'), 'hostile', /a line of 5\.0 MiB.*\(line 2\)/);
    const bigItem = JSON.parse(text) as { items: Array<Record<string, unknown>> };
    bigItem.items[1] = { ...bigItem.items[1], reason: 'R'.repeat(1_600_000) };
    await refusedUnchanged(put(JSON.stringify(bigItem), 'big.json'), 'hostile', /reason is longer than 1,572,864 characters \(item 2\)/);
    refused(await readCapture(put(text.replace(/\n/g, '\r\n').slice(0, text.length - 40), 'cutcrlf.json')), 'truncated', /stops before its end/);
    refused(await readCapture(put(`${exporterLines[0]}\n${exporterLines[1].slice(0, 40)}`, 'cut.jsonl')), 'truncated', /last line, 2, is cut/);
    refused(await readCapture(put('{"level":"info","message":"starting"}\n', 'log.jsonl')), 'not-a-capture', /only log lines/);
    refused(await readCapture(put('{"apiVersion":"v1","kind":"List","items":[{"kind":"Event","metadata":{"name":"x"}}]}', 'nouid.json')), 'corrupt', /without metadata\.uid/);
    const many = JSON.stringify({ kind: 'List', items: Array.from({ length: 3 }, (_, i) => ({ kind: 'Event', metadata: { uid: `u${i}` } })) });
    refused(await readCapture(put(many, 'many.json'), { maxEvents: 2 }), 'too-large', /more than 2 events/);
  });
});
