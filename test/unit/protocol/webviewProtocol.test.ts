import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toEventDto } from '../../../src/host/timeline/eventDto';
import {
  MAX_FILTER_TEXT_LENGTH,
  isHostMessage,
  isViewMessage,
  type EventDto,
  type HostMessage,
  type ViewMessage,
} from '../../../src/protocol/webview';

/** The guard a DTO passes on its way in: an event the host appends. */
const acceptsEvent = (d: unknown): boolean => isHostMessage({ type: 'events/append', events: [d] });
import { anEvent } from '../support/eventBuilder';

function dto(overrides: Partial<EventDto> = {}): EventDto {
  return { ...toEventDto(anEvent()), ...overrides };
}

/** Round-trips through JSON, as postMessage serialises, so guards see what the other side would. */
function wire<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v));
}

describe('webview protocol guards: view → host', () => {
  const valid: ViewMessage[] = [
    { type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' } },
    { type: 'view/sort', sort: { column: 'reason', direction: 'asc' } },
    { type: 'filter/change', text: '' },
    { type: 'filter/change', text: 'type:Warning under:Deployment/prod/web' },
    { type: 'event/reveal', uid: 'a1b2' },
    { type: 'event/openResource', uid: 'a1b2' },
    { type: 'view/error', message: 'TypeError: x is undefined' },
  ];
  for (const m of valid) {
    it(`accepts ${JSON.stringify(m)}`, () => assert.equal(isViewMessage(wire(m)), true));
  }

  it('accepts a null-prototype object', () => {
    const m = Object.assign(Object.create(null) as object, { type: 'event/reveal', uid: 'a1b2' });
    assert.equal(isViewMessage(m), true);
  });

  const invalid: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'view/ready'],
    ['a number', 42],
    ['an array', [{ type: 'view/ready' }]],
    ['no type', {}],
    ['a non-string type', { type: 1 }],
    ['an unknown type', { type: 'view/exec', code: 'x' }],
    ['a host message type', { type: 'stats', total: 1, shown: 1, dropped: 0 }],
    ['a prototype key as type', { type: 'constructor' }],
    ['an extra key', { type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' }, extra: true }],
    ['an own __proto__ key', JSON.parse('{"type":"view/ready","sort":{"column":"lastSeen","direction":"desc"},"__proto__":{"polluted":true}}')],
    ['view/ready without its sort', { type: 'view/ready' }],
    ['a sort by an unknown column', { type: 'view/sort', sort: { column: 'uid', direction: 'asc' } }],
    ['a sort with an unknown direction', { type: 'view/sort', sort: { column: 'reason', direction: 'up' } }],
    ['a sort with an extra key', { type: 'view/sort', sort: { column: 'reason', direction: 'asc', then: 'count' } }],
    ['missing text', { type: 'filter/change' }],
    ['non-string text', { type: 'filter/change', text: ['type:Warning'] }],
    ['text over the limit', { type: 'filter/change', text: 'x'.repeat(MAX_FILTER_TEXT_LENGTH + 1) }],
    ['missing uid', { type: 'event/reveal' }],
    ['empty uid', { type: 'event/reveal', uid: '' }],
    ['numeric uid', { type: 'event/openResource', uid: 7 }],
    ['object uid', { type: 'event/openResource', uid: { toString: () => 'x' } }],
    ['uid over the limit', { type: 'event/reveal', uid: 'u'.repeat(257) }], // 256 characters is the most either side accepts
    ['a class instance', new (class Msg { type = 'view/error'; message = 'x'; })()],
    ['a Date', new Date()],
    ['view/error without message', { type: 'view/error' }],
  ];
  for (const [name, m] of invalid) {
    it(`rejects ${name}`, () => assert.equal(isViewMessage(m), false));
  }
});

describe('webview protocol guards: host → view', () => {
  const filter = { text: 'type:Warning', applied: 'type:Warning', where: 'view' as const };
  const valid: HostMessage[] = [
    { type: 'events/reset', events: [], filter, remaining: 0 },
    { type: 'events/reset', events: [dto(), dto({ type: 'Warning', ours: true, expired: true })], filter: { ...filter, where: 'host' }, remaining: 5_000 },
    { type: 'events/page', events: [dto()], remaining: 0 },
    { type: 'events/page', events: [], remaining: 12 },
    { type: 'events/append', events: [dto()] },
    { type: 'events/upsert', events: [dto(), dto()] },
    { type: 'events/remove', uids: ['a', 'b'] },
    { type: 'events/remove', uids: [] },
    { type: 'filter/state', ...filter },
    { type: 'filter/state', text: 'foo:bar', applied: '', where: 'view', error: { message: 'unknown key "foo"', start: 0, end: 7 } },
    { type: 'stats', total: 100, shown: 40, dropped: 3 },
  ];
  for (const m of valid) {
    it(`accepts ${m.type} ${JSON.stringify(m).slice(0, 60)}`, () => assert.equal(isHostMessage(wire(m)), true));
  }

  const invalid: [string, unknown][] = [
    ['null', null],
    ['a view message', { type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' } }],
    ['reset without filter', { type: 'events/reset', events: [], remaining: 0 }],
    ['reset without remaining', { type: 'events/reset', events: [], filter }],
    ['reset with a bad filter.where', { type: 'events/reset', events: [], filter: { ...filter, where: 'both' }, remaining: 0 }],
    ['page with a negative remaining', { type: 'events/page', events: [], remaining: -1 }],
    ['page with a fractional remaining', { type: 'events/page', events: [], remaining: 0.5 }],
    ['page with a malformed event', { type: 'events/page', events: [{ ...dto(), count: '3' }], remaining: 0 }],
    ['events not an array', { type: 'events/upsert', events: { 0: dto(), length: 1 } }],
    ['one malformed event among good ones', { type: 'events/append', events: [dto(), { ...dto(), count: '3' }] }],
    ['an event with an extra key', { type: 'events/append', events: [{ ...dto(), html: '<b>x</b>' }] }],
    ['an event missing a key', { type: 'events/append', events: [(({ message: _m, ...rest }) => rest)(dto())] }],
    ['an event with NaN lastSeen', { type: 'events/upsert', events: [dto({ lastSeen: Number.NaN })] }],
    ['an event with Infinity count', { type: 'events/upsert', events: [dto({ count: Number.POSITIVE_INFINITY })] }],
    ['an event with an empty uid', { type: 'events/upsert', events: [dto({ uid: '' })] }],
    ['an event with a non-boolean flag', { type: 'events/upsert', events: [{ ...dto(), ours: 'true' }] }],
    ['remove with a numeric uid', { type: 'events/remove', uids: ['a', 2] }],
    ['filter/state with the error span past the text', { type: 'filter/state', text: 'ab', applied: '', where: 'view', error: { message: 'x', start: 1, end: 5 } }],
    ['filter/state with a reversed span', { type: 'filter/state', text: 'abcd', applied: '', where: 'view', error: { message: 'x', start: 3, end: 1 } }],
    ['filter/state with error: undefined present', { type: 'filter/state', text: '', applied: '', where: 'view', error: undefined }],
    ['stats with a negative count', { type: 'stats', total: 1, shown: 1, dropped: -1 }],
    ['stats with a fraction', { type: 'stats', total: 1.5, shown: 1, dropped: 0 }],
    ['stats with a missing field', { type: 'stats', total: 1, shown: 1 }],
    ['an unknown type', { type: 'events/eval', code: 'alert(1)' }],
  ];
  for (const [name, m] of invalid) {
    it(`rejects ${name}`, () => assert.equal(isHostMessage(m), false));
  }
});

describe('EventDto projection', () => {
  it('carries every field the view shows and filters on', () => {
    const e = anEvent({
      type: 'Warning',
      reason: 'BackOff',
      action: 'Pulling',
      message: 'Back-off restarting failed container',
      namespace: 'prod',
      regarding: { kind: 'Pod', name: 'web-1', namespace: 'prod' },
      reportingController: 'kubelet',
      reportingInstance: 'node-a',
      count: 7,
      firstSeen: 1_700_000_000_000,
      lastSeen: 1_700_000_600_000,
      ours: true,
      expired: true,
    });
    assert.deepEqual(toEventDto(e), {
      uid: e.uid,
      cluster: '',
      type: 'Warning',
      reason: 'BackOff',
      action: 'Pulling',
      message: 'Back-off restarting failed container',
      namespace: 'prod',
      objectKind: 'Pod',
      objectName: 'web-1',
      objectNamespace: 'prod',
      objectLabel: 'Pod/web-1',
      count: 7,
      source: 'kubelet',
      sourceInstance: 'node-a',
      writtenBy: 'core/v1',
      readThrough: 'core/v1',
      lastSeen: 1_700_000_600_000,
      firstSeen: 1_700_000_000_000,
      ours: true,
      expired: true,
    });
    assert.equal(acceptsEvent(toEventDto(e)), true);
  });

  it('keeps hostile cluster text as plain strings, unchanged', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const e = anEvent({ message: hostile, reason: '<script>alert(2)</script>', regarding: { kind: 'Pod', name: '"><svg onload=alert(3)>' }, reportingController: '&lt;b&gt;' });
    const d = toEventDto(e);
    assert.equal(d.message, hostile);
    assert.equal(d.reason, '<script>alert(2)</script>');
    assert.equal(d.objectLabel, 'Pod/"><svg onload=alert(3)>');
    assert.equal(d.source, '&lt;b&gt;');
    assert.equal(isHostMessage(wire({ type: 'events/upsert', events: [d] })), true);
  });

  it('cuts an oversized message and normalises a bad count or time', () => {
    const d = toEventDto(anEvent({ message: 'm'.repeat(100_000), count: Number.NaN, lastSeen: Number.POSITIVE_INFINITY }));
    assert.ok(d.message.length <= 4_096, `${d.message.length} characters`);
    assert.ok(d.message.endsWith(`…(${100_000 - 4_056} more characters)`), d.message.slice(-40));
    assert.equal(d.count, 0);
    assert.equal(d.lastSeen, 0);
    assert.equal(acceptsEvent(d), true);
  });
});
