import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anEvent } from '../../support/eventBuilder';
import { EventBreakpointCounter, parseEventBreakpoint, type EventBreakpointSpec } from '../../../../src/core/query/eventBreakpoint';
import { parseLaunchBlock } from '../../../../src/host/debug/debugFollower';
import type { KubeEvent } from '../../../../src/core/events/kubeEvent';

function spec(text: string): EventBreakpointSpec {
  const p = parseEventBreakpoint(text);
  assert.ok(p.ok, p.ok ? '' : p.message);
  return p.value;
}

const ARMED = 1_800_000_000_000;
const site = { kind: 'Website', name: 'storefront', namespace: 'shop', apiVersion: 'demo.kube-events.local/v1' };
const failed = (over: Partial<KubeEvent> = {}): KubeEvent => anEvent({ reason: 'FailedCreate', type: 'Warning', namespace: 'shop', regarding: site, lastSeen: ARMED + 1000, count: 1, ...over });

describe('event breakpoints', () => {
  it('parses a query with count and within terms, and says what is wrong', () => {
    const s = spec('reason:FailedCreate under:Website/shop/storefront count>3 within:1m');
    assert.equal(s.query.text, 'reason:FailedCreate under:Website/shop/storefront');
    assert.equal(s.threshold, 4);
    assert.equal(s.withinMs, 60_000);
    assert.equal(spec('reason:X count>=2').threshold, 2);
    assert.equal(spec('"count>3 in a phrase"').threshold, 1, 'a quoted phrase is query text');
    const bad = (text: string) => {
      const p = parseEventBreakpoint(text);
      assert.ok(!p.ok);
      return p.message;
    };
    assert.match(bad(''), /needs a query/);
    assert.match(bad('count>3'), /at least one query term/);
    assert.match(bad('reason:X count=3'), /not a count term/);
    assert.match(bad('reason:X within:soon'), /within takes a duration/);
    assert.match(bad('reason:X session:current'), /do not fit a breakpoint/);
    assert.match(bad('reason:'), /empty value/);
  });

  it('fires on the first match by default, only for what arrives after it was armed', () => {
    const c = new EventBreakpointCounter([spec('reason:FailedCreate ns:shop')], ARMED);
    const ctx = { now: ARMED + 2000 };
    assert.deepEqual(c.feed({ type: 'ADDED', event: failed({ lastSeen: ARMED - 60_000 }) }, ctx), [], 'an old event (a relist) never counts');
    assert.deepEqual(c.feed({ type: 'ADDED', event: failed({ reason: 'Synced' }) }, ctx), []);
    const e = failed();
    const hits = c.feed({ type: 'ADDED', event: e }, ctx);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].event, e);
    assert.deepEqual(c.feed({ type: 'DELETED', event: e }, ctx), []);
  });

  it('counts repeats by how much the count rose; count>N fires on the occurrence past N and starts again', () => {
    const c = new EventBreakpointCounter([spec('reason:FailedCreate count>3')], ARMED);
    const ctx = { now: ARMED + 2000 };
    const e = failed();
    assert.equal(c.feed({ type: 'ADDED', event: e }, ctx).length, 0);
    assert.equal(c.feed({ type: 'MODIFIED', event: { ...e, count: 2 } }, ctx).length, 0);
    assert.equal(c.feed({ type: 'MODIFIED', event: { ...e, count: 2 } }, ctx).length, 0, 'the same count again is no occurrence');
    const hit = c.feed({ type: 'MODIFIED', event: { ...e, count: 4 } }, ctx);
    assert.equal(hit.length, 1);
    assert.equal(hit[0].occurrences, 4);
    assert.equal(c.feed({ type: 'MODIFIED', event: { ...e, count: 5 } }, ctx).length, 0, 'counting starts afresh after firing');
  });

  it('within: only occurrences in the sliding window count', () => {
    const c = new EventBreakpointCounter([spec('reason:FailedCreate count>=2 within:1m')], ARMED);
    assert.equal(c.feed({ type: 'ADDED', event: failed() }, { now: ARMED + 1000 }).length, 0);
    assert.equal(c.feed({ type: 'ADDED', event: failed() }, { now: ARMED + 90_000 }).length, 0, 'the first fell out of the window');
    assert.equal(c.feed({ type: 'ADDED', event: failed() }, { now: ARMED + 100_000 }).length, 1);
  });

  it('under: needs the owner graph: an owned object\'s event matches through it', () => {
    const c = new EventBreakpointCounter([spec('reason:FailedCreate under:Website/shop/storefront')], ARMED);
    const pod = { kind: 'Deployment', name: 'storefront', namespace: 'shop', apiVersion: 'apps/v1' };
    const e = failed({ regarding: { ...pod, uid: 'd1', resourceVersion: '1', fieldPath: '' } });
    assert.equal(c.feed({ type: 'ADDED', event: e }, { now: ARMED + 2000 }).length, 0, 'no owner graph: no match');
  });

  it('the launch block takes breakOn as a query or a list, and reports a bad one', () => {
    assert.deepEqual(parseLaunchBlock({ breakOn: 'reason:FailedCreate count>3' }), { block: { breakOn: ['reason:FailedCreate count>3'] }, problems: [] });
    const r = parseLaunchBlock({ breakOn: ['reason:A', 'reason: B'], filter: 'ns:x' });
    assert.deepEqual(r.block, { breakOn: ['reason:A'], filter: 'ns:x' });
    assert.match(r.problems[0], /^"kubeEvents.breakOn" "reason: B": empty value/);
    assert.deepEqual(parseLaunchBlock({ breakOn: 3 }).problems, ['"kubeEvents.breakOn" must be a query string or a list of them']);
  });
});
