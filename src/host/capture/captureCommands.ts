import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CAPTURE_EXTENSION, Commands, Views } from '../../constants';
import { readCapture, writeCapture } from '../../capture/captureFile';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureCluster, type CaptureHeader, type CaptureOwners, type CaptureLayout } from '../../core/capture/capture';
import type { KubeEvent, ObjectKeyWith } from '../../core/events/kubeEvent';
import type { OwnerGraph } from '../../core/owners/ownerGraph';
import type { OwnerRecord } from '../../core/owners/ownerMemory';
import { ownerRecordsFor } from '../../core/owners/recordedOwners';
import { errorMessage } from '../../core/text/errorMessage';
import type { ClusterSession } from '../../kube/clusterSession';
import type { FollowedSession } from '../debug/debugFollower';
import type { FilterController } from '../filterController';
import { notificationText } from '../notify';
import type { EventTreeProvider } from '../tree/eventTreeProvider';
import type { CaptureMode } from './captureMode';
import { captureCluster, captureRanges, defaultCaptureName, eventsByCluster, eventsInRange, sessionsInRange, type CaptureRange } from './captureContents';

/** Above this many events, saving and opening show a progress notification. */
const LARGE_CAPTURE = 5_000;
/** How long Save Capture… waits for the owner graph to read the owners of the objects it names. */
const OWNER_READ_MS = 10_000;

/** What the capture commands use (wired in extensionCommands.ts). */
export interface CaptureCommandDeps {
  readonly capture: CaptureMode;
  readonly session: Pick<ClusterSession, 'clusters'>;
  readonly tree: Pick<EventTreeProvider, 'flush' | 'model'>;
  readonly filter: Pick<FilterController, 'query' | 'set'>;
  /** The owner graph of the connection (or of the open capture). */
  /** A watched cluster's owner graph by its name (`KubeEvent.cluster`); without one, the primary's. */
  readonly owners: (cluster?: string) => OwnerGraph | undefined;
  /** The debug sessions followed in this window. */
  readonly sessions: () => readonly FollowedSession[];
  /** The views' layout, written into the capture and handed back when it is opened. */
  readonly layout: () => CaptureLayout;
  readonly applyLayout: (layout: CaptureLayout | undefined) => void;
  readonly log: vscode.LogOutputChannel;
  /** What wrote the file (`kube-events <version>`). */
  readonly writer: string;
}

/** Save Capture…'s arguments that skip its prompts (tests, other extensions). */
interface SaveOptions {
  readonly range?: 'last15m' | 'last1h' | 'last24h' | 'all' | { readonly from: number; readonly to: number };
  readonly servers?: boolean;
  readonly file?: string;
}

const RANGE_INDEX: Readonly<Record<string, number>> = { last15m: 0, last1h: 1, last24h: 2, all: 3 };

function saveOptionsOf(arg: unknown): SaveOptions {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return {};
  const o = arg as Record<string, unknown>;
  const range = o.range;
  const validRange =
    typeof range === 'string' && Object.hasOwn(RANGE_INDEX, range)
      ? (range as SaveOptions['range'])
      : typeof range === 'object' && range !== null && typeof (range as { from?: unknown }).from === 'number' && typeof (range as { to?: unknown }).to === 'number'
        ? { from: (range as { from: number }).from, to: (range as { to: number }).to }
        : undefined;
  return {
    ...(validRange ? { range: validRange } : {}),
    ...(typeof o.servers === 'boolean' ? { servers: o.servers } : {}),
    ...(typeof o.file === 'string' ? { file: o.file } : {}),
  };
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  return undefined;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Save Capture…, Open Capture… and Close Capture (docs/ARCHITECTURE.md §18). The file format is
 * src/core/capture's; this module chooses what goes in and puts the window into capture mode and out of it.
 */
export class CaptureCommands {
  /** The Events view's filter before a capture put its own: Close Capture gives it back. */
  private liveFilter: string | undefined;

  constructor(private readonly deps: CaptureCommandDeps) {}

  /** Save Capture…: the events the Events view shows in a time range, with what they need. Resolves to the file written. */
  saveCapture = async (arg?: unknown): Promise<string | undefined> => {
    const { tree, log } = this.deps;
    const options = saveOptionsOf(arg);
    tree.flush();
    const shown = [...tree.model.events()];
    const now = Date.now();
    const ranges = captureRanges(shown, this.deps.sessions(), now);
    let range: CaptureRange | undefined;
    if (typeof options.range === 'object') range = { ...options.range, label: 'the range given' };
    else if (options.range) range = ranges[RANGE_INDEX[options.range]];
    else {
      const pick = await vscode.window.showQuickPick(
        ranges.map((r) => ({ label: r.label, description: `${eventsInRange(shown, r).length} events`, range: r })),
        { ignoreFocusOut: true, title: 'Kube Events: Save Capture — Time Range', placeHolder: 'Which events go into the capture (those the Events view shows now)?' },
      );
      range = pick?.range;
    }
    if (!range) return undefined;
    const chosen = range;
    const events = eventsInRange(shown, chosen);
    if (events.length === 0) {
      void vscode.window.showInformationMessage(`Kube Events: nothing to save — no event the Events view shows was seen in ${chosen.label.toLowerCase()}.`);
      return undefined;
    }
    let servers = options.servers;
    if (servers === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Without server addresses', description: 'recommended for sharing', servers: false },
          { label: 'With server addresses', description: 'the API server URL of each cluster', servers: true },
        ],
        { ignoreFocusOut: true, title: 'Kube Events: Save Capture — Clusters', placeHolder: 'The capture names each cluster by its context; include the API server addresses too?' },
      );
      servers = pick?.servers;
    }
    if (servers === undefined) return undefined;
    const clusters = this.clusters(servers);
    let uri = uriOf(options.file);
    uri ??= await vscode.window.showSaveDialog({
      title: 'Kube Events: Save Capture',
      filters: { 'Kube Events capture': [CAPTURE_EXTENSION] },
      defaultUri: vscode.Uri.file(path.join(defaultFolder(), defaultCaptureName(clusters[0]?.name ?? '', now, CAPTURE_EXTENSION))),
    });
    if (!uri) return undefined;
    const target = uri.fsPath;
    const withServers = servers;
    const work = async (report: (message: string) => void): Promise<number> => {
      report(`reading the owners of ${events.length} events`);
      // Each cluster's owner links from its own graph: two clusters may name the same object.
      const owners = await this.ownerRecordsByCluster(events, clusters);
      const links = owners.reduce((n, o) => n + o.records.length, 0);
      const header: CaptureHeader = {
        format: CAPTURE_FORMAT,
        version: CAPTURE_VERSION,
        created: new Date(now).toISOString(),
        from: chosen.from,
        to: chosen.to,
        query: this.deps.filter.query.text,
        clusters,
        layout: this.deps.layout(),
        origin: 'kube-events',
        writer: this.deps.writer,
      };
      const capture: Capture = {
        header,
        events,
        owners,
        sessions: sessionsInRange(this.deps.capture.current?.sessions ?? this.deps.sessions(), chosen),
      };
      report(`writing ${events.length} events`);
      await writeCapture(target, capture);
      log.info(`[capture] wrote ${target}: ${events.length} events (${chosen.label}), ${links} owner links, ${capture.sessions.length} debug sessions${withServers ? ', with server addresses' : ''}`);
      return links;
    };
    try {
      if (events.length >= LARGE_CAPTURE) {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Kube Events: saving capture' }, (progress) => work((message) => progress.report({ message })));
      } else {
        await work(() => undefined);
      }
    } catch (err) {
      log.error(`[capture] could not write ${target}: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Kube Events: could not save the capture to ${target}: ${notificationText(errorMessage(err))}. Choose another folder, or free some disk space, and save again.`);
      return undefined;
    }
    void vscode.window.showInformationMessage(`Kube Events: saved ${events.length} events to ${path.basename(target)}.`);
    return target;
  };

  /**
   * Open Capture…: reads a capture (or a `kubectl get events -o json` or event-exporter dump) and puts the window
   * into capture mode. A file that cannot be read changes nothing: one error says why and what to do. Resolves to
   * the number of events opened.
   */
  openCapture = async (arg?: unknown): Promise<number | undefined> => {
    let uri = uriOf(arg);
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Open Capture',
        title: 'Kube Events: Open Capture',
        filters: {
          'Kube Events capture': [CAPTURE_EXTENSION],
          'kubectl get events -o json, event-exporter JSON lines': ['json', 'jsonl', 'ndjson', 'log'],
          'All files': ['*'],
        },
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    return this.open(uri.fsPath);
  };

  /** Opens `file` in capture mode (the custom editor calls this too). */
  async open(file: string): Promise<number | undefined> {
    const { log, capture, filter } = this.deps;
    const name = path.basename(file);
    const read = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Kube Events: reading ${name}` }, () => readCapture(file));
    if (!read.ok) {
      // The problem's message names the file and says what to do (src/capture/captureFile.ts).
      log.warn(`[capture] ${read.reason}: ${read.message}`);
      void vscode.window.showErrorMessage(`Kube Events: ${notificationText(read.message)}`);
      return undefined;
    }
    const wasLive = !capture.isOpen;
    const opening = capture.open(read.value, file);
    if (read.value.events.length >= LARGE_CAPTURE) {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Kube Events: opening ${read.value.events.length} events of ${notificationText(name)}` }, () => opening);
    }
    await opening;
    if (wasLive) this.liveFilter = filter.query.text;
    // The filter the capture was saved with, so it shows what its author saw; a query this version cannot read is left out.
    const query = read.value.header.query;
    if (query && filter.set(query)) log.warn(`[capture] the capture's filter does not parse here; the Events view shows every event of it`);
    if (!query) filter.set('');
    this.deps.applyLayout(read.value.header.layout);
    void vscode.commands.executeCommand(`${Views.events}.focus`);
    return read.value.events.length;
  }

  /** Close Capture: back to the live cluster, with the filter the Events view had before. */
  closeCapture = (): void => {
    if (!this.deps.capture.isOpen) return;
    this.deps.capture.close();
    if (this.liveFilter !== undefined) this.deps.filter.set(this.liveFilter);
    this.liveFilter = undefined;
  };

  /** Wraps a command that needs a live cluster: while a capture is open it says so and does nothing else. */
  liveOnly<A extends unknown[], R>(title: string, run: (...args: A) => R): (...args: A) => R | undefined {
    return (...args) => {
      if (!this.deps.capture.isOpen) return run(...args);
      void vscode.window.showInformationMessage(`Kube Events: ${title} is not available while a capture is open. Close Capture goes back to the live cluster.`, 'Close Capture').then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.closeCapture);
      });
      return undefined;
    };
  }

  /** The clusters the capture names: every watched one (by the name its events carry), or the open capture's. */
  private clusters(withServers: boolean): CaptureCluster[] {
    const open = this.deps.capture.current;
    if (open) return open.header.clusters.map((c) => (withServers || c.server === undefined ? { ...c } : { name: c.name, id: c.id }));
    const out: CaptureCluster[] = [];
    for (const c of this.deps.session.clusters) if (c.identity) out.push(captureCluster(c.name, c.identity, withServers, sha256Hex));
    return out;
  }

  /** The owner links of each cluster's events, read from that cluster's graph. */
  private async ownerRecordsByCluster(events: readonly KubeEvent[], clusters: readonly CaptureCluster[]): Promise<CaptureOwners[]> {
    if (clusters.length === 0) return [];
    const primary = clusters[0].name;
    const out: CaptureOwners[] = [];
    for (const [cluster, own] of eventsByCluster(events, clusters)) {
      const records = own.length > 0 ? await this.ownerRecords(own, cluster) : [];
      if (records.length > 0 || cluster === primary) out.push({ cluster, records });
    }
    return out;
  }

  /**
   * The owner links the events need: the graph is first asked for every object they name (up to its roots), for
   * at most {@link OWNER_READ_MS}; what it knows by then goes in.
   */
  private async ownerRecords(events: readonly KubeEvent[], cluster: string): Promise<OwnerRecord[]> {
    const graph = this.deps.owners(cluster);
    if (!graph) return [];
    for (const e of events) graph.observe(e);
    const refs = new Map<string, ObjectKeyWith<'apiVersion', 'uid'>>();
    for (const e of events) {
      const r = e.regarding;
      if (r.kind && r.name) refs.set(r.uid || `${r.kind}/${r.namespace}/${r.name}`, { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, uid: r.uid || undefined });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), OWNER_READ_MS)));
    const learnt = await Promise.race([Promise.all([...refs.values()].map((r) => graph.learn(r))).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (learnt === 'timeout') this.deps.log.info(`[capture] the owners of some objects were not read within ${OWNER_READ_MS / 1000} s; the capture holds what was known`);
    return ownerRecordsFor(events, graph);
  }
}

/** Where the save dialog starts: the first workspace folder, else the home folder. */
function defaultFolder(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (process.env.HOME || process.env.USERPROFILE || '.');
}
