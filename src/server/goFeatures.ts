/**
 * What the editor shows on Go controller code, from the recorder calls ({@link locateRecorderCalls}) and the
 * reason states the host sent: a live CodeLens per call (`BackOff: 14 in the last hour on 3 objects · last
 * 20s ago`, or `never seen`) that filters the views to the reason (and the recording controller when the
 * package names one), a hover with the latest matching events, completion of seen reasons, and an
 * Information diagnostic where a literal reason breaks the apiserver's rules or the naming convention.
 */
import { CompletionItemKind, Diagnostic, DiagnosticSeverity, MarkupKind, type CodeLens, type CompletionItem, type Hover, type Range } from 'vscode-languageserver-types';
import { oneLine, TEXT_LIMITS } from '../core/text/boundedText';
import { REASON_LENGTH_LIMIT, reasonHint, utf8Length } from '../core/events/eventValidation';
import { objectPath } from '../core/events/kubeEvent';
import { EDITOR_COMMANDS, type ReasonStateDto } from '../protocol/languageServer';
import { cell, commandLink, escapeMarkdown, SHOWN_LENGTH } from './format';
import { formatAge, formatWindow } from '../core/text/format';
import { goQuotedBody, hasControlCharacter, isGoPrintable } from '../core/text/goQuote';
import type { GoRange, ReasonSlot, ReasonSlotKind, RecorderCall } from './goLocator';
import { DIAGNOSTIC_SOURCE, HOVER_EVENTS } from './manifestFeatures';

export interface GoPositions {
  rangeOf(r: GoRange): Range;
}

/** `reason:X`, plus `source:C` when the package names exactly one component. */
export function reasonFilter(reason: string, components: ReadonlySet<string>): string {
  const q = (s: string): string => (/^[^\s"',:*]+$/.test(s) ? s : `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`);
  const [component] = components;
  return `reason:${q(reason)}${components.size === 1 && component ? ` source:${q(component)}` : ''}`;
}

function reasonSummary(reason: string, state: ReasonStateDto | undefined, windowMs: number, now: number): string {
  const name = oneLine(reason, SHOWN_LENGTH.lensReason);
  if (!state || state.occurrences === 0) return `${name}: never seen in the last ${formatWindow(windowMs)}`;
  return `${name}: ${state.occurrences} in the last ${formatWindow(windowMs)} on ${state.objects} object${state.objects === 1 ? '' : 's'} · last ${formatAge(now - state.lastSeen)} ago`;
}

export function goCodeLenses(calls: readonly RecorderCall[], states: ReadonlyMap<string, ReasonStateDto>, components: ReadonlySet<string>, windowMs: number, doc: GoPositions, now: number): CodeLens[] {
  const out: CodeLens[] = [];
  for (const call of calls) {
    if (call.reason === undefined || call.reason === '') continue;
    const range = doc.rangeOf({ start: call.range.start, end: call.range.start });
    out.push({ range, command: { title: reasonSummary(call.reason, states.get(call.reason), windowMs, now), command: EDITOR_COMMANDS.filterEvents, arguments: [reasonFilter(call.reason, components)] } });
  }
  return out;
}

/** Information where a literal reason would be refused (too long) or breaks the UpperCamelCase convention. */
export function goDiagnostics(calls: readonly RecorderCall[], doc: GoPositions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const call of calls) {
    if (!call.literal || call.reason === undefined || !call.reasonRange) continue;
    const problems: string[] = [];
    if (call.reason === '') problems.push('the reason is empty: the apiserver requires one (a short UpperCamelCase word, like "BackOff")');
    const bytes = utf8Length(call.reason);
    if (bytes > REASON_LENGTH_LIMIT) problems.push(`the reason is ${bytes} bytes; the apiserver allows at most ${REASON_LENGTH_LIMIT}`);
    const hint = reasonHint(call.reason.slice(0, SHOWN_LENGTH.diagnosticName));
    if (hint) problems.push(hint);
    if (problems.length > 0) out.push(Diagnostic.create(doc.rangeOf(call.reasonRange), oneLine(problems.join('; '), TEXT_LIMITS.notification), DiagnosticSeverity.Information, 'event-reason', DIAGNOSTIC_SOURCE));
  }
  return out;
}

export function goHover(call: RecorderCall, state: ReasonStateDto | undefined, components: ReadonlySet<string>, windowMs: number, range: Range, now: number): Hover | undefined {
  if (call.reason === undefined) return undefined;
  const lines = [`**${escapeMarkdown(reasonSummary(call.reason, state, windowMs, now))}**`, ''];
  const events = state?.events.slice(0, HOVER_EVENTS) ?? [];
  if (events.length > 0) {
    lines.push('| Type | × | Age | Object | Source | Message |', '|---|--:|--:|---|---|---|');
    for (const e of events) {
      lines.push(`| ${cell(e.type, SHOWN_LENGTH.type)} | ${e.count} | ${formatAge(now - e.lastSeen)} | ${cell(objectPath(e), SHOWN_LENGTH.objectWithNamespace)} | ${cell(e.source, SHOWN_LENGTH.source)} | ${cell(e.message, SHOWN_LENGTH.message)} |`);
    }
    lines.push('');
  }
  lines.push(commandLink('Show Events', EDITOR_COMMANDS.filterEvents, [reasonFilter(call.reason, components)]));
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range };
}

/**
 * The text a reason is written as in a slot of that kind, or undefined when it cannot be written there safely.
 * Cluster text is untrusted: it must stay one literal whatever it holds. A reason with a control character is
 * never offered; in `"…"` (or bringing its own quotes) it is escaped as Go's `strconv.Quote` would; a raw
 * literal cannot escape, so a reason with a backquote or anything unprintable is left out there.
 */
function reasonLiteralText(reason: string, kind: ReasonSlotKind): string | undefined {
  if (reason === '' || hasControlCharacter(reason) || /\p{Cs}/u.test(reason)) return undefined;
  if (kind === 'raw') return [...reason].every((ch) => ch !== '`' && isGoPrintable(ch)) ? reason : undefined;
  return goQuotedBody(reason);
}

/** The reasons the cluster has seen, for the reason argument under the cursor; VS Code filters them by what is typed. */
export function reasonCompletions(known: readonly string[], states: ReadonlyMap<string, ReasonStateDto>, slot: Pick<ReasonSlot, 'kind' | 'closed'>, replace: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  const quote = slot.kind === 'raw' ? '`' : '"';
  known.forEach((reason, i) => {
    const body = reasonLiteralText(reason, slot.kind);
    if (body === undefined) return;
    const state = states.get(reason);
    const newText = slot.kind === 'code' ? `"${body}"` : slot.closed ? body : body + quote;
    // The label is the reason as it will read in the code, so what is shown is what is inserted.
    out.push({
      label: body,
      kind: CompletionItemKind.Constant,
      detail: state ? `${state.occurrences} recently · Kube Events` : 'seen in the cluster · Kube Events',
      sortText: String(i).padStart(5, '0'),
      textEdit: { range: replace, newText },
    });
  });
  return out;
}
