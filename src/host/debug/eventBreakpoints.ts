/**
 * Event breakpoints (docs/ARCHITECTURE.md §12): "Break on Events Matching…" and a launch configuration's
 * `kubeEvents.breakOn` stop the debuggee when matching events arrive during its session.
 * Counting is core/query/eventBreakpoint.ts; this adapter arms a counter per root debug session (the
 * window's breakpoints and the session's own) and feeds it the broadcaster's changes while the program runs.
 * On a hit it asks Go to Emitter (goToEmitter.ts) which recorder call wrote the event. When one fits, a
 * one-shot source breakpoint on that call (the best-ranked ones) stops the program the next time it records
 * the event, inside the reconcile that caused it; the breakpoint is removed at the first stop, at the session's
 * end, or after {@link ONE_SHOT_MS} without a hit, which then falls back to DAP `pause`. When none fits (recorded
 * outside the workspace), DAP `pause` at once. Either way it says which event fired it and where the program
 * stopped: a notification, the log, and the stop's mark on the timeline (DebugFollower.eventBreak / tagStop).
 */
import * as vscode from 'vscode';
import type { Broadcaster } from '../../core/events/broadcaster';
import type { EventChange, KubeEvent } from '../../core/events/kubeEvent';
import type { OwnerLookup } from '../../core/owners/ownerGraph';
import { EventBreakpointCounter, parseEventBreakpoint, type EventBreakpointHit, type EventBreakpointSpec } from '../../core/query/eventBreakpoint';
import type { SessionRanges } from '../../core/query/evaluate';
import { oneLine } from '../../core/text/boundedText';
import type { EmitterCandidateDto, EmitterResult } from '../../protocol/emitters';
import { DisposableOwner } from '../disposable';
import { where } from '../emitter/goToEmitter';
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
  /** Go to Emitter's ranking of the recorder calls that could have written an event; throws saying what failed. */
  readonly emitters: (event: KubeEvent) => Promise<EmitterResult>;
  /** How long a one-shot breakpoint waits for its hit before DAP `pause`; {@link ONE_SHOT_MS} by default. */
  readonly oneShotMs?: number;
}

interface Armed {
  readonly session: vscode.DebugSession;
  readonly counter: EventBreakpointCounter;
  pausing: boolean;
}

/** What the last stop an event breakpoint caused was (the extension-host tests read it). */
export interface EventBreakpointPause {
  readonly sessionId: string;
  readonly threadId: number;
  readonly hit: EventBreakpointHit;
  readonly at: number;
  /** The recorder call the program stopped at (its one-shot breakpoint); undefined for a DAP `pause`. */
  readonly recorderCall?: EmitterCandidateDto;
  /** What the notification said about where it stopped. */
  readonly said: string;
}

/** A one-shot source breakpoint on the recorder calls that wrote a hit's event, waiting for the next record. */
interface OneShot {
  readonly session: vscode.DebugSession;
  readonly hit: EventBreakpointHit;
  readonly text: string;
  /** Parallel arrays: the breakpoints set and the calls they stand on. */
  readonly breakpoints: readonly vscode.SourceBreakpoint[];
  readonly calls: readonly EmitterCandidateDto[];
  readonly timer: ReturnType<typeof setTimeout>;
}

interface StoppedBody {
  readonly reason?: unknown;
  readonly threadId?: unknown;
  readonly hitBreakpointIds?: unknown;
}

const MAX_WINDOW_BREAKPOINTS = 20;
/** How long a one-shot breakpoint waits for the controller to record the event again. */
const ONE_SHOT_MS = 30_000;
/** Recorder calls sharing the best rank that get a one-shot breakpoint each. */
const MAX_ONE_SHOTS = 3;
/** How long the language server may take to rank the recorder calls before the program is paused anyway. */
const RANK_TIMEOUT_MS = 10_000;

export class EventBreakpoints extends DisposableOwner {
  private specs: EventBreakpointSpec[] = [];
  private readonly armed = new Map<string, Armed>();
  /** By root session id. */
  private readonly oneShots = new Map<string, OneShot>();
  /** The newest pause an event breakpoint caused. */
  lastPause: EventBreakpointPause | undefined;

  constructor(private readonly deps: EventBreakpointDeps) {
    super();
    const watcher = deps.broadcaster.watch((batch) => this.feed(batch), { name: 'event-breakpoints' });
    this.register(
      watcher,
      vscode.debug.onDidStartDebugSession((s) => this.arm(s)),
      vscode.debug.onDidTerminateDebugSession((s) => {
        this.armed.delete(s.id);
        this.dropOneShot(s.id, 'the session ended');
      }),
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: { type?: unknown; event?: unknown; body?: StoppedBody }) => {
            if (m?.type === 'event' && m.event === 'stopped') void this.stopped(rootOf(session).id, m.body ?? {});
          },
        }),
      }),
      // The one-shot breakpoints are ours: none outlives the extension.
      { dispose: () => [...this.oneShots.keys()].forEach((id) => this.dropOneShot(id, 'the extension stopped')) },
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
      const paused = followed?.stopped === true || a.pausing || this.oneShots.has(a.session.id);
      for (const change of batch) {
        const hits = a.counter.feed(change, ctx);
        if (hits.length > 0 && !paused && !a.pausing) void this.fire(a, hits[0]);
      }
    }
  }

  /** A hit: a one-shot breakpoint on the recorder call that wrote the event when one fits, else DAP `pause`. */
  private async fire(a: Armed, hit: EventBreakpointHit): Promise<void> {
    a.pausing = true;
    const e = hit.event;
    const what = `${e.type} ${e.reason} on ${e.regarding.kind}/${e.regarding.namespace ? `${e.regarding.namespace}/` : ''}${e.regarding.name}`;
    const count = hit.spec.threshold > 1 ? ` (${hit.occurrences} occurrences${hit.spec.withinMs !== undefined ? ' within the window' : ''})` : '';
    const text = oneLine(`${hit.spec.text}: ${what}${count}: ${e.message}`, 500);
    try {
      let outside = 'the event was recorded outside this workspace';
      let calls: EmitterCandidateDto[] = [];
      if (e.reason) {
        try {
          const result = await new Promise<EmitterResult>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no answer within ${RANK_TIMEOUT_MS / 1000}s`)), RANK_TIMEOUT_MS);
            this.deps.emitters(e).then(resolve, reject).finally(() => clearTimeout(timer));
          });
          const best = result.candidates[0]?.score;
          calls = result.candidates.filter((c) => c.score === best).slice(0, MAX_ONE_SHOTS);
          if (calls.length === 0) outside += ` (no recorder call among its ${result.filesIndexed} Go files records "${oneLine(e.reason, 80)}")`;
        } catch (err) {
          outside = `Go to Emitter could not say which recorder call wrote the event: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      // The session may have ended, or stopped, while the language server answered.
      const followed = this.deps.follower.all.find((s) => s.id === a.session.id);
      if (this.armed.get(a.session.id)?.session !== a.session || followed?.end !== undefined) return;
      if (calls.length > 0 && followed?.stopped !== true) this.armOneShot(a.session, hit, text, calls);
      else if (followed?.stopped !== true) await this.pauseNow(a.session, hit, text, outside);
    } finally {
      a.pausing = false;
    }
  }

  private armOneShot(session: vscode.DebugSession, hit: EventBreakpointHit, text: string, calls: readonly EmitterCandidateDto[]): void {
    const breakpoints = calls.map((c) => new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.parse(c.uri), new vscode.Position(c.range.start.line, 0))));
    const ms = this.deps.oneShotMs ?? ONE_SHOT_MS;
    const timer = setTimeout(() => void this.timedOut(session.id), ms);
    this.oneShots.set(session.id, { session, hit, text, breakpoints, calls, timer });
    vscode.debug.addBreakpoints(breakpoints);
    this.deps.log.info(
      `[debug] event breakpoint fired in "${oneLine(session.name, 80)}": ${text}; one-shot breakpoint on the recorder call that wrote it (${calls.map(where).join(', ')}), for up to ${Math.round(ms / 1000)}s`,
    );
  }

  /** Removes a session's one-shot breakpoints (they must not linger in the user's list); returns what they were. */
  private dropOneShot(sessionId: string, why: string): OneShot | undefined {
    const o = this.oneShots.get(sessionId);
    if (!o) return undefined;
    this.oneShots.delete(sessionId);
    clearTimeout(o.timer);
    vscode.debug.removeBreakpoints(o.breakpoints);
    this.deps.log.info(`[debug] one-shot breakpoint at ${o.calls.map(where).join(', ')} removed: ${why}`);
    return o;
  }

  /** A stop while a one-shot breakpoint waits: at that breakpoint (the recorder call), or elsewhere first. */
  private async stopped(sessionId: string, body: StoppedBody): Promise<void> {
    const o = this.oneShots.get(sessionId);
    if (!o) return;
    // Which breakpoint the adapter says it hit (DAP hitBreakpointIds), asked before the breakpoints go; VS Code
    // may not know a just-set breakpoint's adapter id yet, so else the stopped thread's top frame decides.
    let hitIndex = -1;
    if (Array.isArray(body.hitBreakpointIds)) {
      const hitIds: unknown[] = body.hitBreakpointIds;
      const ids = await Promise.all(o.breakpoints.map((bp) => o.session.getDebugProtocolBreakpoint(bp).then((d) => (d && 'id' in d ? d.id : undefined), () => undefined)));
      hitIndex = ids.findIndex((id) => id !== undefined && hitIds.includes(id));
    }
    if (hitIndex < 0 && body.reason === 'breakpoint' && typeof body.threadId === 'number') {
      try {
        const trace = (await o.session.customRequest('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 })) as { stackFrames?: Array<{ line?: unknown; source?: { path?: unknown } }> };
        const top = trace.stackFrames?.[0];
        // A remote window reports the path as a URI of the same file: compare the path's end.
        hitIndex = o.calls.findIndex((c) => top?.line === c.range.start.line + 1 && typeof top.source?.path === 'string' && top.source.path.endsWith(vscode.Uri.parse(c.uri).path));
      } catch {
        // no stack: not ours to claim
      }
    }
    if (this.oneShots.get(sessionId) !== o) return;
    const call = o.calls[hitIndex];
    this.dropOneShot(sessionId, call ? 'the program stopped at it' : `the program stopped elsewhere first (${typeof body.reason === 'string' ? oneLine(body.reason, 40) : 'a stop'})`);
    if (!call) return;
    const threadId = typeof body.threadId === 'number' ? body.threadId : 1;
    const said = `stopped at the recorder call in ${where(call)} that wrote ${o.text}`;
    this.deps.follower.tagStop(sessionId, { uid: o.hit.event.uid, text: `${o.text} (at ${where(call)})` });
    this.lastPause = { sessionId, threadId, hit: o.hit, at: Date.now(), recorderCall: call, said };
    this.notify(o.session, o.hit.event.uid, said);
  }

  /** No hit within the bound: the program no longer records that event (or not here), so pause it where it is. */
  private async timedOut(sessionId: string): Promise<void> {
    const o = this.dropOneShot(sessionId, `not reached within ${Math.round((this.deps.oneShotMs ?? ONE_SHOT_MS) / 1000)}s`);
    const followed = this.deps.follower.all.find((s) => s.id === sessionId);
    if (!o || followed?.end !== undefined || followed?.stopped === true) return;
    await this.pauseNow(o.session, o.hit, o.text, `the recorder call in ${o.calls.map(where).join(' or ')} was not reached again within ${Math.round((this.deps.oneShotMs ?? ONE_SHOT_MS) / 1000)}s`);
  }

  private notify(session: vscode.DebugSession, uid: string, said: string): void {
    this.deps.log.info(`[debug] event breakpoint: "${oneLine(session.name, 80)}" ${said}`);
    void vscode.window.showInformationMessage(`Kube Events: "${oneLine(session.name, 60)}" ${said}`, 'Show Event', 'Open Timeline').then((choice) => {
      if (choice === 'Show Event') this.deps.reveal(uid);
      else if (choice === 'Open Timeline') this.deps.openSessionTimeline();
    });
  }

  /** DAP `pause`: the program stops wherever it is; `why` says why not at the recorder call. */
  private async pauseNow(session: vscode.DebugSession, hit: EventBreakpointHit, text: string, why: string): Promise<void> {
    try {
      const threads = (await session.customRequest('threads')) as { threads?: Array<{ id?: unknown }> };
      const first = threads.threads?.find((t) => typeof t.id === 'number');
      const threadId = typeof first?.id === 'number' ? first.id : 1;
      this.deps.follower.eventBreak(session.id, { uid: hit.event.uid, text });
      await session.customRequest('pause', { threadId });
      const said = `paused on event breakpoint ${text}: ${why}, so it stopped wherever it was`;
      this.lastPause = { sessionId: session.id, threadId, hit, at: Date.now(), said };
      this.notify(session, hit.event.uid, said);
    } catch (err) {
      this.deps.log.warn(`[debug] event breakpoint "${hit.spec.text}" could not pause "${oneLine(session.name, 80)}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function rootOf(session: vscode.DebugSession): vscode.DebugSession {
  let s = session;
  while (s.parentSession) s = s.parentSession;
  return s;
}
