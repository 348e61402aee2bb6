/** Queries in words, for a view's description or tooltip. */
import { formatQueryDuration } from '../text/format';
import { formatObjectRef, formatValue, quote, type Query, type QueryTerm, type ValueKey } from './syntax';

const KEY_LABELS: Readonly<Record<ValueKey, string>> = {
  type: 'type',
  reason: 'reason',
  kind: 'kind',
  name: 'name',
  ns: 'namespace',
  source: 'source',
  action: 'action',
  cluster: 'cluster',
};

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
      return term.negated ? `last seen over ${formatQueryDuration(term.ms)} ago` : `last seen within ${formatQueryDuration(term.ms)}`;
    case 'until':
      return term.negated ? `last seen within ${formatQueryDuration(term.ms)}` : `last seen over ${formatQueryDuration(term.ms)} ago`;
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
