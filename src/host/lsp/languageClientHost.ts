import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type NotificationType,
  type RequestParam,
  type RequestType,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Subscribe } from '../../core/emitter';
import type { EventStore } from '../../core/events/eventStore';
import { tagged, type Logger } from '../../core/ports';
import { ClusterNotification, EDITOR_COMMANDS, ObjectsNotification, ReasonsNotification, SERVER_PID_CAPABILITY, SubscribeNotification, type ClusterParams, type ObjectKeyDto } from '../../protocol/languageServer';
import { LanguageServerFeed } from './languageServerFeed';
import type { ExistsAnswer, FeedOwners } from './objectFeed';
import { errorMessage } from '../../core/text/errorMessage';
import { DisposableOwner } from '../disposable';

/** What the language client needs from the rest of the extension. */
export interface LanguageClientContext {
  readonly extensionUri: vscode.Uri;
  readonly store: EventStore;
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
  readonly client: LanguageClient;
  readonly feed: LanguageServerFeed;
  private readonly log: Logger;
  private crashes = 0;
  /** The connection the feed's states belong to. */
  private connection: object | undefined;

  constructor(private readonly ctx: LanguageClientContext) {
    super();
    this.connection = ctx.connection();
    this.log = tagged(ctx.log, 'lsp');
    const module = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'server.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const errorHandler: ErrorHandler = {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        this.crashes++;
        if (this.crashes === 1) {
          this.log.warn('the language server stopped unexpectedly; restarting it');
          return { action: CloseAction.Restart, handled: true };
        }
        this.log.error('the language server stopped again; it stays stopped until the window is reloaded (the Go and manifest decorations are off)');
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: SERVED_LANGUAGES.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      // Hovers may run our two commands (their arguments come from the document, never from cluster text).
      markdown: { isTrusted: { enabledCommands: Object.values(EDITOR_COMMANDS) }, supportHtml: false },
      errorHandler,
      connectionOptions: { maxRestartCount: 1 },
    };
    this.client = new LanguageClient('kubeEvents', LANGUAGE_SERVER_NAME, serverOptions, clientOptions);
    this.feed = this.register(new LanguageServerFeed({
      store: ctx.store,
      owners: ctx.owners,
      onDidLearnOwners: ctx.onDidLearnOwners,
      exists: ctx.exists,
      windowMs: ctx.windowMs,
      wantCluster: ctx.wantCluster,
      logger: this.log,
      sendObjects: (params) => void this.notify(ObjectsNotification, params),
      sendReasons: (params) => void this.notify(ReasonsNotification, params),
      }),
    );
    this.register(
      this.client.onNotification(SubscribeNotification, (params: unknown) => this.feed.subscribe(params)),
      this.client.onDidChangeState((e) => {
        // A (re)started server knows nothing: tell it the cluster, and everything again once it subscribes.
        if (e.newState === State.Running) {
          this.clusterChanged();
          this.feed.resend();
        }
      }),
    );
  }

  /**
   * Starts the server once a YAML or Go document is open (now, or when the first one opens): a window without
   * manifests or controller code runs no server process.
   */
  startWhenNeeded(): void {
    const wanted = (doc: vscode.TextDocument): boolean => SERVED_LANGUAGES.includes(doc.languageId) && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled');
    if (vscode.workspace.textDocuments.some(wanted)) {
      void this.start();
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!wanted(doc)) return;
      listener.dispose();
      void this.start();
    });
    this.register(listener);
  }

  private started = false;

  private start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
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
    void this.notify(ClusterNotification, { ...this.ctx.cluster(), windowMs: this.ctx.windowMs() });
  }

  /** Sends a request, starting the server first when no document started it yet (Go to Emitter asks without an open Go file). */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    await this.start();
    return this.client.sendRequest(type, params as RequestParam<P>);
  }

  /** The server's process id, while it runs (tests kill it to check the restart). */
  get serverPid(): number | undefined {
    const experimental = this.client.initializeResult?.capabilities.experimental as Record<string, unknown> | undefined;
    const pid = experimental?.[SERVER_PID_CAPABILITY];
    return typeof pid === 'number' ? pid : undefined;
  }

  private async notify<P>(type: NotificationType<P>, params: RequestParam<P>): Promise<void> {
    if (this.client.state !== State.Running) return;
    try {
      await this.client.sendNotification(type, params);
    } catch (err) {
      this.log.debug(`${type.method}: ${errorMessage(err)}`);
    }
  }

  /** Stops the server; what `deactivate()` returns. */
  stop(): Promise<void> {
    super.dispose();
    return this.client.state === State.Running ? this.client.stop() : Promise.resolve();
  }

  override dispose(): void {
    void this.stop();
  }
}
