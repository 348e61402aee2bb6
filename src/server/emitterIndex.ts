/**
 * Go to Emitter (docs/ARCHITECTURE.md §11): an index of the recorder calls in every Go file of the workspace
 * folders, and the ranking of those calls against one event.
 *
 * A call is a candidate only when it records the event's reason (a string literal, or a string constant of its
 * package). Then, each adding to its score and to the reasons shown:
 * - the message against the call's message: a literal compares exactly; a format string (`Eventf`,
 *   `AnnotatedEventf`, tools/events' note) matches with its verbs as wildcards (`%d` digits, `%s`/`%v`/`%q`/…
 *   anything; `%%` a percent sign);
 * - the event's reporting controller against the components the call's package names for its recorders:
 *   `EventSource{Component: …}` (client-go tools/record `NewRecorder`), `GetEventRecorderFor("…")`
 *   (controller-runtime), tools/events `NewRecorder(scheme, "…")` / `NewEventRecorder`;
 * - the event type (`corev1.EventTypeWarning`, `"Warning"`…) and, for tools/events calls, the action.
 * Which API a call uses is read from where its event type stands: tools/events' `Eventf(regarding, related,
 * type, reason, action, note, args…)` has it third, tools/record's `Event`/`Eventf` second.
 *
 * Files are parsed with tree-sitter's Go grammar (goLocator.ts), read once and again only when their mtime
 * changes; open documents are read as edited. vendor/, testdata/, node_modules/ and dot-folders are skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import type { EmitterCandidateDto, EmitterQueryParams } from '../protocol/emitters';
import { MAX_EMITTER_CANDIDATES } from '../protocol/emitters';
import type { GoParser } from './goLocator';

/** Go files indexed at most, and their size. */
const MAX_INDEXED_FILES = 5_000;
const MAX_FILE_BYTES = 1_000_000;
const SKIPPED_DIRS = new Set(['vendor', 'testdata', 'node_modules']);

/** One recorder call, as indexed. Offsets are UTF-16 code units into the file's text. */
export interface EmitterSite {
  readonly api: 'record' | 'events';
  readonly method: string;
  readonly start: number;
  readonly end: number;
  /** The reason literal, or the name of the identifier that holds it. */
  readonly reasonLiteral: string | undefined;
  readonly reasonIdentifier: string | undefined;
  /** The message (record `Event`) or format (`Eventf`, `AnnotatedEventf`, tools/events note), when a literal. */
  readonly message: { readonly text: string; readonly isFormat: boolean } | undefined;
  readonly messageIdentifier: string | undefined;
  readonly eventType: 'Warning' | 'Normal' | undefined;
  readonly actionLiteral: string | undefined;
  /** The call's first line, cut. */
  readonly call: string;
}

/** What one file contributes: its package, its constants, its recorders' components and its calls. */
export interface FileEmitters {
  readonly packageName: string;
  readonly constants: ReadonlyMap<string, string>;
  /** Component values as written: a literal, or an identifier to resolve through the package's constants. */
  readonly components: ReadonlyArray<{ readonly literal?: string; readonly identifier?: string; readonly how: string }>;
  readonly sites: readonly EmitterSite[];
  /** Line starts, for positions. */
  readonly lineStarts: readonly number[];
}

function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'raw_string_literal') return node.text.slice(1, -1);
  if (node.type !== 'interpreted_string_literal') return undefined;
  try {
    return JSON.parse(`"${node.text.slice(1, -1).replace(/\\'/g, "'")}"`) as string;
  } catch {
    return node.text.slice(1, -1);
  }
}

function* descendants(root: Node, types: ReadonlySet<string>): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (types.has(node.type)) yield node;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}

function args(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  return list ? list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
}

function calledName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'selector_expression') return fn.childForFieldName('field')?.text;
  return fn?.type === 'identifier' ? fn.text : undefined;
}

function typeOf(node: Node | undefined): 'Warning' | 'Normal' | undefined {
  if (!node) return undefined;
  const name = stringValue(node) ?? (node.type === 'selector_expression' ? node.childForFieldName('field')?.text : node.type === 'identifier' ? node.text : undefined);
  if (name === 'Warning' || name === 'EventTypeWarning') return 'Warning';
  if (name === 'Normal' || name === 'EventTypeNormal') return 'Normal';
  return undefined;
}

const CALLS = new Set(['call_expression']);
const KEYED = new Set(['keyed_element']);
const CONSTS = new Set(['const_spec']);
const RECORDER_METHODS = new Set(['Event', 'Eventf', 'AnnotatedEventf']);

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The recorder calls, constants and recorder components of one parsed file. */
export function fileEmitters(tree: Tree, text: string): FileEmitters {
  const root = tree.rootNode;
  let packageName = '';
  for (const child of root.namedChildren) {
    if (child?.type === 'package_clause') packageName = child.namedChildren.find((c) => c?.type === 'package_identifier')?.text ?? '';
  }
  const constants = new Map<string, string>();
  for (const spec of descendants(root, CONSTS)) {
    const names = spec.childrenForFieldName('name').filter((n): n is Node => n !== null && n.type === 'identifier');
    const values = spec.childForFieldName('value')?.namedChildren ?? [];
    names.forEach((n, i) => {
      const v = stringValue(values[i]);
      if (v !== undefined) constants.set(n.text, v);
    });
  }
  const components: Array<{ literal?: string; identifier?: string; how: string }> = [];
  const valueOf = (n: Node | undefined): { literal?: string; identifier?: string } | undefined => {
    const literal = stringValue(n);
    if (literal !== undefined) return { literal };
    return n?.type === 'identifier' ? { identifier: n.text } : undefined;
  };
  for (const element of descendants(root, KEYED)) {
    const [key, value] = element.namedChildren;
    const keyText = key?.type === 'literal_element' ? key.namedChildren[0]?.text : key?.text;
    const v = valueOf((value?.type === 'literal_element' ? value.namedChildren[0] : value) ?? undefined);
    if (keyText === 'Component' && v) components.push({ ...v, how: 'EventSource{Component: …}' });
  }
  const sites: EmitterSite[] = [];
  for (const call of descendants(root, CALLS)) {
    const name = calledName(call);
    if (!name) continue;
    const a = args(call);
    if (name === 'GetEventRecorderFor' || name === 'GetEventRecorder') {
      const v = valueOf(a[0]);
      if (v) components.push({ ...v, how: `${name}(…)` });
      continue;
    }
    if (name === 'NewRecorder' || name === 'NewEventRecorder') {
      // tools/events NewRecorder(scheme, "component"): a string (or constant) argument; tools/record's takes an EventSource (above).
      const last = a[a.length - 1];
      const v = last && last.type !== 'composite_literal' ? valueOf(last) : undefined;
      if (v) components.push({ ...v, how: `${name}(…, component)` });
      continue;
    }
    if (!RECORDER_METHODS.has(name) || call.childForFieldName('function')?.type !== 'selector_expression' || a.length < 3) continue;
    // Where the event type stands tells the APIs apart: tools/events Eventf(regarding, related, type, reason, action, note, args…).
    let api: EmitterSite['api'] = 'record';
    let typeAt = name === 'AnnotatedEventf' ? 2 : 1;
    if (name === 'Eventf' && !typeOf(a[1]) && (typeOf(a[2]) || a.length >= 6)) {
      api = 'events';
      typeAt = 2;
    }
    const reasonNode = a[typeAt + 1];
    const messageNode = api === 'events' ? a[typeAt + 3] : a[typeAt + 2];
    const messageText = stringValue(messageNode);
    const first = text.slice(call.startIndex, call.endIndex).split('\n')[0];
    sites.push({
      api,
      method: name,
      start: call.startIndex,
      end: call.endIndex,
      reasonLiteral: stringValue(reasonNode),
      reasonIdentifier: reasonNode?.type === 'identifier' ? reasonNode.text : undefined,
      message: messageText === undefined ? undefined : { text: messageText, isFormat: name !== 'Event' },
      messageIdentifier: messageNode?.type === 'identifier' ? messageNode.text : undefined,
      eventType: typeOf(a[typeAt]),
      actionLiteral: api === 'events' ? stringValue(a[typeAt + 2]) : undefined,
      call: first.length > 160 ? `${first.slice(0, 159)}…` : first.length < call.endIndex - call.startIndex ? `${first} …` : first,
    });
  }
  sites.sort((x, y) => x.start - y.start);
  return { packageName, constants, components, sites, lineStarts: lineStartsOf(text) };
}

/**
 * A Go format string as an anchored regular expression: each verb (`%[flags][width][.prec]verb`) a wildcard, the
 * rest literal. `%d` matches digits (and a sign), every other verb any text.
 */
export function formatPattern(format: string): RegExp {
  let out = '';
  let last = 0;
  const verb = /%([-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?)([a-zA-Z%])/g;
  for (let m = verb.exec(format); m; m = verb.exec(format)) {
    out += escapeRegExp(format.slice(last, m.index));
    out += m[2] === '%' ? '%' : m[2] === 'd' ? '[-+]?\\d+' : '[\\s\\S]*?';
    last = m.index + m[0].length;
  }
  out += escapeRegExp(format.slice(last));
  return new RegExp(`^${out}$`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A site with the file it is in and its package's constants and components, resolved. */
export interface ResolvedSite {
  readonly uri: string;
  readonly site: EmitterSite;
  readonly reason: string | undefined;
  readonly message: { readonly text: string; readonly isFormat: boolean } | undefined;
  /** Component → how the package names it. */
  readonly components: ReadonlyMap<string, string>;
  readonly lineStarts: readonly number[];
}

function position(lineStarts: readonly number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo] };
}

const quoted = (s: string, max = 60): string => JSON.stringify(s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The candidates for one event, best first (see the module comment for the rules). */
export function rankEmitters(sites: Iterable<ResolvedSite>, q: EmitterQueryParams): EmitterCandidateDto[] {
  const out: EmitterCandidateDto[] = [];
  for (const r of sites) {
    if (r.reason !== q.reason) continue;
    const s = r.site;
    let score = 10;
    const why: string[] = [s.reasonLiteral !== undefined ? `reason ${quoted(q.reason)} as a literal` : `reason ${quoted(q.reason)} through the constant ${s.reasonIdentifier}`];
    if (r.message) {
      const fits = r.message.isFormat ? formatPattern(r.message.text).test(q.message) : r.message.text === q.message;
      if (fits) {
        score += r.message.isFormat && /%[^%]/.test(r.message.text) ? 4 : 5;
        why.push(r.message.isFormat && /%[^%]/.test(r.message.text) ? `message matches the format ${quoted(r.message.text)}` : `message is the literal ${quoted(r.message.text)}`);
      } else {
        score -= 4;
        why.push(`message does not match ${r.message.isFormat ? 'the format' : 'the literal'} ${quoted(r.message.text)}`);
      }
    } else {
      why.push('message is not a literal here: not compared');
    }
    if (q.component) {
      const how = r.components.get(q.component);
      if (how !== undefined) {
        score += 3;
        why.push(`component ${quoted(q.component)}: the package's ${how}`);
      } else if (r.components.size > 0) {
        score -= 3;
        why.push(`the package records as ${[...r.components.keys()].map((c) => quoted(c, 40)).join(', ')}, not ${quoted(q.component, 40)}`);
      }
    }
    if (s.eventType) {
      if (s.eventType === q.type) {
        score += 1;
        why.push(`type ${s.eventType}`);
      } else {
        score -= 2;
        why.push(`records type ${s.eventType}, the event is ${q.type || 'untyped'}`);
      }
    }
    if (q.action || s.api === 'events') {
      if (s.api === 'events' && s.actionLiteral !== undefined && s.actionLiteral === q.action) {
        score += 2;
        why.push(`tools/events call with action ${quoted(q.action)}`);
      } else if (s.api === 'events' && !q.action) {
        score -= 1;
        why.push('a tools/events call, the event has no action');
      } else if (s.api === 'record' && q.action) {
        score -= 1;
        why.push(`a tools/record call, the event has action ${quoted(q.action)}`);
      }
    }
    out.push({
      uri: r.uri,
      range: { start: position(r.lineStarts, s.start), end: position(r.lineStarts, s.end) },
      score,
      call: s.call,
      why: why.map((w) => (w.length > 400 ? `${w.slice(0, 399)}…` : w)),
    });
  }
  out.sort((a, b) => b.score - a.score || a.uri.localeCompare(b.uri) || a.range.start.line - b.range.start.line);
  return out.slice(0, MAX_EMITTER_CANDIDATES);
}

/** Resolves each file's sites through its package's (same folder, same package name) constants and components. */
export function resolveSites(files: ReadonlyMap<string, FileEmitters>): ResolvedSite[] {
  const packages = new Map<string, { constants: Map<string, string>; files: Array<[string, FileEmitters]> }>();
  for (const [uri, f] of files) {
    const key = `${uri.slice(0, uri.lastIndexOf('/'))}\u0000${f.packageName}`;
    let p = packages.get(key);
    if (!p) packages.set(key, (p = { constants: new Map(), files: [] }));
    for (const [k, v] of f.constants) if (!p.constants.has(k)) p.constants.set(k, v);
    p.files.push([uri, f]);
  }
  const out: ResolvedSite[] = [];
  for (const p of packages.values()) {
    const components = new Map<string, string>();
    for (const [, f] of p.files) {
      for (const c of f.components) {
        const value = c.literal ?? (c.identifier !== undefined ? p.constants.get(c.identifier) : undefined);
        if (value && !components.has(value)) components.set(value, c.literal !== undefined ? c.how : `${c.how} (constant ${c.identifier})`);
      }
    }
    for (const [uri, f] of p.files) {
      for (const site of f.sites) {
        const reason = site.reasonLiteral ?? (site.reasonIdentifier !== undefined ? p.constants.get(site.reasonIdentifier) : undefined);
        const messageConst = site.messageIdentifier !== undefined ? p.constants.get(site.messageIdentifier) : undefined;
        const message = site.message ?? (messageConst !== undefined ? { text: messageConst, isFormat: site.method !== 'Event' } : undefined);
        out.push({ uri, site, reason, message, components, lineStarts: f.lineStarts });
      }
    }
  }
  return out;
}

/**
 * Every Go file under the workspace folders, parsed once per mtime. `openText(uri)` gives an open document's
 * text, which wins over the disk.
 */
export class WorkspaceGoIndex {
  private readonly disk = new Map<string, { mtimeMs: number; size: number; emitters: FileEmitters | undefined }>();

  constructor(
    private readonly parser: () => GoParser | undefined,
    private readonly openText: (uri: string) => string | undefined,
    private readonly pathToUri: (file: string) => string,
  ) {}

  /** The files of the folders (file system paths), each file's emitters. */
  scan(folders: readonly string[]): Map<string, FileEmitters> {
    const out = new Map<string, FileEmitters>();
    const parser = this.parser();
    if (!parser) return out;
    const seen = new Set<string>();
    for (const file of goFiles(folders)) {
      seen.add(file);
      const uri = this.pathToUri(file);
      const open = this.openText(uri);
      if (open !== undefined) {
        const e = parse(parser, open);
        if (e) out.set(uri, e);
        continue;
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        continue;
      }
      if (stat.size > MAX_FILE_BYTES) continue;
      let cached = this.disk.get(file);
      if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          continue;
        }
        cached = { mtimeMs: stat.mtimeMs, size: stat.size, emitters: parse(parser, text) };
        this.disk.set(file, cached);
      }
      if (cached.emitters) out.set(uri, cached.emitters);
    }
    for (const file of this.disk.keys()) if (!seen.has(file)) this.disk.delete(file);
    return out;
  }
}

function parse(parser: GoParser, text: string): FileEmitters | undefined {
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    return fileEmitters(tree, text);
  } finally {
    tree.delete();
  }
}

/** The .go files under the folders, breadth first, at most {@link MAX_INDEXED_FILES}. */
function goFiles(folders: readonly string[]): string[] {
  const out: string[] = [];
  const queue = [...folders];
  while (queue.length > 0 && out.length < MAX_INDEXED_FILES) {
    const dir = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) queue.push(path.join(dir, e.name));
      } else if (e.isFile() && e.name.endsWith('.go') && out.length < MAX_INDEXED_FILES) {
        out.push(path.join(dir, e.name));
      }
    }
  }
  return out;
}
