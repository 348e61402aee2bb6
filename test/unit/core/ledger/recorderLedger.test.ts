// The recorder's ledger on real output: test/fixtures/recorder-log holds what the demo controller
// (test/cluster/go/demo-controller) wrote during an event storm (annotation demo.kube-events.local/event-storm:
// "40", plus one namespace that does not exist and one that is terminating) in each of its three log formats,
// and the events the apiserver then held for its namespace (`kubectl get events -o json`).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_AGGREGATE_MAX_EVENTS, DEFAULT_SPAM_BURST } from '../../../../src/core/correlator/correlator';
import { normalizeEvent, type KubeEvent } from '../../../../src/core/events/kubeEvent';
import { countsText, formatWait, RecorderLedger } from '../../../../src/core/ledger/recorderLedger';
import { reasonLedgers } from '../../../../src/core/ledger/recorderLint';
import { LineSplitter, parseRecorderLine, type LoggedAttempt } from '../../../../src/core/ledger/recorderLog';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'recorder-log');
const read = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const FORMATS = ['structured-text', 'printf-text', 'structured-json'] as const;

function events(format: string): KubeEvent[] {
  const list = JSON.parse(read(`${format}.events.json`)) as { items: unknown[] };
  return list.items.map((i) => normalizeEvent(i, 'core/v1')).filter((e): e is KubeEvent => e !== undefined);
}

/** Feeds the log as a debug adapter would: in chunks cut anywhere, read at the line's own time. */
function ledgerOf(format: string, clock: { t: number }): RecorderLedger {
  const ledger = new RecorderLedger({ clock: { now: () => clock.t }, source: 'website-controller' });
  const text = read(`${format}.log`);
  const splitter = new LineSplitter();
  for (let i = 0; i < text.length; i += 777) {
    for (const line of splitter.push(text.slice(i, i + 777))) {
      const at = parseRecorderLine(line, clock.t)?.at;
      if (at !== undefined) clock.t = at;
      ledger.pushLine(line);
    }
  }
  for (const line of splitter.flush()) ledger.pushLine(line);
  return ledger;
}

describe('parseRecorderLine on the demo controller\'s real lines', () => {
  const now = new Date(2026, 11, 7, 3, 31).getTime();

  it('reads StartStructuredLogging as klog text', () => {
    const line = read('structured-text.log').split('\n').find((l) => l.includes('attempt 1 got'))!;
    const a = parseRecorderLine(line, now) as LoggedAttempt;
    assert.equal(a.kind, 'attempt');
    assert.equal(a.format, 'structured');
    assert.deepEqual(a.object, { kind: 'Website', namespace: 'ledger-cap-structured-text', name: 'storefront', apiVersion: 'demo.kube-events.local/v1', fieldPath: '' });
    assert.equal(a.type, 'Warning');
    assert.equal(a.reason, 'ProbeFailed');
    assert.equal(a.message, 'Probe of storefront failed: attempt 1 got HTTP 501');
    assert.equal(a.at, new Date(2026, 11, 7, 3, 30, 21, 708).getTime());
  });

  it('reads StartLogging (printf) lines, the object reference Go-quoted', () => {
    const line = read('printf-text.log').split('\n').find((l) => l.includes('attempt 2 got'))!;
    const a = parseRecorderLine(line, now) as LoggedAttempt;
    assert.equal(a.format, 'printf');
    assert.deepEqual(a.object, { kind: 'Website', namespace: 'ledger-cap-printf-text', name: 'storefront', apiVersion: 'demo.kube-events.local/v1', fieldPath: '' });
    assert.deepEqual([a.type, a.reason, a.message], ['Warning', 'ProbeFailed', 'Probe of storefront failed: attempt 2 got HTTP 502']);
  });

  it('reads logr JSON (funcr) lines', () => {
    const line = read('structured-json.log').split('\n').find((l) => l.includes('attempt 3 got'))!;
    const a = parseRecorderLine(line, now) as LoggedAttempt;
    assert.equal(a.format, 'json');
    assert.equal(a.object.namespace, 'ledger-cap-structured-json');
    assert.equal(a.message, 'Probe of storefront failed: attempt 3 got HTTP 503');
    assert.equal(a.at, new Date(2026, 11, 7, 3, 30, 48, 439).getTime());
  });

  it('reads klog\'s zap JSON (ts in seconds, object as name and namespace) and a JSON Event in a sink error', () => {
    const a = parseRecorderLine(
      '{"ts":1765078221.708629,"caller":"record/event.go:389","msg":"Event occurred","v":0,"object":{"name":"web","namespace":"shop"},"fieldPath":"spec.containers{app}","kind":"Pod","apiVersion":"v1","type":"Normal","reason":"Pulled","message":"pulled \\"x\\""}',
      now,
    ) as LoggedAttempt;
    assert.deepEqual([a.format, a.at, a.object.fieldPath, a.message], ['json', 1765078221708.629, 'spec.containers{app}', 'pulled "x"']);
    const e = parseRecorderLine('{"ts":1765078221.7,"msg":"Server rejected event (will not retry!)","err":"forbidden","event":{"involvedObject":{"kind":"Pod","namespace":"shop","name":"web"},"reason":"Pulled","message":"m"}}', now);
    assert.deepEqual(e, { kind: 'rejected', at: 1765078221700, object: { kind: 'Pod', namespace: 'shop', name: 'web', apiVersion: '', fieldPath: '' }, reason: 'Pulled', message: 'm', error: 'forbidden' });
  });

  it('reads the sink\'s "Server rejected event" line: the apiserver\'s answer and the Event\'s String()', () => {
    for (const format of FORMATS) {
      const line = read(`${format}.log`).split('\n').find((l) => l.includes('Server rejected event'))!;
      const e = parseRecorderLine(line, now);
      assert.equal(e?.kind, 'rejected', format);
      if (e?.kind !== 'rejected') continue;
      const ns = `ledger-cap-${format}`;
      assert.equal(e.error, `namespaces "${ns}-gone" not found`);
      assert.deepEqual(e.object, { kind: 'Website', namespace: `${ns}-gone`, name: 'storefront', apiVersion: 'demo.kube-events.local/v1', fieldPath: '' });
      assert.equal(e.reason, 'MirrorFailed');
      assert.equal(e.message, `Could not mirror the status of ${ns}/storefront into namespace ${ns}-gone`);
    }
  });

  it('keeps commas in a rejected event\'s message, and decodes Go escapes', () => {
    const s = '&Event{ObjectMeta:{x  ns    0 0001-01-01 00:00:00 +0000 UTC <nil> <nil> map[] map[] [] [] []},InvolvedObject:ObjectReference{Kind:Pod,Namespace:ns,Name:web,UID:,APIVersion:v1,ResourceVersion:,FieldPath:,},Reason:Bad,Message:a, b,Reason:c,Source:EventSource{Component:x,Host:,},Count:1,}';
    const rejected = parseRecorderLine(`E1207 03:30:28.111773    8289 event.go:359] "Server rejected event (will not retry!)" err="forbidden" event=${JSON.stringify(s)}`, now);
    assert.equal(rejected?.kind === 'rejected' ? rejected.message : undefined, 'a, b,Reason:c');
    const a = parseRecorderLine('I1207 03:30:21.708629    8289 event.go:389] "Event occurred" object="web" fieldPath="" kind="Node" apiVersion="v1" type="Normal" reason="R" message="tab\\there \\"q\\" \\u00e9"', now) as LoggedAttempt;
    assert.deepEqual([a.object.namespace, a.object.name, a.message], ['', 'web', 'tab\there "q" é']);
  });

  it('ignores other lines, and a line too long to be one of these', () => {
    assert.equal(parseRecorderLine('I1207 03:30:21.552765    8289 main.go:353] "serving /healthz" address="127.0.0.1:41317"', now), undefined);
    assert.equal(parseRecorderLine('{"msg":"hello"}', now), undefined);
    assert.equal(parseRecorderLine('plain text', now), undefined);
    assert.equal(parseRecorderLine(`"Event occurred" message="${'x'.repeat(70_000)}"`, now), undefined);
  });

  it('splits chunks into lines, dropping one longer than the bound', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('ab'), []);
    assert.deepEqual(s.push('c\r\nd\ne'), ['abc\r', 'd']);
    assert.deepEqual(s.push('x'.repeat(70_000)), []);
    assert.deepEqual(s.push('y\nz'), []);
    assert.deepEqual(s.flush(), ['z']);
  });
});

describe('RecorderLedger: the correlator\'s predictions joined with the apiserver\'s events', () => {
  for (const format of FORMATS) {
    it(`labels every attempt of the storm (${format}) as the apiserver's events say`, () => {
      const clock = { t: new Date(2026, 11, 7, 3, 30).getTime() };
      const ledger = ledgerOf(format, clock);
      const byReason = (reason: string) => ledger.counts((a) => a.reason === reason);
      // Before the watch says anything, the spam filter's drops are already known; the rest waits.
      assert.equal(byReason('ProbeFailed')['spam-filtered'], 40 - DEFAULT_SPAM_BURST);
      assert.equal(byReason('ProbeFailed').pending, DEFAULT_SPAM_BURST);
      assert.equal(byReason('MirrorFailed').rejected, 1, 'the sink said the apiserver refused it');

      assert.ok(ledger.reconcile(events(format)));
      const probe = byReason('ProbeFailed');
      assert.equal(probe.created, DEFAULT_AGGREGATE_MAX_EVENTS - 1, 'the first 9 distinct messages are created');
      assert.equal(probe.combined, DEFAULT_SPAM_BURST - (DEFAULT_AGGREGATE_MAX_EVENTS - 1), 'the 10th to the 25th are combined');
      assert.equal(probe['spam-filtered'], 15);
      assert.equal(probe.pending, 0);
      assert.deepEqual([byReason('Resynced').created, byReason('Resynced').patched], [1, 12]);
      // The terminating namespace: refused silently (client-go logs it only at -v=5), so only the bound tells.
      assert.equal(byReason('MirrorFailed').pending, 1);
      clock.t += 61_000;
      ledger.reconcile(events(format));
      assert.equal(byReason('MirrorFailed')['not-arrived'], 1);
      const lost = ledger.attempts.find((a) => a.label === 'not-arrived')!;
      assert.match(lost.object.namespace, /-ending$/);
      assert.equal(lost.detail, 'not seen in the watch within 1m');

      // The apiserver's side, counted: occurrences of ProbeFailed = created + combined attempts.
      const probeEvents = events(format).filter((e) => e.reason === 'ProbeFailed');
      assert.equal(probeEvents.reduce((n, e) => n + e.count, 0), probe.created + probe.combined);
      const rejected = ledger.attempts.find((a) => a.label === 'rejected')!;
      assert.equal(rejected.detail, `the apiserver refused it: namespaces "ledger-cap-${format}-gone" not found`);
      const spam = ledger.attempts.filter((a) => a.label === 'spam-filtered');
      assert.match(spam[0].detail, /^dropped by client-go's spam filter; next token in 4m5\ds$/);
    });
  }

  it('counts and lints per reason, with the figures and client-go\'s numbers', () => {
    const clock = { t: new Date(2026, 11, 7, 3, 30).getTime() };
    const ledger = ledgerOf('structured-text', clock);
    ledger.reconcile(events('structured-text'));
    const [probe] = reasonLedgers(ledger.attempts);
    assert.equal(probe.reason, 'ProbeFailed');
    assert.equal(probe.text, '40 attempts: 9 created, 16 combined, 15 spam-filtered');
    assert.deepEqual(probe.lints.map((l) => l.rule), ['distinct-messages', 'spam-filter']);
    assert.match(probe.lints[0].text, /^40 attempts, 40 different messages \(16 of them combined\): client-go counts only identical events, and after 10 similar events .* within 600 seconds/);
    assert.match(probe.lints[1].text, /^15 attempts of 40 dropped by client-go's spam filter: 40 Warning attempts on Website\/ledger-cap-structured-text\/storefront in 2s, where the filter allows a burst of 25 per source, object and type, then 1 every 300 seconds \(at the last drop, next token in 4m\d\ds\)/);
    const resynced = reasonLedgers(ledger.attempts).find((r) => r.reason === 'Resynced')!;
    assert.equal(resynced.text, '13 attempts: 1 created, 12 count patched');
    assert.deepEqual(resynced.lints, [], 'one message, counted: nothing to say');
  });

  it('writes counts and waits as the views show them', () => {
    assert.equal(countsText({ created: 10, patched: 2, combined: 25, 'spam-filtered': 0, rejected: 0, 'not-arrived': 0, pending: 0 }), '37 attempts: 10 created, 2 count patched, 25 combined');
    assert.equal(formatWait(252_000), '4m12s');
    assert.equal(formatWait(37_000), '37s');
  });
});
