import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { captureCluster, captureRanges, defaultCaptureName, eventsByCluster, eventsInRange, sessionsInRange } from '../../../../src/host/capture/captureContents';
import type { FollowedSession } from '../../../../src/host/debug/debugFollower';
import { anEvent } from '../../support/eventBuilder';

const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
const NOW = 1_700_000_000_000;

function session(name: string, start: number, end: number | undefined): FollowedSession {
  return {
    id: name,
    name,
    type: 'go',
    start,
    end,
    block: { controller: 'website-controller' },
    marks: [
      { kind: 'stopped', at: start + 1_000, reason: 'breakpoint' },
      { kind: 'continued', at: start + 2_000, reason: '' },
      { kind: 'stopped', at: start + 3_000, reason: 'pause', trigger: { uid: 'e1', text: 'BackOff on Pod/web' } },
    ],
    stopped: false,
  };
}

describe('what Save Capture… writes', () => {
  it('groups the events by their cluster, for each cluster\'s owner links; one that names none is the primary\'s', () => {
    const clusters = [
      { name: 'kind-dev', id: 'a1' },
      { name: 'staging', id: 'b2' },
    ];
    const [dev, stage, none, gone] = [anEvent({ cluster: 'kind-dev' }), anEvent({ cluster: 'staging' }), anEvent(), anEvent({ cluster: 'left' })];
    const grouped = eventsByCluster([dev, stage, none, gone], clusters);
    assert.deepEqual([...grouped.keys()], ['kind-dev', 'staging']);
    assert.deepEqual(grouped.get('kind-dev'), [dev, none, gone]);
    assert.deepEqual(grouped.get('staging'), [stage]);
    assert.equal(eventsByCluster([dev], []).size, 0, 'no cluster named: nothing to read owners from');
  });

  it('offers the last 15 minutes, hour and day, everything held, then each debug session newest first', () => {
    const events = [anEvent({ lastSeen: NOW - 2 * 86_400_000 }), anEvent({ lastSeen: NOW - 1000 })];
    const ranges = captureRanges(events, [session('first', NOW - 7_200_000, NOW - 7_000_000), session('second', NOW - 60_000, undefined)], NOW);
    assert.deepEqual(
      ranges.map((r) => r.label),
      ['Last 15 minutes', 'Last hour', 'Last 24 hours', 'Everything held', 'Debug session "second"', 'Debug session "first"'],
    );
    assert.equal(ranges[3].from, NOW - 2 * 86_400_000);
    assert.deepEqual([ranges[4].from, ranges[4].to], [NOW - 60_000, NOW]);
  });

  it('keeps the events seen in the range (a counted event that spans its start included), oldest first', () => {
    const before = anEvent({ lastSeen: NOW - 20 * 60_000 });
    const spanning = anEvent({ firstSeen: NOW - 30 * 60_000, lastSeen: NOW - 60_000 });
    const inside = anEvent({ lastSeen: NOW - 120_000 });
    const after = anEvent({ firstSeen: NOW + 5_000, lastSeen: NOW + 5_000 });
    assert.deepEqual(eventsInRange([spanning, before, after, inside], { from: NOW - 15 * 60_000, to: NOW }), [inside, spanning]);
  });

  it('keeps the debug sessions that overlap the range, with their stops and continues in it and an event breakpoint\'s event', () => {
    const sessions = sessionsInRange([session('old', NOW - 7_200_000, NOW - 7_100_000), session('now', NOW - 10_000, undefined)], { from: NOW - 60_000, to: NOW });
    assert.equal(sessions.length, 1);
    assert.deepEqual(sessions[0], {
      id: 'now',
      name: 'now',
      type: 'go',
      start: NOW - 10_000,
      controller: 'website-controller',
      stops: [
        { kind: 'stopped', at: NOW - 9_000, reason: 'breakpoint' },
        { kind: 'continued', at: NOW - 8_000, reason: '' },
        { kind: 'stopped', at: NOW - 7_000, reason: 'pause', text: 'BackOff on Pod/web', uid: 'e1' },
      ],
    });
  });

  it('names a cluster by context and identity hash, with its server only when asked, and never its user', () => {
    const identity = { server: 'https://10.0.0.1:6443', user: 'admin' };
    const without = captureCluster('lab', identity, false, sha);
    assert.deepEqual(Object.keys(without).sort(), ['id', 'name']);
    assert.equal(without.name, 'lab');
    assert.match(without.id, /^[0-9a-f]{24}$/);
    assert.ok(!JSON.stringify(without).includes('10.0.0.1') && !JSON.stringify(without).includes('admin'), JSON.stringify(without));
    assert.equal(captureCluster('lab', identity, true, sha).server, 'https://10.0.0.1:6443');
    assert.notEqual(captureCluster('lab', { ...identity, server: 'https://10.0.0.2:6443' }, false, sha).id, without.id);
  });

  it('names the file by context and time, with only characters every file system takes', () => {
    assert.equal(defaultCaptureName('arn:aws:eks/prod cluster', Date.UTC(2026, 11, 7, 6, 30), 'kecapture'), 'arn_aws_eks_prod_cluster-2026-12-07-06-30.kecapture');
    assert.equal(defaultCaptureName('', Date.UTC(2026, 0, 1), 'kecapture'), 'cluster-2026-01-01-00-00.kecapture');
  });
});
