/** Parsing of the query language (src/core/query/syntax.ts): linear, never throws, errors point at the bad term. */
import type { Failure } from '../result';
import type { ObjectSelector } from '../events/kubeEvent';
import {
  formatObjectRef,
  formatValue,
  quote,
  IS_FLAGS,
  MAX_QUERY_LENGTH,
  QUERY_KEYS,
  SESSION_VALUES,
  type IsTerm,
  type ObjectTerm,
  type Query,
  type QueryError,
  type QueryKey,
  type QueryParseResult,
  type QueryTerm,
  type QueryValue,
  type SessionTerm,
  type SinceTerm,
  type TextTerm,
  type UntilTerm,
  type ValueTerm,
} from './syntax';

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
export function parseObjectRef(text: string): { ok: true; value: ObjectSelector } | Failure<'syntax'> {
  const bad = (why: string): Failure<'syntax'> => ({ ok: false, reason: 'syntax', message: why });
  if (text.includes('*')) return bad('"*" is not allowed in an object reference; use kind: and name: for patterns');
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3) return bad('write KIND/NAME or KIND/NAMESPACE/NAME, as in Pod/web-1 or Pod/prod/web-1');
  const kind = parts[0];
  const name = parts[parts.length - 1];
  if (!KIND_PATTERN.test(kind)) return bad(`"${kind}" is not a kind; a kind is a word like Pod or Deployment`);
  if (name === '') return bad('the name is missing; write KIND/NAME or KIND/NAMESPACE/NAME');
  const ref: ObjectSelector = Object.freeze({ kind, namespace: parts.length === 3 ? parts[1] : undefined, name });
  return { ok: true, value: ref };
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
