import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Commands, Views } from '../../constants';
import { formatDateTime } from '../../core/text/format';
import type { CaptureOrigin } from '../../core/capture/capture';
import type { OpenCapture } from './captureMode';

/** The commands the summary's links may run (the webview runs no script; VS Code allows only these command URIs). */
const LINKED_COMMANDS = [`${Views.events}.focus`, Commands.openTimeline, Commands.closeCapture];

/** Where a capture's events came from, as the summary says it. */
const ORIGIN_TEXT: Readonly<Record<CaptureOrigin, string>> = {
  'kube-events': 'saved by Kube Events',
  kubectl: 'imported from kubectl get events -o json',
  'event-exporter': 'imported from kubernetes-event-exporter',
};

/** Text as HTML text: capture files come from anyone, and so do their cluster names and queries. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The summary a capture file shows when opened from the explorer: no script, no resource, only text and command links. */
function captureSummaryHtml(cspSource: string, file: string, open: OpenCapture | undefined, problem?: string): string {
  const name = escapeHtml(path.basename(file));
  const rows: string[] = [];
  if (open) {
    const { header } = open;
    const row = (label: string, value: string): void => void rows.push(`<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
    row('Clusters', header.clusters.map((c) => (c.server ? `${c.name} (${c.server})` : c.name)).join(', ') || '(unnamed)');
    row('From', formatDateTime(header.from));
    row('To', formatDateTime(header.to));
    row('Events', String(open.eventCount));
    row('Debug sessions', String(open.sessions.length));
    if (header.query) row('Filter when saved', header.query);
    const created = Date.parse(header.created);
    row('Written', `${Number.isFinite(created) ? formatDateTime(created) : header.created}${header.writer ? ` by ${header.writer}` : ''}`);
    row('Source', ORIGIN_TEXT[header.origin]);
  }
  const body = open
    ? `<p>The Kube Events views of this window show this capture, read-only: the Events view, the timeline, the log, and the hints on manifests and Go code. Nothing is read from any cluster meanwhile.</p>
<table>${rows.join('')}</table>
<p><a href="command:${Views.events}.focus">Show the Events view</a> · <a href="command:${Commands.openTimeline}">Open Timeline</a> · <a href="command:${Commands.closeCapture}">Close Capture</a> (back to the live cluster)</p>`
    : `<p>${escapeHtml(problem ?? 'Opening…')}</p>`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource};"><title>${name}</title></head>
<body><h2>Kube Events capture: ${name}</h2>${body}</body></html>`;
}

/**
 * Opening a capture file from the explorer (docs/ARCHITECTURE.md §18): a read-only custom editor that puts the
 * window into capture mode and shows the capture's summary, while the events go into the views.
 */
export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly openCapture: (file: string) => Promise<number | undefined>,
    private readonly current: () => OpenCapture | undefined,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = document.uri.fsPath;
    panel.webview.options = { enableScripts: false, enableCommandUris: LINKED_COMMANDS, localResourceRoots: [] };
    panel.webview.html = captureSummaryHtml(panel.webview.cspSource, file, undefined);
    const opened = await this.openCapture(file);
    const open = this.current();
    panel.webview.html =
      opened !== undefined && open?.file === file
        ? captureSummaryHtml(panel.webview.cspSource, file, open)
        : captureSummaryHtml(panel.webview.cspSource, file, undefined, 'This file could not be opened as a capture (the notification says why). The views still show what they showed before.');
  }
}
