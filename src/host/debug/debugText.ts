// What the followed debug sessions look like in three views: the end-of-session summary, the timeline's
// session lanes and the tree's separator rows. Free of `vscode`, like the follower it reads.
import type { KubeEvent } from '../../core/events/kubeEvent';
import { formatClock, formatSpan } from '../../core/text/format';
import { MAX_DEBUG_MARKS, MAX_DEBUG_TRIGGER_LENGTH, MAX_DEBUG_NAME_LENGTH, MAX_DEBUG_SESSIONS, type DebugSessionDto } from '../../protocol/webview';
import type { FollowedSession, SessionSummary } from './debugFollower';

/** Reasons listed in the summary before "and N more". */
const SUMMARY_REASONS = 5;

/**
 * Where a session starts for matching: core/v1 events carry whole seconds (`lastTimestamp`), so an event
 * recorded in the session's first second reads as seen at its start. Without this the first events of a
 * controller that records as soon as it starts would fall before the session.
 */
export function matchStart(start: number): number {
  return Math.floor(start / 1000) * 1000;
}

/** Counts the events last seen within the session (with the controller as reportingController when given) by reason. */
export function summarize(session: FollowedSession, events: Iterable<KubeEvent>): SessionSummary {
  const start = matchStart(session.start);
  const end = session.end ?? Number.POSITIVE_INFINITY;
  const controller = session.block.controller;
  const counts = new Map<string, number>();
  let total = 0;
  let warnings = 0;
  for (const e of events) {
    if (e.lastSeen < start || e.lastSeen > end) continue;
    if (controller && e.reportingController !== controller) continue;
    total++;
    if (e.type === 'Warning') warnings++;
    const reason = e.reason || '(no reason)';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const byReason = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const took = session.end !== undefined ? ` after ${formatSpan(session.end - session.start)}` : '';
  // Says the field it counted by: an event's reportingController is whatever its writer put there.
  const which = controller ? `had reportingController ${controller}` : 'were last seen (any reportingController)';
  const listed = byReason.slice(0, SUMMARY_REASONS).map(([r, n]) => `${r} ×${n}`);
  if (byReason.length > SUMMARY_REASONS) listed.push(`${byReason.length - SUMMARY_REASONS} more`);
  const what = total === 0 ? `no events ${which}` : `${total} event${total === 1 ? '' : 's'}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''} ${which}: ${listed.join(', ')}`;
  const text = `Debug session "${session.name}" ended${took}; during it ${what}.`;
  return { session, controller, countedBy: controller ? 'reportingController' : 'lastSeen', total, warnings, byReason, text };
}


/** The newest sessions as the timeline draws them (src/protocol/webview.ts). */
export function sessionDtos(sessions: readonly FollowedSession[]): DebugSessionDto[] {
  return sessions.slice(-MAX_DEBUG_SESSIONS).map((s) => ({
    id: s.id.slice(0, 256) || '?',
    name: s.name.slice(0, MAX_DEBUG_NAME_LENGTH),
    controller: (s.block.controller ?? '').slice(0, MAX_DEBUG_NAME_LENGTH),
    start: Math.max(0, Math.floor(s.start)),
    end: s.end === undefined ? 0 : Math.max(Math.floor(s.start), Math.floor(s.end)),
    marks: s.marks
      .slice(-MAX_DEBUG_MARKS)
      .map((m) => ({ kind: m.kind, at: Math.max(0, Math.floor(m.at)), ...(m.trigger ? { trigger: m.trigger.text.slice(0, MAX_DEBUG_TRIGGER_LENGTH), uid: m.trigger.uid.slice(0, 256) } : {}) })),
  }));
}

/** The tree's separator row for a session: label, description and tooltip. */
export function separatorText(s: FollowedSession): { label: string; description: string; tooltip: string } {
  const name = s.name.replace(/\s+/g, ' ').slice(0, 80);
  const stops = s.marks.filter((m) => m.kind === 'stopped').length;
  const parts = [
    s.block.controller ?? '',
    s.end === undefined ? (s.stopped ? 'paused' : 'running') : `ended ${formatClock(s.end)}`,
    stops ? `${stops} stop${stops === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const tooltip = [
    `Debug session "${name}" (${s.type}) started ${new Date(s.start).toLocaleString()}${s.end !== undefined ? `, ended ${new Date(s.end).toLocaleString()}` : ''}.`,
    s.block.controller ? `Controller: ${s.block.controller}.` : '',
    'Click to show only the events of this session (filter session:last).',
  ].filter(Boolean).join('\n');
  return { label: `▶ debug: ${name} started ${formatClock(s.start)}`, description: parts.join(' · '), tooltip };
}
