import { writtenThrough, type KubeEvent } from './kubeEvent';

export const EXPORT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows per slice; between slices the exporter yields to the event loop and reports progress. */
const SLICE = 2_000;

/** The exported shape of one event: stable field names, ISO times, empty strings for absent values. */
export function exportRecord(e: KubeEvent): Record<string, string | number | boolean> {
  const iso = (t: number): string => (t ? new Date(t).toISOString() : '');
  return {
    namespace: e.namespace,
    name: e.name,
    uid: e.uid,
    type: e.type,
    reason: e.reason,
    action: e.action,
    message: e.message,
    objectKind: e.regarding.kind,
    objectNamespace: e.regarding.namespace,
    objectName: e.regarding.name,
    objectUid: e.regarding.uid,
    fieldPath: e.regarding.fieldPath,
    count: e.count,
    firstSeen: iso(e.firstSeen),
    lastSeen: iso(e.lastSeen),
    eventTime: iso(e.eventTime),
    // With core/v1 `source` as fallback (client-go's combined events carry nothing else).
    reportingController: e.reportingController,
    reportingInstance: e.reportingInstance,
    // The API the event was read through; writtenThrough is the one it was written through.
    api: e.api,
    writtenThrough: writtenThrough(e),
    emittedFromVSCode: e.ours,
    expired: e.expired,
    // The cluster it came from (what `cluster:` matches), so an export of several clusters says which is which;
    // last, so the columns before it keep their places.
    cluster: e.cluster ?? '',
  };
}

const CSV_COLUMNS = Object.keys(exportRecord({ regarding: {} } as unknown as KubeEvent));

/**
 * RFC 4180 quoting; a cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe, since event text comes from anyone who can create an Event.
 */
export function csvCell(v: string | number | boolean): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Serialises events, a slice at a time so a large export neither blocks the extension host nor hides its
 * progress. Returns undefined when `cancelled()` turns true.
 */
export async function exportEvents(
  events: readonly KubeEvent[],
  format: ExportFormat,
  onProgress: (done: number) => void = () => {},
  cancelled: () => boolean = () => false,
): Promise<string | undefined> {
  const parts: string[] = [];
  if (format === 'csv') parts.push(CSV_COLUMNS.join(','));
  for (let i = 0; i < events.length; i += SLICE) {
    if (cancelled()) return undefined;
    for (const e of events.slice(i, i + SLICE)) {
      const r = exportRecord(e);
      if (format === 'csv') parts.push(CSV_COLUMNS.map((c) => csvCell(r[c] ?? '')).join(','));
      else parts.push(JSON.stringify(r, undefined, format === 'json' ? 2 : undefined));
    }
    onProgress(Math.min(events.length, i + SLICE));
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  if (format === 'json') return `[\n${parts.join(',\n')}\n]\n`;
  return `${parts.join('\n')}\n`;
}
