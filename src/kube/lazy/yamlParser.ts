/**
 * The YAML parser: kubeconfig files and the manifest under the cursor. Its own bundle (dist/yaml.js), loaded on
 * the first read of either, never by activation (docs/ARCHITECTURE.md §2). It imports no module of src/.
 */
import { parse } from 'yaml';

/**
 * One YAML document as plain values. Throws on a syntax error; the message's first line says what and where
 * (line and column), the lines after it quote the text, so a caller that may hold secrets shows only the first.
 * Merge keys (`<<`) are read as kubectl's YAML library reads them; warnings are not printed.
 */
export function parseYaml(text: string): unknown {
  return parse(text, { merge: true, logLevel: 'error' });
}
