import { Commands } from '../../constants';
import type { Query } from '../../core/query/syntax';
import type { SeparatorNode } from '../tree/eventTreeProvider';
import type { FollowedSession } from './debugFollower';
import { matchStart, separatorText } from './debugText';

/**
 * How the last debug session shows in the Events view: the separator row where its events begin (a click runs
 * Show Session Events), or none before any session ran.
 */
export function separatorRow(last: FollowedSession | undefined): SeparatorNode | undefined {
  if (!last) return undefined;
  return {
    kind: 'separator',
    id: `debug:${last.id}`,
    at: matchStart(last.start),
    ...(last.end !== undefined ? { end: last.end } : {}),
    ...separatorText(last),
    command: Commands.showSessionEvents,
  };
}

/** The filter of Show Session Events and Open Session Timeline: the current one with its `session:` terms replaced by `session:last`. */
export function sessionFilterText(query: Query): string {
  return [...query.terms.filter((t) => t.key !== 'session').map((t) => t.text), 'session:last'].join(' ');
}
