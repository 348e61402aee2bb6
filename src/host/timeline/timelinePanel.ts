import * as vscode from 'vscode';
import { Panels } from '../../constants';
import type { Subscribe } from '../../core/emitter';
import type { OwnerLookup } from '../../core/owners/ownerGraph';
import { tagged, type Logger } from '../../core/ports';
import { MAX_FILTER_TEXT_LENGTH } from '../../protocol/webview';
import { makeNonce, renderHtml } from './renderHtml';
import { TimelineFeed, type TimelineFeedOptions, type TimelineStore } from './timelineFeed';
import { DisposableOwner } from '../disposable';

/** The webview panel's view type (also the `onWebviewPanel:` activation event). */
const TIMELINE_VIEW_TYPE = Panels.timeline;
/** The panel's title: a user-facing name, part of the contract. */
const TIMELINE_TITLE = 'Kube Events: Timeline';

/** What the timeline needs from the rest of the extension, wired by the composition root. */
export interface TimelineContext {
  readonly extensionUri: vscode.Uri;
  readonly store: TimelineStore;
  /** The extension's log; messages are tagged `[timeline]`. */
  readonly logger: Logger;
  /** The owner graph that answers `under:` (read at each evaluation); without one `under:` matches the named object only. */
  readonly owners?: (cluster?: string) => OwnerLookup | undefined;
  /** The clusters watched (the Cluster column and lane labels while there are several). */
  readonly clusters?: TimelineFeedOptions['clusters'];
  /** Fires when the owner graph learnt more (an `under:` filter is re-evaluated). */
  readonly onDidLearnOwners?: Subscribe<unknown>;
  /** Events lost on the way to the views so far (broadcaster drops). */
  readonly dropped?: () => number;
  /** The followed debug sessions (`session:` terms, the lanes' session markers). */
  readonly debug?: TimelineFeedOptions['debug'];
  /** The recorder ledger's attempts (the lanes' Recorder lane). */
  readonly recorder?: TimelineFeedOptions['recorder'];
  /** The filter text a new panel starts with (e.g. the tree's filter); a restored panel keeps its own. */
  readonly getQueryText?: () => string;
  /** The panel's filter is now `text` (normalised): when it opens, when it changes, and '' when it closes. */
  readonly onFilterChange?: (text: string) => void;
  /** Reveal the event in the Events tree. */
  readonly onReveal: (uid: string) => void;
  /** Open the event's involved object (read-only YAML). */
  readonly onOpenResource: (uid: string) => void;
  /** Load the history older than `before` (epoch ms) into the store. */
  readonly onOlder?: (before: number) => void;
  /** The panel is shown (opened, restored in view, or brought to the front): a reason to connect. */
  readonly onVisible?: () => void;
  /** What the panel's title adds to "Kube Events: Timeline" (an open capture's banner), if anything. */
  readonly titleSuffix?: () => string | undefined;
}

/** The panel's title, with what `ctx` adds to it. */
export function timelineTitle(ctx: Pick<TimelineContext, 'titleSuffix'>): string {
  const suffix = ctx.titleSuffix?.();
  return suffix ? `${TIMELINE_TITLE} — ${suffix}` : TIMELINE_TITLE;
}

/** The part of the view's persisted state the host reads when a panel is restored. */
function restoredFilterText(state: unknown): string | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const text = (state as { filterText?: unknown }).filterText;
  return typeof text === 'string' && text.length <= MAX_FILTER_TEXT_LENGTH ? text : undefined;
}

/**
 * The "Kube Events: Timeline" webview panel: one at a time. Scripts run with a nonce'd CSP, resources come only
 * from dist/ and media/, and the panel does not retain its context while hidden: the {@link TimelineFeed}
 * re-sends a full reset when it is shown again.
 */
export class TimelinePanel extends DisposableOwner {
  private static currentPanel: TimelinePanel | undefined;

  private readonly feed: TimelineFeed;

  /** The open panel, if any. */
  static get current(): TimelinePanel | undefined {
    return TimelinePanel.currentPanel;
  }

  /** Reveals the open panel, or opens one beside the active editor. */
  static createOrShow(ctx: TimelineContext, column?: vscode.ViewColumn): TimelinePanel {
    const existing = TimelinePanel.currentPanel;
    if (existing) {
      existing.panel.reveal(column);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, timelineTitle(ctx), column ?? vscode.ViewColumn.Active, TimelinePanel.webviewOptions(ctx.extensionUri));
    return new TimelinePanel(panel, ctx, ctx.getQueryText?.());
  }

  /** Takes over a panel VS Code restored after a window reload (see {@link registerTimelineSerializer}). */
  static revive(panel: vscode.WebviewPanel, ctx: TimelineContext, state: unknown): TimelinePanel {
    TimelinePanel.currentPanel?.dispose();
    panel.webview.options = TimelinePanel.webviewOptions(ctx.extensionUri);
    panel.title = timelineTitle(ctx);
    return new TimelinePanel(panel, ctx, restoredFilterText(state) ?? ctx.getQueryText?.());
  }

  /** Scripts on; local resources from dist/ and media/ only. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: TimelineContext,
    initialFilterText: string | undefined,
  ) {
    super();
    TimelinePanel.currentPanel = this;
    const log = tagged(ctx.logger, 'timeline');
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'kube-events.svg');
    this.feed = new TimelineFeed({
      store: ctx.store,
      post: (message) => panel.webview.postMessage(message),
      logger: log,
      ...(ctx.owners ? { owners: ctx.owners } : {}),
      ...(ctx.clusters ? { clusters: ctx.clusters } : {}),
      ...(ctx.onDidLearnOwners ? { onDidLearnOwners: ctx.onDidLearnOwners } : {}),
      ...(ctx.dropped ? { dropped: ctx.dropped } : {}),
      ...(ctx.debug ? { debug: ctx.debug } : {}),
      ...(ctx.recorder ? { recorder: ctx.recorder } : {}),
      ...(initialFilterText ? { initialFilterText } : {}),
      onFilterApplied: (text) => ctx.onFilterChange?.(text),
      onReveal: (uid) => ctx.onReveal(uid),
      onOpenResource: (uid) => ctx.onOpenResource(uid),
      ...(ctx.onOlder ? { onOlder: ctx.onOlder } : {}),
    });
    this.feed.setVisible(panel.visible);
    if (panel.visible) ctx.onVisible?.();
    ctx.onFilterChange?.(this.feed.text);
    this.register(
      this.feed,
      panel.webview.onDidReceiveMessage((m: unknown) => this.feed.receive(m)),
      panel.onDidChangeViewState((e) => {
        this.feed.setVisible(e.webviewPanel.visible);
        if (e.webviewPanel.visible) ctx.onVisible?.();
      }),
      panel.onDidDispose(() => this.release()),
    );
    panel.webview.html = this.html();
    log.debug('panel opened');
  }

  /** Sets the filter as if typed into the box (e.g. "Filter to This Resource"). Returns the parse error, if any. */
  setFilterText(text: string): string | undefined {
    const error = this.feed.setFilterText(text);
    if (!error) this.ctx.onFilterChange?.(this.feed.text);
    return error;
  }

  /** Fits the lanes' axis to the newest debug session. */
  fitSession(): void {
    this.feed.fitSession();
  }

  /** The filter box's current text. */
  get filterText(): string {
    return this.feed.text;
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** Closes the panel. */
  override dispose(): void {
    if (this.isDisposed) return;
    this.release();
    this.panel.dispose();
  }

  /** Drops everything but the panel itself (which the user may have closed already). */
  private release(): void {
    if (this.isDisposed) return;
    if (TimelinePanel.currentPanel === this) TimelinePanel.currentPanel = undefined;
    super.dispose();
    this.ctx.onFilterChange?.('');
  }

  private html(): string {
    const webview = this.panel.webview;
    const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extensionUri, ...path)).toString();
    return renderHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: uri('dist', 'webview.js'), styleUri: uri('media', 'timeline.css') });
  }
}

/**
 * Restores the timeline after a window reload. Register it during activation; a reload that finds the panel
 * open activates the extension through `onWebviewPanel:kubeEvents.timeline`, which must be listed in
 * `activationEvents` (webview panels have no contribution point, so VS Code cannot infer it).
 */
export function registerTimelineSerializer(ctx: TimelineContext): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
    deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => {
      TimelinePanel.revive(panel, ctx, state);
      return Promise.resolve();
    },
  });
}
