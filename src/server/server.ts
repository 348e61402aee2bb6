/**
 * The Kube Events language server: live events on the manifests and on the Go controller code that is open.
 * It never talks to the cluster; the extension host feeds it (src/protocol/languageServer.ts). Started by the
 * host's LanguageClient over IPC; logs through `connection.console`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import {
  ClusterNotification,
  ObjectsNotification,
  ReasonsNotification,
  SubscribeNotification,
  isClusterParams,
  isObjectsParams,
  isReasonsParams,
  MAX_NAME_LENGTH,
  MAX_SUBJECTS,
  SERVER_PID_CAPABILITY,
  type ClusterParams,
  type ObjectKeyDto,
  type ObjectStateDto,
  type ReasonStateDto,
  type SubscribeParams,
} from '../protocol/languageServer';
import { goCodeLenses, goDiagnostics, goHover, reasonCompletions } from './goFeatures';
import { collectPackageFacts, GoParser, loadGo, locateRecorderCalls, reasonSlotAt, type PackageFacts, type RecorderCall } from './goLocator';
import { manifestCodeLenses, manifestDiagnostics, manifestHover, objectKeyOf } from './manifestFeatures';
import { locateManifests, MAX_MANIFEST_LENGTH, type ManifestObject, type TextRange } from './yamlLocator';
import { errorMessage } from '../core/text/errorMessage';
import { objectKeyIgnoringKindCase } from '../core/events/kubeEvent';
import { RunOnceScheduler } from '../core/lifecycle';
import { EmittersRequest, isEmitterQueryParams, type EmitterResult } from '../protocol/emitters';
import { rankEmitters, resolveSites, WorkspaceGoIndex } from './emitterIndex';

const DEFAULT_WINDOW_MS = 3_600_000;
/** Diagnostics and lenses are rendered again this often, so ages ("3m ago") stay true. */
const AGE_TICK_MS = 30_000;
const ANALYZE_DELAY_MS = 100;
const LENS_REFRESH_MS = 300;
/** Sibling files read for package constants at most, and their size. */
const MAX_PACKAGE_FILES = 200;
const MAX_PACKAGE_FILE_BYTES = 1_000_000;

interface YamlAnalysis {
  readonly lang: 'yaml';
  readonly version: number;
  readonly objects: readonly ManifestObject[];
  readonly keys: readonly ObjectKeyDto[];
}

interface GoAnalysis {
  readonly lang: 'go';
  readonly version: number;
  readonly calls: readonly RecorderCall[];
  readonly facts: PackageFacts;
  /** Components named anywhere in the package. */
  readonly components: ReadonlySet<string>;
}

type Analysis = YamlAnalysis | GoAnalysis;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = connection.console;

let cluster: ClusterParams | undefined;
const objectStates = new Map<string, ObjectStateDto>();
const reasonStates = new Map<string, ReasonStateDto>();
let knownReasons: readonly string[] = [];
const analyses = new Map<string, Analysis>();
const goTrees = new Map<string, Tree>();
/** One pending analysis per open document, restarted by each edit. */
const analyzeSchedulers = new Map<string, RunOnceScheduler>();
let lensRefreshSupported = false;
const lensRefresh = new RunOnceScheduler(() => void connection.sendRequest(CodeLensRefreshRequest.type).then(undefined, () => undefined), LENS_REFRESH_MS);
let lastSubscription = '';
let goParser: GoParser | undefined;
/** Package facts of files on disk, by path, with the mtime they were read at. */
const diskFacts = new Map<string, { mtimeMs: number; facts: PackageFacts }>();
const warnedOnce = new Set<string>();

function warnOnce(key: string, message: string): void {
  if (warnedOnce.has(key)) return;
  warnedOnce.add(key);
  log.warn(message);
}

function windowMs(): number {
  return cluster?.windowMs || DEFAULT_WINDOW_MS;
}

function languageOf(doc: TextDocument): 'yaml' | 'go' | undefined {
  if (doc.languageId === 'go' || doc.uri.endsWith('.go')) return 'go';
  if (doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri)) return 'yaml';
  return undefined;
}

function positions(doc: TextDocument): { rangeOf(r: TextRange): { start: { line: number; character: number }; end: { line: number; character: number } } } {
  return { rangeOf: (r) => ({ start: doc.positionAt(r.start), end: doc.positionAt(r.end) }) };
}

// ---- analysis --------------------------------------------------------------------------------------------------

function analyzeYaml(doc: TextDocument): YamlAnalysis {
  const text = doc.getText();
  if (text.length > MAX_MANIFEST_LENGTH) warnOnce(`big:${doc.uri}`, `${doc.uri}: ${text.length} characters is more than the ${MAX_MANIFEST_LENGTH} read; no events are shown on it`);
  const objects = locateManifests(text);
  return { lang: 'yaml', version: doc.version, objects, keys: objects.map((o) => objectKeyOf(o, cluster)) };
}

function factsOfText(text: string): PackageFacts | undefined {
  const tree = goParser?.parse(text);
  if (!tree) return undefined;
  try {
    return collectPackageFacts(tree);
  } finally {
    tree.delete();
  }
}

/** The constants and component names of the file's package: its open files and its folder's other .go files. */
function packageFacts(doc: TextDocument, own: PackageFacts): { constants: Map<string, string>; components: Set<string> } {
  const constants = new Map<string, string>();
  const components = new Set<string>();
  const add = (f: PackageFacts): void => {
    if (f.packageName !== own.packageName) return;
    for (const [k, v] of f.constants) if (!constants.has(k)) constants.set(k, v);
    for (const c of f.components) components.add(c);
  };
  add(own);
  let file: string | undefined;
  try {
    file = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : undefined;
  } catch {
    file = undefined;
  }
  if (!file) return { constants, components };
  const dir = path.dirname(file);
  const open = new Map<string, TextDocument>();
  for (const d of documents.all()) if (d.uri !== doc.uri && d.uri.startsWith('file:')) open.set(fileURLToPath(d.uri), d);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.go')).slice(0, MAX_PACKAGE_FILES);
  } catch {
    names = [];
  }
  for (const name of names) {
    const sibling = path.join(dir, name);
    if (sibling === file) continue;
    const openDoc = open.get(sibling);
    if (openDoc) {
      const f = factsOfText(openDoc.getText());
      if (f) add(f);
      continue;
    }
    try {
      const stat = fs.statSync(sibling);
      if (stat.size > MAX_PACKAGE_FILE_BYTES) continue;
      let cached = diskFacts.get(sibling);
      if (!cached || cached.mtimeMs !== stat.mtimeMs) {
        const f = factsOfText(fs.readFileSync(sibling, 'utf8'));
        if (!f) continue;
        cached = { mtimeMs: stat.mtimeMs, facts: f };
        diskFacts.set(sibling, cached);
      }
      add(cached.facts);
    } catch {
      // A file that vanished or cannot be read adds nothing.
    }
  }
  return { constants, components };
}

function analyzeGo(doc: TextDocument): GoAnalysis | undefined {
  if (!goParser) return undefined;
  const tree = goParser.parse(doc.getText());
  if (!tree) {
    warnOnce(`big:${doc.uri}`, `${doc.uri}: too long to parse; no events are shown on it`);
    return { lang: 'go', version: doc.version, calls: [], facts: { packageName: '', constants: new Map(), components: new Set() }, components: new Set() };
  }
  goTrees.get(doc.uri)?.delete();
  goTrees.set(doc.uri, tree);
  const own = collectPackageFacts(tree);
  const pkg = packageFacts(doc, own);
  return { lang: 'go', version: doc.version, calls: locateRecorderCalls(tree, pkg.constants), facts: own, components: pkg.components };
}

function analyze(doc: TextDocument): Analysis | undefined {
  const cached = analyses.get(doc.uri);
  if (cached && cached.version === doc.version) return cached;
  const lang = languageOf(doc);
  let result: Analysis | undefined;
  try {
    result = lang === 'yaml' ? analyzeYaml(doc) : lang === 'go' ? analyzeGo(doc) : undefined;
  } catch (err) {
    warnOnce(`fail:${doc.uri}`, `${doc.uri}: could not be read (${errorMessage(err)})`);
    result = undefined;
  }
  if (result) analyses.set(doc.uri, result);
  else analyses.delete(doc.uri);
  return result;
}

// ---- output ----------------------------------------------------------------------------------------------------

function diagnosticsOf(doc: TextDocument, a: Analysis): Diagnostic[] {
  const now = Date.now();
  return a.lang === 'yaml' ? manifestDiagnostics(a.objects, a.keys, objectStates, positions(doc), now) : goDiagnostics(a.calls, positions(doc));
}

function publish(doc: TextDocument): void {
  const a = analyze(doc);
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: a ? diagnosticsOf(doc, a) : [] });
}

function publishAll(lang?: 'yaml' | 'go'): void {
  for (const doc of documents.all()) if (!lang || languageOf(doc) === lang) publish(doc);
}

function refreshLenses(): void {
  if (lensRefreshSupported) lensRefresh.scheduleIfIdle();
}

/** Tells the host what the open documents mention, when that changed. */
function subscribe(): void {
  const objects = new Map<string, ObjectKeyDto>();
  const reasons = new Set<string>();
  let completesReasons = false;
  let recorderCalls = false;
  // What the protocol cannot carry (a name longer than any Kubernetes name) cannot have events either.
  const fits = (s: string): boolean => s.length <= MAX_NAME_LENGTH;
  for (const doc of documents.all()) {
    const a = analyze(doc);
    if (a?.lang === 'yaml') {
      for (const k of a.keys) if (fits(k.kind) && fits(k.name) && fits(k.namespace) && fits(k.apiVersion)) objects.set(objectKeyIgnoringKindCase(k), k);
    } else if (languageOf(doc) === 'go') {
      // A Go file with no recorder call yet is where the first one is typed: completion needs the known reasons.
      completesReasons = true;
      if (a?.lang !== 'go') continue;
      for (const c of a.calls) if (c.reason && fits(c.reason)) reasons.add(c.reason);
      recorderCalls ||= a.calls.length > 0;
    }
  }
  const params: SubscribeParams = { objects: [...objects.values()].slice(0, MAX_SUBJECTS), reasons: [...reasons].slice(0, MAX_SUBJECTS), completesReasons, recorderCalls };
  const json = JSON.stringify(params);
  if (json === lastSubscription) return;
  lastSubscription = json;
  void connection.sendNotification(SubscribeNotification, params);
}

function scheduleAnalyze(doc: TextDocument, delayMs = ANALYZE_DELAY_MS): void {
  let scheduler = analyzeSchedulers.get(doc.uri);
  if (!scheduler) {
    scheduler = new RunOnceScheduler(() => {
      const current = documents.get(doc.uri);
      if (!current) return;
      publish(current);
      subscribe();
    }, ANALYZE_DELAY_MS);
    analyzeSchedulers.set(doc.uri, scheduler);
  }
  scheduler.schedule(delayMs);
}

// ---- protocol ----------------------------------------------------------------------------------------------------

connection.onInitialize((params): InitializeResult => {
  lensRefreshSupported = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  const wasmDir = __dirname;
  void loadGo({ runtime: path.join(wasmDir, 'tree-sitter.wasm'), grammar: path.join(wasmDir, 'tree-sitter-go.wasm') }).then(
    (lang) => {
      goParser = new GoParser(lang);
      for (const doc of documents.all()) if (languageOf(doc) === 'go') scheduleAnalyze(doc, 0);
    },
    (err: unknown) => {
      log.error(`the Go grammar did not load, so Go files get no events: ${errorMessage(err)}`);
    },
  );
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeLensProvider: { resolveProvider: false },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['"', '`', '('], resolveProvider: false },
      experimental: { [SERVER_PID_CAPABILITY]: process.pid },
    },
    serverInfo: { name: 'Kube Events' },
  };
});

connection.onNotification(ClusterNotification, (params: unknown) => {
  if (!isClusterParams(params)) {
    log.warn(`ignored a malformed ${ClusterNotification.method} notification`);
    return;
  }
  const namespaceChanged = params.defaultNamespace !== cluster?.defaultNamespace;
  cluster = params;
  if (namespaceChanged) {
    // Manifests without a namespace now mean another object.
    for (const [uri, a] of analyses) if (a.lang === 'yaml') analyses.delete(uri);
  }
  publishAll();
  subscribe();
  refreshLenses();
});

connection.onNotification(ObjectsNotification, (params: unknown) => {
  if (!isObjectsParams(params)) {
    log.warn(`ignored a malformed ${ObjectsNotification.method} notification`);
    return;
  }
  const changed = new Set<string>();
  for (const s of params.objects) {
    const key = objectKeyIgnoringKindCase(s.object);
    objectStates.set(key, s);
    changed.add(key);
  }
  for (const doc of documents.all()) {
    const a = analyses.get(doc.uri);
    if (a?.lang === 'yaml' && a.keys.some((k) => changed.has(objectKeyIgnoringKindCase(k)))) publish(doc);
  }
  refreshLenses();
});

connection.onNotification(ReasonsNotification, (params: unknown) => {
  if (!isReasonsParams(params)) {
    log.warn(`ignored a malformed ${ReasonsNotification.method} notification`);
    return;
  }
  for (const s of params.reasons) reasonStates.set(s.reason, s);
  if (params.known) knownReasons = params.known;
  refreshLenses();
});

documents.onDidOpen((e) => scheduleAnalyze(e.document, 0));
documents.onDidChangeContent((e) => scheduleAnalyze(e.document));
documents.onDidClose((e) => {
  analyzeSchedulers.get(e.document.uri)?.dispose();
  analyzeSchedulers.delete(e.document.uri);
  analyses.delete(e.document.uri);
  goTrees.get(e.document.uri)?.delete();
  goTrees.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  subscribe();
});

connection.onCodeLens((params): CodeLens[] => {
  const doc = documents.get(params.textDocument.uri);
  const a = doc && analyze(doc);
  if (!doc || !a) return [];
  const now = Date.now();
  return a.lang === 'yaml' ? manifestCodeLenses(a.objects, a.keys, objectStates, cluster, positions(doc), now) : goCodeLenses(a.calls, reasonStates, a.components, windowMs(), positions(doc), now);
});

function within(r: TextRange | undefined, offset: number): boolean {
  return r !== undefined && r.start <= offset && offset <= r.end;
}

connection.onHover((params): Hover | null => {
  const doc = documents.get(params.textDocument.uri);
  const a = doc && analyze(doc);
  if (!doc || !a) return null;
  const offset = doc.offsetAt(params.position);
  const now = Date.now();
  if (a.lang === 'yaml') {
    const i = a.objects.findIndex((o) => within(o.kindRange, offset) || within(o.nameRange, offset));
    if (i < 0) return null;
    const o = a.objects[i];
    const key = a.keys[i];
    const r = within(o.kindRange, offset) ? o.kindRange : o.nameRange;
    return manifestHover(key, objectStates.get(objectKeyIgnoringKindCase(key)), cluster, positions(doc).rangeOf(r), now);
  }
  const call = a.calls.find((c) => within(c.reasonRange, offset));
  if (!call || !call.reasonRange || call.reason === undefined) return null;
  return goHover(call, reasonStates.get(call.reason), a.components, windowMs(), positions(doc).rangeOf(call.reasonRange), now) ?? null;
});

connection.onCompletion((params): CompletionItem[] => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || languageOf(doc) !== 'go' || !goParser || knownReasons.length === 0) return [];
  const a = analyze(doc);
  const tree = a?.lang === 'go' ? goTrees.get(doc.uri) : undefined;
  if (!tree) return [];
  const slot = reasonSlotAt(tree, doc.getText(), doc.offsetAt(params.position));
  if (!slot) return [];
  return reasonCompletions(knownReasons, reasonStates, slot, positions(doc).rangeOf(slot.replace));
});

// Go to Emitter: every Go file of the workspace folders, not only the open ones (emitterIndex.ts).
const goIndex = new WorkspaceGoIndex(() => goParser, (uri) => documents.get(uri)?.getText(), (file) => pathToFileURL(file).href);
connection.onRequest(EmittersRequest, async (params: unknown): Promise<EmitterResult> => {
  if (!isEmitterQueryParams(params)) throw new Error(`malformed ${EmittersRequest.method} request`);
  // The first request can start the server: wait for the grammar (the same promise initialize started).
  if (!goParser) await loadGo({ runtime: path.join(__dirname, 'tree-sitter.wasm'), grammar: path.join(__dirname, 'tree-sitter-go.wasm') }).catch(() => undefined);
  const folders = ((await connection.workspace.getWorkspaceFolders()) ?? []).flatMap((f) => (f.uri.startsWith('file:') ? [fileURLToPath(f.uri)] : []));
  const files = goIndex.scan(folders);
  return { candidates: rankEmitters(resolveSites(files), params), filesIndexed: files.size };
});

setInterval(() => {
  publishAll('yaml');
  refreshLenses();
}, AGE_TICK_MS).unref();

process.on('uncaughtException', (err) => {
  log.error(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});

documents.listen(connection);
connection.listen();
