import { randomBytes } from 'node:crypto';
import { TIMELINE_COLUMNS } from '../../protocol/webview';

/** What {@link renderHtml} needs; every URI already passed through `webview.asWebviewUri`. */
export interface TimelineHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** A fresh {@link makeNonce} per render. */
  readonly nonce: string;
  /** dist/webview.js */
  readonly scriptUri: string;
  /** media/timeline.css */
  readonly styleUri: string;
  /** The codicon stylesheet, when one is shipped under a local resource root. */
  readonly codiconUri?: string;
}

/** 128 random bits, base64url: a CSP nonce for one render of the panel. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

const ATTR_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

/** Escapes a value for a double-quoted attribute (single quotes stay, as the CSP needs them literally). */
function attr(value: string): string {
  return value.replace(/[&"<>]/g, (c) => ATTR_ESCAPES[c]);
}

/** The Content-Security-Policy of the panel: scripts by nonce only, everything else from the webview's own origin. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; font-src ${cspSource}; img-src ${cspSource}`;
}

/**
 * The panel's HTML: CSP, stylesheet, the static skeleton (toolbar with the filter box, status line, lanes
 * container, table header and virtual body) and the nonce'd script. Pure: no cluster data ever goes in here;
 * the script fills the skeleton with `textContent` after `events/reset`.
 */
export function renderHtml(options: TimelineHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri, codiconUri } = options;
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new RangeError('nonce must be at least 16 base64 characters');
  const csp = contentSecurityPolicy(cspSource, nonce);
  const headers = TIMELINE_COLUMNS.map(
    ([id, label]) =>
      `<div class="cell col-${id}" role="columnheader" aria-sort="none"><button type="button" class="sort" data-column="${id}">${label}<span class="sort-indicator" aria-hidden="true"></span></button></div>`,
  ).join('');
  const codicon = codiconUri ? `\n<link rel="stylesheet" href="${attr(codiconUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">${codicon}
<title>Kube Events: Timeline</title>
</head>
<body>
<div id="app" class="mode-split">
<header class="toolbar">
<div class="filter">
<input id="filter" type="text" spellcheck="false" autocomplete="off" maxlength="16384" placeholder="Filter: type:Warning reason:BackOff under:Deployment/ns/name &quot;phrase&quot;" aria-label="Filter events" aria-describedby="filter-error">
<div id="filter-error" class="filter-error" role="alert" hidden><div class="filter-error-message"></div><div class="filter-error-text"><span class="before"></span><span class="bad"></span><span class="after"></span></div></div>
</div>
<div class="actions">
<div class="segmented" role="group" aria-label="Layout">
<button type="button" data-mode="table" aria-pressed="false" title="Table only">Table</button>
<button type="button" data-mode="split" aria-pressed="true" title="Lanes and table">Both</button>
<button type="button" data-mode="lanes" aria-pressed="false" title="Time lanes only">Lanes</button>
</div>
<button type="button" id="open-resource" disabled title="Open the selected event's involved object">Open Resource</button>
</div>
</header>
<div id="status" class="status" role="status" aria-live="polite">Waiting for events…</div>
<section id="lanes" class="lanes" aria-label="Time lanes">
<div class="lanes-toolbar">
<button type="button" id="zoom-out" title="Zoom out (Ctrl+wheel)" aria-label="Zoom out">−</button>
<button type="button" id="zoom-in" title="Zoom in (Ctrl+wheel)" aria-label="Zoom in">+</button>
<button type="button" id="zoom-reset" title="Show the whole range">Fit</button>
<button type="button" id="zoom-session" title="Zoom to the newest debug session" hidden>Fit to Session</button>
<span id="time-range" class="time-range"></span>
<span class="lanes-legend" aria-hidden="true"><span><span class="sample marker normal"></span>Normal</span><span><span class="sample marker warning"></span>Warning</span><span><span class="sample span normal"></span>repeated: first → last seen, ×count</span><span class="legend-debug"><span class="sample session-band"></span>debug session <span class="sample debug-mark stopped"></span>paused</span></span>
</div>
<div id="lanes-axis" class="lanes-axis" aria-hidden="true"></div>
<div id="lanes-body" class="lanes-body" role="list"></div>
<div id="lanes-more" class="lanes-more" hidden></div>
</section>
<section id="table" class="table" role="grid" aria-label="Events" aria-rowcount="1">
<div id="viewport" class="viewport" tabindex="0">
<div id="table-header" class="row header" role="row" aria-rowindex="1">${headers}</div>
<div class="table-body">
<div id="spacer" class="spacer"></div>
<div id="rows" class="rows" role="rowgroup"></div>
</div>
</div>
<div id="empty" class="empty" hidden>No events match.</div>
</section>
</div>
<script nonce="${attr(nonce)}" src="${attr(scriptUri)}"></script>
</body>
</html>
`;
}
