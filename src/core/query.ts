/**
 * The event query language, one parser for the tree, the timeline and the commands.
 *
 * ```
 * query   := term*                       terms are separated by white space; all must match
 * term    := ["-"] (field | phrase | word)   "-" negates the term
 * field   := KEY ":" values
 * values  := value ("," value)*          any of; or one "quoted value", taken literally
 * phrase  := '"' chars '"'               \" and \\ escape inside quotes
 * word    := chars without white space, ':' or '"'
 * ```
 *
 * Keys: `type`, `reason`, `kind`, `name`, `ns` (alias `namespace`), `object`, `under`, `source`, `action`,
 * `since`, `until`, `is`, `session`. Matching rules:
 * - An exact value compares as Kubernetes does, case-sensitively, except `kind` (always case-insensitive) and
 *   `type`, whose values `normal`/`warning` are canonicalised to `Normal`/`Warning` at parse time.
 * - A value with `*` is a glob, case-insensitive, matched without regular expressions.
 * - `name` is the involved object's name; `ns` is the event's own namespace (where `kubectl get events -n`
 *   looks: events about cluster-scoped objects usually live in `default`); `source` matches the reporting
 *   controller (core/v1 `source.component` when unset) or the reporting instance.
 * - `object:KIND/NAME` matches the involved object in any namespace, `object:KIND/NS/NAME` exactly,
 *   `object:KIND//NAME` a cluster-scoped one. `under:` takes the same form and also matches everything the
 *   object owns, transitively, as far as the {@link OwnerLookup} knows (see {@link MatchContext}).
 * - `since:10m` (units s, m, h, d; combinable as `1h30m`): last seen within that long before `now`.
 * - `until:2h`: last seen at least that long before `now`, the other side of the window (`since:2d until:1d`).
 *   Both reach into the on-disk history (docs/ARCHITECTURE.md), not only the events held in memory.
 * - `is:ours` (emitted by this extension), `is:expired` (deleted by the apiserver, kept as history),
 *   `is:warning` (type Warning).
 * - `session:current` (the debug session running now) and `session:last` (the newest one, running or ended):
 *   last seen from the session's start until its end; no such session matches nothing (see {@link MatchContext}).
 * - Words and phrases match the message, reason or involved object name as case-insensitive substrings; a `*`
 *   in an unquoted word is a wildcard, inside quotes it is literal.
 */
import type { KubeEvent, ObjectRef } from './kubeEvent';
import type { OwnerLookup } from './ownerGraph';
import type { Failure } from './result';

/** The keys a `key:value` term can have, in the order error messages and completions list them. */
export const QUERY_KEYS = ['type', 'reason', 'kind', 'name', 'ns', 'object', 'under', 'source', 'action', 'since', 'until', 'is', 'session'] as const;

export type QueryKey = (typeof QUERY_KEYS)[number];

/** Keys whose values are plain strings (exact or glob). */
export type ValueKey = 'type' | 'reason' | 'kind' | 'name' | 'ns' | 'source' | 'action';

/** The flags `is:` accepts. */
export const IS_FLAGS = ['ours', 'expired', 'warning'] as const;

export type IsFlag = (typeof IS_FLAGS)[number];

/** The debug sessions `session:` names. */
export const SESSION_VALUES = ['current', 'last'] as const;

export type SessionWhich = (typeof SESSION_VALUES)[number];

/** Longer input is refused before parsing (a pasted log, not a query). */
export const MAX_QUERY_LENGTH = 16_384;

/** One alternative of a value term. */
export interface QueryValue {
  /** The value as written, without quotes (for `type`, canonicalised). */
  readonly text: string;
  /** Contains `*` outside quotes: matched as a case-insensitive glob. */
  readonly glob: boolean;
  /** Written in quotes: taken literally, never split on commas, `*` is not a wildcard. */
  readonly quoted: boolean;
}

/** An object reference in `object:` and `under:` terms. `namespace` undefined means any namespace. */
export interface QueryObjectRef {
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

interface TermBase {
  readonly negated: boolean;
  /** UTF-16 offset of the term (including its `-`) in the text given to {@link parseQuery}. */
  readonly start: number;
  /** UTF-16 offset just past the term. */
  readonly end: number;
  /** The term in normalised form, as it appears in {@link Query.text}. */
  readonly text: string;
}

/** `key:value[,value…]` for a plain string field. */
export interface ValueTerm extends TermBase {
  readonly key: ValueKey;
  readonly values: readonly QueryValue[];
}

/** `object:` or `under:` with one or more references (any of). */
export interface ObjectTerm extends TermBase {
  readonly key: 'object' | 'under';
  readonly refs: readonly QueryObjectRef[];
}

/** `since:DURATION`. */
export interface SinceTerm extends TermBase {
  readonly key: 'since';
  readonly ms: number;
}

/** `until:DURATION`: last seen at least `ms` before now. */
export interface UntilTerm extends TermBase {
  readonly key: 'until';
  readonly ms: number;
}

/** `is:FLAG[,FLAG…]`. */
export interface IsTerm extends TermBase {
  readonly key: 'is';
  readonly flags: readonly IsFlag[];
}

/** A bare word or a quoted phrase, matched against message, reason and involved object name. */
export interface TextTerm extends TermBase {
  readonly key: 'text';
  readonly value: string;
  readonly quoted: boolean;
}

/** `session:current` or `session:last`. */
export interface SessionTerm extends TermBase {
  readonly key: 'session';
  readonly which: SessionWhich;
}

export type QueryTerm = ValueTerm | ObjectTerm | SinceTerm | UntilTerm | IsTerm | SessionTerm | TextTerm;

/**
 * A parsed query, immutable. Produced by {@link parseQuery}; views keep it and evaluate it with
 * {@link matches} for every event. Queries never narrow the watch (docs/ARCHITECTURE.md).
 */
export interface Query {
  /** Normalised text: single spaces, lower-case keys, canonical `type` values. Re-parses to the same query. */
  readonly text: string;
  readonly terms: readonly QueryTerm[];
  /** No terms: matches every event. */
  readonly isEmpty: boolean;
}

/**
 * Why a query did not parse. `message` names the bad term, its 1-based column and its text; `start`/`end`
 * delimit the same term so a UI can underline it.
 */
export interface QueryError extends Failure<'syntax'> {
  /** UTF-16 offset of the bad term in the text given to {@link parseQuery} (what an input selection uses). */
  readonly start: number;
  /** UTF-16 offset just past the bad term. */
  readonly end: number;
  /** 1-based column of `start` in characters (code points), as quoted in `message`. */
  readonly column: number;
}

/** What {@link parseQuery} returns; assignable to `Result<Query, 'syntax'>`. */
export type QueryParseResult = { readonly ok: true; readonly value: Query } | QueryError;

/**
 * What {@link matches} needs besides the event. `owners` answers `under:` from what it has learnt so far: an
 * owner chain not learnt yet does not match (and `-under:` does), so the caller re-evaluates when the owner
 * graph reports that it learnt more. Without `owners`, `under:` matches the named object only.
 */
export interface MatchContext {
  /** Epoch milliseconds, for `since:`. */
  readonly now: number;
  readonly owners?: OwnerLookup;
  /** The debug sessions `session:` refers to; without them `session:` matches nothing. */
  readonly sessions?: SessionRanges;
}

/** A debug session's time range in epoch milliseconds; `end` undefined while it runs. */
export interface SessionRange {
  readonly start: number;
  readonly end?: number;
}

/** What `session:current` and `session:last` mean at the moment of evaluation. */
export interface SessionRanges {
  /** The newest running session, if one runs. */
  readonly current?: SessionRange;
  /** The newest session, running or ended. */
  readonly last?: SessionRange;
}

export const EMPTY_QUERY: Query = Object.freeze({ text: '', terms: Object.freeze([]), isEmpty: true });

// ---------------------------------------------------------------------------------------------------------------
// Parsing

// Maps, not object literals: a key typed by the user must never reach Object.prototype (`constructor:x`).
const KEYS_BY_NAME: ReadonlyMap<string, QueryKey> = new Map<string, QueryKey>([...QUERY_KEYS.map((k) => [k, k] as const), ['namespace', 'ns']]);

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([['s', 1_000], ['m', 60_000], ['h', 3_600_000], ['d', 86_400_000]]);

const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/;

const ERROR_SNIPPET_LENGTH = 60;

function isSpace(c: number): boolean {
  return (
    c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function isControl(c: number): boolean {
  return (c < 0x20 && !(c >= 0x09 && c <= 0x0d)) || (c >= 0x7f && c <= 0x9f);
}

function codePointColumn(text: string, offset: number): number {
  let column = 1;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    column++;
  }
  return column;
}

/**
 * The term quoted for a message: shortened, with control and invisible format characters (bidi overrides,
 * zero-width marks) escaped, so the message shows what is wrong and cannot be reordered by what it quotes.
 */
function snippet(text: string): string {
  const s = text.length > ERROR_SNIPPET_LENGTH ? `${text.slice(0, ERROR_SNIPPET_LENGTH)}…` : text;
  return JSON.stringify(s).replace(/\p{Cf}/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Thrown inside the parser only; {@link parseQuery} turns it into a {@link QueryError} result. */
class ParseError extends Error {
  constructor(
    readonly start: number,
    readonly end: number,
    /** Builds the message around `at`, which is "at column N (term)". */
    readonly describe: (at: string) => string,
  ) {
    super('query parse error');
  }
}

function toQueryError(text: string, e: ParseError): QueryError {
  const column = codePointColumn(text, e.start);
  const at = `at column ${column} (${snippet(text.slice(e.start, e.end))})`;
  return { ok: false, reason: 'syntax', message: e.describe(at), start: e.start, end: e.end, column };
}

interface RawTerm {
  readonly start: number;
  readonly end: number;
  readonly negated: boolean;
  /** undefined for words and phrases. */
  readonly key: string | undefined;
  readonly value: string;
  readonly quoted: boolean;
}

class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  next(): RawTerm | undefined {
    const { text } = this;
    const n = text.length;
    while (this.i < n && isSpace(text.charCodeAt(this.i))) this.i++;
    if (this.i >= n) return undefined;
    const start = this.i;
    let negated = false;
    if (text[this.i] === '-') {
      negated = true;
      this.i++;
      if (this.i >= n || isSpace(text.charCodeAt(this.i))) {
        throw new ParseError(start, this.i, (at) => `lone "-" ${at}: put it right before a term, as in -reason:Scheduled`);
      }
      if (text[this.i] === '-') {
        throw new ParseError(start, this.wordEnd(this.i), (at) => `double "-" ${at}: a term can be negated once`);
      }
    }
    if (text[this.i] === '"') {
      const q = this.quoted(start, this.i);
      if (q.value === '') throw new ParseError(start, q.end, (at) => `empty phrase ${at}: write some text between the quotes`);
      this.i = q.end;
      return { start, end: q.end, negated, key: undefined, value: q.value, quoted: true };
    }
    const wordStart = this.i;
    let j = this.i;
    while (j < n && !isSpace(text.charCodeAt(j)) && text[j] !== ':' && text[j] !== '"') j++;
    if (j < n && text[j] === '"') {
      throw new ParseError(start, this.wordEnd(j), (at) => `stray quote ${at}: put the whole phrase in quotes, as in "image pull"`);
    }
    if (j >= n || text[j] !== ':') {
      this.i = j;
      return { start, end: j, negated, key: undefined, value: text.slice(wordStart, j), quoted: false };
    }
    const key = text.slice(wordStart, j);
    if (key === '') {
      throw new ParseError(start, this.wordEnd(j), (at) => `missing key before ":" ${at}; keys are ${QUERY_KEYS.join(', ')}; put text in quotes to search for it`);
    }
    const valueStart = j + 1;
    if (text[valueStart] === '"') {
      const q = this.quoted(start, valueStart);
      this.i = q.end;
      return { start, end: q.end, negated, key, value: q.value, quoted: true };
    }
    let k = valueStart;
    while (k < n && !isSpace(text.charCodeAt(k))) {
      if (text[k] === '"') {
        throw new ParseError(start, this.wordEnd(k), (at) => `stray quote ${at}: quote the whole value, as in reason:"Some Reason"`);
      }
      k++;
    }
    this.i = k;
    return { start, end: k, negated, key, value: text.slice(valueStart, k), quoted: false };
  }

  private wordEnd(from: number): number {
    let k = from;
    while (k < this.text.length && !isSpace(this.text.charCodeAt(k))) k++;
    return k;
  }

  /** Reads `"…"` at `open`; `\"` and `\\` are escapes. The closing quote must end the term. */
  private quoted(termStart: number, open: number): { value: string; end: number } {
    const { text } = this;
    const parts: string[] = [];
    let from = open + 1;
    let k = from;
    while (k < text.length) {
      const c = text[k];
      if (c === '\\' && k + 1 < text.length) {
        parts.push(text.slice(from, k), text[k + 1]);
        k += 2;
        from = k;
        continue;
      }
      if (c === '"') {
        parts.push(text.slice(from, k));
        const end = k + 1;
        if (end < text.length && !isSpace(text.charCodeAt(end))) {
          throw new ParseError(termStart, this.wordEnd(end), (at) => `text right after a closing quote ${at}: add a space after the quote`);
        }
        return { value: parts.join(''), end };
      }
      k++;
    }
    throw new ParseError(termStart, text.length, (at) => `unterminated quote ${at}: close it with "`);
  }
}

function checkControls(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c)) {
      const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new ParseError(i, i + 1, (at) => `control character ${code} ${at} is not allowed in a query`);
    }
  }
}

function freezeTerm<T extends QueryTerm>(t: T): T {
  return Object.freeze(t);
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function formatValue(v: QueryValue): string {
  return v.quoted ? quote(v.text) : v.text;
}

function splitValues(raw: RawTerm, key: string): string[] {
  if (raw.value === '') {
    throw new ParseError(raw.start, raw.end, (at) => `empty value ${at}: write ${key}:VALUE, or ${key}:A,B for any of several`);
  }
  if (raw.quoted) return [raw.value];
  const parts = raw.value.split(',');
  if (parts.some((p) => p === '')) {
    throw new ParseError(raw.start, raw.end, (at) => `empty value in a list ${at}: remove the extra comma`);
  }
  return parts;
}

function canonicalType(v: string): string {
  const lower = v.toLowerCase();
  if (lower === 'normal') return 'Normal';
  if (lower === 'warning') return 'Warning';
  return v;
}

/** Parses `1h30m`, `10m`, `45s`, `2d` to milliseconds; undefined when malformed or zero. */
export function parseDuration(text: string): number | undefined {
  let total = 0;
  let k = 0;
  if (text === '') return undefined;
  while (k < text.length) {
    const digitsStart = k;
    while (k < text.length && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x39) k++;
    const digits = k - digitsStart;
    if (digits === 0 || digits > 9 || k >= text.length) return undefined;
    const unit = DURATION_UNITS.get(text[k]);
    if (unit === undefined) return undefined;
    total += Number(text.slice(digitsStart, k)) * unit;
    k++;
  }
  return total > 0 ? total : undefined;
}

/**
 * Parses `KIND/NAME` (any namespace), `KIND/NS/NAME`, or `KIND//NAME` (cluster-scoped). Used by `object:` and
 * `under:`, and by commands that take a reference typed by the user.
 */
export function parseObjectRef(text: string): { ok: true; value: QueryObjectRef } | Failure<'syntax'> {
  const bad = (why: string): Failure<'syntax'> => ({ ok: false, reason: 'syntax', message: why });
  if (text.includes('*')) return bad('"*" is not allowed in an object reference; use kind: and name: for patterns');
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3) return bad('write KIND/NAME or KIND/NAMESPACE/NAME, as in Pod/web-1 or Pod/prod/web-1');
  const kind = parts[0];
  const name = parts[parts.length - 1];
  if (!KIND_PATTERN.test(kind)) return bad(`"${kind}" is not a kind; a kind is a word like Pod or Deployment`);
  if (name === '') return bad('the name is missing; write KIND/NAME or KIND/NAMESPACE/NAME');
  const ref: QueryObjectRef = Object.freeze({ kind, namespace: parts.length === 3 ? parts[1] : undefined, name });
  return { ok: true, value: ref };
}

/**
 * `Kind/name` when the namespace is undefined (any), `Kind//name` when it is '' (cluster-scoped),
 * `Kind/namespace/name` otherwise: the form `object:` and `under:` take.
 */
export function formatObjectRef(ref: { readonly kind: string; readonly namespace?: string | undefined; readonly name: string }): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * The query text that filters to one involved object, as "Filter to This Resource" builds it: `under:` (the
 * object and everything it owns) by default, `object:` for the object alone. Cluster-scoped objects are
 * written without a namespace, which is equivalent and easier to read.
 */
export function resourceFilterText(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>, includeOwned = true): string {
  const key = includeOwned ? 'under' : 'object';
  return `${key}:${formatObjectRef({ kind: ref.kind, namespace: ref.namespace === '' ? undefined : ref.namespace, name: ref.name })}`;
}

function buildTerm(raw: RawTerm): QueryTerm {
  const neg = raw.negated ? '-' : '';
  const base = { negated: raw.negated, start: raw.start, end: raw.end };
  if (raw.key === undefined) {
    const text = neg + (raw.quoted ? quote(raw.value) : raw.value);
    return freezeTerm<TextTerm>({ ...base, key: 'text', value: raw.value, quoted: raw.quoted, text });
  }
  const typedKey = raw.key;
  const key = KEYS_BY_NAME.get(typedKey.toLowerCase());
  if (key === undefined) {
    throw new ParseError(
      raw.start,
      raw.end,
      (at) => `unknown key ${snippet(typedKey)} ${at}; keys are ${QUERY_KEYS.join(', ')}; put text in quotes to search for it`,
    );
  }
  const values = splitValues(raw, key);
  switch (key) {
    case 'since':
    case 'until': {
      if (values.length > 1) throw new ParseError(raw.start, raw.end, (at) => `${key}: takes one duration ${at}, as in ${key}:10m`);
      const ms = parseDuration(values[0]);
      if (ms === undefined) {
        throw new ParseError(raw.start, raw.end, (at) => `bad duration ${snippet(values[0])} ${at}: write a number and a unit s, m, h or d, as in ${key}:10m or ${key}:1h30m`);
      }
      return key === 'since'
        ? freezeTerm<SinceTerm>({ ...base, key, ms, text: `${neg}since:${values[0]}` })
        : freezeTerm<UntilTerm>({ ...base, key, ms, text: `${neg}until:${values[0]}` });
    }
    case 'is': {
      const flags = values.map((v) => {
        const flag = IS_FLAGS.find((f) => f === v.toLowerCase());
        if (!flag) throw new ParseError(raw.start, raw.end, (at) => `unknown value ${snippet(v)} for is: ${at}; use ${IS_FLAGS.map((f) => `is:${f}`).join(', ')}`);
        return flag;
      });
      return freezeTerm<IsTerm>({ ...base, key, flags: Object.freeze(flags), text: `${neg}is:${flags.join(',')}` });
    }
    case 'session': {
      const which = SESSION_VALUES.find((w) => values.length === 1 && w === values[0].toLowerCase());
      if (!which) throw new ParseError(raw.start, raw.end, (at) => `unknown value for session: ${at}; use ${SESSION_VALUES.map((w) => `session:${w}`).join(' or ')}`);
      return freezeTerm<SessionTerm>({ ...base, key, which, text: `${neg}session:${which}` });
    }
    case 'object':
    case 'under': {
      const refs = values.map((v) => {
        const r = parseObjectRef(v);
        if (!r.ok) throw new ParseError(raw.start, raw.end, (at) => `bad object reference ${snippet(v)} ${at}: ${r.message}`);
        return r.value;
      });
      return freezeTerm<ObjectTerm>({ ...base, key, refs: Object.freeze(refs), text: `${neg}${key}:${refs.map(formatObjectRef).join(',')}` });
    }
    default: {
      const qv = values.map((v): QueryValue => {
        const text = key === 'type' ? canonicalType(v) : v;
        return Object.freeze({ text, glob: !raw.quoted && text.includes('*'), quoted: raw.quoted });
      });
      return freezeTerm<ValueTerm>({ ...base, key, values: Object.freeze(qv), text: `${neg}${key}:${qv.map(formatValue).join(',')}` });
    }
  }
}

/**
 * Parses a query. Never throws: every problem (unknown key, empty value, bad duration or object reference,
 * unterminated quote, lone `-`, control character, input over {@link MAX_QUERY_LENGTH}) is a {@link QueryError}
 * pointing at the first bad term. Work is linear in the input length.
 */
export function parseQuery(text: string): QueryParseResult {
  if (text.length > MAX_QUERY_LENGTH) {
    const message = `query is too long (${text.length} characters; at most ${MAX_QUERY_LENGTH})`;
    return { ok: false, reason: 'syntax', message, start: MAX_QUERY_LENGTH, end: text.length, column: codePointColumn(text, MAX_QUERY_LENGTH) };
  }
  try {
    checkControls(text);
    const scanner = new Scanner(text);
    const terms: QueryTerm[] = [];
    for (let raw = scanner.next(); raw; raw = scanner.next()) terms.push(buildTerm(raw));
    const query: Query = Object.freeze({
      text: terms.map((t) => t.text).join(' '),
      terms: Object.freeze(terms),
      isEmpty: terms.length === 0,
    });
    return { ok: true, value: query };
  } catch (e) {
    if (e instanceof ParseError) return toQueryError(text, e);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

type StringTest = (s: string) => boolean;
type EventTest = (e: KubeEvent, ctx: MatchContext) => boolean;

/** `*`-only glob over lower-cased text: greedy leftmost search per segment, linear, no backtracking. */
function globTest(pattern: string, anchored: boolean): StringTest {
  const segs = pattern.toLowerCase().split('*');
  if (!anchored) {
    segs.unshift('');
    segs.push('');
  }
  const first = segs[0];
  const last = segs[segs.length - 1];
  const middle = segs.slice(1, -1).filter((s) => s !== '');
  return (raw) => {
    const s = raw.toLowerCase();
    if (!s.startsWith(first)) return false;
    let pos = first.length;
    for (const seg of middle) {
      const at = s.indexOf(seg, pos);
      if (at < 0) return false;
      pos = at + seg.length;
    }
    return s.length - last.length >= pos && s.endsWith(last);
  };
}

function substringTest(needle: string): StringTest {
  const lower = needle.toLowerCase();
  return (s) => s.toLowerCase().includes(lower);
}

function valueTest(v: QueryValue, caseInsensitive: boolean): StringTest {
  if (v.glob) return globTest(v.text, true);
  if (caseInsensitive) {
    const lower = v.text.toLowerCase();
    return (s) => s.toLowerCase() === lower;
  }
  return (s) => s === v.text;
}

function anyValue(values: readonly QueryValue[], caseInsensitive: boolean): StringTest {
  const tests = values.map((v) => valueTest(v, caseInsensitive));
  return tests.length === 1 ? tests[0] : (s) => tests.some((t) => t(s));
}

function refTest(ref: QueryObjectRef): (r: ObjectRef) => boolean {
  const kind = ref.kind.toLowerCase();
  return (r) => r.name === ref.name && (ref.namespace === undefined || r.namespace === ref.namespace) && r.kind.toLowerCase() === kind;
}

function compileTerm(term: QueryTerm): EventTest {
  switch (term.key) {
    case 'text': {
      const t = !term.quoted && term.value.includes('*') ? globTest(term.value, false) : substringTest(term.value);
      return (e) => t(e.message) || t(e.reason) || t(e.regarding.name);
    }
    case 'type': {
      const t = anyValue(term.values, false);
      return (e) => t(e.type);
    }
    case 'reason': {
      const t = anyValue(term.values, false);
      return (e) => t(e.reason);
    }
    case 'kind': {
      const t = anyValue(term.values, true);
      return (e) => t(e.regarding.kind);
    }
    case 'name': {
      const t = anyValue(term.values, false);
      return (e) => t(e.regarding.name);
    }
    case 'ns': {
      const t = anyValue(term.values, false);
      return (e) => t(e.namespace);
    }
    case 'source': {
      const t = anyValue(term.values, false);
      return (e) => t(e.reportingController) || t(e.reportingInstance);
    }
    case 'action': {
      const t = anyValue(term.values, false);
      return (e) => t(e.action);
    }
    case 'object': {
      const tests = term.refs.map(refTest);
      return (e) => tests.some((t) => t(e.regarding));
    }
    case 'under': {
      const tests = term.refs.map(refTest);
      const { refs } = term;
      return (e, ctx) => {
        if (tests.some((t) => t(e.regarding))) return true;
        const owners = ctx.owners;
        return owners !== undefined && refs.some((root) => owners.isUnder(e.regarding, root));
      };
    }
    case 'since': {
      const { ms } = term;
      return (e, ctx) => e.lastSeen > 0 && e.lastSeen >= ctx.now - ms;
    }
    case 'until': {
      const { ms } = term;
      return (e, ctx) => e.lastSeen > 0 && e.lastSeen <= ctx.now - ms;
    }
    case 'is': {
      const tests = term.flags.map((f): ((e: KubeEvent) => boolean) =>
        f === 'ours' ? (e) => e.ours : f === 'expired' ? (e) => e.expired : (e) => e.type === 'Warning',
      );
      return (e) => tests.some((t) => t(e));
    }
    case 'session': {
      const { which } = term;
      return (e, ctx) => {
        const range = ctx.sessions?.[which];
        return range !== undefined && e.lastSeen >= range.start && (range.end === undefined || e.lastSeen <= range.end);
      };
    }
  }
}

const compiled = new WeakMap<Query, readonly EventTest[]>();

function compile(query: Query): readonly EventTest[] {
  let tests = compiled.get(query);
  if (!tests) {
    tests = query.terms.map((term) => {
      const t = compileTerm(term);
      return term.negated ? (e: KubeEvent, ctx: MatchContext) => !t(e, ctx) : t;
    });
    compiled.set(query, tests);
  }
  return tests;
}

/** Whether the query has an `under:` term, which needs the owner graph to evaluate. */
export function usesOwners(query: Query): boolean {
  return query.terms.some((t) => t.key === 'under');
}

/** Whether the query has a `session:` term, whose result changes when a debug session starts or ends. */
export function usesSessions(query: Query): boolean {
  return query.terms.some((t) => t.key === 'session');
}

/** True when the event satisfies every term. Synchronous and side-effect free; compiled once per query. */
export function matches(query: Query, event: KubeEvent, ctx: MatchContext): boolean {
  const tests = compile(query);
  for (let i = 0; i < tests.length; i++) if (!tests[i](event, ctx)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Description

const KEY_LABELS: Readonly<Record<ValueKey, string>> = {
  type: 'type',
  reason: 'reason',
  kind: 'kind',
  name: 'name',
  ns: 'namespace',
  source: 'source',
  action: 'action',
};

function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

function describeTerm(term: QueryTerm): string {
  const not = term.negated ? 'not ' : '';
  switch (term.key) {
    case 'text':
      return `${not}text ${quote(term.value)}`;
    case 'object':
      return `${not}${term.refs.map(formatObjectRef).join(' or ')}`;
    case 'under':
      return `${not}under ${term.refs.map(formatObjectRef).join(' or ')}`;
    case 'since':
      return term.negated ? `last seen over ${formatDuration(term.ms)} ago` : `last seen within ${formatDuration(term.ms)}`;
    case 'until':
      return term.negated ? `last seen within ${formatDuration(term.ms)}` : `last seen over ${formatDuration(term.ms)} ago`;
    case 'is':
      return `${not}${term.flags.join(' or ')}`;
    case 'session':
      return `${term.negated ? 'outside' : 'during'} the ${term.which} debug session`;
    default:
      return `${not}${KEY_LABELS[term.key]} ${term.values.map(formatValue).join(' or ')}`;
  }
}

/** A short summary for a view description or tooltip, as in `type Warning, under Deployment/prod/web`. */
export function describeQuery(query: Query): string {
  return query.isEmpty ? 'all events' : query.terms.map(describeTerm).join(', ');
}
