/**
 * Go to Emitter (docs/ARCHITECTURE.md §11): from an event (a tree row, a timeline row's context menu, a
 * manifest's diagnostic or hover), ask the language server which recorder calls in the workspace could have
 * written it (src/server/emitterIndex.ts) and open the one picked. One candidate opens at once; several are
 * offered best first, each saying why it fits; none says the event was recorded outside this workspace.
 */
import * as vscode from 'vscode';
import type { KubeEvent } from '../../core/events/kubeEvent';
import { oneLine } from '../../core/text/boundedText';
import { MAX_EMITTER_MESSAGE_LENGTH, isEmitterResult, type EmitterCandidateDto, type EmitterQueryParams, type EmitterResult } from '../../protocol/emitters';
import { MAX_NAME_LENGTH } from '../../protocol/languageServer';
import { showErrorWithLog } from '../notify';

export interface GoToEmitterDeps {
  /** The event a uid names, while the store holds it. */
  readonly event: (uid: string) => KubeEvent | undefined;
  /** Sends the request to the language server (starting it when needed). */
  readonly request: (params: EmitterQueryParams) => Promise<unknown>;
  readonly log: vscode.LogOutputChannel;
}

/** What one run found and did (the command's return value: tests read it). */
export interface EmitterOutcome {
  readonly uid: string;
  readonly result: EmitterResult;
  /** The candidate opened, undefined when none was (nothing fits, or the pick was dismissed). */
  readonly opened: EmitterCandidateDto | undefined;
}

/** The event an argument names: a tree event row, `{ uid }` (hover and code action links), a timeline row's `data-vscode-context`. */
function uidOfArgument(arg: unknown): string | undefined {
  if (arg === null || typeof arg !== 'object') return typeof arg === 'string' ? arg : undefined;
  const o = arg as { kind?: unknown; event?: { uid?: unknown }; uid?: unknown };
  if (o.kind === 'event' && typeof o.event?.uid === 'string') return o.event.uid;
  return typeof o.uid === 'string' ? o.uid : undefined;
}

function emitterQueryOf(e: KubeEvent): EmitterQueryParams {
  const cut = (s: string): string => s.slice(0, MAX_NAME_LENGTH);
  return { reason: cut(e.reason), message: e.message.slice(0, MAX_EMITTER_MESSAGE_LENGTH), type: cut(e.type), component: cut(e.reportingController), action: cut(e.action) };
}

/** `main.go:216`: a candidate's file, relative to the workspace, and its 1-based line. */
export function where(c: EmitterCandidateDto): string {
  return `${vscode.workspace.asRelativePath(vscode.Uri.parse(c.uri), true)}:${c.range.start.line + 1}`;
}

export class GoToEmitter {
  constructor(private readonly deps: GoToEmitterDeps) {}

  /** The recorder calls that could have written `event`, best first (event breakpoints use it too); throws saying what failed. */
  async rank(event: KubeEvent): Promise<EmitterResult> {
    let raw: unknown;
    try {
      raw = await this.deps.request(emitterQueryOf(event));
    } catch (err) {
      throw new Error(`the language server did not answer (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    if (!isEmitterResult(raw)) throw new Error('the language server sent a malformed answer');
    return raw;
  }

  run = async (arg?: unknown): Promise<EmitterOutcome | undefined> => {
    const uid = uidOfArgument(arg);
    const event = uid === undefined ? undefined : this.deps.event(uid);
    if (!uid || !event) {
      void vscode.window.showInformationMessage(
        uid ? 'Kube Events: that event is no longer held (pruned or expired); pick a newer one.' : 'Kube Events: Go to Emitter works on an event: an Events view row, a timeline row, or a manifest\'s event diagnostic or hover.',
      );
      return undefined;
    }
    if (!event.reason) {
      void vscode.window.showInformationMessage('Kube Events: this event has no reason, so no recorder call can be matched to it.');
      return undefined;
    }
    let result: EmitterResult;
    try {
      result = await this.rank(event);
    } catch (err) {
      showErrorWithLog(this.deps.log, `Go to Emitter: ${err instanceof Error ? err.message : String(err)}.`);
      return undefined;
    }
    const reason = oneLine(event.reason, 80);
    const by = event.reportingController ? ` by ${oneLine(event.reportingController, 80)}` : '';
    if (result.candidates.length === 0) {
      this.deps.log.info(`[emitter] no call records reason "${reason}" in ${result.filesIndexed} Go files of the workspace`);
      void vscode.window.showInformationMessage(
        `Kube Events: no recorder call in this workspace records reason "${reason}" (${result.filesIndexed} Go file${result.filesIndexed === 1 ? '' : 's'} indexed): it was recorded${by} outside this workspace.`,
      );
      return { uid, result, opened: undefined };
    }
    for (const c of result.candidates) this.deps.log.info(`[emitter] ${reason}: ${where(c)} (score ${c.score}): ${c.why.join('; ')}`);
    let picked: EmitterCandidateDto | undefined;
    if (result.candidates.length === 1) {
      picked = result.candidates[0];
      vscode.window.setStatusBarMessage(`Kube Events: emitter of "${reason}": ${picked.why.join(' · ')}`, 8_000);
    } else {
      const items = result.candidates.map((c, i) => ({
        label: `${i === 0 ? '$(star-full) ' : ''}${where(c)}`,
        description: oneLine(c.call, 120),
        detail: c.why.join(' · '),
        candidate: c,
      }));
      const choice = await vscode.window.showQuickPick(items, {
        title: `Go to Emitter: ${result.candidates.length} recorder calls record "${reason}"${by}, best fit first`,
        matchOnDetail: true,
      });
      picked = choice?.candidate;
    }
    if (picked) {
      const range = new vscode.Range(picked.range.start.line, picked.range.start.character, picked.range.end.line, picked.range.end.character);
      await vscode.window.showTextDocument(vscode.Uri.parse(picked.uri), { selection: new vscode.Range(range.start, range.start), preview: true });
    }
    return { uid, result, opened: picked };
  };
}

/**
 * "Go to Emitter" on a manifest's Kube Events diagnostic: the diagnostic's code is the reason and its data names
 * the object (manifestFeatures.ts); the newest held event with that reason about the object, or about something
 * it owns (the diagnostic counts those too), is the one.
 */
export class EmitterCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly source: string,
    private readonly latest: (reason: string, object: { kind: string; namespace: string; name: string }) => KubeEvent | undefined,
    private readonly command: string,
  ) {}

  provideCodeActions(_doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== this.source) continue;
      const reason = typeof d.code === 'string' ? d.code : typeof d.code === 'object' && typeof d.code.value === 'string' ? d.code.value : undefined;
      const data = (d as { data?: { kind?: unknown; namespace?: unknown; name?: unknown } }).data;
      if (!reason || typeof data?.kind !== 'string' || typeof data.name !== 'string') continue;
      const e = this.latest(reason, { kind: data.kind, namespace: typeof data.namespace === 'string' ? data.namespace : '', name: data.name });
      if (!e) continue;
      const action = new vscode.CodeAction(`Go to Emitter of "${oneLine(reason, 60)}"`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.command = { title: action.title, command: this.command, arguments: [{ uid: e.uid }] };
      out.push(action);
    }
    return out;
  }
}
