/**
 * The language client: vscode-languageclient and our notifications over it. Its own bundle (dist/languageClient.js),
 * loaded by {@link LanguageClientHost} once a YAML or Go document is open, never by activation
 * (docs/ARCHITECTURE.md §2, §11). It imports no runtime module of src/ but the protocol's declarations.
 */
import type * as vscode from 'vscode';
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
  type ServerOptions,
} from 'vscode-languageclient/node';
import { EmittersRequest, type EmitterQueryParams } from '../../../protocol/emitters';
import { ClusterNotification, EDITOR_COMMANDS, LedgerNotification, ObjectsNotification, ReasonsNotification, SERVER_PID_CAPABILITY, SubscribeNotification, type ClusterParams, type LedgerParams, type ObjectsParams, type ReasonsParams } from '../../../protocol/languageServer';

/** What the host hands the client: where the server is, which documents it serves, and who hears what. */
export interface LanguageClientOptionsOfHost {
  readonly serverModule: string;
  readonly languages: readonly string[];
  /** The name of the client's own output channel. */
  readonly name: string;
  /** The server subscribed (unchecked: the host's feed guards it). */
  readonly onSubscribe: (params: unknown) => void;
  /** The server (re)started and answered `initialize`. */
  readonly onRunning: () => void;
  /** The server's process ended unexpectedly: restart it (true) or leave it stopped. */
  readonly onClosed: () => boolean;
  /** A notification could not be sent (its method and why). */
  readonly onSendError: (method: string, err: unknown) => void;
}

/** The client as the host sees it: start, stop, and our host → server notifications. */
export interface KubeEventsLanguageClient extends vscode.Disposable {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The server's process id, while it runs (tests kill it to check the restart). */
  readonly serverPid: number | undefined;
  sendCluster(params: ClusterParams): Promise<void>;
  sendObjects(params: ObjectsParams): Promise<void>;
  sendReasons(params: ReasonsParams): Promise<void>;
  sendLedger(params: LedgerParams): Promise<void>;
  /** The workspace's recorder calls that may have written an event (Go to Emitter); unchecked, the caller guards it. */
  requestEmitters(params: EmitterQueryParams): Promise<unknown>;
}

export function createLanguageClient(host: LanguageClientOptionsOfHost): KubeEventsLanguageClient {
  const module = host.serverModule;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const errorHandler: ErrorHandler = {
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: () => ({ action: host.onClosed() ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true }),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: host.languages.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    // Hovers may run our two commands (their arguments come from the document, never from cluster text).
    markdown: { isTrusted: { enabledCommands: Object.values(EDITOR_COMMANDS) }, supportHtml: false },
    errorHandler,
    connectionOptions: { maxRestartCount: 1 },
  };
  const client = new LanguageClient('kubeEvents', host.name, serverOptions, clientOptions);
  const subscriptions = [
    client.onNotification(SubscribeNotification, (params: unknown) => host.onSubscribe(params)),
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) host.onRunning();
    }),
  ];
  const notify = async <P>(type: NotificationType<P>, params: RequestParam<P>): Promise<void> => {
    if (client.state !== State.Running) return;
    try {
      await client.sendNotification(type, params);
    } catch (err) {
      host.onSendError(type.method, err);
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    for (const s of subscriptions.splice(0)) s.dispose();
    stopped ??= client.state === State.Running ? client.stop() : Promise.resolve();
    return stopped;
  };
  return {
    start: () => client.start(),
    stop,
    get serverPid(): number | undefined {
      const experimental = client.initializeResult?.capabilities.experimental as Record<string, unknown> | undefined;
      const pid = experimental?.[SERVER_PID_CAPABILITY];
      return typeof pid === 'number' ? pid : undefined;
    },
    sendCluster: (params) => notify(ClusterNotification, params),
    sendObjects: (params) => notify(ObjectsNotification, params),
    sendReasons: (params) => notify(ReasonsNotification, params),
    sendLedger: (params) => notify(LedgerNotification, params),
    requestEmitters: (params) => client.sendRequest(EmittersRequest, params),
    dispose: () => void stop(),
  };
}
