/**
 * What the editor shows on a manifest, from the objects it declares ({@link locateManifests}) and the states
 * the host sent: diagnostics (one per Warning reason, on `metadata.name` or the container a `fieldPath`
 * names), CodeLenses above each document and hovers on `kind` and `metadata.name`. Pure: the server calls it
 * with the document's text positions.
 */
import { CodeLens, Diagnostic, DiagnosticSeverity, MarkupKind, type Hover, type Range } from 'vscode-languageserver-types';
import { bounded, oneLine, TEXT_LIMITS } from '../core/text/boundedText';
import { objectKeyIgnoringKindCase } from '../core/events/kubeEvent';
import { EDITOR_COMMANDS, type ClusterParams, type EditorEventDto, type ObjectKeyDto, type ObjectStateDto } from '../protocol/languageServer';
import { cell, commandLink, escapeMarkdown, SHOWN_LENGTH } from './format';
import { formatAge, formatWindow } from '../core/text/format';
import { containerOfFieldPath, type ManifestObject, type TextRange } from './yamlLocator';

/** The `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'Kube Events';
/** Latest events a hover lists. */
export const HOVER_EVENTS = 10;

/** Kinds without a namespace (a manifest's namespace does not apply to them). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'IngressClass',
  'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

/** The object a manifest document stands for: namespace from the document, else the context's, else `default`. */
export function objectKeyOf(o: ManifestObject, cluster: ClusterParams | undefined): ObjectKeyDto {
  const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.namespace ?? (cluster?.defaultNamespace || 'default');
  return { kind: o.kind, namespace, name: o.name, apiVersion: o.apiVersion };
}

/** The text positions of the document being decorated. */
export interface DocumentPositions {
  rangeOf(r: TextRange): Range;
}

function sameObject(e: EditorEventDto, key: ObjectKeyDto): boolean {
  return e.kind.toLowerCase() === key.kind.toLowerCase() && e.name === key.name && e.namespace === key.namespace;
}

/** `under:Kind/ns/name` (cluster-scoped: `under:Kind//name`), the filter a lens opens. */
export function underFilter(key: ObjectKeyDto, extra = ''): string {
  const q = (s: string): string => (/^[^\s"',:]+$/.test(s) ? s : `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`);
  return `under:${q(`${key.kind}/${key.namespace}/${key.name}`)}${extra}`;
}

function emitArgument(key: ObjectKeyDto): unknown {
  return { kind: 'object', ref: { kind: key.kind, name: key.name, namespace: key.namespace, apiVersion: key.apiVersion, uid: '', resourceVersion: '', fieldPath: '' } };
}

/** One diagnostic per distinct Warning reason (and container it points at) about the object or what it owns. */
export function manifestDiagnostics(objects: readonly ManifestObject[], keys: readonly ObjectKeyDto[], states: ReadonlyMap<string, ObjectStateDto>, doc: DocumentPositions, now: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  objects.forEach((o, i) => {
    const key = keys[i];
    const state = states.get(objectKeyIgnoringKindCase(key));
    if (!state || state.exists === 'no') return;
    const groups = new Map<string, { reason: string; range: TextRange; events: EditorEventDto[] }>();
    for (const e of state.events) {
      if (e.type !== 'Warning') continue;
      const container = containerOfFieldPath(e.fieldPath);
      const range = (container !== undefined && o.containers.get(container)) || o.nameRange;
      const id = `${e.reason}\u0000${range.start}`;
      const g = groups.get(id) ?? { reason: e.reason, range, events: [] };
      g.events.push(e);
      groups.set(id, g);
    }
    for (const g of groups.values()) {
      const latest = g.events.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a));
      const count = g.events.reduce((n, e) => n + e.count, 0);
      const about = sameObject(latest, key) ? '' : ` (${oneLine(`${latest.kind}/${latest.name}`, SHOWN_LENGTH.diagnosticName)})`;
      const message = `${oneLine(g.reason, SHOWN_LENGTH.diagnosticName)} ×${count} · ${formatAge(now - latest.lastSeen)} ago${about}: ${oneLine(latest.message, TEXT_LIMITS.notification)}`;
      const diagnostic = Diagnostic.create(doc.rangeOf(g.range), message, DiagnosticSeverity.Warning, g.reason, DIAGNOSTIC_SOURCE);
      // The code's link opens the events: the views filtered to this object's tree and the reason.
      diagnostic.codeDescription = { href: `command:${EDITOR_COMMANDS.filterEvents}?${encodeURIComponent(JSON.stringify([underFilter(key, ` reason:"${g.reason.replace(/["\\]/g, (c) => `\\${c}`)}"`)]))}` };
      diagnostic.data = { kind: key.kind, namespace: key.namespace, name: key.name };
      out.push(diagnostic);
    }
  });
  return out;
}

function summary(state: ObjectStateDto | undefined, cluster: ClusterParams | undefined, now: number): string {
  // Several clusters watched: the manifest is judged against one context, and the lens says which.
  const judged = cluster && cluster.clusters > 1 ? ` · context ${oneLine(cluster.context || 'none', SHOWN_LENGTH.context)}` : '';
  const window = formatWindow(cluster?.windowMs ?? 3_600_000);
  if (!state || state.total === 0) return `no events in the last ${window}${judged}`;
  const last = state.events[0];
  const parts = [`${state.total} event${state.total === 1 ? '' : 's'}`];
  if (state.warnings > 0) parts.unshift(`⚠ ${state.warnings} warning${state.warnings === 1 ? '' : 's'}`);
  if (last) parts.push(`last ${formatAge(now - last.lastSeen)} ago`);
  return `${parts.join(' · ')}${judged}`;
}

/** Above each document: the summary (opens the events under the object), Emit Test Event…, and "not in cluster". */
export function manifestCodeLenses(objects: readonly ManifestObject[], keys: readonly ObjectKeyDto[], states: ReadonlyMap<string, ObjectStateDto>, cluster: ClusterParams | undefined, doc: DocumentPositions, now: number): CodeLens[] {
  const out: CodeLens[] = [];
  objects.forEach((o, i) => {
    const key = keys[i];
    const state = states.get(objectKeyIgnoringKindCase(key));
    const at = doc.rangeOf({ start: o.range.start, end: o.range.start });
    if (state?.exists === 'no') {
      out.push(CodeLens.create(at, undefined));
      out[out.length - 1].command = { title: `not in cluster (context ${oneLine(cluster?.context || 'none', SHOWN_LENGTH.context)})`, command: '' };
    } else {
      out.push({ range: at, command: { title: summary(state, cluster, now), command: EDITOR_COMMANDS.filterEvents, arguments: [underFilter(key)] } });
    }
    out.push({ range: at, command: { title: 'Emit Test Event…', command: EDITOR_COMMANDS.emitTestEvent, arguments: [emitArgument(key)] } });
  });
  return out;
}

/** The latest events of the object as an escaped markdown table, with the lens commands. */
export function manifestHover(key: ObjectKeyDto, state: ObjectStateDto | undefined, cluster: ClusterParams | undefined, range: Range, now: number): Hover {
  const lines: string[] = [`**${escapeMarkdown(`${key.kind}/${key.name}`)}**${key.namespace ? ` in ${escapeMarkdown(key.namespace)}` : ''} — ${escapeMarkdown(state?.exists === 'no' ? `not in cluster (context ${cluster?.context || 'none'})` : summary(state, cluster, now))}`, ''];
  const events = state && state.exists !== 'no' ? state.events.slice(0, HOVER_EVENTS) : [];
  if (events.length > 0) {
    lines.push('| Type | Reason | × | Age | Object | Message |', '|---|---|--:|--:|---|---|');
    for (const e of events) {
      lines.push(`| ${cell(e.type, SHOWN_LENGTH.type)} | ${cell(e.reason, SHOWN_LENGTH.reason)} | ${e.count} | ${formatAge(now - e.lastSeen)} | ${cell(`${e.kind}/${e.name}`, SHOWN_LENGTH.object)} | ${cell(e.message, SHOWN_LENGTH.message)} |`);
    }
    lines.push('');
  }
  lines.push(`${commandLink('Show Events', EDITOR_COMMANDS.filterEvents, [underFilter(key)])} · ${commandLink('Emit Test Event…', EDITOR_COMMANDS.emitTestEvent, [emitArgument(key)])}`);
  // The newest event's recorder call in the workspace (Go to Emitter).
  if (events[0]) lines.push('', commandLink(`Go to Emitter of ${escapeMarkdown(oneLine(events[0].reason, SHOWN_LENGTH.reason))}`, EDITOR_COMMANDS.goToEmitter, [{ uid: events[0].uid }]));
  return { contents: { kind: MarkupKind.Markdown, value: bounded(lines.join('\n'), TEXT_LIMITS.hover * 4) }, range };
}
