/**
 * Per recorder call (a reason, as the Go features key calls) what the ledger saw, and the two lints on live
 * data (docs/ARCHITECTURE.md, "The recorder's ledger"):
 * - messages that all differ defeat client-go's counting: after {@link DEFAULT_AGGREGATE_MAX_EVENTS} similar
 *   events (same source, object, type and reason) within {@link DEFAULT_AGGREGATE_INTERVAL_SECONDS} seconds its
 *   aggregator folds them into one "(combined from similar events)" event and the details are gone;
 * - recording on one object faster than the spam filter allows ({@link DEFAULT_SPAM_BURST} at once, then one
 *   per 1/{@link DEFAULT_SPAM_QPS} seconds per source, object and type) loses events.
 * Every number in the rules comes from the correlator's constants, which are pinned against client-go.
 */
import { DEFAULT_AGGREGATE_INTERVAL_SECONDS, DEFAULT_AGGREGATE_MAX_EVENTS, DEFAULT_SPAM_BURST, DEFAULT_SPAM_QPS } from '../correlator/correlator';
import { formatSpan } from '../text/format';
import { countsText, formatWait, LEDGER_LABELS, type LedgerAttempt, type LedgerCounts } from './recorderLedger';

/** Attempts of one reason before the "all messages differ" lint speaks. */
const MIN_ATTEMPTS_FOR_MESSAGE_LINT = 3;

/** One lint on a recorder call, with its live figures. */
export interface RecorderLint {
  readonly rule: 'distinct-messages' | 'spam-filter';
  readonly text: string;
}

/** What the ledger says about one reason: its attempts by label, and its lints. */
export interface ReasonLedger {
  readonly reason: string;
  readonly attempts: number;
  readonly counts: LedgerCounts;
  readonly distinctMessages: number;
  readonly objects: number;
  /** `37 attempts: 10 created, 2 count patched, 25 combined`. */
  readonly text: string;
  readonly lints: readonly RecorderLint[];
}

function objectName(a: LedgerAttempt): string {
  return `${a.object.kind}/${a.object.namespace ? `${a.object.namespace}/` : ''}${a.object.name}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const REFILL_SECONDS = Math.round(1 / DEFAULT_SPAM_QPS);

/** The reasons the attempts name, each with its counts and lints, most attempts first. */
export function reasonLedgers(attempts: readonly LedgerAttempt[]): ReasonLedger[] {
  const byReason = new Map<string, LedgerAttempt[]>();
  for (const a of attempts) {
    const list = byReason.get(a.reason);
    if (list) list.push(a);
    else byReason.set(a.reason, [a]);
  }
  const out: ReasonLedger[] = [];
  for (const [reason, list] of byReason) {
    const counts = Object.fromEntries(LEDGER_LABELS.map((l) => [l, 0])) as LedgerCounts;
    for (const a of list) counts[a.label]++;
    const messages = new Set(list.map((a) => a.message));
    const objects = new Set(list.map(objectName));
    const lints: RecorderLint[] = [];
    if (list.length >= MIN_ATTEMPTS_FOR_MESSAGE_LINT && messages.size === list.length) {
      const combined = list.filter((a) => a.predicted === 'aggregated').length;
      lints.push({
        rule: 'distinct-messages',
        text:
          `${list.length} attempts, ${list.length} different messages${combined ? ` (${combined} of them combined)` : ''}: client-go counts only identical events, and after ` +
          `${DEFAULT_AGGREGATE_MAX_EVENTS} similar events (same source, object, type and reason) within ${DEFAULT_AGGREGATE_INTERVAL_SECONDS} seconds it folds the rest into one ` +
          `"(combined from similar events)" event whose message keeps only the latest. Keep the message fixed and put what varies elsewhere (an annotation, the object's status).`,
      });
    }
    const filtered = list.filter((a) => a.label === 'spam-filtered');
    if (filtered.length > 0) {
      const first = filtered[0];
      // The rate the bucket saw: every attempt of that source, object and type, whatever its reason.
      const same = attempts.filter((a) => a.type === first.type && objectName(a) === objectName(first));
      const span = same.length > 1 ? same[same.length - 1].at - same[0].at : 0;
      const last = filtered[filtered.length - 1];
      lints.push({
        rule: 'spam-filter',
        text:
          `${plural(filtered.length, 'attempt')} of ${list.length} dropped by client-go's spam filter: ${same.length} ${first.type} attempts on ${objectName(first)} in ${formatSpan(span)}, ` +
          `where the filter allows a burst of ${DEFAULT_SPAM_BURST} per source, object and type, then 1 every ${REFILL_SECONDS} seconds` +
          `${last.nextTokenMs !== undefined ? ` (at the last drop, next token in ${formatWait(last.nextTokenMs)})` : ''}. Record less often, or on the object that changed.`,
      });
    }
    out.push({ reason, attempts: list.length, counts, distinctMessages: messages.size, objects: objects.size, text: countsText(counts), lints });
  }
  return out.sort((a, b) => b.attempts - a.attempts || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}
