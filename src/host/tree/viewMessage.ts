import { oneLine, TEXT_LIMITS } from '../../core/text/boundedText';
import { describeQuery } from '../../core/query/describe';
import type { Query } from '../../core/query/syntax';
import type { SessionState } from '../../kube/clusterSession';
import { sessionProblemText } from '../errorText';

/** What the text above the tree is made of. */
export interface ViewMessageInput {
  readonly state: SessionState;
  readonly query: Query;
  /** Events the tree shows, and events the store holds. */
  readonly shown: number;
  readonly total: number;
  /** Events an `under:` filter hides only because their owner cannot be known (FilterController.ownerUnknownCount). */
  readonly ownerUnknown: number;
  /** The banner of the capture open in the window (docs/ARCHITECTURE.md §18), which replaces the stream's state. */
  readonly capture?: string;
}

/**
 * The text above the tree: what is filtered, and why the stream is not live. VS Code hides the welcome
 * view (and its buttons) while a message is set, so an empty tree gets no message: the welcome view for
 * the state and reason says what is wrong and offers what to do.
 */
export function viewMessage({ state, query, shown, total, ownerUnknown, capture }: ViewMessageInput): string | undefined {
  // A capture's banner stays even over an empty tree: no welcome view speaks for a capture.
  if (shown === 0 && capture === undefined) return undefined;
  const parts: string[] = [];
  const problem = sessionProblemText(state);
  if (capture !== undefined) parts.push(`${capture}. Close Capture goes back to the live cluster.`);
  else if (problem) parts.push(oneLine(problem, TEXT_LIMITS.notification));
  else if (state.phase === 'reconnecting') parts.push(`Reconnecting (attempt ${state.attempt}): ${oneLine(state.reason, TEXT_LIMITS.notification)}`);
  else if (state.phase === 'paused') parts.push('Paused: new events are not shown until you resume the stream.');
  // The workbench shows the message as one paragraph: the unplaced count reads as a sentence of its own.
  const unplaced = ownerUnknown > 0 ? `. ${ownerUnknown} event${ownerUnknown === 1 ? '' : 's'} about objects that no longer exist: owner unknown` : '';
  if (!query.isEmpty) parts.push(`Filter: ${describeQuery(query)} — ${shown} of ${total} events${unplaced}`);
  return parts.length ? parts.join('\n') : undefined;
}
