import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTION_LENGTH_LIMIT,
  NOTE_LENGTH_LIMIT,
  QUALIFIED_NAME_MAX_LENGTH,
  REASON_LENGTH_LIMIT,
  REPORTING_INSTANCE_LENGTH_LIMIT,
  isQualifiedName,
  qualifiedNameProblems,
  reasonHint,
  utf8Length,
  validateEvent,
  type EventDraft,
  type EventValidationResult,
  type ValidationProblem,
} from '../../../../src/core/events/eventValidation';

function core(over: Partial<EventDraft> = {}): EventDraft {
  return {
    flavour: 'core/v1',
    namespace: 'shop',
    type: 'Normal',
    reason: 'Scheduled',
    message: 'assigned shop/web-0 to node-1',
    reportingController: 'kube-events-vscode',
    reportingInstance: 'laptop',
    regarding: { kind: 'Pod', name: 'web-0', namespace: 'shop' },
    ...over,
  };
}

function v1(over: Partial<EventDraft> = {}): EventDraft {
  return core({ flavour: 'events.k8s.io/v1', action: 'Binding', reportingInstance: 'kube-events-vscode-laptop', ...over });
}

function problems(r: EventValidationResult): readonly ValidationProblem[] {
  return r.ok ? [] : r.problems;
}

function only(r: EventValidationResult, field: string): ValidationProblem {
  const ps = problems(r);
  assert.equal(r.ok, false, 'expected a refusal');
  assert.deepEqual(
    ps.map((p) => p.field),
    [field],
  );
  return ps[0];
}

describe('validateEvent: limits the apiserver applies (pkg/apis/core/validation/events.go)', () => {
  it('accepts a well-formed event of each flavour', () => {
    assert.deepEqual(validateEvent(core()), { ok: true, value: { warnings: [] } });
    assert.deepEqual(validateEvent(v1()), { ok: true, value: { warnings: [] } });
  });

  it('type must be Normal or Warning (both flavours)', () => {
    for (const draft of [core({ type: 'Error' }), v1({ type: 'normal' }), core({ type: '' })]) {
      const p = only(validateEvent(draft), 'type');
      assert.match(p.message, /"Normal" or "Warning"/);
    }
    assert.equal(validateEvent(core({ type: 'Warning' })).ok, true);
  });

  it(`reason is required and at most ReasonLengthLimit = ${REASON_LENGTH_LIMIT} bytes`, () => {
    assert.match(only(validateEvent(v1({ reason: '' })), 'reason').message, /reason is required/);
    assert.equal(validateEvent(core({ reason: 'R'.repeat(128) })).ok, true);
    const p = only(validateEvent(core({ reason: 'R'.repeat(200) })), 'reason');
    assert.equal(p.limit, REASON_LENGTH_LIMIT);
    assert.match(p.message, /reason is 200 characters; the apiserver allows at most 128 bytes/);
  });

  it('counts bytes, not characters, as Go len() does (multibyte text)', () => {
    assert.equal(utf8Length('É'), 2);
    assert.equal(utf8Length('€'), 3);
    assert.equal(utf8Length('😀'), 4);
    assert.equal(validateEvent(core({ reason: 'É'.repeat(64) })).ok, true, '64 × 2 bytes = 128 bytes');
    const p = only(validateEvent(core({ reason: 'É'.repeat(65) })), 'reason');
    assert.match(p.message, /130 bytes in UTF-8 \(65 characters\)/);
  });

  it(`note is at most NoteLengthLimit = ${NOTE_LENGTH_LIMIT} bytes for events.k8s.io/v1`, () => {
    assert.equal(validateEvent(v1({ message: 'x'.repeat(1024) })).ok, true);
    const ascii = only(validateEvent(v1({ message: 'x'.repeat(1025) })), 'note');
    assert.equal(ascii.limit, NOTE_LENGTH_LIMIT);
    assert.match(ascii.message, /note is 1025 characters; the apiserver allows at most 1024 bytes/);
    // 342 characters, 1026 bytes: under the limit in characters, over it in bytes.
    const euro = only(validateEvent(v1({ message: '€'.repeat(342) })), 'note');
    assert.match(euro.message, /1026 bytes in UTF-8 \(342 characters\)/);
    assert.equal(validateEvent(v1({ message: '😀'.repeat(256) })).ok, true, '256 × 4 bytes = 1024 bytes');
  });

  it('core/v1 message has no 1 KiB limit in validation', () => {
    assert.equal(validateEvent(core({ message: 'm'.repeat(5000) })).ok, true);
  });

  it(`action is required for events.k8s.io/v1 and at most ActionLengthLimit = ${ACTION_LENGTH_LIMIT} bytes`, () => {
    assert.match(only(validateEvent(v1({ action: '' })), 'action').message, /action is required for events\.k8s\.io\/v1/);
    assert.equal(validateEvent(core({ action: '' })).ok, true, 'core/v1 does not need an action');
    assert.equal(only(validateEvent(v1({ action: 'a'.repeat(129) })), 'action').limit, ACTION_LENGTH_LIMIT);
    assert.equal(validateEvent(v1({ action: 'a'.repeat(128) })).ok, true);
  });

  it(`reportingInstance is required for events.k8s.io/v1, at most ${REPORTING_INSTANCE_LENGTH_LIMIT} bytes`, () => {
    assert.equal(only(validateEvent(v1({ reportingInstance: '' })), 'reportingInstance').field, 'reportingInstance');
    const p = only(validateEvent(v1({ reportingInstance: 'i'.repeat(129) })), 'reportingInstance');
    assert.match(p.message, /at most 128 bytes/);
    assert.equal(validateEvent(core({ reportingInstance: '' })).ok, true, 'core/v1 may leave it empty');
  });

  it('reportingController must be a qualified name; required for events.k8s.io/v1', () => {
    assert.match(only(validateEvent(v1({ reportingController: '' })), 'reportingController').message, /required/);
    const p = only(validateEvent(core({ reportingController: 'Kube Events!' })), 'reportingComponent');
    assert.match(p.message, /not a qualified name/);
    assert.equal(validateEvent(v1({ reportingController: 'example.com/ctrl' })).ok, true);
  });

  it('core/v1: the event lives in its object namespace; cluster-scoped objects report from default', () => {
    assert.match(only(validateEvent(core({ namespace: 'other' })), 'involvedObject.namespace').message, /must be in its object's namespace "shop"/);
    const node = { kind: 'Node', name: 'node-1' };
    assert.equal(validateEvent(core({ namespace: 'default', regarding: node })).ok, true);
    assert.match(only(validateEvent(core({ namespace: 'kube-system', regarding: node })), 'involvedObject.namespace').message, /must be in namespace "default"/);
  });

  it('events.k8s.io/v1: a cluster-scoped object reports from default or kube-system', () => {
    const node = { kind: 'Node', name: 'node-1' };
    assert.equal(validateEvent(v1({ namespace: 'default', regarding: node })).ok, true);
    assert.equal(validateEvent(v1({ namespace: 'kube-system', regarding: node })).ok, true);
    assert.equal(only(validateEvent(v1({ namespace: 'shop', regarding: node })), 'regarding.namespace').field, 'regarding.namespace');
  });

  it('the namespace and name must be DNS-1123 subdomains; the object needs a name and kind', () => {
    assert.equal(only(validateEvent(core({ namespace: 'Shop_1', regarding: { kind: 'Pod', name: 'p', namespace: 'Shop_1' } })), 'metadata.namespace').field, 'metadata.namespace');
    assert.equal(only(validateEvent(core({ name: 'web-0.ABC' })), 'metadata.name').field, 'metadata.name');
    assert.equal(validateEvent(core({ name: 'web-0.18b2f3c4d5e6f708' })).ok, true);
    assert.deepEqual(
      problems(validateEvent(core({ regarding: { kind: '', name: '', namespace: 'shop' } }))).map((p) => p.field),
      ['involvedObject.name', 'involvedObject.kind'],
    );
  });

  it('reports every problem at once, naming each field and limit in the message', () => {
    const r = validateEvent(v1({ type: 'Bad', reason: 'r'.repeat(129), action: '', message: 'n'.repeat(2000) }));
    assert.equal(r.ok, false);
    assert.deepEqual(
      problems(r).map((p) => p.field),
      ['type', 'reason', 'action', 'note'],
    );
    if (!r.ok) {
      assert.equal(r.reason, 'invalid-event');
      assert.match(r.message, /^Not sent: /);
      assert.match(r.message, /128 bytes/);
      assert.match(r.message, /1024 bytes/);
    }
  });
});

describe('qualified names (apimachinery IsQualifiedName)', () => {
  it('accepts names with an optional DNS subdomain prefix', () => {
    for (const ok of ['kube-events-vscode', 'example.com/ctrl', 'a', 'Ctrl_v1.2', 'x'.repeat(QUALIFIED_NAME_MAX_LENGTH), 'k8s.io/kube-scheduler']) {
      assert.equal(isQualifiedName(ok), true, ok);
    }
  });

  it('refuses bad prefixes, bad names, too long names and extra slashes', () => {
    const cases: [string, RegExp][] = [
      ['', /name part must not be empty/],
      ['/ctrl', /prefix before "\/" must not be empty/],
      ['Example.com/ctrl', /prefix before "\/"/],
      ['example.com/', /name part must not be empty/],
      ['a/b/c', /at most one '\/'/],
      ['-ctrl', /start and end with a letter or digit/],
      ['ctrl-', /start and end with a letter or digit/],
      ['kube events', /letters, digits/],
      ['x'.repeat(64), /no more than 63 characters/],
    ];
    for (const [value, why] of cases) {
      assert.equal(isQualifiedName(value), false, value);
      assert.match(qualifiedNameProblems(value).join('; '), why, value);
    }
  });
});

describe('reasonHint: UpperCamelCase is the convention, not a rule', () => {
  it('says nothing for UpperCamelCase reasons', () => {
    for (const r of ['BackOff', 'FailedScheduling', 'HTTP2Error', 'Pulled']) assert.equal(reasonHint(r), undefined, r);
  });

  it('warns otherwise, with a suggestion', () => {
    assert.match(reasonHint('back off')!, /not UpperCamelCase.*"BackOff"/);
    assert.match(reasonHint('failed_scheduling')!, /"FailedScheduling"/);
    assert.match(reasonHint('pulled')!, /"Pulled"/);
  });

  it('a validated draft carries the hint as a warning, never as an error', () => {
    const r = validateEvent(core({ reason: 'image pulled' }));
    assert.equal(r.ok, true);
    if (r.ok) assert.match(r.value.warnings[0], /UpperCamelCase/);
  });
});
