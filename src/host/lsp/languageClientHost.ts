import * as vscode from 'vscode';
import type { Subscribe } from '../../core/emitter';
import type { FeedStore } from './judgedStore';
import { tagged, type Logger } from '../../core/ports';
import type { EmitterQueryParams } from '../../protocol/emitters';
import type { ClusterParams, LedgerParams, ObjectKeyDto } from '../../protocol/languageServer';
import { LanguageServerFeed } from './languageServerFeed';
import type { ExistsAnswer, FeedOwners } from './objectFeed';
import { errorMessage } from '../../core/text/errorMessage';
import { DisposableOwner } from '../disposable';
import { languageClientBundle } from './lazy';
import type { KubeEventsLanguageClient } from './lazy/languageClient';

/** What the language client needs from the rest of the extension. */
export interface LanguageClientContext {
  readonly extensionUri: vscode.Uri;
  /** The events the editor features judge by (src/host/lsp/judgedStore.ts: the primary cluster's). */
  readonly store: FeedStore;
  readonly owners: () => FeedOwners | undefined;
  readonly onDidLearnOwners: Subscribe<unknown>;
  readonly exists: (object: ObjectKeyDto) => Promise<ExistsAnswer>;
  /** Context, default namespace, live: read whenever {@link LanguageClientHost.clusterChanged} is called. */
  readonly cluster: () => Omit<ClusterParams, 'windowMs'>;
  readonly windowMs: () => number;
  /** The session's connection (a new one is another context or kubeconfig: the feed starts afresh). */
  readonly connection: () => object | undefined;
  /** The open documents hold a Kubernetes object or a recorder call: a reason to connect. */
  readonly wantCluster: () => void;
  readonly log: vscode.LogOutputChannel;
}

const SERVED_LANGUAGES: readonly string[] = ['yaml', 'go'];

/** The name of the language client's own output channel (its trace goes there, per kubeEvents.trace.server). */
const LANGUAGE_SERVER_NAME = 'Kube Events Language Server';

/**
 * Starts the language server (dist/server.js over IPC) for YAML and Go files and connects it to a
 * {@link LanguageServerFeed}. A server that stops is restarted once, and the log says so once; a second
 * stop leaves it stopped, with one error line.
 */
export class LanguageClientHost extends DisposableOwner {
  /** The client, from the first YAML or Go document on (its bundle is loaded then, not at activation). */
  private client: KubeEventsLanguageClient | undefined;
  readonly feed: LanguageServerFeed;
  private readonly log: Logger;
  private crashes = 0;
  /** The connection the feed's states belong to. */
  private connection: object | undefined;

  constructor(private readonly ctx: LanguageClientContext) {
    super();
    this.connection = ctx.connection();
    this.log = tagged(ctx.log, 'lsp');
    this.feed = this.register(new LanguageServerFeed({
      store: ctx.store,
      owners: ctx.owners,
      onDidLearnOwners: ctx.onDidLearnOwners,
      exists: ctx.exists,
      windowMs: ctx.windowMs,
      wantCluster: ctx.wantCluster,
      logger: this.log,
      sendObjects: (params) => void this.client?.sendObjects(params),
      sendReasons: (params) => void this.client?.sendReasons(params),
      }),
    );
  }

  /** Loads the client's bundle and builds the client: once, when the first document to serve is open. */
  private createClient(): KubeEventsLanguageClient {
    const client = languageClientBundle().createLanguageClient({
      serverModule: vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'server.js').fsPath,
      languages: SERVED_LANGUAGES,
      name: LANGUAGE_SERVER_NAME,
      onSubscribe: (params) => this.feed.subscribe(params),
      // A (re)started server knows nothing: tell it the cluster, and everything again once it subscribes.
      onRunning: () => {
        this.clusterChanged();
        this.feed.resend();
        if (this.ledger) void this.client?.sendLedger(this.ledger);
      },
      onClosed: () => {
        this.crashes++;
        if (this.crashes === 1) {
          this.log.warn('the language server stopped unexpectedly; restarting it');
          return true;
        }
        this.log.error('the language server stopped again; it stays stopped until the window is reloaded (the Go and manifest decorations are off)');
        return false;
      },
      onSendError: (method, err) => this.log.debug(`${method}: ${errorMessage(err)}`),
    });
    return client;
  }

  /**
   * Starts the server once a YAML or Go document is open (now, or when the first one opens): a window without
   * manifests or controller code runs no server process. Never inside activation: the document that activated
   * the extension is served a moment later, once `activate()` has returned (docs/ARCHITECTURE.md §11).
   */
  startWhenNeeded(): void {
    const wanted = (doc: vscode.TextDocument): boolean => SERVED_LANGUAGES.includes(doc.languageId) && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled');
    if (vscode.workspace.textDocuments.some(wanted)) {
      const soon = setTimeout(() => void this.start(), 0);
      this.register({ dispose: () => clearTimeout(soon) });
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!wanted(doc)) return;
      listener.dispose();
      void this.start();
    });
    this.register(listener);
  }

  /** The server's start, once begun: what a request waits for. */
  private starting: Promise<void> | undefined;

  private start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private startOnce(): Promise<void> {
    if (this.isDisposed) return Promise.resolve();
    try {
      this.client = this.createClient();
    } catch (err) {
      this.log.error(`the language client could not be loaded: ${errorMessage(err)}`);
      return Promise.resolve();
    }
    return this.client.start().catch((err: unknown) => {
      this.log.error(`the language server did not start: ${errorMessage(err)}`);
    });
  }

  /** The session's state changed: tell the server; on another connection the feed also starts afresh. */
  sessionChanged(): void {
    const connection = this.ctx.connection();
    const changed = connection !== this.connection;
    this.connection = connection;
    this.clusterChanged(changed);
  }

  /** The settings changed (from `previousWindowMs`): tell the server; another editor window computes every state again (unchanged ones are not sent). */
  settingsChanged(previousWindowMs: number): void {
    this.clusterChanged();
    if (this.ctx.windowMs() !== previousWindowMs) this.feed.refresh();
  }

  /** The context, its namespace, the window or the stream state changed. */
  clusterChanged(connectionChanged = false): void {
    if (connectionChanged) this.feed.reset();
    void this.client?.sendCluster({ ...this.ctx.cluster(), windowMs: this.ctx.windowMs() });
  }

  private ledger: LedgerParams | undefined;

  /** The recorder ledger's figures per reason (src/host/debug/recorderLedgers.ts): sent now, and again to a restarted server. */
  setLedger(params: LedgerParams): void {
    this.ledger = params;
    void this.client?.sendLedger(params);
  }

  /** Asks for the recorder calls that may have written an event, starting the server first when no document started it yet (Go to Emitter asks without an open Go file). */
  async emitters(params: EmitterQueryParams): Promise<unknown> {
    await this.start();
    if (!this.client) throw new Error('the language server is not running (the log says why)');
    return this.client.requestEmitters(params);
  }

  /** The server's process id, while it runs (tests kill it to check the restart). */
  get serverPid(): number | undefined {
    return this.client?.serverPid;
  }

  /** Stops the server; what `deactivate()` returns. */
  stop(): Promise<void> {
    super.dispose();
    return this.client ? this.client.stop() : Promise.resolve();
  }

  override dispose(): void {
    void this.stop();
  }
}
