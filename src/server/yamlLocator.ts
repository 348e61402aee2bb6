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

/** What {@link locateDocuments} read: the objects, each with the index of the document it is in, and how many documents there were. */
interface LocatedDocuments {
  readonly documents: number;
  readonly objects: readonly { readonly document: number; readonly object: ManifestObject }[];
}

/** Every object the documents of `text` declare (the first `maxDocuments`), with offsets into `text`. */
function locateDocuments(text: string, maxDocuments = MAX_DOCUMENTS): LocatedDocuments {
  const out: { document: number; object: ManifestObject }[] = [];
  let docs;
  try {
    // Problems are collected on each document rather than thrown; unique keys are not our concern.
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false, keepSourceTokens: false });
  } catch {
    return { documents: 0, objects: [] };
  }
  const list = (Array.isArray(docs) ? docs : []).slice(0, maxDocuments);
  list.forEach((doc, document) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    const docRange = { start: doc.range[0], end: doc.range[1] };
    const kind = stringValue(root, 'kind')?.value;
    const items = pairOf(root, 'items')?.value;
    if (kind !== undefined && /List$/.test(kind) && isSeq(items)) {
      for (const item of items.items) if (isMap(item)) {
        const o = objectOf(item, rangeOf(item, docRange));
        if (o) out.push({ document, object: o });
      }
      return;
    }
    const o = objectOf(root, docRange);
    if (o) out.push({ document, object: o });
  });
  return { documents: list.length, objects: out };
}

/** One piece of a multi-document stream, from one `---` line to the next, and where it starts in the file. */
interface ManifestChunk {
  readonly start: number;
  readonly text: string;
}

/**
 * Cuts a stream before each line that starts a document (`---` at the start of a line, then a blank or the line's
 * end). YAML lets such a line be nothing but a document marker: it ends any scalar or collection before it, so
 * each piece parses alone as it does in the whole. A directive (`%YAML`, `%TAG`) belongs to the document after it
 * and changes how it is read: a stream with one is one piece.
 */
function splitDocuments(text: string): ManifestChunk[] {
  if (/^%/m.test(text)) return [{ start: 0, text }];
  const out: ManifestChunk[] = [];
  let start = 0;
  for (const m of text.matchAll(/^---(?=[ \t\r\n]|$)/gm)) {
    if (m.index === start) continue;
    out.push({ start, text: text.slice(start, m.index) });
    start = m.index;
  }
  out.push({ start, text: text.slice(start) });
  return out;
}

function shiftRange(r: TextRange, by: number): TextRange {
  return { start: r.start + by, end: r.end + by };
}

function shifted(o: ManifestObject, by: number): ManifestObject {
  if (by === 0) return o;
  const containers = new Map<string, TextRange>();
  for (const [name, r] of o.containers) containers.set(name, shiftRange(r, by));
  return { ...o, range: shiftRange(o.range, by), kindRange: shiftRange(o.kindRange, by), nameRange: shiftRange(o.nameRange, by), containers };
}

/**
 * The objects of one open file, parsed a document at a time and kept by each document's text: after an edit only
 * the documents it changed are parsed again, and a caller can stop between two documents (the language server
 * yields its event loop there, docs/ARCHITECTURE.md §11).
 */
export class ManifestCache {
  /** Document text → what it declares, offsets from the document's start. */
  private known = new Map<string, LocatedDocuments>();
  /** Documents parsed so far (what the cache could not answer). */
  parsed = 0;

  /**
   * Steps through `text`'s documents, yielding after each one it had to parse; returns every object the text
   * declares, in document order, as {@link locateManifests} does. With `first`, the documents it picks are read
   * before the others and their objects yielded once on their own (what the file can show at once).
   */
  *locate(text: string, first?: (document: string) => boolean): Generator<readonly ManifestObject[] | undefined, ManifestObject[], void> {
    if (text.length > MAX_MANIFEST_LENGTH) return [];
    const chunks = splitDocuments(text);
    const used = new Map<string, LocatedDocuments>();
    const read = function* (this: ManifestCache, chunk: ManifestChunk): Generator<undefined, LocatedDocuments, void> {
      let found = used.get(chunk.text) ?? this.known.get(chunk.text);
      if (!found) {
        found = locateDocuments(chunk.text);
        this.parsed++;
        // Kept at once: a newer version may take over before this one is done, and reuse it.
        this.known.set(chunk.text, found);
        yield undefined;
      }
      used.set(chunk.text, found);
      return found;
    }.bind(this);
    if (first) {
      const early: ManifestObject[] = [];
      for (const chunk of chunks.slice(0, MAX_DOCUMENTS)) {
        if (!first(chunk.text)) continue;
        for (const { object } of (yield* read(chunk)).objects) early.push(shifted(object, chunk.start));
      }
      if (early.length > 0) yield early;
    }
    const out: ManifestObject[] = [];
    let documents = 0;
    for (const chunk of chunks) {
      if (documents >= MAX_DOCUMENTS) break;
      const found = yield* read(chunk);
      const room = MAX_DOCUMENTS - documents;
      for (const { document, object } of found.objects) if (document < room) out.push(shifted(object, chunk.start));
      documents += found.documents;
    }
    this.known = used;
    return out;
  }
}

/** Every object the text declares, in document order. */
export function locateManifests(text: string): ManifestObject[] {
  const steps = new ManifestCache().locate(text);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The whole text parsed at once, as the locator did before it split documents: what tests compare it with. */
export function locateManifestsWhole(text: string): ManifestObject[] {
  if (text.length > MAX_MANIFEST_LENGTH) return [];
  return locateDocuments(text).objects.map((o) => o.object);
}

/** The container a `fieldPath` names: `spec.containers{app}`, `spec.initContainers{init}`… */
export function containerOfFieldPath(fieldPath: string): string | undefined {
  const m = /^spec\.(?:containers|initContainers|ephemeralContainers)\{([^}]+)\}/.exec(fieldPath);
  return m ? m[1] : undefined;
}
