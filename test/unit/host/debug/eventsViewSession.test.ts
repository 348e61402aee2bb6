import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Commands } from '../../../../src/constants';
import { parseQuery } from '../../../../src/core/query/parse';
import type { FollowedSession } from '../../../../src/host/debug/debugFollower';
import { separatorText } from '../../../../src/host/debug/debugText';
import { separatorRow, sessionFilterText } from '../../../../src/host/debug/eventsViewSession';

function session(overrides: Partial<FollowedSession> = {}): FollowedSession {
  return { id: 's1', name: 'Launch controller', type: 'go', start: 1_700_000_000_500, end: undefined, block: { controller: 'web-controller' }, marks: [], stopped: false, ...overrides };
}

describe('the last debug session in the Events view', () => {
  it('has no separator row before any session ran', () => {
    assert.equal(separatorRow(undefined), undefined);
  });

  it('marks where a running session\'s events begin, at the second its events are matched from', () => {
    const s = session();
    assert.deepEqual(separatorRow(s), { kind: 'separator', id: 'debug:s1', at: 1_700_000_000_000, ...separatorText(s), command: Commands.showSessionEvents });
  });

  it('carries the end of an ended session', () => {
    const row = separatorRow(session({ end: 1_700_000_060_000 }));
    assert.equal(row?.end, 1_700_000_060_000);
  });

  it('filters to the last session, keeping the other terms of the current filter', () => {
    const q = (text: string) => {
      const parsed = parseQuery(text);
      assert.ok(parsed.ok);
      return parsed.value;
    };
    assert.equal(sessionFilterText(q('')), 'session:last');
    assert.equal(sessionFilterText(q('type:Warning session:current reason:BackOff')), 'type:Warning reason:BackOff session:last');
  });
});
