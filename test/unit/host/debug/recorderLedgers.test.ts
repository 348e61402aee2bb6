// The ledgers of debug sessions (vscode-free part), what they send across the two process boundaries, the
// panel's HTML and the Go features: fed with the demo controller's real log (test/fixtures/recorder-log).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { normalizeEvent, type KubeEvent } from '../../../../src/core/events/kubeEvent';
import { silentLogger } from '../../../../src/core/ports';
import { renderLedgerHtml } from '../../../../src/host/debug/ledgerHtml';
import { RecorderLedgers } from '../../../../src/host/debug/recorderLedgers';
import { isLedgerParams } from '../../../../src/protocol/languageServer';
import { isHostMessage } from '../../../../src/protocol/webview';
import { ledgerCodeLenses, ledgerDiagnostics, ledgerHoverSection } from '../../../../src/server/ledgerFeatures';
import type { RecorderCall } from '../../../../src/server/goLocator';
import { reasonLedgers } from '../../../../src/core/ledger/recorderLint';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'recorder-log');
const LOG = fs.readFileSync(path.join(FIXTURES, 'structured-text.log'), 'utf8');
const EVENTS = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'structured-text.events.json'), 'utf8')) as { items: unknown[] }).items
  .map((i) => normalizeEvent(i, 'core/v1'))
  .filter((e): e is KubeEvent => e !== undefined);
const STORM_START = new Date(2026, 11, 7, 3, 30, 21).getTime();

function ledgers(clock = { t: STORM_START }): RecorderLedgers {
  return new RecorderLedgers({ clock: { now: () => clock.t }, logger: silentLogger, events: () => EVENTS, enabled: () => true });
}

describe('RecorderLedgers', () => {
  it('reads a child session\'s output into its root\'s ledger, lines cut anywhere, only the program\'s categories', () => {
    const l = ledgers();
    let changes = 0;
    l.onDidChange(() => changes++);
    l.start('root', 'Debug website-controller', undefined, 'website-controller');
    l.start('child', 'demo-controller', 'root', undefined);
    for (let i = 0; i < LOG.length; i += 100) l.output('child', 'stderr', LOG.slice(i, i + 100));
    l.output('child', 'telemetry', LOG);
    assert.ok(changes > 0);
    const s = l.current!;
    assert.equal(s.id, 'root');
    assert.equal(s.ledger.source, 'website-controller');
    assert.equal(s.ledger.attempts.length, 58, 'every "Event occurred" line of the log, once');
    assert.equal(l.waiting, true);
    l.reconcile();
    const line = l.end('root');
    assert.match(line, /^Its recorder logged 58 attempts: \d+ created, \d+ count patched, 16 combined, 15 spam-filtered, 1 rejected, 1 pending \(the controller's claims from its log, not events\)\.$/);
    assert.equal(l.end('root'), line, 'asked again, the same sentence');
  });

  it('keeps no ledger while following is off, and none for output of an unknown session', () => {
    const l = new RecorderLedgers({ clock: { now: () => STORM_START }, logger: silentLogger, events: () => [], enabled: () => false });
    l.start('s', 'x', undefined, undefined);
    l.output('s', 'stdout', LOG);
    l.output('other', 'stdout', LOG);
    assert.equal(l.current, undefined);
    assert.equal(l.end('s'), '');
  });
});

describe('the ledger across the boundaries', () => {
  const l = ledgers();
  l.start('root', 'Debug "<b>x</b>"', undefined, 'website-controller');
  l.output('root', 'stderr', LOG);
  l.reconcile();
  const s = l.current!;

  it('the timeline\'s recorder/attempts message passes the view\'s guard; a bad label does not', () => {
    const attempts = s.ledger.attempts.map((a) => ({ at: a.at, label: a.label, type: a.type, reason: a.reason, object: `${a.object.kind}/${a.object.namespace}/${a.object.name}`, message: a.message, detail: a.detail }));
    assert.equal(isHostMessage({ type: 'recorder/attempts', session: s.name, attempts }), true);
    assert.equal(isHostMessage({ type: 'recorder/attempts', session: s.name, attempts: [{ ...attempts[0], label: 'event' }] }), false);
    assert.equal(isHostMessage({ type: 'recorder/attempts', session: s.name, attempts: [{ ...attempts[0], extra: 1 }] }), false);
  });

  it('the language server\'s ledger notification passes its guard, and gives lenses, lints and a hover on the calls', () => {
    const reasons = reasonLedgers(s.ledger.attempts).map((r) => ({ reason: r.reason, attempts: r.attempts, text: r.text, lints: r.lints.map((x) => ({ rule: x.rule, text: x.text })) }));
    assert.equal(isLedgerParams({ session: s.name, reasons }), true);
    assert.equal(isLedgerParams({ session: s.name, reasons: [{ ...reasons[0], lints: [{ rule: 'other', text: '' }] }] }), false);
    const byReason = new Map(reasons.map((r) => [r.reason, r]));
    const call = (reason: string, start: number): RecorderCall => ({ method: 'Eventf', range: { start, end: start + 10 }, reasonRange: { start: start + 2, end: start + 8 }, reason, literal: true, eventType: 'Warning' });
    const doc = { rangeOf: (r: { start: number; end: number }) => ({ start: { line: 0, character: r.start }, end: { line: 0, character: r.end } }) };
    const calls = [call('ProbeFailed', 0), call('Resynced', 20), call('NeverLogged', 40)];
    const lenses = ledgerCodeLenses(calls, byReason, doc);
    assert.deepEqual(
      lenses.map((x) => x.command?.title),
      ['Recorder ledger: 40 attempts: 9 created, 16 combined, 15 spam-filtered', 'Recorder ledger: 13 attempts: 1 created, 12 count patched'],
    );
    assert.equal(lenses[0].command?.command, 'kubeEvents.showRecorderLedger');
    const diagnostics = ledgerDiagnostics(calls, byReason, doc);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range.start.character]), [['recorder-distinct-messages', 3, 2], ['recorder-spam-filter', 3, 2]]);
    const hover = ledgerHoverSection(byReason.get('ProbeFailed'), s.name);
    assert.ok(hover.includes('**Recorder ledger** of debug session \\"Debug \\"\\<b\\>x\\<\\/b\\>\\"\\": 40 attempts\\: 9 created\\, 16 combined\\, 15 spam\\-filtered'), hover);
    assert.match(hover, /its claims, not events/);
  });

  it('the panel\'s HTML escapes the controller\'s text, runs no script, and lists labels and lints', () => {
    const html = renderLedgerHtml({ cspSource: 'vscode-webview:', styleUri: 'style.css', session: s.name, running: false, source: 'website-controller', counts: s.ledger.counts(), reasons: l.reasons(), attempts: s.ledger.attempts });
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; style-src vscode-webview:/);
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes('<b>x</b>'));
    assert.match(html, /debug session &quot;Debug &quot;&lt;b&gt;x&lt;\/b&gt;&quot;&quot;/);
    assert.match(html, /its claims, not events/);
    for (const label of ['created', 'count patched', 'combined', 'spam-filtered', 'rejected']) assert.ok(html.includes(`>${label}</span>`), label);
    assert.match(html, /40 attempts, 40 different messages/);
  });
});
