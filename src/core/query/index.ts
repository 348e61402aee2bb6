/**
 * The event query language (grammar and matching rules in syntax.ts). One folder, four parts: syntax (what a
 * query is, its text form), parse, evaluate, describe. This file is what the rest of the extension imports;
 * the helpers the parts share stay inside the folder.
 */
export {
  EMPTY_QUERY,
  IS_FLAGS,
  MAX_QUERY_LENGTH,
  QUERY_KEYS,
  SESSION_VALUES,
  formatObjectRef,
  resourceFilterText,
  type IsFlag,
  type IsTerm,
  type ObjectTerm,
  type Query,
  type QueryError,
  type QueryKey,
  type QueryObjectRef,
  type QueryParseResult,
  type QueryTerm,
  type QueryValue,
  type SessionTerm,
  type SessionWhich,
  type SinceTerm,
  type TextTerm,
  type UntilTerm,
  type ValueKey,
  type ValueTerm,
} from './syntax';
export { parseDuration, parseObjectRef, parseQuery } from './parse';
export { matches, usesOwners, usesSessions, type Matchable, type MatchContext, type SessionRange, type SessionRanges } from './evaluate';
export { describeQuery } from './describe';
