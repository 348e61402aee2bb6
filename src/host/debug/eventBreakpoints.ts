/**
 * Event breakpoints (docs/ARCHITECTURE.md §12): "Break on Events Matching…" and a launch configuration's
 * `kubeEvents.breakOn` pause the debuggee (DAP `pause`) when matching events arrive during its session.
 * Counting is core/query/eventBreakpoint.ts; this adapter arms a counter per root debug session (the
 * window's breakpoints and the session's own), feeds it the broadcaster's changes while the program runs,
 * asks the adapter to pause on a hit, and says which event fired it: a notification, the log, and the stop's
 * mark on the timeline (DebugFollower.eventBreak).
 */
import * as vscode from 'vscode';
import type { Broadcaster } from '../../core/events/broadcaster';
import type { EventChange } from '../../core/events/kubeEvent';
import type { OwnerLookup } from '../../core/owners/ownerGraph';
import { EventBreakpointCounter, parseEventBreakpoint, type EventBreakpointHit, type EventBreakpointSpec } from '../../core/query/eventBreakpoint';
import type { SessionRanges } from '../../core/query/evaluate';
import { oneLine } from '../../core/text/boundedText';
import { DisposableOwner } from '../disposable';
import { parseLaunchBlock, type DebugFollower } from './debugFollower';

export interface EventBreakpointDeps {
  readonly broadcaster: Broadcaster<EventChange>;
  readonly follower: DebugFollower;
  readonly owners: () => OwnerLookup | undefined;
  readonly sessions: () => SessionRanges;
  /** Tells the filter controller whether some breakpoint needs the owner graph (an `under:` term). */
  readonly ownerDemand: (text: string) => void;
  readonly log: vscode.LogOutputChannel;
  /** Reveals an event in the Events view. */
  readonly reveal: (uid: string) => void;
  readonly openSessionTimeline: () => void;
}

interface Armed {
  readonly session: vscode.DebugSession;
  readonly counter: EventBreakpointCounter;
  pausing: boolean;
}

/** What the last pause was (the extension-host tests read it). */
export interface EventBreakpointPause {
  readonly sessionId: string;
  readonly threadId: number;
  readonly hit: EventBreakpointHit;
  readonly at: number;
}

const MAX_WINDOW_BREAKPOINTS = 20;

export class EventBreakpoints extends DisposableOwner {
  private specs: EventBreakpointSpec[] = [];
  private readonly armed = new Map<string, Armed>();
  /** The newest pause an event breakpoint caused. */
  lastPause: EventBreakpointPause | undefined;

  constructor(private readonly deps: EventBreakpointDeps) {
    super();
    const watcher = deps.broadcaster.watch((batch) => this.feed(batch), { name: 'event-breakpoints' });
    this.register(
      watcher,
      vscode.debug.onDidStartDebugSession((s) => this.arm(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.armed.delete(s.id)),
    );
  }

  /** The window's breakpoints, as typed. */
  get texts(): readonly string[] {
    return this.specs.map((s) => s.text);
  }

  /**
   * Break on Events Matching…: a query (typed, or the argument: tests) adds a breakpoint for every debug
   * session, the running ones included; with breakpoints set it first offers to remove them. '' removes all.
   */
  command = async (arg?: unknown): Promise<readonly string[]> => {
    let text: string | undefined = typeof arg === 'string' ? arg : undefined;
    if (text === undefined) {
      if (this.specs.length > 0) {
        const add = { label: '$(add) Add an event breakpoint…' };
        const clear = { label: '$(clear-all) Remove all event breakpoints' };
        const items = [add, ...this.specs.map((s) => ({ label: `$(debug-breakpoint-log) ${s.text}`, description: 'remove', spec: s })), clear];
        const choice = await vscode.window.showQuickPick(items, { title: 'Event breakpoints' });
        if (!choice) return this.texts;
        if (choice === clear) text = '';
        else if ('spec' in choice) {
          this.setSpecs(this.specs.filter((s) => s !== choice.spec));
          return this.texts;
        }
      }
      text ??= await vscode.window.showInputBox({
        title: 'Break on Events Matching…',
        prompt: 'Pauses the debuggee when a matching event arrives during a debug session. count>N and within:1m make it a count or a rate.',
        placeHolder: 'reason:FailedCreate under:Website/shop/storefront count>3 within:1m',
        validateInput: (v) => (v.trim() === '' ? undefined : parseEventBreakpoint(v).ok ? undefined : (parseEventBreakpoint(v) as { message: string }).message),
      });
      if (text === undefined) return this.texts;
    }
    if (text.trim() === '') {
      this.setSpecs([]);
      return this.texts;
    }
    const parsed = parseEventBreakpoint(text);
    if (!parsed.ok) {
      void vscode.window.showWarningMessage(`Kube Events: no event breakpoint set: ${parsed.message}.`);
      return this.texts;
    }
    this.setSpecs([...this.specs.filter((s) => s.text !== parsed.value.text), parsed.value].slice(-MAX_WINDOW_BREAKPOINTS));
    this.deps.log.info(`[debug] event breakpoint set: ${parsed.value.text}`);
    return this.texts;
  };

  private setSpecs(specs: EventBreakpointSpec[]): void {
    this.specs = specs;
    this.demandOwners();
    // Running sessions take the new set from now on (their launch block's breakpoints stay).
    for (const [id, a] of [...this.armed]) {
      this.armed.delete(id);
      this.arm(a.session);
    }
    for (const s of vscode.debug.activeDebugSession ? [vscode.debug.activeDebugSession] : []) if (!this.armed.has(s.id) && !s.parentSession) this.arm(s);
  }

  private demandOwners(): void {
    const texts = [...this.specs.map((s) => s.query.text)];
    for (const a of this.armed.values()) texts.push(...a.counter.specs.map((s) => s.query.text));
    this.deps.ownerDemand(texts.find((t) => /(^|\s)under:/.test(t)) ?? '');
  }

  private arm(session: vscode.DebugSession): void {
    // Child sessions (a debug adapter's per-process ones) belong to their root: it is armed.
    if (session.parentSession || this.armed.has(session.id)) return;
    const { block } = parseLaunchBlock((session.configuration as { kubeEvents?: unknown }).kubeEvents);
    const own = (block.breakOn ?? []).flatMap((t) => {
      const p = parseEventBreakpoint(t);
      return p.ok ? [p.value] : [];
    });
    const specs = [...this.specs, ...own];
    if (specs.length === 0) return;
    this.armed.set(session.id, { session, counter: new EventBreakpointCounter(specs, Date.now()), pausing: false });
    this.deps.log.info(`[debug] "${oneLine(session.name, 80)}": ${specs.length} event breakpoint${specs.length === 1 ? '' : 's'} armed: ${specs.map((s) => s.text).join('; ')}`);
    this.demandOwners();
  }

  private feed(batch: readonly EventChange[]): void {
    if (this.armed.size === 0) return;
    const ctx = { now: Date.now(), owners: this.deps.owners(), sessions: this.deps.sessions() };
    for (const a of this.armed.values()) {
      const followed = this.deps.follower.all.find((s) => s.id === a.session.id);
      // A paused program cannot have caused what arrives now, and a pause already asked for is enough.
      const paused = followed?.stopped === true || a.pausing;
      for (const change of batch) {
        const hits = a.counter.feed(change, ctx);
        if (hits.length > 0 && !paused && !a.pausing) void this.pause(a, hits[0]);
      }
    }
  }

  private async pause(a: Armed, hit: EventBreakpointHit): Promise<void> {
    a.pausing = true;
    const e = hit.event;
    const what = `${e.type} ${e.reason} on ${e.regarding.kind}/${e.regarding.namespace ? `${e.regarding.namespace}/` : ''}${e.regarding.name}`;
    const count = hit.spec.threshold > 1 ? ` (${hit.occurrences} occurrences${hit.spec.withinMs !== undefined ? ' within the window' : ''})` : '';
    const text = oneLine(`${hit.spec.text}: ${what}${count}: ${e.message}`, 500);
    try {
      const threads = (await a.session.customRequest('threads')) as { threads?: Array<{ id?: unknown }> };
      const first = threads.threads?.find((t) => typeof t.id === 'number');
      const threadId = typeof first?.id === 'number' ? first.id : 1;
      this.deps.follower.eventBreak(a.session.id, { uid: e.uid, text });
      await a.session.customRequest('pause', { threadId });
      this.lastPause = { sessionId: a.session.id, threadId, hit, at: Date.now() };
      this.deps.log.info(`[debug] event breakpoint paused "${oneLine(a.session.name, 80)}": ${text}`);
      void vscode.window.showInformationMessage(`Kube Events paused "${oneLine(a.session.name, 60)}" on event breakpoint ${text}`, 'Show Event', 'Open Timeline').then((choice) => {
        if (choice === 'Show Event') this.deps.reveal(e.uid);
        else if (choice === 'Open Timeline') this.deps.openSessionTimeline();
      });
    } catch (err) {
      this.deps.log.warn(`[debug] event breakpoint "${hit.spec.text}" could not pause "${oneLine(a.session.name, 80)}": ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      a.pausing = false;
    }
  }
}
