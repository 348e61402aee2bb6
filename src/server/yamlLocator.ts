/**
 * Finds the Kubernetes objects a YAML file declares, with the source ranges the editor decorates: each
 * document (of a multi-document stream) whose top level has a string `kind` and `metadata.name`. Helm output
 * (`# Source:` comments between documents) and kustomize output are plain multi-document streams; a `kind: List`
 * contributes its `items`. Half-typed or binary input yields what can be read and never throws.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';

/** Files longer than this are not parsed (a generated dump, not a manifest someone edits). */
export const MAX_MANIFEST_LENGTH = 2_000_000;
/** Documents read per file at most. */
const MAX_DOCUMENTS = 5_000;

/** Offsets into the text, `end` exclusive. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** One object a manifest declares. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, undefined when the document has none. */
  readonly namespace: string | undefined;
  /** The whole document (or List item). */
  readonly range: TextRange;
  readonly kindRange: TextRange;
  readonly nameRange: TextRange;
  /** Container name → the range of its `name` value, for every `containers`/`initContainers`/`ephemeralContainers` list. */
  readonly containers: ReadonlyMap<string, TextRange>;
}

function rangeOf(node: YamlNode | null | undefined, fallback: TextRange): TextRange {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : fallback;
}

function pairOf(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  for (const item of map.items) if (isScalar(item.key) && item.key.value === key) return item;
  return undefined;
}

function stringValue(map: YAMLMap, key: string): { value: string; node: YamlNode } | undefined {
  const pair = pairOf(map, key);
  const v = pair?.value;
  if (isScalar(v) && typeof v.value === 'string' && v.value !== '') return { value: v.value, node: v };
  return undefined;
}

const CONTAINER_KEYS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
/** Container lists sit a few maps deep at most (a CronJob's: spec.jobTemplate.spec.template.spec); this only bounds the walk. */
const MAX_CONTAINER_DEPTH = 12;

/** Walks the object (depth-bounded) for container lists, as found in Pods, templates and job templates. */
function collectContainers(node: unknown, out: Map<string, TextRange>, depth: number): void {
  if (depth > MAX_CONTAINER_DEPTH || !isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key === 'string' && CONTAINER_KEYS.has(key) && isSeq(pair.value)) {
      for (const item of pair.value.items) {
        if (!isMap(item)) continue;
        const name = stringValue(item, 'name');
        if (name && !out.has(name.value)) out.set(name.value, rangeOf(name.node, rangeOf(item, { start: 0, end: 0 })));
      }
    } else if (isMap(pair.value)) {
      collectContainers(pair.value, out, depth + 1);
    }
  }
}

function objectOf(map: YAMLMap, docRange: TextRange): ManifestObject | undefined {
  const kind = stringValue(map, 'kind');
  const metadata = pairOf(map, 'metadata')?.value;
  if (!kind || !isMap(metadata)) return undefined;
  const name = stringValue(metadata, 'name');
  if (!name) return undefined;
  const namespace = stringValue(metadata, 'namespace')?.value;
  const containers = new Map<string, TextRange>();
  collectContainers(pairOf(map, 'spec')?.value, containers, 0);
  return {
    apiVersion: stringValue(map, 'apiVersion')?.value ?? '',
    kind: kind.value,
    name: name.value,
    namespace,
    range: rangeOf(map, docRange),
    kindRange: rangeOf(kind.node, docRange),
    nameRange: rangeOf(name.node, docRange),
    containers,
  };
}

/** Every object the text declares, in document order. */
export function locateManifests(text: string): ManifestObject[] {
  if (text.length > MAX_MANIFEST_LENGTH) return [];
  const out: ManifestObject[] = [];
  let docs;
  try {
    // Problems are collected on each document rather than thrown; unique keys are not our concern.
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false, keepSourceTokens: false });
  } catch {
    return [];
  }
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list.slice(0, MAX_DOCUMENTS)) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const docRange = { start: doc.range[0], end: doc.range[1] };
    const kind = stringValue(root, 'kind')?.value;
    const items = pairOf(root, 'items')?.value;
    if (kind !== undefined && /List$/.test(kind) && isSeq(items)) {
      for (const item of items.items) if (isMap(item)) {
        const o = objectOf(item, rangeOf(item, docRange));
        if (o) out.push(o);
      }
      continue;
    }
    const o = objectOf(root, docRange);
    if (o) out.push(o);
  }
  return out;
}

/** The container a `fieldPath` names: `spec.containers{app}`, `spec.initContainers{init}`… */
export function containerOfFieldPath(fieldPath: string): string | undefined {
  const m = /^spec\.(?:containers|initContainers|ephemeralContainers)\{([^}]+)\}/.exec(fieldPath);
  return m ? m[1] : undefined;
}
