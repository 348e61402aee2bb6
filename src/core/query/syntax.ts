/**
 * The event query language: what a parsed query is (keys, terms, errors) and its text form. One language for the
 * tree, the timeline, the commands and the language server. Parsing is in parse.ts, evaluation in evaluate.ts,
 * descriptions in describe.ts; the rest of the extension imports each from its own file.
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
 * `since`, `until`, `is`, `session`, `cluster`. Matching rules:
 * - An exact value compares as Kubernetes does, case-sensitively, except `kind` (always case-insensitive) and
 *   `type`, whose values `normal`/`warning` are canonicalised to `Normal`/`Warning` at parse time.
 * - A value with `*` is a glob, case-insensitive, matched without regular expressions (src/core/text/glob.ts).
 * - `name` is the involved object's name; `ns` is the event's own namespace (where `kubectl get events -n`
 *   looks: events about cluster-scoped objects usually live in `default`); `source` matches the reporting
 *   controller (core/v1 `source.component` when unset) or the reporting instance.
 * - `object:KIND/NAME` matches the involved object in any namespace, `object:KIND/NS/NAME` exactly,
 *   `object:KIND//NAME` a cluster-scoped one. `under:` takes the same form and also matches everything the
 *   object owns, transitively, as far as the `OwnerLookup` knows (see `MatchContext` in evaluate.ts).
 * - `since:10m` (units s, m, h, d; combinable as `1h30m`): last seen within that long before `now`.
 * - `until:2h`: last seen at least that long before `now`, the other side of the window (`since:2d until:1d`).
 *   Both reach into the on-disk history (docs/ARCHITECTURE.md), not only the events held in memory.
 * - `is:ours` (emitted by this extension), `is:expired` (deleted by the apiserver, kept as history),
 *   `is:warning` (type Warning).
 * - `session:current` (the debug session running now) and `session:last` (the newest one, running or ended):
 *   last seen from the session's start until its end; no such session matches nothing (see `MatchContext`).
 * - `cluster:NAME` (a glob, as every value): the cluster the event came from (`KubeEvent.cluster`, the context that
 *   first connected to it), for several clusters watched at once; an event of no cluster is matched as ''.
 * - Words and phrases match the message, reason or involved object name as case-insensitive substrings; a `*`
 *   in an unquoted word is a wildcard, inside quotes it is literal.
 * - Event breakpoints (eventBreakpoint.ts) add `count>N`/`count>=N` and `within:DURATION`, which only they accept.
 */
import type { ObjectKey, ObjectSelector } from '../events/kubeEvent';
import type { Failure } from '../result';

/** The keys a `key:value` term can have, in the order error messages and completions list them. */
export const QUERY_KEYS = ['type', 'reason', 'kind', 'name', 'ns', 'object', 'under', 'source', 'action', 'since', 'until', 'is', 'session', 'cluster'] as const;

export type QueryKey = (typeof QUERY_KEYS)[number];

/** Keys whose values are plain strings (exact or glob). */
export type ValueKey = 'type' | 'reason' | 'kind' | 'name' | 'ns' | 'source' | 'action' | 'cluster';

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
  readonly refs: readonly ObjectSelector[];
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

export const EMPTY_QUERY: Query = Object.freeze({ text: '', terms: Object.freeze([]), isEmpty: true });

/** `"…"` with `\\` and `\"` escaped: a value or phrase taken literally. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A value as the normalised query text writes it. */
export function formatValue(v: QueryValue): string {
  return v.quoted ? quote(v.text) : v.text;
}

/**
 * `Kind/name` when the namespace is undefined (any), `Kind//name` when it is '' (cluster-scoped),
 * `Kind/namespace/name` otherwise: the form `object:` and `under:` take.
 */
export function formatObjectRef(ref: ObjectSelector): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * The query text that filters to one involved object, as "Filter to This Resource" builds it: `under:` (the
 * object and everything it owns) by default, `object:` for the object alone. Cluster-scoped objects are
 * written without a namespace, which is equivalent and easier to read.
 */
export function resourceFilterText(ref: ObjectKey, includeOwned = true): string {
  const key = includeOwned ? 'under' : 'object';
  return `${key}:${formatObjectRef({ kind: ref.kind, namespace: ref.namespace === '' ? undefined : ref.namespace, name: ref.name })}`;
}
