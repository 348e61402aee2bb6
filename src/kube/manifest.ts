import type { ObjectKeyWith } from '../core/events/kubeEvent';
import { yamlBundle } from './lazy';

/**
 * Finds the YAML document (of a `---` separated stream) that contains `offset` and reads its
 * apiVersion, kind and metadata. Returns undefined when that document is not a Kubernetes object. `namespace` is
 * empty when the manifest names none (the context's namespace applies, or the object is cluster-scoped).
 */
export function manifestAt(text: string, offset: number): ObjectKeyWith<'apiVersion'> | undefined {
  const separator = /^---[ \t]*(?:#.*)?$/gm;
  let start = 0;
  let end = text.length;
  for (let m = separator.exec(text); m; m = separator.exec(text)) {
    if (m.index + m[0].length < offset) start = m.index + m[0].length;
    else if (m.index >= offset) {
      end = m.index;
      break;
    }
  }
  let doc: unknown;
  try {
    doc = yamlBundle().parseYaml(text.slice(start, end));
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object') return undefined;
  const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string' || !o.kind || !o.metadata.name) return undefined;
  return {
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
    kind: o.kind,
    name: o.metadata.name,
    namespace: typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '',
  };
}
