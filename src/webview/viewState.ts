/**
 * What the view persists with `vscode.setState` (restored after the panel was hidden, and handed to the
 * host's serializer after a window reload). Pure (no DOM). Persisted state is read back as `unknown` and
 * validated field by field: a bad field is dropped, never trusted.
 */
import { MAX_FILTER_TEXT_LENGTH, isSortState } from '../protocol/webview';
import type { LaneZoom } from './laneLayout';
import type { SortState } from '../protocol/timelineOrder';

/** Which panes show: the table, the time lanes, or both (lanes above the table). */
export type LayoutMode = 'table' | 'split' | 'lanes';

export interface TimelineViewState {
  /** The filter in effect (normalised), which the host re-applies when it restores the panel after a reload. */
  readonly filterText?: string;
  readonly sort?: SortState;
  readonly mode?: LayoutMode;
  readonly zoom?: LaneZoom;
}

function isLayoutMode(v: unknown): v is LayoutMode {
  return v === 'table' || v === 'split' || v === 'lanes';
}

function isZoom(v: unknown): v is LaneZoom {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.span === 'number' && Number.isFinite(o.span) && o.span > 0 && typeof o.endOffset === 'number' && Number.isFinite(o.endOffset) && o.endOffset >= 0;
}

/** Keeps the valid fields of a persisted state. */
export function readViewState(v: unknown): TimelineViewState {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  const out: { -readonly [K in keyof TimelineViewState]: TimelineViewState[K] } = {};
  if (typeof o.filterText === 'string' && o.filterText.length <= MAX_FILTER_TEXT_LENGTH) out.filterText = o.filterText;
  if (isSortState(o.sort)) out.sort = { column: o.sort.column, direction: o.sort.direction };
  if (isLayoutMode(o.mode)) out.mode = o.mode;
  if (isZoom(o.zoom)) out.zoom = { span: o.zoom.span, endOffset: o.zoom.endOffset };
  return out;
}
