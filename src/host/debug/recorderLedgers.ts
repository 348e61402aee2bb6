/**
 * The recorder ledgers of debug sessions, free of `vscode`: {@link RecorderTracker} feeds it what the debug
 * adapters report (sessions starting and ending, DAP `output` events), and the views read it: the ledger panel,
 * the timeline's Recorder lane, the Go CodeLenses, hovers and lints (through the language server) and the
 * end-of-session summary. One ledger per root session (child sessions, as js-debug starts one per process,
 * write into their root's); the newest few ended ones are kept.
 *
 * Output is read from the `stdout`, `stderr` and `console` categories, each with its own line splitter, since
 * an adapter may cut a line anywhere. A session whose output holds no recorder line keeps an empty ledger and
 * shows nothing.
 */
import { Emitter, type Subscribe } from '../../core/emitter';
import type { KubeEvent } from '../../core/events/kubeEvent';
import { countsText, RecorderLedger } from '../../core/ledger/recorderLedger';
import { reasonLedgers, type ReasonLedger } from '../../core/ledger/recorderLint';
import { LineSplitter } from '../../core/ledger/recorderLog';
import type { Clock, Logger } from '../../core/ports';
import { DisposableOwner } from '../disposable';

/** Ended sessions whose ledgers are kept. */
const MAX_ENDED = 5;
/** DAP output categories that carry the debuggee's own output. */
const PROGRAM_CATEGORIES: ReadonlySet<string> = new Set(['stdout', 'stderr', 'console']);

/** One session's ledger and what the views need around it. */
export interface SessionLedger {
  readonly id: string;
  readonly name: string;
  readonly start: number;
  end: number | undefined;
  readonly ledger: RecorderLedger;
}

export interface RecorderLedgersDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every event held: what the ledger joins attempts with. */
  readonly events: () => Iterable<KubeEvent>;
  /** `kubeEvents.debug.follow`: off, no ledger either. */
  readonly enabled: () => boolean;
}

export class RecorderLedgers extends DisposableOwner {
  private readonly sessions: SessionLedger[] = [];
  private readonly roots = new Map<string, string>();
  private readonly splitters = new Map<string, LineSplitter>();
  private readonly changed = this.register(new Emitter<void>());
  /** Fires when an attempt was read or a label changed. */
  readonly onDidChange: Subscribe<void> = this.changed.event;

  constructor(private readonly deps: RecorderLedgersDeps) {
    super();
  }

  /** Sessions with a ledger, oldest first. */
  get all(): readonly SessionLedger[] {
    return this.sessions;
  }

  /** The newest session whose ledger holds attempts (running or ended). */
  get current(): SessionLedger | undefined {
    for (let i = this.sessions.length - 1; i >= 0; i--) if (this.sessions[i].ledger.attempts.length > 0) return this.sessions[i];
    return undefined;
  }

  /** A debug session started; `controller` is its launch block's (the recording component, if the user said). */
  start(id: string, name: string, parentId: string | undefined, controller: string | undefined): void {
    const root = parentId !== undefined ? (this.roots.get(parentId) ?? (this.find(parentId) ? parentId : undefined)) : undefined;
    if (root !== undefined) {
      this.roots.set(id, root);
      return;
    }
    if (!this.deps.enabled()) return;
    this.sessions.push({ id, name, start: this.deps.clock.now(), end: undefined, ledger: new RecorderLedger({ clock: this.deps.clock, ...(controller ? { source: controller } : {}) }) });
    let ended = this.sessions.filter((s) => s.end !== undefined).length;
    for (let i = 0; i < this.sessions.length && ended > MAX_ENDED; ) {
      if (this.sessions[i].end !== undefined) {
        this.sessions.splice(i, 1);
        ended--;
      } else i++;
    }
  }

  /** A DAP `output` event of session `id`. */
  output(id: string, category: string, text: string): void {
    if (!PROGRAM_CATEGORIES.has(category)) return;
    const s = this.rootOf(id);
    if (!s || s.end !== undefined) return;
    const key = `${id}\u0000${category}`;
    let splitter = this.splitters.get(key);
    if (!splitter) this.splitters.set(key, (splitter = new LineSplitter()));
    let read = false;
    for (const line of splitter.push(text)) read = s.ledger.pushLine(line) || read;
    if (read) this.changed.fire();
  }

  /** Joins the open attempts of running sessions (and ended ones still waiting) with the events held. */
  reconcile(): void {
    let changed = false;
    for (const s of this.sessions) if (s.ledger.attempts.length > 0) changed = s.ledger.reconcile(this.deps.events()) || changed;
    if (changed) this.changed.fire();
  }

  /** Any attempt still waiting for the watch: the host keeps reconciling while this is true. */
  get waiting(): boolean {
    return this.sessions.some((s) => s.ledger.attempts.some((a) => a.label === 'pending'));
  }

  /**
   * A session ended: its last partial lines are read, and its ledger's line for the summary returned ('' when it
   * has none). Called again for an ended session, it returns that line again.
   */
  end(id: string): string {
    const rootId = this.roots.get(id);
    if (rootId !== undefined) {
      this.roots.delete(id);
      this.flush(id, this.find(rootId));
      return '';
    }
    const s = this.find(id);
    if (!s) return '';
    if (s.end !== undefined) return summaryLine(s);
    this.flush(id, s);
    for (const [child, root] of this.roots) if (root === id) {
      this.flush(child, s);
      this.roots.delete(child);
    }
    s.end = this.deps.clock.now();
    s.ledger.reconcile(this.deps.events());
    this.changed.fire();
    const text = summaryLine(s);
    if (text) this.deps.logger.info(`[ledger] ${text}`);
    return text;
  }

  /** The reasons of the newest ledger with attempts, with their counts and lints. */
  reasons(): ReasonLedger[] {
    const s = this.current;
    return s ? reasonLedgers(s.ledger.attempts) : [];
  }

  private flush(id: string, s: SessionLedger | undefined): void {
    for (const [key, splitter] of this.splitters) {
      if (!key.startsWith(`${id}\u0000`)) continue;
      for (const line of splitter.flush()) s?.ledger.pushLine(line);
      this.splitters.delete(key);
    }
  }

  private find(id: string): SessionLedger | undefined {
    return this.sessions.find((s) => s.id === id);
  }

  private rootOf(id: string): SessionLedger | undefined {
    return this.find(this.roots.get(id) ?? id);
  }
}

/**
 * The summary's ledger sentence: `Its recorder logged 53 attempts: …` (the controller's claims, not events),
 * '' when the session's output held no recorder line.
 */
function summaryLine(s: SessionLedger): string {
  const attempts = s.ledger.attempts;
  if (attempts.length === 0) return '';
  return `Its recorder logged ${countsText(s.ledger.counts())} (the controller's claims from its log, not events).`;
}
