import * as vscode from 'vscode';
import { OwnerGraph } from '../core/ownerGraph';
import { tagged } from '../core/ports';
import { fail, ok } from '../core/result';
import type { ClusterSession } from '../kube/clusterSession';
import { Discovery } from '../kube/discovery';
import type { KubeClient } from '../kube/kubeClient';
import { KubeOwnerResolver } from '../kube/ownerResolver';
import { Recorder } from '../kube/recorder';
import { ResourceReader, toYaml, type KubeObject, type ReadProblem, type ResourceRef } from '../kube/resourceReader';
import type { Result } from '../core/result';
import type { LiveReference } from '../kube/resourceReader';
import { OwnerMemoryFile } from './ownerMemoryFile';

/** What the commands need from discovery and GETs; {@link ClusterResources.access} implements it over src/kube. */
export interface ResourceAccess {
  kinds(): Promise<Result<ReadonlyArray<{ readonly kind: string; readonly apiVersion: string; readonly namespaced: boolean }>>>;
  names(kind: { readonly kind: string; readonly apiVersion: string }, namespace: string): Promise<Result<ReadonlyArray<{ readonly name: string; readonly namespace: string }>>>;
  /** The names of the cluster's namespaces, up to the reader's list cap (Select Namespace… offers them). */
  namespaces(signal?: AbortSignal): Promise<Result<readonly string[]>>;
  yaml(ref: { readonly apiVersion: string; readonly kind: string; readonly namespace: string; readonly name: string }): Promise<Result<string>>;
  /** The live object's reference, uid and resourceVersion included; `reason` is a ReadProblem (`not-found`, `forbidden`…). */
  reference(ref: { readonly apiVersion: string; readonly kind: string; readonly namespace: string; readonly name: string }): Promise<Result<LiveReference>>;
}

/**
 * Learnt owner links are saved at most this often, and when the connection changes or the window closes: a
 * busy cluster names new Pods all the time, and each save rewrites the whole file.
 */
const SAVE_DELAY_MS = 10_000;

/**
 * Discovery, object reads and the owner graph for the session's current connection. They are rebuilt
 * when the connection changes (another context or kubeconfig), so a cache never answers for the wrong cluster.
 * The owner graph remembers its links per cluster (server URL + user) in `storageDir`, when given.
 */
export class ClusterResources implements vscode.Disposable {
  private client: KubeClient | undefined;
  private reader: ResourceReader | undefined;
  private discovery: Discovery | undefined;
  private graph: OwnerGraph | undefined;
  private graphListener: vscode.Disposable | undefined;
  private eventRecorder: Recorder | undefined;
  private readonly learned = new vscode.EventEmitter<void>();
  readonly onDidLearnOwners = this.learned.event;
  private learnTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: ClusterSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly storageDir?: string,
  ) {}

  private current(): boolean {
    const client = this.session.connection?.client;
    if (!client) return false;
    if (client !== this.client) {
      this.graphListener?.dispose();
      this.saveNow();
      this.graph?.dispose();
      this.eventRecorder?.dispose();
      this.eventRecorder = undefined;
      this.client = client;
      this.discovery = new Discovery(client, { log: tagged(this.log, 'discovery') });
      this.reader = new ResourceReader(client, this.discovery, { log: tagged(this.log, 'resources') });
      const ownersLog = tagged(this.log, 'owners');
      const memory = this.storageDir ? new OwnerMemoryFile(this.storageDir, { server: client.server, user: client.userName }, ownersLog) : undefined;
      this.graph = new OwnerGraph(new KubeOwnerResolver(this.reader), { log: ownersLog, ...(memory ? { memory } : {}) });
      // Many objects are learnt at once after an `under:` filter is set: re-filter at most every 300 ms.
      const changed = (): void => {
        this.learnTimer ??= setTimeout(() => {
          this.learnTimer = undefined;
          this.learned.fire();
        }, 300);
      };
      const learnt = this.graph.onDidLearn(() => {
        changed();
        this.saveTimer ??= setTimeout(() => {
          this.saveTimer = undefined;
          void this.graph?.flush();
        }, SAVE_DELAY_MS);
      });
      const missed = this.graph.onDidMiss(changed);
      this.graphListener = { dispose: () => (learnt.dispose(), missed.dispose()) };
    }
    return true;
  }

  /** Saves the links learnt since the last save (the memory file writes synchronously). */
  private saveNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    void this.graph?.flush();
  }

  /** The recorder behind "Emit Test Event…"; its correlator state lives as long as the connection. */
  recorder(): Recorder | undefined {
    if (!this.current() || !this.client || !this.discovery) return undefined;
    const discovery = this.discovery;
    this.eventRecorder ??= new Recorder({
      client: this.client,
      log: this.log, // the recorder tags its own lines [recorder]
      resolveKind: async (kind, apiVersion) => {
        const found = await discovery.resolve(apiVersion, kind);
        return found.ok ? ok({ apiVersion: found.value.apiVersion, kind: found.value.kind, namespaced: found.value.namespaced }) : fail(found.reason, found.message);
      },
    });
    return this.eventRecorder;
  }

  /** Reads one object (the language server's existence checks); undefined when not connected. */
  read(ref: ResourceRef): Promise<Result<KubeObject, ReadProblem>> | undefined {
    return this.current() && this.reader ? this.reader.get(ref) : undefined;
  }

  owners(): OwnerGraph | undefined {
    return this.current() ? this.graph : undefined;
  }

  access(): ResourceAccess | undefined {
    if (!this.current() || !this.discovery || !this.reader) return undefined;
    const discovery = this.discovery;
    const reader = this.reader;
    return {
      kinds: async () => {
        const kinds = await discovery.kinds();
        return kinds.ok ? ok(kinds.value.map((k) => ({ kind: k.kind, apiVersion: k.apiVersion, namespaced: k.namespaced }))) : kinds;
      },
      names: async (kind, namespace) => {
        const names = await reader.list(kind, namespace || undefined);
        if (!names.ok) return names;
        if (names.value.truncated) this.log.info(`[resources] listing ${kind.kind}: showing the first ${names.value.items.length}`);
        return ok(names.value.items);
      },
      namespaces: async (signal) => {
        const names = await reader.list({ apiVersion: 'v1', kind: 'Namespace' }, undefined, signal);
        return names.ok ? ok(names.value.items.map((n) => n.name)) : names;
      },
      reference: (ref) => reader.reference({ ...ref, apiVersion: ref.apiVersion || undefined }),
      yaml: async (ref) => {
        const obj = await reader.get(ref);
        return obj.ok ? ok(toYaml(obj.value)) : fail(obj.reason, obj.message);
      },
    };
  }

  dispose(): void {
    clearTimeout(this.learnTimer);
    this.eventRecorder?.dispose();
    this.graphListener?.dispose();
    this.saveNow();
    this.graph?.dispose();
    this.learned.dispose();
  }
}
