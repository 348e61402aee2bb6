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
  LedgerNotification,
  isLedgerParams,
  type LedgerReasonDto,
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
import { ledgerCodeLenses, ledgerDiagnostics, ledgerHoverSection } from './ledgerFeatures';
import { manifestCodeLenses, manifestDiagnostics, manifestHover, objectKeyOf } from './manifestFeatures';
import { ManifestCache, MAX_MANIFEST_LENGTH, type ManifestObject, type TextRange } from './yamlLocator';
import { DocumentSchedulers, runInSlices } from './documentScheduler';
import { errorMessage } from '../core/text/errorMessage';
import { objectKeyIgnoringKindCase } from '../core/events/kubeEvent';
import { RunOnceScheduler } from '../core/lifecycle';
import { EmittersRequest, isEmitterQueryParams, type EmitterResult } from '../protocol/emitters';
import { rankEmitters, resolveSites, WorkspaceGoIndex } from './emitterIndex';

const DEFAULT_WINDOW_MS = 3_600_000;
/** Diagnostics and lenses are rendered again this often, so ages ("3m ago") stay true. */
const AGE_TICK_MS = 30_000;
const ANALYZE_DELAY_MS = 100;
/**
 * A document's diagnostics after the host's updates about its objects: every update within this joins one
 * publication, and each document's is a task of its own.
 */
const DIAGNOSTICS_DELAY_MS = 50;
/** A manifest is parsed a document at a time; the event loop is let go after this long. */
const PARSE_SLICE_MS = 8;
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
/** The newest debug session's recorder ledger, by reason (src/server/ledgerFeatures.ts). */
let ledgerReasons = new Map<string, LedgerReasonDto>();
let ledgerSession = '';
const analyses = new Map<string, Analysis>();
const goTrees = new Map<string, Tree>();
/** Each open manifest's objects by document text: an edit parses only the documents it changed. */
const manifestCaches = new Map<string, ManifestCache>();
/** A manifest's parse under way, for one version: a request that needs it finishes it. */
const manifestJobs = new Map<string, { readonly version: number; readonly steps: Generator<readonly ManifestObject[] | undefined, ManifestObject[], void> }>();
/** One pending analysis per open document, restarted by each edit. */
const analyzeRuns = new DocumentSchedulers((uri) => analyzeAndPublish(uri), ANALYZE_DELAY_MS);
/** One pending publication of diagnostics per open document. */
const diagnosticRuns = new DocumentSchedulers((uri) => publishIfCurrent(uri), DIAGNOSTICS_DELAY_MS);
let lensRefreshSupported = false;
const lensRefresh = new RunOnceScheduler(() => void connection.sendRequest(CodeLensRefreshRequest.type).then(undefined, () => undefined), LENS_REFRESH_MS);
let lastSubscription = '';
let goParser: GoParser | undefined;
/** Package facts of open Go files, by uri, with the version they were read at. */
const openFacts = new Map<string, { version: number; facts: PackageFacts }>();
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

/** The parse of this version of the manifest: the one under way, or a new one (which reuses what the cache holds). */
function manifestJob(doc: TextDocument): { readonly version: number; readonly steps: Generator<readonly ManifestObject[] | undefined, ManifestObject[], void> } {
  const running = manifestJobs.get(doc.uri);
  if (running && running.version === doc.version) return running;
  const text = doc.getText();
  if (text.length > MAX_MANIFEST_LENGTH) warnOnce(`big:${doc.uri}`, `${doc.uri}: ${text.length} characters is more than the ${MAX_MANIFEST_LENGTH} read; no events are shown on it`);
  let cache = manifestCaches.get(doc.uri);
  if (!cache) {
    cache = new ManifestCache();
    manifestCaches.set(doc.uri, cache);
  }
  // A file opened for the first time reads first the documents that name an object with warnings: they show at once.
  const job = { version: doc.version, steps: cache.locate(text, analyses.has(doc.uri) ? undefined : namesWarnedObject()) };
  manifestJobs.set(doc.uri, job);
  return job;
}

/** Whether a document names (as some `name:`) an object whose state has a Warning: a cheap look, only to pick what to read first. */
function namesWarnedObject(): ((document: string) => boolean) | undefined {
  const names = new Set<string>();
  for (const s of objectStates.values()) if (s.exists !== 'no' && s.events.some((e) => e.type === 'Warning')) names.add(s.object.name);
  if (names.size === 0) return undefined;
  return (document) => {
    for (const m of document.matchAll(/^[ \t]+name:[ \t]*["']?([^"'\s#]+)/gm)) if (names.has(m[1])) return true;
    return false;
  };
}

function yamlAnalysis(doc: TextDocument, objects: readonly ManifestObject[]): YamlAnalysis {
  return { lang: 'yaml', version: doc.version, objects, keys: objects.map((o) => objectKeyOf(o, cluster)) };
}

/** At once: a request (hover, CodeLens) needs the answer now, so the parse under way is finished here. */
function analyzeYaml(doc: TextDocument): YamlAnalysis {
  const job = manifestJob(doc);
  for (;;) {
    const step = job.steps.next();
    if (step.done) {
      manifestJobs.delete(doc.uri);
      return yamlAnalysis(doc, step.value);
    }
  }
}

/** Whether this version of the manifest is being parsed in slices (what it is published with comes when that ends). */
function parsing(doc: TextDocument): boolean {
  return manifestJobs.get(doc.uri)?.version === doc.version;
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
      let cached = openFacts.get(openDoc.uri);
      if (!cached || cached.version !== openDoc.version) {
        const f = factsOfText(openDoc.getText());
        if (!f) continue;
        cached = { version: openDoc.version, facts: f };
        openFacts.set(openDoc.uri, cached);
      }
      add(cached.facts);
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
  openFacts.set(doc.uri, { version: doc.version, facts: own });
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
  return a.lang === 'yaml' ? manifestDiagnostics(a.objects, a.keys, objectStates, positions(doc), now) : [...goDiagnostics(a.calls, positions(doc)), ...ledgerDiagnostics(a.calls, ledgerReasons, positions(doc))];
}

function publish(doc: TextDocument): void {
  const a = analyze(doc);
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: a ? diagnosticsOf(doc, a) : [] });
}

/** Publishes the document's diagnostics unless its analysis is pending or under way (that publishes when done). */
function publishIfCurrent(uri: string): void {
  const doc = documents.get(uri);
  if (!doc || parsing(doc) || analyzeRuns.isScheduled(uri)) return;
  publish(doc);
}

/** Every document (of a language) gets its diagnostics again, each in a task of its own. */
function publishAll(lang?: 'yaml' | 'go'): void {
  for (const doc of documents.all()) if (!lang || languageOf(doc) === lang) diagnosticRuns.scheduleIfIdle(doc.uri);
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
    // A document whose analysis is pending or under way counts with what it said before: that analysis ends with
    // a new subscription (ten Go files opened at once are ten tasks, not one).
    const a = parsing(doc) || analyzeRuns.isScheduled(doc.uri) ? analyses.get(doc.uri) : analyze(doc);
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

/**
 * Analyses the document as it is now, publishes its diagnostics and tells the host what the documents mention. A
 * manifest not parsed at this version is parsed in slices of {@link PARSE_SLICE_MS}, the loop let go between them;
 * an edit meanwhile stops it (the edit's own analysis goes on from what the cache holds).
 */
function analyzeAndPublish(uri: string): void {
  const doc = documents.get(uri);
  if (!doc) return;
  const cached = analyses.get(uri);
  if (languageOf(doc) !== 'yaml' || (cached && cached.version === doc.version)) {
    publish(doc);
    subscribe();
    return;
  }
  const job = manifestJob(doc);
  runInSlices(
    job.steps,
    PARSE_SLICE_MS,
    (objects) => {
      // Undefined when a request finished the parse first: the analysis is in place already.
      if (objects) {
        manifestJobs.delete(uri);
        analyses.set(uri, yamlAnalysis(doc, objects));
      }
      publish(doc);
      subscribe();
    },
    {
      alive: () => documents.get(uri)?.version === job.version && manifestJobs.get(uri) === job,
      // The documents read first: their warnings go out before the rest of the file is read.
      progress: (early) => {
        const diagnostics = manifestDiagnostics(early, early.map((o) => objectKeyOf(o, cluster)), objectStates, positions(doc), Date.now());
        if (diagnostics.length > 0) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
      },
    },
  );
}

function scheduleAnalyze(doc: TextDocument, delayMs = ANALYZE_DELAY_MS): void {
  analyzeRuns.schedule(doc.uri, delayMs);
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
  // Only the documents that name a changed object, each debounced on its own.
  for (const doc of documents.all()) {
    const a = analyses.get(doc.uri);
    if (a?.lang === 'yaml' && a.keys.some((k) => changed.has(objectKeyIgnoringKindCase(k)))) diagnosticRuns.scheduleIfIdle(doc.uri);
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

connection.onNotification(LedgerNotification, (params: unknown) => {
  if (!isLedgerParams(params)) {
    log.warn(`ignored a malformed ${LedgerNotification.method} notification`);
    return;
  }
  ledgerReasons = new Map(params.reasons.map((r) => [r.reason, r]));
  ledgerSession = params.session;
  publishAll('go');
  refreshLenses();
});

documents.onDidOpen((e) => scheduleAnalyze(e.document, 0));
documents.onDidChangeContent((e) => scheduleAnalyze(e.document));
documents.onDidClose((e) => {
  analyzeRuns.delete(e.document.uri);
  diagnosticRuns.delete(e.document.uri);
  manifestJobs.delete(e.document.uri);
  manifestCaches.delete(e.document.uri);
  openFacts.delete(e.document.uri);
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
  return a.lang === 'yaml'
    ? manifestCodeLenses(a.objects, a.keys, objectStates, cluster, positions(doc), now)
    : [...goCodeLenses(a.calls, reasonStates, a.components, windowMs(), positions(doc), now), ...ledgerCodeLenses(a.calls, ledgerReasons, positions(doc))];
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
  const hover = goHover(call, reasonStates.get(call.reason), a.components, windowMs(), positions(doc).rangeOf(call.reasonRange), now);
  const ledger = ledgerHoverSection(ledgerReasons.get(call.reason), ledgerSession);
  if (hover && ledger && typeof hover.contents === 'object' && 'value' in hover.contents) return { ...hover, contents: { ...hover.contents, value: hover.contents.value + '\n' + ledger } };
  return hover ?? null;
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
