/** Every id the extension contributes. A unit test checks them against package.json. */

export const EXTENSION_ID = 'kube-events.kube-events';

export const VIEW_CONTAINER = 'kubeEvents';

export const Views = {
  events: 'kubeEvents.events',
} as const;

/** Webview panel view types. */
export const Panels = {
  timeline: 'kubeEvents.timeline',
  /** The recorder ledger of the newest debug session (src/host/debug/recorderTracker.ts). */
  recorderLedger: 'kubeEvents.recorderLedger',
} as const;

/** Palette commands (their titles are the product contract, checked by test/unit/contributions.test.ts) and the item/title actions that go with them. */
export const Commands = {
  selectContext: 'kubeEvents.selectContext',
  selectContexts: 'kubeEvents.selectContexts',
  selectNamespace: 'kubeEvents.selectNamespace',
  filterEvents: 'kubeEvents.filterEvents',
  filterByResource: 'kubeEvents.filterByResource',
  clearFilter: 'kubeEvents.clearFilter',
  pauseStream: 'kubeEvents.pauseStream',
  resumeStream: 'kubeEvents.resumeStream',
  groupBy: 'kubeEvents.groupBy',
  openTimeline: 'kubeEvents.openTimeline',
  exportEvents: 'kubeEvents.exportEvents',
  emitTestEvent: 'kubeEvents.emitTestEvent',
  showLog: 'kubeEvents.showLog',
  // Item actions (tree context menu); hidden from the palette.
  filterToResource: 'kubeEvents.filterToResource',
  copyKubectlCommand: 'kubeEvents.copyKubectlCommand',
  openResourceYaml: 'kubeEvents.openResourceYaml',
  // Welcome view and status bar.
  selectKubeconfig: 'kubeEvents.selectKubeconfig',
  openSettings: 'kubeEvents.openSettings',
  reconnect: 'kubeEvents.reconnect',
  statusActions: 'kubeEvents.statusActions',
  // The VS Code Kubernetes extension's cluster explorer, when it is installed.
  showEventsForKubernetesResource: 'kubeEvents.showEventsForKubernetesResource',
  clearHistory: 'kubeEvents.clearHistory',
  // Debug sessions (status bar item, tree separator, end-of-session summary).
  showSessionEvents: 'kubeEvents.showSessionEvents',
  openSessionTimeline: 'kubeEvents.openSessionTimeline',
  showRecorderLedger: 'kubeEvents.showRecorderLedger',
  // Debugging a controller: event breakpoints, and the recorder call that wrote an event.
  breakOnEvents: 'kubeEvents.breakOnEvents',
  goToEmitter: 'kubeEvents.goToEmitter',
  // Captures: a file that brings an investigation back, read-only (src/host/capture).
  saveCapture: 'kubeEvents.saveCapture',
  openCapture: 'kubeEvents.openCapture',
  closeCapture: 'kubeEvents.closeCapture',
} as const;

export const Settings = {
  section: 'kubeEvents',
  kubeconfig: 'kubeconfig',
  namespaces: 'namespaces',
  storeMaxEvents: 'store.maxEvents',
  storeMaxMegabytes: 'store.maxMegabytes',
  groupBy: 'tree.groupBy',
  emitConfirmContexts: 'emit.confirmContexts',
  historyEnabled: 'history.enabled',
  historyRetentionDays: 'history.retentionDays',
  historyMaxMegabytes: 'history.maxMegabytes',
  debugFollow: 'debug.follow',
  editorWindow: 'editor.window',
  /** Read by the language client itself (its id is `kubeEvents`). */
  traceServer: 'trace.server',
} as const;

/** Context keys used in `when` clauses. */
export const ContextKeys = {
  state: 'kubeEvents.state',
  /** Why the stream is not running (SourceErrorReason or KubeconfigProblem), '' otherwise. */
  reason: 'kubeEvents.reason',
  filtered: 'kubeEvents.filtered',
  /** A debug session has been followed (its events can be shown). */
  debugSession: 'kubeEvents.debugSession',
  /** A capture is open: the window is read-only and not connected (src/host/capture). */
  capture: 'kubeEvents.capture',
} as const;

export const LOG_CHANNEL_NAME = 'Kube Events';

/** Ids of the status bar entries (the workbench remembers per id whether the user hid one). */
export const StatusBarItems = {
  status: 'kubeEvents.status',
  debug: 'kubeEvents.debug',
  /** The open capture's banner (src/host/capture/captureView.ts). */
  capture: 'kubeEvents.capture',
} as const;

/** The custom editor that opens a capture file from the explorer (src/host/capture/captureEditor.ts). */
export const CAPTURE_EDITOR = 'kubeEvents.captureEditor';

/** The file name extension of a capture (the custom editor's pattern, Save Capture…'s default name). */
export const CAPTURE_EXTENSION = 'kecapture';

/** The URI scheme of read-only resource YAML documents. */
export const RESOURCE_SCHEME = 'kube-events-resource';

/** Memento keys. */
export const StateKeys = {
  context: 'kubeEvents.context',
  /** The contexts watched at once (Select Contexts…); absent or fewer than two: `context` alone. */
  contexts: 'kubeEvents.contexts',
  queryHistory: 'kubeEvents.queryHistory',
  query: 'kubeEvents.query',
  reasonHistory: 'kubeEvents.reasonHistory',
} as const;
