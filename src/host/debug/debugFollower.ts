/**
 * Follows debug sessions, free of `vscode` so it runs under plain Node; {@link DebugSessionAdapter} feeds it
 * what VS Code reports (sessions starting and ending, debug adapters' `stopped`/`continued`) and shows what it
 * says. It keeps:
 * - each root session's time range (child sessions, as js-debug starts one per process, count as their root),
 *   which `session:current` / `session:last` evaluate against (src/core/query/evaluate.ts);
 * - the stops at breakpoints and the continues, as timeline markers;
 * - the launch configuration's `kubeEvents` block: a filter (plus `source:` for `controller`) and a context
 *   applied for the session's life, the previous ones restored at its end unless the user changed them since;
 * - at the end, a summary of the events last seen during the session, counted by reason, saying which field
 *   it counted by (the launch block's `controller` is matched against `reportingController` alone).
 *
 * A bad `kubeEvents` block never stops a session: what is wrong is said once, and the rest still applies.
 */
import { Emitter, type Subscribe } from '../../core/emitter';
import type { KubeEvent } from '../../core/events/kubeEvent';
import type { Clock, Logger } from '../../core/ports';
import type { SessionRanges } from '../../core/query/evaluate';
import { parseQuery } from '../../core/query/parse';
import { DisposableOwner } from '../disposable';
import { MAX_DEBUG_MARKS } from '../../protocol/webview';
import { matchStart, summarize } from './debugText';
import { parseEventBreakpoint } from '../../core/query/eventBreakpoint';

/** A stop at a breakpoint (or a step's end, an exception, a pause) or a continue, in epoch milliseconds. */
export interface DebugMark {
  readonly kind: 'stopped' | 'continued';
  readonly at: number;
  /** The debug adapter's `stopped` reason (`breakpoint`, `step`, `exception`, `pause`…), '' for a continue. */
  readonly reason: string;
  /** An event breakpoint paused the debuggee here: the event that fired it and what to say (eventBreakpoints.ts). */
  readonly trigger?: { readonly uid: string; readonly text: string };
}

/** The `kubeEvents` block of a launch configuration, validated. */
export interface LaunchBlock {
  readonly filter?: string;
  readonly controller?: string;
  readonly context?: string;
  /** Event breakpoints (`kubeEvents.breakOn`: one query or a list), each checked by parseEventBreakpoint. */
  readonly breakOn?: readonly string[];
}

/** One followed (root) debug session. */
export interface FollowedSession {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly start: number;
  /** Set when it ended. */
  end: number | undefined;
  readonly block: LaunchBlock;
  readonly marks: DebugMark[];
  /** Paused at a breakpoint (or a step) right now. */
  stopped: boolean;
}

/**
 * What a summary counted by: every event last seen during the session, or only those whose `reportingController`
 * (core/v1 `reportingComponent`, else `source.component`) is the launch block's `controller`. Any writer of
 * events sets that field, so the summary names it rather than claiming who emitted what.
 */
export type SummaryCount = 'lastSeen' | 'reportingController';

/** What a session's end reports: the events that arrived during it, by reason. */
export interface SessionSummary {
  readonly session: FollowedSession;
  /** `controller` from the launch block: only events whose reportingController is this are counted. */
  readonly controller: string | undefined;
  readonly countedBy: SummaryCount;
  readonly total: number;
  readonly warnings: number;
  /** Reason and number of events, most first, then by name. */
  readonly byReason: ReadonlyArray<readonly [string, number]>;
  /** The notification text. */
  readonly text: string;
}

/** What the follower changes and reads around it; the composition root wires these to the real parts. */
export interface DebugFollowerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** `kubeEvents.debug.follow`, read at each session start. */
  readonly enabled: () => boolean;
  /** The shared filter (tree, timeline, export). */
  readonly filter: {
    readonly text: string;
    /** Applies a query; returns the error message (and changes nothing) when it does not parse. */
    set(text: string): string | undefined;
  };
  /** The kubeconfig context being watched. */
  readonly context: {
    readonly current: string;
    /** The contexts the kubeconfig defines, or a message saying why they cannot be read. */
    names(): readonly string[] | string;
    switchTo(name: string): void;
  };
  /** Every event held, for the summary. */
  readonly events: () => Iterable<KubeEvent>;
  /** Shows what is wrong with a session's launch block: called at most once per session. */
  readonly warn: (message: string) => void;
  /** Shows the summary of a session that ended. */
  readonly summarize: (summary: SessionSummary) => void;
}

/**
 * What changed about the followed sessions: `rangesMoved` when one started or ended (what `session:` matches
 * moved); a stop or continue only adds a mark.
 */
export interface DebugChange {
  readonly rangesMoved: boolean;
}

/** Ended sessions kept (for `session:last`, the timeline's markers and the tree's separator). */
const MAX_SESSIONS = 10;
/** Marks kept per session: a loop of steps must not grow without bound. */
const MAX_MARKS = MAX_DEBUG_MARKS;
type Raw = Record<string, unknown>;
/** How long after an event breakpoint's pause request its `stopped` event may come. */
const TRIGGER_MATCH_MS = 10_000;
/** Event breakpoints a launch block may set. */
const MAX_LAUNCH_BREAKPOINTS = 20;

/**
 * Validates a launch configuration's `kubeEvents` value. Unknown keys and wrong types are problems; what is
 * valid is kept. The filter is checked by the query parser later, together with the controller's term.
 */
export function parseLaunchBlock(raw: unknown): { block: LaunchBlock; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined) return { block: {}, problems };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { block: {}, problems: ['"kubeEvents" must be an object with "filter", "controller" and "context"'] };
  }
  const o = raw as Raw;
  const block: { filter?: string; controller?: string; context?: string; breakOn?: string[] } = {};
  for (const key of Object.keys(o)) {
    const value = o[key];
    if (key === 'breakOn') {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
      if (!list) {
        problems.push('"kubeEvents.breakOn" must be a query string or a list of them');
        continue;
      }
      const good: string[] = [];
      for (const text of list.slice(0, MAX_LAUNCH_BREAKPOINTS)) {
        const parsed = parseEventBreakpoint(text);
        if (parsed.ok) good.push(parsed.value.text);
        else problems.push(`"kubeEvents.breakOn" ${JSON.stringify(text.slice(0, 60))}: ${parsed.message}`);
      }
      if (good.length > 0) block.breakOn = good;
    } else if (key !== 'filter' && key !== 'controller' && key !== 'context') {
      problems.push(`unknown key "kubeEvents.${key.slice(0, 40)}"; the keys are filter, controller, context and breakOn`);
    } else if (typeof value !== 'string') {
      problems.push(`"kubeEvents.${key}" must be a string`);
    } else if (value.trim() === '') {
      problems.push(`"kubeEvents.${key}" is empty`);
    } else if (key === 'controller' && /[\s"\\]/.test(value.trim())) {
      problems.push(`"kubeEvents.controller" ${JSON.stringify(value.slice(0, 60))} is not a controller name (no spaces or quotes)`);
    } else {
      block[key] = value.trim();
    }
  }
  return { block, problems };
}

/** The filter a launch block applies: its `filter` and, for `controller`, a `source:` term. */
export function launchFilterText(block: LaunchBlock): string {
  return [block.filter, block.controller ? `source:${block.controller}` : undefined].filter(Boolean).join(' ');
}

/** The per-launch overrides in effect, and what to restore. */
interface Override {
  readonly sessionId: string;
  filter?: { readonly applied: string; readonly previous: string };
  context?: { readonly applied: string; readonly previous: string };
}

export class DebugFollower extends DisposableOwner {
  private readonly sessions: FollowedSession[] = [];
  /** Child session id → root session id. */
  private readonly roots = new Map<string, string>();
  private override: Override | undefined;
  private readonly changed = this.register(new Emitter<DebugChange>());
  /** Fires when a session starts, stops, continues or ends. */
  readonly onDidChange: Subscribe<DebugChange> = this.changed.event;
  private lastSummary: SessionSummary | undefined;
  private readonly problems: string[] = [];

  constructor(private readonly deps: DebugFollowerDeps) {
    super();
  }

  /** Followed sessions, oldest first (at most {@link MAX_SESSIONS} besides the running ones). */
  get all(): readonly FollowedSession[] {
    return this.sessions;
  }

  /** The newest running root session. */
  get current(): FollowedSession | undefined {
    for (let i = this.sessions.length - 1; i >= 0; i--) if (this.sessions[i].end === undefined) return this.sessions[i];
    return undefined;
  }

  /** The newest root session, running or ended. */
  get last(): FollowedSession | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  /** The summary of the session that ended last. */
  get summary(): SessionSummary | undefined {
    return this.lastSummary;
  }

  /** Every launch-block problem reported so far (one entry per session that had any). */
  get reported(): readonly string[] {
    return this.problems;
  }

  /** What `session:` evaluates against. */
  ranges(): SessionRanges {
    const range = (s: FollowedSession | undefined) => (s ? (s.end === undefined ? { start: matchStart(s.start) } : { start: matchStart(s.start), end: s.end }) : undefined);
    const current = range(this.current);
    const last = range(this.last);
    return { ...(current ? { current } : {}), ...(last ? { last } : {}) };
  }

  /**
   * A debug session started. `parentId` names the session that started it (then this one counts as part of
   * its root); `kubeEvents` is the launch configuration's block, unvalidated.
   */
  start(id: string, name: string, type: string, parentId: string | undefined, kubeEvents: unknown): void {
    const parentRoot = parentId !== undefined ? (this.roots.get(parentId) ?? (this.find(parentId) ? parentId : undefined)) : undefined;
    if (parentRoot !== undefined) {
      this.roots.set(id, parentRoot);
      return;
    }
    if (!this.deps.enabled()) return;
    const { block, problems } = parseLaunchBlock(kubeEvents);
    const session: FollowedSession = { id, name, type, start: this.deps.clock.now(), end: undefined, block, marks: [], stopped: false };
    this.sessions.push(session);
    this.prune();
    this.deps.logger.info(`[debug] session "${name}" (${type}) started${kubeEvents !== undefined ? ` with kubeEvents ${JSON.stringify(kubeEvents).slice(0, 300)}` : ''}`);
    this.applyBlock(session, problems);
    if (problems.length > 0) {
      const message = `the "kubeEvents" block of launch configuration "${name}": ${problems.join('; ')}. The debug session runs anyway.`;
      this.problems.push(message);
      this.deps.logger.warn(`[debug] ${message}`);
      this.deps.warn(message);
    }
    this.changed.fire({ rangesMoved: true });
  }

  /** The debug adapter reported a stop (`reason` as in DAP's `stopped` event). */
  stopped(id: string, reason: string): void {
    const s = this.rootOf(id);
    if (!s || s.end !== undefined) return;
    s.stopped = true;
    const now = this.deps.clock.now();
    // The `stopped` that answers an event breakpoint's pause carries the event that fired it.
    const trigger = this.pendingTrigger?.sessionId === s.id && now - this.pendingTrigger.at < TRIGGER_MATCH_MS ? this.pendingTrigger.trigger : undefined;
    this.pendingTrigger = undefined;
    this.mark(s, { kind: 'stopped', at: now, reason: reason.slice(0, 64), ...(trigger ? { trigger } : {}) });
  }

  /** An event breakpoint is pausing session `id`: the next stop is marked with the event that fired it. */
  eventBreak(id: string, trigger: { readonly uid: string; readonly text: string }): void {
    const s = this.rootOf(id);
    if (s && s.end === undefined) this.pendingTrigger = { sessionId: s.id, at: this.deps.clock.now(), trigger };
  }

  /**
   * An event breakpoint's one-shot source breakpoint stopped session `id` (eventBreakpoints.ts): its latest stop,
   * already marked when the adapter reported it, is marked with the event that armed it.
   */
  tagStop(id: string, trigger: { readonly uid: string; readonly text: string }): void {
    const s = this.rootOf(id);
    const last = s?.marks[s.marks.length - 1];
    if (!s || s.end !== undefined || last?.kind !== 'stopped') return;
    s.marks[s.marks.length - 1] = { ...last, trigger };
    this.changed.fire({ rangesMoved: false });
  }

  private pendingTrigger: { sessionId: string; at: number; trigger: { readonly uid: string; readonly text: string } } | undefined;

  /** The program runs again (a continue, a step); repeated reports while running count once. */
  continued(id: string): void {
    const s = this.rootOf(id);
    if (!s || s.end !== undefined || !s.stopped) return;
    s.stopped = false;
    this.mark(s, { kind: 'continued', at: this.deps.clock.now(), reason: '' });
  }

  /** A session ended: the root's end restores the per-launch filter and context and reports the summary. */
  end(id: string): void {
    const rootId = this.roots.get(id);
    if (rootId !== undefined) {
      this.roots.delete(id);
      return;
    }
    const s = this.find(id);
    if (!s || s.end !== undefined) return;
    s.end = this.deps.clock.now();
    s.stopped = false;
    for (const [child, root] of this.roots) if (root === id) this.roots.delete(child);
    // Counted before the restore: switching the context back starts a new history (src/kube/clusterSession.ts).
    this.lastSummary = summarize(s, this.deps.events());
    this.restore(id);
    this.deps.logger.info(`[debug] ${this.lastSummary.text}`);
    this.changed.fire({ rangesMoved: true });
    this.deps.summarize(this.lastSummary);
  }

  /** A launch block still applied is restored before the emitter goes. */
  override dispose(): void {
    if (!this.isDisposed && this.override) this.restore(this.override.sessionId);
    super.dispose();
  }

  private find(id: string): FollowedSession | undefined {
    return this.sessions.find((s) => s.id === id);
  }

  private rootOf(id: string): FollowedSession | undefined {
    return this.find(this.roots.get(id) ?? id);
  }

  private mark(s: FollowedSession, mark: DebugMark): void {
    if (s.marks.length >= MAX_MARKS) s.marks.splice(0, s.marks.length - MAX_MARKS + 1);
    s.marks.push(mark);
    this.changed.fire({ rangesMoved: false });
  }

  private prune(): void {
    let ended = this.sessions.filter((s) => s.end !== undefined).length;
    for (let i = 0; i < this.sessions.length && ended > MAX_SESSIONS; ) {
      if (this.sessions[i].end !== undefined) {
        this.sessions.splice(i, 1);
        ended--;
      } else i++;
    }
  }

  private applyBlock(session: FollowedSession, problems: string[]): void {
    const { block } = session;
    if (!block.filter && !block.controller && !block.context) return;
    if (this.override) {
      const other = this.find(this.override.sessionId);
      problems.push(`the launch settings of "${other?.name ?? 'another session'}" are in effect until it ends, so these are not applied`);
      return;
    }
    const override: Override = { sessionId: session.id };
    if (block.context && block.context !== this.deps.context.current) {
      const names = this.deps.context.names();
      if (typeof names === 'string') {
        problems.push(`cannot switch to context "${block.context}": ${names}; staying on "${this.deps.context.current}"`);
      } else if (!names.includes(block.context)) {
        problems.push(`context "${block.context}" is not in the kubeconfig (it has ${names.map((n) => `"${n}"`).join(', ') || 'none'}); staying on "${this.deps.context.current}"`);
      } else {
        override.context = { applied: block.context, previous: this.deps.context.current };
        this.deps.context.switchTo(block.context);
      }
    }
    const text = launchFilterText(block);
    if (text) {
      const parsed = parseQuery(text);
      if (!parsed.ok) {
        problems.push(`the filter ${JSON.stringify(text.slice(0, 200))} is not valid: ${parsed.message}; the filter was not changed`);
      } else {
        const previous = this.deps.filter.text;
        const error = this.deps.filter.set(parsed.value.text);
        if (error) problems.push(`the filter was not changed: ${error}`);
        else override.filter = { applied: parsed.value.text, previous };
      }
    }
    if (override.filter || override.context) this.override = override;
  }

  private restore(sessionId: string): void {
    const o = this.override;
    if (!o || o.sessionId !== sessionId) return;
    this.override = undefined;
    if (o.filter) {
      // The user's own change during the session wins over the restore.
      if (this.deps.filter.text === o.filter.applied) this.deps.filter.set(o.filter.previous);
      else this.deps.logger.info(`[debug] the filter was changed during the session; keeping "${this.deps.filter.text.slice(0, 200)}"`);
    }
    if (o.context) {
      if (this.deps.context.current === o.context.applied) this.deps.context.switchTo(o.context.previous);
      else this.deps.logger.info(`[debug] the context was changed during the session; keeping "${this.deps.context.current}"`);
    }
  }
}
