/**
 * The owner graph's memory as one small JSON file per cluster in the extension's global storage, behind the
 * `OwnerMemory` port (docs/ARCHITECTURE.md §7). The file is named by a hash of the
 * server URL and the kubeconfig user name (what tells clusters and identities apart, never a credential) and
 * holds both in clear so a person can tell files apart. No `vscode` import: unit-tested under plain Node.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownerRecordOf, type OwnerMemory, type OwnerRecord } from '../core/owners/ownerMemory';
import { silentLogger, type Logger } from '../core/ports';
import { errorMessage } from '../core/text/errorMessage';
import { clusterFileStem, type ClusterIdentity } from '../core/clusterIdentity';

const VERSION = 1;
/** A file larger than this is not read (the graph saves at most a few thousand records, well below). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;


const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The file for one identity under `dir`, named by the cluster's file stem as its history is. */
export function ownerMemoryPath(dir: string, id: ClusterIdentity): string {
  return path.join(dir, `owners-${clusterFileStem(id, sha256Hex)}.json`);
}

/** Where versions before the one cluster key (CHANGELOG, Unreleased) kept the file: 32 hex digits of another digest. */
function legacyOwnerMemoryPath(dir: string, id: ClusterIdentity): string {
  return path.join(dir, `owners-${sha256Hex(`${id.server}\n${id.user}`).slice(0, 32)}.json`);
}

/**
 * Reads and writes synchronously: the file is small, saves are rare (the caller batches them), and a save
 * from dispose() must be on disk before the extension host goes away on a reload. Writes go to a temporary
 * file renamed over the old one, so a crash leaves either version, never half of one.
 */
export class OwnerMemoryFile implements OwnerMemory {
  readonly file: string;
  private adopted = false;

  constructor(
    dir: string,
    private readonly id: ClusterIdentity,
    private readonly log: Logger = silentLogger,
  ) {
    this.file = ownerMemoryPath(dir, id);
  }

  load(): Promise<readonly OwnerRecord[]> {
    this.adoptLegacyFile();
    return Promise.resolve(this.read());
  }

  /**
   * A file saved under the old name becomes this one, once, unless this one exists already (then the old
   * one is left alone). What it holds is checked on reading as any file is (server and user in clear).
   */
  private adoptLegacyFile(): void {
    if (this.adopted) return;
    this.adopted = true;
    const legacy = legacyOwnerMemoryPath(path.dirname(this.file), this.id);
    if (fs.existsSync(this.file) || !fs.existsSync(legacy)) return;
    try {
      fs.renameSync(legacy, this.file);
      this.log.info(`moved owner links from ${legacy} to ${this.file}`);
    } catch (error) {
      this.log.warn(`could not move owner links from ${legacy} to ${this.file}: ${errorMessage(error)}; owner links start empty`);
    }
  }

  save(records: readonly OwnerRecord[]): Promise<void> {
    this.adoptLegacyFile();
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ version: VERSION, server: this.id.server, user: this.id.user, records }));
      fs.renameSync(tmp, this.file);
    } catch (error) {
      this.log.warn(`could not save owner links to ${this.file}: ${errorMessage(error)}`);
    }
    return Promise.resolve();
  }

  private read(): OwnerRecord[] {
    let text: string;
    try {
      if (fs.statSync(this.file).size > MAX_FILE_BYTES) {
        this.log.warn(`${this.file} is larger than ${MAX_FILE_BYTES} bytes: not read; owner links start empty`);
        return [];
      }
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(`could not read ${this.file}: ${errorMessage(error)}; owner links start empty`);
      }
      return [];
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      this.log.warn(`${this.file} is not valid JSON: owner links start empty`);
      return [];
    }
    const o = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    // Another cluster's file under a colliding hash, or a format from a later version: not ours to read.
    if (o.version !== VERSION || o.server !== this.id.server || o.user !== this.id.user || !Array.isArray(o.records)) {
      this.log.warn(`${this.file} is not a version ${VERSION} owner-link file for this cluster: owner links start empty`);
      return [];
    }
    const records: OwnerRecord[] = [];
    let skipped = 0;
    for (const r of o.records as unknown[]) {
      const record = ownerRecordOf(r);
      if (record) records.push(record);
      else skipped++;
    }
    if (skipped > 0) this.log.warn(`${this.file}: skipped ${skipped} unreadable owner links`);
    return records;
  }
}
