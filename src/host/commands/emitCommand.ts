import * as vscode from 'vscode';
import { Settings, StateKeys } from '../../constants';
import { EVENT_TYPES, REASON_LENGTH_LIMIT, ACTION_LENGTH_LIMIT, NOTE_LENGTH_LIMIT, reasonHint, utf8Length } from '../../core/events/eventValidation';
import { globMatches } from '../../core/text/glob';
import type { EventApi } from '../../core/events/kubeEvent';
import { addRecent } from '../../core/recentList';
import type { Result } from '../../core/result';
import type { Recorder, RecordOutcome, RecordResult } from '../../kube/recorder';
import type { LiveReference } from '../../kube/resourceReader';
import { notificationText, showErrorWithLog } from '../notify';
import { pickTypedValue } from '../typedPick';

/** The resource an event is about, as picked (a tree row, the quick pick, a manifest, the Kubernetes extension's explorer). */
export interface EmitTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Known from a tree row's events; the live object's uid is what is sent. */
  readonly uid?: string;
}

/** Everything the command asks for; passing it skips the prompts (tests, other extensions). */
export interface EmitInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly flavour: EventApi;
  readonly action?: string;
  /** Events to send (1 = a single event). Repeats exercise deduplication, aggregation, the spam filter and series. */
  readonly burst?: number;
  readonly intervalMs?: number;
  /** involvedObject.fieldPath / regarding.fieldPath, e.g. `spec.containers{app}`; absent unless asked for. */
  readonly fieldPath?: string;
}

/** What happened, returned to callers and stated to the user. */
export interface EmitReport {
  readonly target: EmitTarget;
  /** The live object's reference the events named; absent when the object could not be read. */
  readonly reference?: LiveReference;
  /** Empty when nothing was sent because the object could not be read. */
  readonly results: readonly RecordResult[];
  readonly summary: string;
}

export interface EmitDeps {
  readonly contextName: () => string;
  readonly confirmContexts: () => readonly string[];
  readonly recorder: () => Recorder | undefined;
  readonly pickTarget: (arg: unknown) => Promise<EmitTarget | undefined>;
  /** Reads the object (client-go's GetReference needs it): undefined when not connected. */
  readonly reference: (target: EmitTarget) => Promise<Result<LiveReference> | undefined>;
  readonly memento: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
}

/** Reasons remembered for the reason prompt. */
const REASON_HISTORY = 10;
/** Events one run sends at most: well past where aggregation (10) and the spam filter (25) set in. */
const MAX_BURST = 500;
/** The interval a burst starts with, and the longest one accepted. */
const DEFAULT_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 60_000;
const NOT_CONNECTED = 'not connected to a cluster, so there is nowhere to emit an event. Check the status bar or the log.';
/** The button of the production-context warning. */
const CONFIRM_EMIT = 'Emit Test Event';

function isEmitInput(v: unknown): v is EmitInput {
  const o = v as Partial<EmitInput> | undefined;
  return !!o && typeof o.type === 'string' && typeof o.reason === 'string' && typeof o.message === 'string' && (o.flavour === 'core/v1' || o.flavour === 'events.k8s.io/v1') && (o.fieldPath === undefined || typeof o.fieldPath === 'string');
}

function describeOutcome(o: RecordOutcome): string {
  const where = `${o.namespace}/${o.name}`;
  switch (o.outcome) {
    case 'created':
      return `created ${where}`;
    case 'patched':
      return `patched ${where} (count ${o.count})`;
    case 'skipped':
      return `not sent: ${o.explanation}`;
  }
}

/** "Emit Test Event…": the recorder playground for controller authors. */
export class EmitCommand {
  constructor(private readonly deps: EmitDeps) {}

  run = async (arg?: unknown, input?: unknown): Promise<EmitReport | undefined> => {
    const target = await this.deps.pickTarget(arg);
    if (!target) return undefined;
    const recorder = this.deps.recorder();
    if (!recorder) {
      void vscode.window.showErrorMessage(`Kube Events: ${NOT_CONNECTED}`);
      return undefined;
    }
    if (!(await this.confirmContext())) return undefined;
    // Read first, so a missing object is said before five prompts rather than after them.
    const before = await this.live(target);
    if (!before.ok) return this.refuse(target, before.message);
    const given = isEmitInput(input);
    const spec = given ? input : await this.ask(target);
    if (!spec) return undefined;
    // The prompts take a while: read again, so the resourceVersion is the object's current one.
    const live = given ? before : await this.live(target);
    if (!live.ok) return this.refuse(target, live.message);
    const report = await this.emit(recorder, target, live.value, spec);
    this.notifyOutcome(report);
    return report;
  };

  /**
   * The reference client-go's `GetReference` would build from the live object: uid and resourceVersion
   * included, no fieldPath. A missing object is refused; a GET that RBAC forbids sends what the pick knew,
   * and says so.
   */
  private async live(target: EmitTarget): Promise<Result<{ ref: LiveReference; notes: string[] }>> {
    const what = `${target.kind}/${target.name}`;
    const read = await this.deps.reference(target);
    if (!read) return { ok: false, reason: 'not-connected', message: NOT_CONNECTED };
    if (read.ok) {
      const notes = target.uid && target.uid !== read.value.uid ? [`${what} was re-created since the events in the tree: the event names the live object (uid ${read.value.uid})`] : [];
      return { ok: true, value: { ref: read.value, notes } };
    }
    if (read.reason === 'not-found') {
      return { ok: false, reason: read.reason, message: `The test event was not sent: ${read.message} An event names a live object by its uid and resourceVersion, as client-go's recorder does. Create the object, or pick another.` };
    }
    if (read.reason === 'forbidden') {
      const ref: LiveReference = { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, uid: target.uid ?? '', resourceVersion: '' };
      return { ok: true, value: { ref, notes: [`${what} could not be read, so the event carries ${target.uid ? 'the uid from its earlier events and no resourceVersion' : 'no uid or resourceVersion'}: ${read.message}`] } };
    }
    return { ok: false, reason: read.reason, message: `The test event on ${what} was not sent: ${read.message}` };
  }

  private refuse(target: EmitTarget, message: string): EmitReport {
    this.deps.log.warn(`[recorder] ${message}`);
    showErrorWithLog(this.deps.log, message);
    return { target, results: [], summary: message };
  }

  private async confirmContext(): Promise<boolean> {
    const ctx = this.deps.contextName();
    const glob = this.deps.confirmContexts().find((g) => globMatches(g, ctx));
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
      validateInput: (v) => (utf8Length(v) > NOTE_LENGTH_LIMIT ? `The apiserver allows at most ${NOTE_LENGTH_LIMIT} bytes; this is ${utf8Length(v)}.` : undefined),
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
        validateInput: (v) => (!v.trim() ? 'action is required' : v.length > ACTION_LENGTH_LIMIT ? `at most ${ACTION_LENGTH_LIMIT} characters` : undefined),
      });
      if (action === undefined) return undefined;
    }
    const burstText = await vscode.window.showInputBox({
      title: `${title} (5/5): how many`,
      ignoreFocusOut: true,
      prompt: '1 sends one event. More send identical events: count patches, aggregation after 10 distinct messages, the spam filter after 25, series in events.k8s.io/v1.',
      value: '1',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= MAX_BURST ? undefined : `a number from 1 to ${MAX_BURST}`),
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
        validateInput: (v) => (/^\d+$/.test(v.trim()) && +v <= MAX_INTERVAL_MS ? undefined : `a number of milliseconds up to ${MAX_INTERVAL_MS}`),
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

  private async emit(recorder: Recorder, target: EmitTarget, live: { ref: LiveReference; notes: string[] }, spec: EmitInput): Promise<EmitReport> {
    const burst = Math.max(1, Math.min(MAX_BURST, Math.floor(spec.burst ?? 1)));
    const results: RecordResult[] = [];
    const once = (signal?: AbortSignal): Promise<RecordResult> =>
      recorder.emit({ object: { ...live.ref, fieldPath: spec.fieldPath }, type: spec.type, reason: spec.reason, message: spec.message, flavour: spec.flavour, action: spec.action, signal });
    if (burst === 1) {
      results.push(await once());
    } else {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Emitting ${burst} ${spec.reason} events`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          for (let i = 0; i < burst && !abort.signal.aborted; i++) {
            const r = await once(abort.signal);
            results.push(r);
            progress.report({ increment: 100 / burst, message: `${i + 1}/${burst}` });
            if (!r.ok) break;
            if (spec.intervalMs && i < burst - 1) await new Promise((res) => setTimeout(res, spec.intervalMs));
          }
        },
      );
    }
    const summary = summarise(target, spec, results);
    return { target, reference: live.ref, results, summary: live.notes.length ? `${summary} Note: ${live.notes.join('; ')}.` : summary };
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

/** One sentence a person can act on: where the event went, what the correlator did, or why it was refused. */
function summarise(target: EmitTarget, spec: Pick<EmitInput, 'type' | 'reason' | 'flavour'>, results: readonly RecordResult[]): string {
  const what = `${spec.type} ${spec.reason} on ${target.kind}/${target.name} (${spec.flavour})`;
  const failure = results.find((r) => !r.ok);
  const ok = results.filter((r): r is Extract<RecordResult, { ok: true }> => r.ok).map((r) => r.value);
  if (failure && !failure.ok) {
    const sent = ok.length ? ` after ${ok.length} sent` : '';
    return `${what} was not sent${sent}: ${failure.message}`;
  }
  if (ok.length === 1) return `${what}: ${describeOutcome(ok[0])}. ${ok[0].explanation}`;
  const count = (k: RecordOutcome['outcome']): number => ok.filter((o) => o.outcome === k).length;
  const last = ok[ok.length - 1];
  const skippedWhy = ok.find((o) => o.outcome === 'skipped')?.explanation;
  return `${what}: ${ok.length} emitted — ${count('created')} created, ${count('patched')} patched, ${count('skipped')} not sent${skippedWhy ? ` (${skippedWhy})` : ''}. Last: ${describeOutcome(last)}.`;
}
