/**
 * The recorder ledger's panel as static HTML (no script: nothing to run, so the CSP allows none). Pure, so unit
 * tests check it. Every piece of the controller's text is escaped: it is the controller's (and the cluster's)
 * words, untrusted like any event text.
 */
import { countsText, LEDGER_LABEL_TEXT, LEDGER_LABELS, type LedgerAttempt, type LedgerCounts } from '../../core/ledger/recorderLedger';
import type { ReasonLedger } from '../../core/ledger/recorderLint';
import { formatClock } from '../../core/text/format';

/** Attempts listed in the panel at most (the newest). */
const LEDGER_PANEL_ROWS = 500;

export interface LedgerHtmlOptions {
  readonly cspSource: string;
  /** media/ledger.css, through `asWebviewUri`. */
  readonly styleUri: string;
  /** The session's name, '' when no session had recorder output. */
  readonly session: string;
  readonly running: boolean;
  /** The recording component the ledger joins on (the launch block's `controller`), '' when any. */
  readonly source: string;
  readonly counts: LedgerCounts;
  readonly reasons: readonly ReasonLedger[];
  /** Oldest first. */
  readonly attempts: readonly LedgerAttempt[];
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };

/** Escapes text for HTML content and attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&"'<>]/g, (c) => ESCAPES[c]);
}

function cut(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function objectText(a: LedgerAttempt): string {
  return `${a.object.kind}/${a.object.namespace ? `${a.object.namespace}/` : ''}${a.object.name}`;
}

export function renderLedgerHtml(o: LedgerHtmlOptions): string {
  const csp = `default-src 'none'; style-src ${o.cspSource}; font-src ${o.cspSource}; img-src ${o.cspSource}`;
  const h = escapeHtml;
  const head = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${h(csp)}"><meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${h(o.styleUri)}"><title>Kube Events: Recorder Ledger</title></head><body>`;
  if (o.attempts.length === 0) {
    return `${head}<h1>Recorder Ledger</h1><p class="empty">No recorder output read yet. Start a debug session of a controller whose EventBroadcaster logs its events (client-go's <code>StartLogging</code> or <code>StartStructuredLogging</code>); each attempt it logs appears here with what became of it.</p></body></html>`;
  }
  const chips = LEDGER_LABELS.filter((l) => o.counts[l] > 0)
    .map((l) => `<span class="chip ${l}">${h(LEDGER_LABEL_TEXT[l])} <b>${o.counts[l]}</b></span>`)
    .join(' ');
  const reasonRows = o.reasons
    .map(
      (r) =>
        `<tr><td class="reason">${h(cut(r.reason, 128))}</td><td class="num">${r.attempts}</td>${LEDGER_LABELS.map((l) => `<td class="num ${r.counts[l] ? l : 'zero'}">${r.counts[l] || ''}</td>`).join('')}` +
        `<td class="num">${r.distinctMessages}</td><td class="lints">${r.lints.map((l) => `<div class="lint">${h(l.text)}</div>`).join('')}</td></tr>`,
    )
    .join('');
  const shown = o.attempts.slice(-LEDGER_PANEL_ROWS).reverse();
  const attemptRows = shown
    .map(
      (a) =>
        `<tr class="${a.label}"><td class="num">${a.seq}</td><td>${h(formatClock(a.at))}</td><td><span class="chip ${a.label}">${h(LEDGER_LABEL_TEXT[a.label])}</span></td><td>${h(cut(a.type, 20))}</td>` +
        `<td class="reason">${h(cut(a.reason, 128))}</td><td>${h(cut(objectText(a), 200))}</td><td>${h(cut(a.message, 300))}</td><td class="detail">${h(cut(a.detail, 300))}</td></tr>`,
    )
    .join('');
  const title = `Recorder Ledger: debug session "${cut(o.session, 120)}"${o.running ? ' (running)' : ''}`;
  return (
    `${head}<h1>${h(title)}</h1>` +
    `<p class="claims">${h(countsText(o.counts))}. These are the attempts the controller's recorder logged (client-go's StartLogging / StartStructuredLogging lines in its output): its claims, not events. ` +
    `Each is labelled by Kube Events' client-go-faithful correlator fed the same attempts, then confirmed against the watch${o.source ? ` (events reported by ${h(cut(o.source, 120))})` : ''}.</p>` +
    `<p class="chips">${chips}</p>` +
    `<h2>By reason</h2><table class="reasons"><thead><tr><th>Reason</th><th>Attempts</th>${LEDGER_LABELS.map((l) => `<th>${h(LEDGER_LABEL_TEXT[l])}</th>`).join('')}<th>Messages</th><th>Lints</th></tr></thead><tbody>${reasonRows}</tbody></table>` +
    `<h2>Attempts${o.attempts.length > shown.length ? ` (newest ${shown.length} of ${o.attempts.length})` : ''}</h2>` +
    `<table class="attempts"><thead><tr><th>#</th><th>Time</th><th>Label</th><th>Type</th><th>Reason</th><th>Object</th><th>Message</th><th>Detail</th></tr></thead><tbody>${attemptRows}</tbody></table>` +
    `</body></html>`
  );
}
