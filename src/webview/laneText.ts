/** The words of the time lanes: tooltips of markers and spans. Pure (no DOM), so unit tests read them. */
import { RECORDER_OF, sourceLabel } from '../core/events/kubeEvent';
import type { EventDto } from '../protocol/webview';
import { formatDateTime, formatSpan } from '../core/text/format';
import { formatCount } from './format';
import type { Lane, LaneMarker, LaneSpan } from './laneLayout';

/** Who reported the event and how it travelled: the last line of every marker and span tooltip. */
function originText(e: EventDto): string {
  const source = sourceLabel({ reportingController: e.source, reportingInstance: e.sourceInstance }) || 'unknown';
  return `Source: ${source} · written via ${e.writtenBy} (${RECORDER_OF[e.writtenBy]}) · read via ${e.readThrough}`;
}

/** The tooltip of a span. */
export function spanTitle(s: LaneSpan): string {
  const e = s.event;
  const head = s.events > 1 ? `${s.events} repeated events overlap here, ×${formatCount(s.count)} in all; newest: ${e.reason}` : `${e.reason} ×${formatCount(s.count)}`;
  const times = `first seen ${formatDateTime(s.firstSeen)} → last seen ${formatDateTime(s.lastSeen)} (${formatSpan(s.lastSeen - s.firstSeen)})`;
  return `${head} · ${e.type || 'no type'}\n${times}\n${originText(e)}`;
}

/** The tooltip of a marker. */
export function markerTitle(m: LaneMarker): string {
  const count = m.count > m.events ? ` · ×${formatCount(m.count)}` : '';
  const merged = m.events > 1 ? ` · ${m.events} events here (newest shown)` : '';
  return `${m.reason} · ${formatDateTime(m.lastSeen)}${count}${merged}\n${originText(m.event)}`;
}

/**
 * A lane's label: the object, and its cluster while several are watched (two clusters' `Pod/web` are two lanes,
 * and the label tells which is which). `cluster` is '' when it is not to be shown.
 */
export function laneLabel(lane: Lane, severalClusters: boolean): { readonly cluster: string; readonly object: string } {
  return { cluster: severalClusters ? lane.cluster : '', object: lane.label };
}

/** The tooltip of a lane's label. */
export function laneTitle(lane: Lane, severalClusters: boolean): string {
  const where = [lane.namespace ? ` in ${lane.namespace}` : '', severalClusters && lane.cluster ? ` (cluster ${lane.cluster})` : ''].join('');
  const warnings = lane.warnings ? `, ${lane.warnings} warnings` : '';
  return `${lane.label}${where} · ${lane.events} ${lane.events === 1 ? 'event' : 'events'}${warnings} · last ${formatDateTime(lane.lastSeen)}`;
}
