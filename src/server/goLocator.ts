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
export const MAX_GO_LENGTH = 2_000_000;

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

export const RECORDER_METHODS: ReadonlySet<string> = new Set(['Event', 'Eventf', 'AnnotatedEventf']);
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
export function stringLiteral(node: Node | null | undefined): string | undefined {
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

function eventTypeOf(node: Node | null | undefined): 'Warning' | 'Normal' | undefined {
  if (!node) return undefined;
  const literal = stringLiteral(node);
  const name = literal ?? (node.type === 'selector_expression' ? node.childForFieldName('field')?.text : node.type === 'identifier' ? node.text : undefined);
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

/** Where the reason is: after the event type when one is recognisable, else the method's client-go position. */
function reasonIndex(method: string, args: readonly Node[]): { index: number; eventType: 'Warning' | 'Normal' | undefined } {
  for (const i of method === 'AnnotatedEventf' ? [2] : [1, 2]) {
    const t = eventTypeOf(args[i]);
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
    const { index, eventType } = reasonIndex(method, args);
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

/**
 * The recorder call whose reason argument is at `offset`, for completion: inside the argument list of a
 * recorder call, at the position of its reason (the argument being typed counts, even when empty).
 */
export function reasonArgumentAt(tree: Tree, offset: number): { call: Node; arg: Node | undefined } | undefined {
  let node: Node | null = tree.rootNode.descendantForIndex(Math.max(0, offset - 1), offset);
  while (node && node.type !== 'argument_list') node = node.parent;
  if (!node || node.parent?.type !== 'call_expression') return undefined;
  const call = node.parent;
  const method = methodOf(call);
  if (!method || !RECORDER_METHODS.has(method)) return undefined;
  const args = argumentsOf(call);
  const { index } = reasonIndex(method, args);
  // The argument under the cursor: the number of commas between "(" and the cursor.
  let at = 0;
  for (const child of node.children) {
    if (!child || child.startIndex >= offset) break;
    if (child.type === ',') at++;
  }
  if (at !== index) return undefined;
  const arg = args.find((a) => a.startIndex <= offset && offset <= a.endIndex);
  return { call, arg };
}
