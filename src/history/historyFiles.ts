// The names of history files: no SQLite here, so the extension host can name and list them without loading it.
import { createHash } from 'node:crypto';
import { clusterFileStem, type ClusterIdentity } from '../core/clusterIdentity';

/** The file name of a cluster's history: a hash, so neither the URL nor the user name is in the path. */
export function historyFileName(identity: ClusterIdentity): string {
  return `history-${clusterFileStem(identity, (text) => createHash('sha256').update(text).digest('hex'))}.sqlite`;
}

/** Whether a file name is a history file's (Clear History… lists them). */
export function isHistoryFileName(name: string): boolean {
  return /^history-[0-9a-f]+\.sqlite$/.test(name);
}
