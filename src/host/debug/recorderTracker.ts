import * as vscode from 'vscode';
import { Panels } from '../../constants';
import { RunOnceScheduler } from '../../core/lifecycle';
import type { Clock, Logger } from '../../core/ports';
import { FEED_BATCH_MS, MAX_LEDGER_TEXT_LENGTH, type LedgerParams } from '../../protocol/languageServer';
import { MAX_DEBUG_NAME_LENGTH, MAX_RECORDER_ATTEMPTS, MAX_RECORDER_TEXT_LENGTH, type RecorderAttemptsMessage } from '../../protocol/webview';
import { DisposableOwner } from '../disposable';
import { renderLedgerHtml } from './ledgerHtml';
import { RecorderLedgers, type RecorderLedgersDeps } from './recorderLedgers';
import type { KubeEvent } from '../../core/events/kubeEvent';

/** How often attempts still waiting for the watch are joined again. */
const RECONCILE_MS = 1_000;
/** The panel is rendered again at most this often while attempts come in. */
const PANEL_REFRESH_MS = 500;

export interface RecorderTrackerDeps {
  readonly extensionUri: vscode.Uri;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: () => Iterable<KubeEvent>;
  readonly enabled: RecorderLedgersDeps['enabled'];
  /** The newest ledger's figures per reason, for the language server (Go CodeLenses, hovers, lints). */
  readonly sendLedger: (params: LedgerParams) => void;
}

interface DapOutput {
  readonly type?: unknown;
  readonly event?: unknown;
  readonly body?: { readonly category?: unknown; readonly output?: unknown };
}

/**
 * The VS Code side of {@link RecorderLedgers}: a debug adapter tracker for every debug type relays the
 * debuggee's `output` events, session starts and ends; a timer joins waiting attempts with the watch; the
 * "Show Recorder Ledger" panel renders the newest ledger; the timeline and the language server get its figures.
 */
export class RecorderTracker extends DisposableOwner {
  readonly ledgers: RecorderLedgers;
  private panel: vscode.WebviewPanel | undefined;
  private readonly panelRefresh = this.register(new RunOnceScheduler(() => this.renderPanel(), PANEL_REFRESH_MS));
  private readonly serverRefresh = this.register(new RunOnceScheduler(() => this.sendToServer(), FEED_BATCH_MS));
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: RecorderTrackerDeps) {
    super();
    this.ledgers = this.register(new RecorderLedgers({ clock: deps.clock, logger: deps.logger, events: deps.events, enabled: deps.enabled }));
    this.register(
      this.ledgers.onDidChange(() => {
        this.panelRefresh.scheduleIfIdle();
        this.serverRefresh.scheduleIfIdle();
        this.keepReconciling();
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        const controller = (s.configuration as { kubeEvents?: { controller?: unknown } }).kubeEvents?.controller;
        this.ledgers.start(s.id, s.name, s.parentSession?.id, typeof controller === 'string' && controller.trim() ? controller.trim() : undefined);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => void this.ledgers.end(s.id)),
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: DapOutput) => {
            if (m?.type !== 'event' || m.event !== 'output') return;
            const { category, output } = m.body ?? {};
            // DAP: a missing category means `console`.
            if (typeof output === 'string') this.ledgers.output(session.id, typeof category === 'string' ? category : 'console', output);
          },
        }),
      }),
      { dispose: () => this.stopTimer() },
    );
  }

  /** The end-of-session summary's ledger sentence for a root session ('' when its output had no recorder line). */
  summaryFor(sessionId: string): string {
    return this.ledgers.end(sessionId);
  }

  /** The timeline's Recorder lane: the newest ledger's attempts. */
  attemptsMessage(): Omit<RecorderAttemptsMessage, 'type'> {
    const s = this.ledgers.current;
    if (!s) return { session: '', attempts: [] };
    const cut = (t: string) => t.slice(0, MAX_RECORDER_TEXT_LENGTH);
    return {
      session: s.name.slice(0, MAX_DEBUG_NAME_LENGTH),
      attempts: s.ledger.attempts.slice(-MAX_RECORDER_ATTEMPTS).map((a) => ({
        at: Math.max(0, Math.floor(a.at)),
        label: a.label,
        type: cut(a.type),
        reason: cut(a.reason),
        object: cut(`${a.object.kind}/${a.object.namespace ? `${a.object.namespace}/` : ''}${a.object.name}`),
        message: cut(a.message),
        detail: cut(a.detail),
      })),
    };
  }

  /** Opens (or reveals) the ledger panel on the newest ledger. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      this.renderPanel();
      return;
    }
    const panel = vscode.window.createWebviewPanel(Panels.recorderLedger, 'Kube Events: Recorder Ledger', vscode.ViewColumn.Active, {
      enableScripts: false,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'kube-events.svg');
    this.panel = panel;
    panel.onDidDispose(() => (this.panel = undefined));
    this.renderPanel();
  }

  /** What the panel shows now, as HTML (tests read it). */
  get panelHtml(): string | undefined {
    return this.panel?.webview.html;
  }

  private renderPanel(): void {
    const panel = this.panel;
    if (!panel) return;
    const s = this.ledgers.current;
    panel.webview.html = renderLedgerHtml({
      cspSource: panel.webview.cspSource,
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'ledger.css')).toString(),
      session: s?.name ?? '',
      running: s !== undefined && s.end === undefined,
      source: s?.ledger.source ?? '',
      counts: s ? s.ledger.counts() : { created: 0, patched: 0, combined: 0, 'spam-filtered': 0, rejected: 0, 'not-arrived': 0, pending: 0 },
      reasons: this.ledgers.reasons(),
      attempts: s?.ledger.attempts ?? [],
    });
  }

  private sendToServer(): void {
    const s = this.ledgers.current;
    const cut = (t: string) => t.slice(0, MAX_LEDGER_TEXT_LENGTH);
    this.deps.sendLedger({
      session: (s?.name ?? '').slice(0, 512),
      reasons: this.ledgers
        .reasons()
        .filter((r) => r.reason !== '' && r.reason.length <= 512)
        .map((r) => ({ reason: r.reason, attempts: r.attempts, text: cut(r.text), lints: r.lints.map((l) => ({ rule: l.rule, text: cut(l.text) })) })),
    });
  }

  /** Joins every second while an attempt waits for the watch; stops when none does. */
  private keepReconciling(): void {
    if (this.timer || !this.ledgers.waiting) return;
    this.timer = setInterval(() => {
      this.ledgers.reconcile();
      if (!this.ledgers.waiting) this.stopTimer();
    }, RECONCILE_MS);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
