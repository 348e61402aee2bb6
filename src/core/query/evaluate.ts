/** Evaluation of parsed queries against events: each query compiled once to a list of tests. */
import { compileGlob } from '../text/glob';
import type { KubeEvent, ObjectKey, ObjectKeyWith, ObjectSelector } from '../events/kubeEvent';
import type { OwnerLookup } from '../owners/ownerGraph';
import type { Query, QueryTerm, QueryValue } from './syntax';

/**
 * The fields of an event that {@link matches} reads. A `KubeEvent` is one; a view that holds a projection of
 * events (the timeline's DTOs) builds one instead of a whole event. `regarding.uid`, when known, helps `under:`.
 */
export type Matchable = Pick<
  KubeEvent,
  'type' | 'reason' | 'action' | 'message' | 'namespace' | 'reportingController' | 'reportingInstance' | 'lastSeen' | 'ours' | 'expired'
> & { readonly regarding: ObjectKeyWith<never, 'uid'>; readonly cluster?: string };

/**
 * What {@link matches} needs besides the event. `owners` answers `under:` from what it has learnt so far: an
 * owner chain not learnt yet does not match (and `-under:` does), so the caller re-evaluates when the owner
 * graph reports that it learnt more. Without `owners`, `under:` matches the named object only.
 */
export interface MatchContext {
  /** Epoch milliseconds, for `since:`. */
  readonly now: number;
  readonly owners?: OwnerLookup;
  /**
   * With several clusters watched, each event's `under:` is answered by its own cluster's owner graph: this gives
   * it by `KubeEvent.cluster`, and `owners` is not read.
   */
  readonly ownersOf?: (cluster: string | undefined) => OwnerLookup | undefined;
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

type StringTest = (s: string) => boolean;
type EventTest = (e: Matchable, ctx: MatchContext) => boolean;

function substringTest(needle: string): StringTest {
  const lower = needle.toLowerCase();
  return (s) => s.toLowerCase().includes(lower);
}

function valueTest(v: QueryValue, caseInsensitive: boolean): StringTest {
  if (v.glob) return compileGlob(v.text);
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

function refTest(ref: ObjectSelector): (r: ObjectKey) => boolean {
  const kind = ref.kind.toLowerCase();
  return (r) => r.name === ref.name && (ref.namespace === undefined || r.namespace === ref.namespace) && r.kind.toLowerCase() === kind;
}

function compileTerm(term: QueryTerm): EventTest {
  switch (term.key) {
    case 'text': {
      const t = !term.quoted && term.value.includes('*') ? compileGlob(term.value, false) : substringTest(term.value);
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
    case 'cluster': {
      const t = anyValue(term.values, false);
      return (e) => t(e.cluster ?? '');
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
        const owners = ctx.ownersOf ? ctx.ownersOf(e.cluster) : ctx.owners;
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
      const tests = term.flags.map((f): ((e: Matchable) => boolean) =>
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
      return term.negated ? (e: Matchable, ctx: MatchContext) => !t(e, ctx) : t;
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
export function matches(query: Query, event: Matchable, ctx: MatchContext): boolean {
  const tests = compile(query);
  for (let i = 0; i < tests.length; i++) if (!tests[i](event, ctx)) return false;
  return true;
}
