/**
 * Finds the calls in Go source that record Kubernetes events, with a real parser (tree-sitter's Go grammar,
 * run as WASM by web-tree-sitter), never with regular expressions over the text:
 * - client-go `record.EventRecorder`: `Event(object, eventtype, reason, message)`,
 *   `Eventf(object, eventtype, reason, messageFmt, args…)`, `AnnotatedEventf(object, annotations, eventtype, reason, messageFmt, args…)`;
 * - client-go `tools/events` `EventRecorder.Eventf(regarding, related, eventtype, reason, action, note, args…)`;
 * whatever the receiver is called. The reason is the argument after the event type (`corev1.EventTypeWarning`,
 * `"Warning"`…), which tells the two `Eventf` shapes apart; without a recognisable event type the method's
 * client-go position is used. A reason is known when it is a string literal or an identifier naming a string
 * constant of the package (see {@link collectPackageFacts}).
 */
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/** Files longer than this are not parsed. */
const MAX_GO_LENGTH = 2_000_000;

/** Offsets into the text (UTF-16 code units), `end` exclusive. */
export interface GoRange {
  readonly start: number;
  readonly end: number;
}

/** One call that records an event. */
export interface RecorderCall {
  readonly method: 'Event' | 'Eventf' | 'AnnotatedEventf';
  /** The whole call expression. */
  readonly range: GoRange;
  /** The reason argument; undefined when the call has too few arguments yet. */
  readonly reasonRange: GoRange | undefined;
  /** The reason's value when it is a literal or a package constant. */
  readonly reason: string | undefined;
  /** The reason is written as a string literal (only those get the naming diagnostic). */
  readonly literal: boolean;
  /** `Warning`/`Normal` when the event type argument says so. */
  readonly eventType: 'Warning' | 'Normal' | undefined;
}

/** What a package's files declare that the calls refer to. */
export interface PackageFacts {
  readonly packageName: string;
  /** String constants: name → value. */
  readonly constants: ReadonlyMap<string, string>;
  /** Component names the package gives its recorders (`GetEventRecorderFor("x")`, `EventSource{Component: "x"}`…). */
  readonly components: ReadonlySet<string>;
}

const RECORDER_METHODS: ReadonlySet<string> = new Set(['Event', 'Eventf', 'AnnotatedEventf']);
const RECORDER_FACTORIES = new Set(['GetEventRecorderFor', 'GetEventRecorder', 'NewRecorder', 'NewEventRecorder']);

let language: Promise<Language> | undefined;

/**
 * Loads the runtime and the Go grammar once. `wasmDir` holds `tree-sitter.wasm` and `tree-sitter-go.wasm`
 * (dist/ in the package; the node_modules folders in tests, see {@link nodeModulesWasm}).
 */
export function loadGo(wasm: { runtime: string; grammar: string }): Promise<Language> {
  language ??= Parser.init({ locateFile: (file: string) => (file.endsWith('.wasm') ? wasm.runtime : file) }).then(() => Language.load(wasm.grammar));
  return language;
}

/** A Go parser over a loaded grammar. Reuse one per server; parsing is synchronous. */
export class GoParser {
  private readonly parser = new Parser();

  constructor(lang: Language) {
    this.parser.setLanguage(lang);
  }

  /** Undefined for text that is too long; tree-sitter recovers from anything else. Delete the tree after use. */
  parse(text: string): Tree | undefined {
    if (text.length > MAX_GO_LENGTH) return undefined;
    return this.parser.parse(text) ?? undefined;
  }
}

/** The value of a Go string literal node (interpreted or raw), or undefined for anything else. */
function stringLiteral(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'raw_string_literal') return node.text.slice(1, -1);
  if (node.type !== 'interpreted_string_literal') return undefined;
  const body = node.text.slice(1, -1);
  try {
    return JSON.parse(`"${body.replace(/\\'/g, "'")}"`) as string;
  } catch {
    return body;
  }
}

/** The name an argument node spells: a string literal's value, an identifier, or a selector's field. */
function nodeName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  return stringLiteral(node) ?? (node.type === 'selector_expression' ? node.childForFieldName('field')?.text : node.type === 'identifier' ? node.text : undefined);
}

function eventTypeNamed(name: string | undefined): 'Warning' | 'Normal' | undefined {
  if (name === 'Warning' || name === 'EventTypeWarning') return 'Warning';
  if (name === 'Normal' || name === 'EventTypeNormal') return 'Normal';
  return undefined;
}

function argumentsOf(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  return list ? list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
}

function* descendants(root: Node, type: string): Generator<Node> {
  // An explicit stack: generated files can nest deeper than recursion likes.
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === type) yield node;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}

function methodOf(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'selector_expression') return undefined;
  return fn.childForFieldName('field')?.text;
}

/**
 * Where the reason is: after the event type when one is recognisable, else the method's client-go position.
 * `nameAt(i)` is what argument i spells (see {@link nodeName}), undefined when unknown.
 */
function reasonPosition(method: string, nameAt: (i: number) => string | undefined): { index: number; eventType: 'Warning' | 'Normal' | undefined } {
  for (const i of method === 'AnnotatedEventf' ? [2] : [1, 2]) {
    const t = eventTypeNamed(nameAt(i));
    if (t) return { index: i + 1, eventType: t };
  }
  return { index: method === 'AnnotatedEventf' ? 3 : 2, eventType: undefined };
}

/** The package name and what its declarations say. */
export function collectPackageFacts(tree: Tree): PackageFacts {
  const root = tree.rootNode;
  let packageName = '';
  const constants = new Map<string, string>();
  const components = new Set<string>();
  for (const child of root.namedChildren) {
    if (child?.type === 'package_clause') packageName = child.namedChildren.find((c) => c?.type === 'package_identifier')?.text ?? '';
  }
  for (const spec of descendants(root, 'const_spec')) {
    const names = spec.childrenForFieldName('name').filter((n): n is Node => n !== null && n.type === 'identifier');
    const values = spec.childForFieldName('value')?.namedChildren ?? [];
    names.forEach((n, i) => {
      const v = stringLiteral(values[i]);
      if (v !== undefined) constants.set(n.text, v);
    });
  }
  for (const call of descendants(root, 'call_expression')) {
    const fn = call.childForFieldName('function');
    const name = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : fn?.type === 'identifier' ? fn.text : undefined;
    if (!name || !RECORDER_FACTORIES.has(name)) continue;
    const args = argumentsOf(call);
    // GetEventRecorderFor("x"); NewRecorder(scheme, "x") (tools/events); NewEventRecorder(..., "x").
    for (let i = args.length - 1; i >= 0; i--) {
      const v = stringLiteral(args[i]);
      if (v) {
        components.add(v);
        break;
      }
    }
  }
  for (const element of descendants(root, 'keyed_element')) {
    const [key, value] = element.namedChildren;
    const keyText = key?.type === 'literal_element' ? key.namedChildren[0]?.text : key?.text;
    const v = stringLiteral(value?.type === 'literal_element' ? value.namedChildren[0] : value);
    if (keyText === 'Component' && v) components.add(v);
  }
  return { packageName, constants, components };
}

/** The event-recording calls of a parsed file. `constants` are the package's (this file's included). */
export function locateRecorderCalls(tree: Tree, constants: ReadonlyMap<string, string>): RecorderCall[] {
  const out: RecorderCall[] = [];
  for (const call of descendants(tree.rootNode, 'call_expression')) {
    const method = methodOf(call);
    if (!method || !RECORDER_METHODS.has(method)) continue;
    const args = argumentsOf(call);
    // Event/Eventf need at least (object, type, reason); anything shorter is another method of that name.
    if (args.length < 3 && !call.hasError) continue;
    const { index, eventType } = reasonPosition(method, (i) => nodeName(args[i]));
    const arg = args[index];
    let reason: string | undefined;
    let literal = false;
    if (arg) {
      reason = stringLiteral(arg);
      literal = reason !== undefined;
      if (reason === undefined && arg.type === 'identifier') reason = constants.get(arg.text);
    }
    out.push({
      method: method as RecorderCall['method'],
      range: { start: call.startIndex, end: call.endIndex },
      reasonRange: arg ? { start: arg.startIndex, end: arg.endIndex } : undefined,
      reason,
      literal,
      eventType,
    });
  }
  return out.sort((a, b) => a.range.start - b.range.start);
}

/** What kind of text the reason is typed as, at the cursor. */
export type ReasonSlotKind = 'interpreted' | 'raw' | 'code';

/** The reason argument under the cursor, for completion. */
export interface ReasonSlot {
  readonly method: RecorderCall['method'];
  /**
   * `interpreted`: inside `"…"`; `raw`: inside a backquoted literal; `code`: no literal yet (nothing typed, or an
   * identifier being typed), so a completion brings its own quotes.
   */
  readonly kind: ReasonSlotKind;
  /** What a completion replaces: the literal's content on the cursor's line, the identifier, or the cursor. */
  readonly replace: GoRange;
  /** The literal has its closing quote (always true for `code`). */
  readonly closed: boolean;
}

/** Leaves scanned back from the cursor to find the call, at most. */
const MAX_SCAN_TOKENS = 4_000;
/** Tokens that cannot stand inside a call's argument list at its own nesting level. */
const STATEMENT_TOKENS = new Set([';', ':=', '=', 'return', 'if', 'else', 'for', 'switch', 'select', 'case', 'default', 'var', 'const', 'type', 'package', 'import', 'go', 'defer']);
const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const STRING_PARTS = new Set(['interpreted_string_literal_content', 'escape_sequence']);

function firstLeaf(node: Node): Node {
  let n = node;
  while (n.childCount > 0) n = n.firstChild!;
  return n;
}

function lastLeaf(node: Node): Node {
  let n = node;
  while (n.childCount > 0) n = n.lastChild!;
  return n;
}

function prevLeaf(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && !n.previousSibling) n = n.parent;
  return n?.previousSibling ? lastLeaf(n.previousSibling) : undefined;
}

function nextLeaf(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && !n.nextSibling) n = n.parent;
  return n?.nextSibling ? firstLeaf(n.nextSibling) : undefined;
}

/** A token that is really in the text: not a zero-width node error recovery made up, not a comment. */
function isToken(n: Node): boolean {
  return !n.isMissing && n.endIndex > n.startIndex && n.type !== 'comment';
}

/** The last leaf that starts before `offset`. */
function leafBefore(root: Node, offset: number): Node | undefined {
  if (offset <= 0) return undefined;
  let n: Node | null = root.descendantForIndex(offset - 1, offset - 1);
  // Between tokens the smallest node is their parent: take its last child that starts before the cursor.
  while (n && n.childCount > 0) {
    let pick: Node | null = null;
    for (let i = n.childCount - 1; i >= 0 && !pick; i--) {
      const c = n.child(i);
      if (c && c.startIndex < offset) pick = c;
    }
    if (!pick) break;
    n = pick;
  }
  if (!n) return undefined;
  return n.childCount === 0 && n.startIndex < offset ? n : prevLeaf(n);
}

/** Whether a `"` token opens its literal. In a recovered (ERROR) region, by what precedes it on its line. */
function opensLiteral(quote: Node, text: string): boolean {
  const parent = quote.parent;
  if (parent?.type === 'interpreted_string_literal' || parent?.type === 'raw_string_literal') return quote.startIndex === parent.startIndex;
  if (quote.type === '`') return true;
  const prev = prevLeaf(quote);
  if (!prev || text.lastIndexOf('\n', quote.startIndex - 1) >= prev.startIndex) return true;
  if (STRING_PARTS.has(prev.type)) return false;
  return prev.type === '"' ? !opensLiteral(prev, text) : true;
}

function lineBounds(text: string, offset: number): GoRange {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return { start, end: nl < 0 ? text.length : nl };
}

/** The literal (or identifier, or nothing) the cursor is in: its kind, what a completion replaces, and the token before it. */
function slotUnderCursor(root: Node, text: string, offset: number): { kind: ReasonSlotKind; replace: GoRange; closed: boolean; scanFrom: Node | undefined } | undefined {
  const before = leafBefore(root, offset);
  if (!before) return undefined;
  // In a comment (a line comment runs to the end of its line, the cursor there included).
  if (before.type === 'comment' && (before.endIndex > offset || (before.endIndex === offset && before.text.startsWith('//')))) return undefined;
  const line = lineBounds(text, offset);
  // Inside a raw literal: after its opening backquote, up to its closing one (the content may span lines, the
  // replaced part does not: an editor's completion edits one line).
  const rawOpen = before.type === '`' ? (opensLiteral(before, text) ? before : undefined) : before.type === 'raw_string_literal_content' ? prevLeaf(before) : undefined;
  if (rawOpen?.type === '`') {
    const after = nextLeaf(rawOpen);
    const content = after?.type === 'raw_string_literal_content' ? after : undefined;
    const close = content ? nextLeaf(content) : after;
    const closed = close?.type === '`' && close.startIndex >= offset;
    const end = closed && close.startIndex <= line.end ? close.startIndex : Math.min(Math.max(offset, content?.endIndex ?? offset), line.end);
    return { kind: 'raw', replace: { start: Math.max(rawOpen.endIndex, line.start), end }, closed, scanFrom: prevLeaf(rawOpen) };
  }
  // Inside an interpreted literal: after its opening quote, before its closing one.
  let open: Node | undefined;
  if (before.type === '"' && opensLiteral(before, text)) open = before;
  else if (STRING_PARTS.has(before.type)) {
    let n: Node | undefined = before;
    while (n && STRING_PARTS.has(n.type)) n = prevLeaf(n);
    if (n?.type === '"') open = n;
  }
  if (open) {
    let end = offset;
    let n = nextLeaf(open);
    while (n && STRING_PARTS.has(n.type) && n.startIndex < line.end) {
      end = Math.max(end, n.endIndex);
      n = nextLeaf(n);
    }
    const closed = n?.type === '"' && n.startIndex >= offset && n.startIndex < line.end;
    return { kind: 'interpreted', replace: { start: open.endIndex, end: closed ? n!.startIndex : Math.min(end, line.end) }, closed, scanFrom: prevLeaf(open) };
  }
  if (before.type === 'identifier' && before.endIndex >= offset) return { kind: 'code', replace: { start: before.startIndex, end: before.endIndex }, closed: true, scanFrom: prevLeaf(before) };
  // Nothing typed yet: the last token before the cursor ends the previous argument (or is the "(").
  return { kind: 'code', replace: { start: offset, end: offset }, closed: true, scanFrom: before };
}

/**
 * The recorder call whose reason argument is at `offset`, for completion, from the tokens before the cursor: the
 * literal or identifier under the cursor must be all its argument holds so far, and an unmatched `(` after
 * `.Event`, `.Eventf` or `.AnnotatedEventf` must open the argument list with the reason's position at the cursor.
 * This reads tree-sitter's tokens rather than its tree, so it works while the call is half typed (no closing
 * quote or parenthesis yet), where error recovery leaves no call expression.
 */
export function reasonSlotAt(tree: Tree, text: string, offset: number): ReasonSlot | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  const slot = slotUnderCursor(tree.rootNode, text, offset);
  if (!slot) return undefined;
  // Walk back from the token before the slot to the call's "(", counting arguments at its level.
  const args: Node[][] = [[]];
  let depth = 0;
  let paren: Node | undefined;
  let n = slot.scanFrom;
  for (let steps = 0; n && steps < MAX_SCAN_TOKENS; n = prevLeaf(n), steps++) {
    if (!isToken(n)) continue;
    const t = n.type;
    if (depth === 0) {
      if (t === '(') {
        paren = n;
        break;
      }
      if (t === ',') {
        args.unshift([]);
        continue;
      }
      if (OPENERS.has(t) || STATEMENT_TOKENS.has(t)) return undefined;
    }
    if (CLOSERS.has(t)) depth++;
    else if (OPENERS.has(t)) depth--;
    args[0].unshift(n);
  }
  // The argument under the cursor holds nothing before the slot.
  if (!paren || args[args.length - 1].length > 0) return undefined;
  let name = prevLeaf(paren);
  while (name && !isToken(name)) name = prevLeaf(name);
  let dot = name && prevLeaf(name);
  while (dot && !isToken(dot)) dot = prevLeaf(dot);
  if (name?.type !== 'field_identifier' || !RECORDER_METHODS.has(name.text) || dot?.type !== '.') return undefined;
  const method = name.text as RecorderCall['method'];
  const at = args.length - 1;
  const { index } = reasonPosition(method, (i) => (i < at ? tokenName(args[i]) : undefined));
  if (index !== at) return undefined;
  return { method, kind: slot.kind, replace: slot.replace, closed: slot.closed };
}

/** The name an argument's tokens (comments left out) spell: a plain literal's value, an identifier, or a selector's field. */
function tokenName(real: readonly Node[]): string | undefined {
  if (real.length === 3 && real[0].type === '"' && real[1].type === 'interpreted_string_literal_content' && real[2].type === '"') return real[1].text;
  const last = real[real.length - 1];
  if (real.length === 1 && last.type === 'identifier') return last.text;
  if (real.length === 3 && real[1].type === '.' && last.type === 'field_identifier') return last.text;
  return undefined;
}
