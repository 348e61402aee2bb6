import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent, ObjectKeyWith, ObjectSelector } from '../../../../src/core/events/kubeEvent';
import { anEvent, type EventOverrides } from '../../support/eventBuilder';
import type { OwnerLookup } from '../../../../src/core/owners/ownerGraph';
import type { Result } from '../../../../src/core/result';
import { describeQuery } from '../../../../src/core/query/describe';
import { matches, type MatchContext } from '../../../../src/core/query/evaluate';
import { parseDuration, parseObjectRef, parseQuery } from '../../../../src/core/query/parse';
import { EMPTY_QUERY, formatObjectRef, MAX_QUERY_LENGTH, resourceFilterText, type Query, type QueryError } from '../../../../src/core/query/syntax';

// ---- builders ---------------------------------------------------------------------------------------------------

const NOW = Date.parse('2026-11-26T12:00:00Z');

type EventSpec = EventOverrides;

/** The shared builder with this file's defaults: a Scheduled event on Pod prod/web-1, a minute old. */
function ev(spec: EventSpec = {}): KubeEvent {
  const { regarding, ...rest } = spec;
  const namespace = rest.namespace ?? 'prod';
  return anEvent({
    namespace,
    lastSeen: NOW - 60_000,
    message: 'Successfully assigned prod/web-1 to node-1',
    reportingInstance: 'scheduler-0',
    ...rest,
    regarding: { name: 'web-1', namespace, resourceVersion: '', ...regarding },
  });
}

function q(text: string): Query {
  const r = parseQuery(text);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(text)} to parse: ${r.message}`);
  return r.value;
}

function err(text: string): QueryError {
  const r = parseQuery(text);
  if (r.ok) assert.fail(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(r.value.text)}`);
  assert.equal(r.reason, 'syntax');
  assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, `bad span ${r.start}..${r.end}`);
  return r;
}

const ctx: MatchContext = { now: NOW };

function m(text: string, e: KubeEvent, c: MatchContext = ctx): boolean {
  return matches(q(text), e, c);
}

// ---- parser -----------------------------------------------------------------------------------------------------

describe('parseQuery: terms', () => {
  it('empty and blank input is the empty query', () => {
    for (const text of ['', '   ', '\t\n ']) {
      const query = q(text);
      assert.equal(query.isEmpty, true);
      assert.equal(query.text, '');
      assert.deepEqual(query.terms, []);
    }
    assert.equal(EMPTY_QUERY.isEmpty, true);
  });

  it('parses every key and normalises the text', () => {
    const query = q(
      '  TYPE:warning  reason:Failed*  kind:pod name:web-1 namespace:prod object:Pod/prod/web-1 under:Deployment/web ' +
        'source:kubelet action:Binding since:1h30m is:Ours "image pull" oom',
    );
    assert.deepEqual(
      query.terms.map((t) => t.key),
      ['type', 'reason', 'kind', 'name', 'ns', 'object', 'under', 'source', 'action', 'since', 'is', 'text', 'text'],
    );
    assert.equal(
      query.text,
      'type:Warning reason:Failed* kind:pod name:web-1 ns:prod object:Pod/prod/web-1 under:Deployment/web ' +
        'source:kubelet action:Binding since:1h30m is:ours "image pull" oom',
    );
    assert.equal(query.isEmpty, false);
    // The normal form parses to itself.
    assert.equal(q(query.text).text, query.text);
  });

  it('keeps term offsets into the original text', () => {
    const text = '  type:Normal   -"a b"';
    const [t1, t2] = q(text).terms;
    assert.equal(text.slice(t1.start, t1.end), 'type:Normal');
    assert.equal(text.slice(t2.start, t2.end), '-"a b"');
  });

  it('splits commas into alternatives and marks globs', () => {
    const [t] = q('type:Warning,normal').terms;
    assert.ok(t.key === 'type');
    assert.deepEqual(t.values.map((v) => v.text), ['Warning', 'Normal']);
    const [r] = q('reason:Failed*,BackOff').terms;
    assert.ok(r.key === 'reason');
    assert.deepEqual(r.values.map((v) => [v.text, v.glob]), [['Failed*', true], ['BackOff', false]]);
  });

  it('takes a quoted value literally: no comma split, no glob', () => {
    const [t] = q('reason:"a,b*"').terms;
    assert.ok(t.key === 'reason');
    assert.deepEqual(t.values, [{ text: 'a,b*', glob: false, quoted: true }]);
    assert.equal(q('reason:"a,b*"').text, 'reason:"a,b*"');
  });

  it('reads negation on fields, words and phrases', () => {
    const terms = q('-reason:Scheduled -"some phrase" -oom').terms;
    assert.deepEqual(terms.map((t) => [t.key, t.negated]), [['reason', true], ['text', true], ['text', true]]);
    assert.equal(q('-reason:Scheduled -"some phrase" -oom').text, '-reason:Scheduled -"some phrase" -oom');
  });

  it('reads escapes inside quotes and re-escapes them in the normal form', () => {
    const [t] = q('"say \\"hi\\" \\\\ now"').terms;
    assert.ok(t.key === 'text');
    assert.equal(t.value, 'say "hi" \\ now');
    assert.equal(q(q('"say \\"hi\\" \\\\ now"').text).terms[0].key, 'text');
    assert.equal(q('"say \\"hi\\" \\\\ now"').text, '"say \\"hi\\" \\\\ now"');
  });

  it('parses object references with and without namespace, and cluster-scoped', () => {
    const refs = q('object:pod/web-1 object:Pod/prod/web-1 under:Node//node-1').terms.map((t) => (t.key === 'object' || t.key === 'under' ? t.refs[0] : undefined));
    assert.deepEqual(refs, [
      { kind: 'pod', namespace: undefined, name: 'web-1' },
      { kind: 'Pod', namespace: 'prod', name: 'web-1' },
      { kind: 'Node', namespace: '', name: 'node-1' },
    ]);
    assert.equal(q('under:Node//node-1').text, 'under:Node//node-1');
  });

  it('parses durations', () => {
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('45s'), 45_000);
    for (const bad of ['', '10', 'm', '10x', '0s', '10M', '-5m', '1.5h', '1234567890s', '10m5']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('returns a Result: failures carry reason "syntax"', () => {
    const r: Result<Query, 'syntax'> = parseQuery('typo:x');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'syntax');
  });

  it('produces frozen, immutable queries', () => {
    const query = q('type:Warning oom');
    assert.ok(Object.isFrozen(query));
    assert.ok(Object.isFrozen(query.terms));
    assert.ok(Object.isFrozen(query.terms[0]));
  });
});

describe('parseQuery: errors', () => {
  it('names an unknown key with its column and term, and lists the keys', () => {
    const e = err('type:x typo:x');
    assert.equal(e.start, 7);
    assert.equal(e.end, 13);
    assert.equal(e.column, 8);
    assert.match(e.message, /^unknown key "typo" at column 8 \("typo:x"\); keys are type, reason, kind, name, ns, object, under, source, action, since, until, is/);
  });

  it('rejects keys that are Object.prototype members', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.match(err(`${key}:x`).message, /unknown key/);
    }
  });

  it('rejects empty values and empty alternatives', () => {
    assert.match(err('type:').message, /^empty value at column 1 \("type:"\): write type:VALUE/);
    assert.match(err('reason:""').message, /empty value/);
    assert.match(err('type:Warning,,Normal').message, /empty value in a list/);
    assert.match(err('type:Warning,').message, /empty value in a list/);
    assert.match(err('type:,Warning').message, /empty value in a list/);
  });

  it('rejects bad durations', () => {
    for (const bad of ['since:10', 'since:10x', 'since:m', 'since:0m', 'since:10M', 'since:1.5h']) {
      assert.match(err(bad).message, /^bad duration .* at column 1 .*s, m, h or d/, bad);
    }
    assert.match(err('since:10m,1h').message, /one duration/);
  });

  it('rejects bad object references', () => {
    for (const bad of ['object:Pod', 'object:Pod/a/b/c', 'object:Pod/', 'object:/web', 'under:1Pod/x', 'under:Pod/web-*', 'object:Pod/prod/']) {
      const e = err(bad);
      assert.match(e.message, /^bad object reference/, bad);
      assert.equal(e.start, 0);
      assert.equal(e.end, bad.length);
    }
    assert.match(err('under:Pod/web-*').message, /"\*" is not allowed/);
  });

  it('rejects a lone "-" and a double one', () => {
    const lone = err('type:Warning - oom');
    assert.equal(lone.start, 13);
    assert.equal(lone.end, 14);
    assert.match(lone.message, /^lone "-" at column 14/);
    assert.match(err('oom -').message, /lone "-"/);
    assert.match(err('--reason:x').message, /double "-"/);
  });

  it('rejects unterminated quotes, underlining to the end', () => {
    const e = err('type:Warning "image pull');
    assert.equal(e.start, 13);
    assert.equal(e.end, 24);
    assert.match(e.message, /^unterminated quote at column 14 \("\\"image pull"\)/);
    assert.match(err('reason:"abc').message, /unterminated quote/);
    assert.match(err('"abc\\"').message, /unterminated quote/);
  });

  it('rejects stray quotes, text glued to a closing quote and a missing key', () => {
    assert.match(err('foo"bar').message, /stray quote/);
    assert.match(err('reason:a"b').message, /stray quote/);
    assert.match(err('"foo"bar').message, /right after a closing quote/);
    assert.match(err(':x').message, /missing key/);
    assert.match(err('""').message, /empty phrase/);
  });

  it('rejects unknown is: values', () => {
    assert.match(err('is:broken').message, /unknown value "broken" for is: .* use is:ours, is:expired, is:warning/);
  });

  it('rejects control characters, pointing at them', () => {
    const e = err('oom \u0007bell');
    assert.equal(e.start, 4);
    assert.equal(e.end, 5);
    assert.match(e.message, /control character U\+0007 at column 5/);
    assert.match(err('a\u0000b').message, /U\+0000/);
    assert.match(err('a\u009bb').message, /U\+009B/);
    assert.match(err('a\u007fb').message, /U\+007F/);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    const e = err('😀😀 typo:x');
    assert.equal(e.start, 5);
    assert.equal(e.column, 4);
  });

  it('refuses over-long input with a clear message', () => {
    const e = err('a'.repeat(MAX_QUERY_LENGTH + 1));
    assert.match(e.message, /too long/);
  });

  it('keeps user text that looks like a placeholder or a replacement pattern verbatim', () => {
    assert.match(err('{at}:x').message, /^unknown key "\{at\}" at column 1 \("\{at\}:x"\)/);
    assert.match(err("$&$`:x").message, /^unknown key "\$&\$`" at column 1/);
  });

  it('quotes the term safely and briefly in messages', () => {
    const e = err(`typo:${'x'.repeat(500)}`);
    assert.ok(e.message.length < 300);
    assert.match(e.message, /…"/);
  });
});

describe('parseQuery: hostile input', () => {
  it('parses a 10k-character query quickly', () => {
    const text = Array.from({ length: 1_000 }, (_, i) => (i % 2 ? `reason:R${i}*` : `w${i}`)).join(' ').slice(0, 10_000);
    const started = performance.now();
    const r = parseQuery(text);
    assert.ok(performance.now() - started < 1_000);
    assert.equal(r.ok, true);
  });

  it('treats regex metacharacters as text, with no catastrophic backtracking', () => {
    const e = ev({ message: `${'a'.repeat(5_000)}!`, reason: 'a'.repeat(5_000) });
    const started = performance.now();
    for (const text of ['(a+)+$', '"(.*)+"', 'reason:(a+)+$*', `reason:${'*a'.repeat(2_000)}*b`, `${'a*'.repeat(2_000)}b`, '[', '\\', '^$.|?+()[]{}']) {
      const query = q(text);
      assert.equal(typeof matches(query, e, ctx), 'boolean');
    }
    assert.ok(performance.now() - started < 1_000);
    assert.equal(m('"(.*)+"', ev({ message: 'literally (.*)+ here' })), true);
    assert.equal(m('a.c', ev({ message: 'abc' })), false);
  });

  it('never throws on random input, and every success re-parses to itself', () => {
    const alphabet = ['a', 'Z', ' ', '-', '"', ':', ',', '*', '/', '\\', '\u0007', '\u202e', 'é', '😀', 'type', 'since', '10m', 'object', 'Pod'];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n);
    for (let i = 0; i < 3_000; i++) {
      const text = Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
      const r = parseQuery(text);
      if (r.ok) assert.equal(q(r.value.text).text, r.value.text, JSON.stringify(text));
      else assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, JSON.stringify(text));
    }
  });

  it('handles unicode and right-to-left text', () => {
    assert.equal(m('"فشل السحب"', ev({ message: 'خطأ: فشل السحب من السجل' })), true);
    assert.equal(m('ÉCHEC', ev({ message: 'échec du montage' })), true);
    assert.equal(m('名前', ev({ message: 'x', regarding: { name: 'pod-名前' } })), true);
    assert.equal(m('"\u202bשלום\u202c"', ev({ message: 'x \u202bשלום\u202c y' })), true);
    // An invisible bidi override glued to a key is shown escaped, so the message cannot be visually reordered.
    const e = err('\u202ereason:x');
    assert.match(e.message, /unknown key "\\u202ereason"/);
    assert.ok(!e.message.includes('\u202e'));
  });
});

// ---- evaluator --------------------------------------------------------------------------------------------------

describe('matches', () => {
  it('the empty query matches everything', () => {
    assert.equal(matches(EMPTY_QUERY, ev(), ctx), true);
    assert.equal(m('', ev()), true);
  });

  it('type: exact, canonicalised, any-of, glob', () => {
    const w = ev({ type: 'Warning' });
    assert.equal(m('type:Warning', w), true);
    assert.equal(m('type:warning', w), true);
    assert.equal(m('type:Normal', w), false);
    assert.equal(m('type:Normal,Warning', w), true);
    assert.equal(m('type:w*', w), true);
    assert.equal(m('-type:Normal', w), true);
  });

  it('reason: exact is case-sensitive, a glob is not', () => {
    const e = ev({ reason: 'FailedScheduling' });
    assert.equal(m('reason:FailedScheduling', e), true);
    assert.equal(m('reason:failedscheduling', e), false);
    assert.equal(m('reason:failed*', e), true);
    assert.equal(m('reason:*sched*', e), true);
    assert.equal(m('reason:Failed', e), false);
    assert.equal(m('reason:*Mount', e), false);
    assert.equal(m('-reason:Scheduled', e), true);
    assert.equal(m('reason:*', e), true);
  });

  it('kind: case-insensitive', () => {
    const e = ev({ regarding: { kind: 'Deployment' } });
    assert.equal(m('kind:deployment', e), true);
    assert.equal(m('kind:Pod,Deployment', e), true);
    assert.equal(m('kind:Deploy*', e), true);
    assert.equal(m('kind:Pod', e), false);
  });

  it('name: the involved object name', () => {
    const e = ev({ name: 'web-1.17f', regarding: { name: 'web-1' } });
    assert.equal(m('name:web-1', e), true);
    assert.equal(m('name:web-*', e), true);
    assert.equal(m('name:web-1.17f', e), false);
  });

  it("ns: the event's own namespace", () => {
    const nodeEvent = ev({ namespace: 'default', regarding: { kind: 'Node', name: 'node-1', namespace: '' } });
    assert.equal(m('ns:default', nodeEvent), true);
    assert.equal(m('namespace:default', nodeEvent), true);
    assert.equal(m('ns:kube-*', ev({ namespace: 'kube-system' })), true);
    assert.equal(m('-ns:kube-system', ev({ namespace: 'kube-system' })), false);
  });

  it('object: any namespace, exact namespace, cluster-scoped; kind case-insensitive', () => {
    const e = ev({ namespace: 'prod', regarding: { kind: 'Pod', name: 'web-1', namespace: 'prod' } });
    assert.equal(m('object:Pod/web-1', e), true);
    assert.equal(m('object:pod/prod/web-1', e), true);
    assert.equal(m('object:Pod/dev/web-1', e), false);
    assert.equal(m('object:Pod/web-2', e), false);
    assert.equal(m('object:Job/web-1', e), false);
    assert.equal(m('object:Pod/web-2,Pod/web-1', e), true);
    const node = ev({ namespace: 'default', regarding: { kind: 'Node', name: 'n1', namespace: '' } });
    assert.equal(m('object:Node//n1', node), true);
    assert.equal(m('object:Node/default/n1', node), false);
    assert.equal(m('-object:Node/n1', node), false);
  });

  it('under: without an owner lookup, the object itself only', () => {
    const pod = ev({ regarding: { kind: 'Pod', name: 'web-abc-1', namespace: 'prod' } });
    assert.equal(m('under:Pod/web-abc-1', pod), true);
    assert.equal(m('under:Deployment/web', pod), false);
  });

  it('under: asks the owner lookup, which answers from what it knows', () => {
    const asked: Array<[ObjectKeyWith<never, 'uid'>, ObjectSelector]> = [];
    let known = false;
    const owners: OwnerLookup = {
      isUnder(ref, root) {
        asked.push([ref, root]);
        return known && root.kind === 'Deployment' && root.name === 'web';
      },
    };
    const pod = ev({ regarding: { kind: 'Pod', name: 'web-abc-1', namespace: 'prod', uid: 'pod-1' } });
    const c: MatchContext = { now: NOW, owners };
    assert.equal(m('under:Deployment/prod/web', pod, c), false, 'an unknown chain does not match yet');
    assert.equal(m('-under:Deployment/prod/web', pod, c), true);
    known = true;
    assert.equal(m('under:Deployment/prod/web', pod, c), true, 're-evaluation after the graph learnt');
    assert.equal(asked[0][0].uid, 'pod-1');
    assert.deepEqual(asked[0][1], { kind: 'Deployment', namespace: 'prod', name: 'web' });
  });

  it('source: the reporting controller or instance', () => {
    const e = ev({ reportingController: 'kubelet', reportingInstance: 'node-7' });
    assert.equal(m('source:kubelet', e), true);
    assert.equal(m('source:node-7', e), true);
    assert.equal(m('source:node-*', e), true);
    assert.equal(m('source:default-scheduler', e), false);
  });

  it('action:', () => {
    assert.equal(m('action:Binding', ev({ action: 'Binding' })), true);
    assert.equal(m('action:Binding', ev({ action: '' })), false);
  });

  it('since: last seen within the duration of now', () => {
    assert.equal(m('since:10m', ev({ lastSeen: NOW - 9 * 60_000 })), true);
    assert.equal(m('since:10m', ev({ lastSeen: NOW - 10 * 60_000 })), true);
    assert.equal(m('since:10m', ev({ lastSeen: NOW - 11 * 60_000 })), false);
    assert.equal(m('since:10m', ev({ lastSeen: NOW + 5_000 })), true, 'clock skew: ahead of now still counts');
    assert.equal(m('since:10m', ev({ lastSeen: 0 })), false, 'unknown time');
    assert.equal(m('-since:10m', ev({ lastSeen: NOW - 11 * 60_000 })), true);
    assert.equal(matches(q('since:10m'), ev({ lastSeen: NOW - 9 * 60_000 }), { now: NOW + 2 * 60_000 }), false);
  });

  it('is: ours, expired, warning', () => {
    assert.equal(m('is:ours', ev({ ours: true })), true);
    assert.equal(m('is:ours', ev()), false);
    assert.equal(m('is:expired', ev({ expired: true })), true);
    assert.equal(m('-is:expired', ev({ expired: true })), false);
    assert.equal(m('is:warning', ev({ type: 'Warning' })), true);
    assert.equal(m('is:warning', ev({ type: 'warning' })), false);
    assert.equal(m('is:ours,warning', ev({ type: 'Warning' })), true);
  });

  it('words and phrases: message, reason or object name, case-insensitive', () => {
    const e = ev({ message: 'Back-off pulling image "nginx:latest"', reason: 'BackOff', regarding: { name: 'web-7' } });
    assert.equal(m('back-off', e), true);
    assert.equal(m('backoff', e), true, 'reason');
    assert.equal(m('WEB-7', e), true, 'object name');
    assert.equal(m('"pulling image"', e), true);
    assert.equal(m('"image pulling"', e), false);
    assert.equal(m('pull*nginx', e), true, '* in a word is a wildcard');
    assert.equal(m('"pull*nginx"', e), false, '* in quotes is literal');
    assert.equal(m('-nginx', e), false);
    assert.equal(m('Scheduled', e), false);
  });

  it('all terms must match', () => {
    const e = ev({ type: 'Warning', reason: 'BackOff', namespace: 'prod' });
    assert.equal(m('type:Warning reason:BackOff ns:prod', e), true);
    assert.equal(m('type:Warning reason:BackOff ns:dev', e), false);
  });
});

// ---- helpers ----------------------------------------------------------------------------------------------------

describe('describeQuery and reference helpers', () => {
  it('describes queries briefly', () => {
    assert.equal(describeQuery(EMPTY_QUERY), 'all events');
    assert.equal(
      describeQuery(q('type:Warning -reason:Scheduled,Pulled under:Deployment/prod/web since:90m is:ours "image pull"')),
      'type Warning, not reason Scheduled or Pulled, under Deployment/prod/web, last seen within 1h30m, ours, text "image pull"',
    );
  });

  it('formats and parses object references', () => {
    assert.equal(formatObjectRef({ kind: 'Pod', name: 'web-1' }), 'Pod/web-1');
    assert.equal(formatObjectRef({ kind: 'Pod', namespace: 'prod', name: 'web-1' }), 'Pod/prod/web-1');
    assert.equal(formatObjectRef({ kind: 'Node', namespace: '', name: 'n1' }), 'Node//n1');
    for (const text of ['Pod/web-1', 'Pod/prod/web-1', 'Node//n1']) {
      const r = parseObjectRef(text);
      assert.ok(r.ok);
      assert.equal(formatObjectRef(r.value), text);
    }
    assert.equal(parseObjectRef('Pod').ok, false);
  });

  it('builds resource filters for "Filter to This Resource"', () => {
    assert.equal(resourceFilterText({ kind: 'Deployment', namespace: 'prod', name: 'web' }), 'under:Deployment/prod/web');
    assert.equal(resourceFilterText({ kind: 'Pod', namespace: 'prod', name: 'web-1' }, false), 'object:Pod/prod/web-1');
    assert.equal(resourceFilterText({ kind: 'Node', namespace: '', name: 'n1' }), 'under:Node/n1');
    assert.equal(q(resourceFilterText({ kind: 'Deployment', namespace: 'prod', name: 'web' })).terms.length, 1);
  });
});

describe('cluster: (several clusters at once)', () => {
  it('parses as a value key and normalises its text', () => {
    const query = q('Cluster:kind-a,staging*');
    assert.equal(query.text, 'cluster:kind-a,staging*');
    assert.equal(describeQuery(query), 'cluster kind-a or staging*');
    assert.match(err('clustr:x').message, /keys are .*session, cluster;/);
  });

  it('matches the event\'s cluster exactly, by glob and negated; an event of no cluster is the empty name', () => {
    const a = ev({ cluster: 'kind-a' });
    const b = ev({ cluster: 'staging-eu' });
    const none = ev();
    assert.deepEqual([a, b, none].map((e) => m('cluster:kind-a', e)), [true, false, false]);
    assert.deepEqual([a, b, none].map((e) => m('cluster:KIND-A', e)), [false, false, false], 'an exact name is case-sensitive');
    assert.deepEqual([a, b, none].map((e) => m('cluster:STAG*', e)), [false, true, false], 'a glob is not');
    assert.deepEqual([a, b, none].map((e) => m('-cluster:kind-a', e)), [false, true, true]);
    assert.deepEqual([a, b, none].map((e) => m('cluster:kind-a,staging-eu', e)), [true, true, false]);
  });

  it('answers under: from the owner graph of the event\'s own cluster', () => {
    const root: ObjectSelector = { kind: 'Deployment', namespace: 'prod', name: 'web' };
    // Each cluster's graph knows that its own Pod web-1 is under Deployment prod/web, and nothing else.
    const graphOf = (cluster: string): OwnerLookup => ({
      isUnder: (o: ObjectKeyWith<never, 'uid'>, r: ObjectSelector) => o.name === 'web-1' && r.name === root.name && o.uid === `uid-${cluster}`,
    });
    const graphs = new Map([['a', graphOf('a')], ['b', graphOf('b')]]);
    const inA = ev({ cluster: 'a', regarding: { uid: 'uid-a' } });
    const inB = ev({ cluster: 'b', regarding: { uid: 'uid-b' } });
    const inBWithAsUid = ev({ cluster: 'b', regarding: { uid: 'uid-a' } });
    const c: MatchContext = { now: NOW, ownersOf: (cluster) => (cluster === undefined ? undefined : graphs.get(cluster)) };
    assert.equal(m('under:Deployment/prod/web', inA, c), true);
    assert.equal(m('under:Deployment/prod/web', inB, c), true);
    assert.equal(m('under:Deployment/prod/web', inBWithAsUid, c), false, 'cluster a\'s graph does not answer for cluster b\'s event');
  });
});
