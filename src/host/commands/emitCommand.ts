import * as vscode from 'vscode';
import { Settings, StateKeys } from '../../constants';
import { EVENT_TYPES, REASON_LENGTH_LIMIT, reasonHint } from '../../core/events/eventValidation';
import { addRecent } from '../../core/recentList';
import type { Result } from '../../core/result';
import type { Recorder, RecordResult } from '../../kube/recorder';
import { notificationText, showErrorWithLog } from '../notify';
import { pickTypedValue } from '../typedPick';
import { clusterOfRow } from './treeRows';
import { burstSize, confirmGlob, DEFAULT_INTERVAL_MS, emitReport, isEmitInput, liveTarget, NOT_CONNECTED, sendBurst, validate, type EmitInput, type EmitReport, type EmitTarget, type LiveTarget } from './emitEvents';
import type { ObjectKeyWith } from '../../core/events/kubeEvent';

export interface EmitDeps {
  /**
   * Which cluster to emit into, by name (`KubeEvent.cluster`): '' for the only (or primary) one; with several
   * watched, the row's cluster or the user's pick. Undefined: the user cancelled.
   */
  readonly pickCluster: (arg: unknown) => Promise<string | undefined>;
  /** The context of that cluster (the production guard judges it). */
  readonly contextName: (cluster: string) => string;
  readonly confirmContexts: () => readonly string[];
  readonly recorder: (cluster: string) => Recorder | undefined;
  readonly pickTarget: (arg: unknown) => Promise<EmitTarget | undefined>;
  /** Reads the object in that cluster (client-go's GetReference needs it): undefined when not connected. */
  readonly reference: (target: EmitTarget, cluster: string) => Promise<Result<ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>> | undefined>;
  readonly memento: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
}

/** The clusters the emit command may write to: what the session watches (`ClusterSession.clusters`). */
interface EmitClusters {
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly context: string; readonly scope: unknown }>;
}

/**
 * Which cluster Emit Test Event… writes to: '' when one is watched (its primary); with several, the cluster of
 * the row it was run on, else the user's pick (undefined: cancelled).
 */
export async function pickEmitCluster(session: EmitClusters, arg: unknown): Promise<string | undefined> {
  const clusters = session.clusters.filter((c) => c.scope !== undefined);
  if (clusters.length <= 1) return '';
  const fromRow = clusterOfRow(arg);
  if (fromRow !== undefined && clusters.some((c) => c.name === fromRow)) return fromRow;
  const pick = await vscode.window.showQuickPick(
    clusters.map((c) => ({ label: c.name, description: c.context !== c.name ? `context ${c.context}` : undefined })),
    { title: 'Emit Test Event: Which Cluster?', placeHolder: 'Several clusters are watched: the one to write the event to' },
  );
  return pick?.label;
}

/** Reasons remembered for the reason prompt. */
const REASON_HISTORY = 10;
/** The button of the production-context warning. */
const CONFIRM_EMIT = 'Emit Test Event';

/** "Emit Test Event…": the recorder playground for controller authors. */
export class EmitCommand {
  constructor(private readonly deps: EmitDeps) {}

  run = async (arg?: unknown, input?: unknown): Promise<EmitReport | undefined> => {
    const cluster = await this.deps.pickCluster(arg);
    if (cluster === undefined) return undefined;
    const target = await this.deps.pickTarget(arg);
    if (!target) return undefined;
    const recorder = this.deps.recorder(cluster);
    if (!recorder) {
      void vscode.window.showErrorMessage(`Kube Events: ${NOT_CONNECTED}`);
      return undefined;
    }
    if (!(await this.confirmContext(cluster))) return undefined;
    // Read first, so a missing object is said before five prompts rather than after them.
    const before = await this.live(target, cluster);
    if (!before.ok) return this.refuse(target, before.message);
    const given = isEmitInput(input);
    const spec = given ? input : await this.ask(target);
    if (!spec) return undefined;
    // The prompts take a while: read again, so the resourceVersion is the object's current one.
    const live = given ? before : await this.live(target, cluster);
    if (!live.ok) return this.refuse(target, live.message);
    const report = await this.emit(recorder, target, live.value, spec);
    this.notifyOutcome(report);
    return report;
  };

  /** The live object's reference, read now (see {@link liveTarget}). */
  private async live(target: EmitTarget, cluster: string): Promise<Result<LiveTarget>> {
    return liveTarget(target, await this.deps.reference(target, cluster));
  }

  private refuse(target: EmitTarget, message: string): EmitReport {
    this.deps.log.warn(`[recorder] ${message}`);
    showErrorWithLog(this.deps.log, message);
    return { target, results: [], summary: message };
  }

  private async confirmContext(cluster: string): Promise<boolean> {
    const ctx = this.deps.contextName(cluster);
    const glob = confirmGlob(ctx, this.deps.confirmContexts());
    if (!glob) return true;
    const go = await vscode.window.showWarningMessage(
      `The context "${ctx}" looks like production (it matches "${glob}" in ${Settings.section}.${Settings.emitConfirmContexts}). Emit a test event into it?`,
      { modal: true, detail: 'Test events are real Events: anyone watching this cluster will see them, and alerting built on events may fire.' },
      CONFIRM_EMIT,
    );
    return go === CONFIRM_EMIT;
  }

  private async ask(target: EmitTarget): Promise<EmitInput | undefined> {
    const title = `Emit Test Event on ${target.kind}/${target.name}`;
    const type = await vscode.window.showQuickPick(
      EVENT_TYPES.map((t) => ({ label: t, description: t === 'Warning' ? 'stands out in every view' : '' })),
      { ignoreFocusOut: true, title: `${title} (1/5): type` },
    );
    if (!type) return undefined;
    const reason = await this.askReason(`${title} (2/5): reason`);
    if (reason === undefined) return undefined;
    const message = await vscode.window.showInputBox({
      title: `${title} (3/5): message`,
      ignoreFocusOut: true,
      prompt: 'The event message (core/v1) or note (events.k8s.io/v1).',
      value: `Test event from VS Code at ${new Date().toLocaleTimeString()}`,
      validateInput: validate.message,
    });
    if (message === undefined) return undefined;
    const flavour = await vscode.window.showQuickPick(
      [
        { label: 'core/v1', description: 'like record.EventRecorder: count, first/last timestamp', flavour: 'core/v1' as const },
        { label: 'events.k8s.io/v1', description: 'like events.EventRecorder: action, eventTime, series', flavour: 'events.k8s.io/v1' as const },
      ],
      { ignoreFocusOut: true, title: `${title} (4/5): API` },
    );
    if (!flavour) return undefined;
    let action: string | undefined;
    if (flavour.flavour === 'events.k8s.io/v1') {
      action = await vscode.window.showInputBox({
        title: `${title}: action`,
        ignoreFocusOut: true,
        prompt: 'What the controller did (required by events.k8s.io/v1), e.g. Reconciling.',
        value: 'Testing',
        validateInput: validate.action,
      });
      if (action === undefined) return undefined;
    }
    const burstText = await vscode.window.showInputBox({
      title: `${title} (5/5): how many`,
      ignoreFocusOut: true,
      prompt: '1 sends one event. More send identical events: count patches, aggregation after 10 distinct messages, the spam filter after 25, series in events.k8s.io/v1.',
      value: '1',
      validateInput: validate.burst,
    });
    if (burstText === undefined) return undefined;
    const burst = Number(burstText.trim());
    let intervalMs = 0;
    if (burst > 1) {
      const interval = await vscode.window.showInputBox({
        title: `${title}: interval`,
        ignoreFocusOut: true,
        prompt: 'Milliseconds between events.',
        value: String(DEFAULT_INTERVAL_MS),
        validateInput: validate.interval,
      });
      if (interval === undefined) return undefined;
      intervalMs = Number(interval.trim());
    }
    return { type: type.label as 'Normal' | 'Warning', reason, message, flavour: flavour.flavour, action, burst, intervalMs };
  }

  /** A reason with history; a reason that is not UpperCamelCase gets a hint, not a refusal. */
  private async askReason(title: string): Promise<string | undefined> {
    const history = this.deps.memento.get<string[]>(StateKeys.reasonHistory, []);
    const reason = await pickTypedValue({
      title,
      placeholder: 'UpperCamelCase, e.g. ReconcileFailed',
      value: history[0] ?? 'TestEvent',
      suggestions: history,
      describe: (v) => {
        if (!v) return { error: 'A reason is required' };
        if (v.length > REASON_LENGTH_LIMIT) return { error: `At most ${REASON_LENGTH_LIMIT} characters (this is ${v.length})` };
        const hint = reasonHint(v);
        return { description: 'the reason you typed', detail: hint ? `$(warning) ${hint}` : undefined };
      },
    });
    if (reason) await this.deps.memento.update(StateKeys.reasonHistory, addRecent(history, reason, REASON_HISTORY));
    return reason;
  }

  private async emit(recorder: Recorder, target: EmitTarget, live: LiveTarget, spec: EmitInput): Promise<EmitReport> {
    const burst = burstSize(spec);
    let results: RecordResult[] = [];
    if (burst === 1) {
      results = await sendBurst(recorder, live, spec);
    } else {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Emitting ${burst} ${spec.reason} events`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          results = await sendBurst(recorder, live, spec, { signal: abort.signal, onSent: (sent) => progress.report({ increment: 100 / burst, message: `${sent}/${burst}` }) });
        },
      );
    }
    return emitReport(target, live, spec, results);
  }

  /** Logs the summary and shows it: an error (with Show Log) when a send failed, a warning when one was not sent. */
  private notifyOutcome(report: EmitReport): void {
    const failed = report.results.find((r) => !r.ok);
    this.deps.log.info(`[recorder] ${report.summary}`);
    if (failed && !failed.ok) {
      this.deps.log.warn(`[recorder] ${failed.message}`);
      showErrorWithLog(this.deps.log, report.summary);
      return;
    }
    const skipped = report.results.some((r) => r.ok && r.value.outcome === 'skipped');
    const show = skipped ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`Kube Events: ${notificationText(report.summary)}`);
  }
}
