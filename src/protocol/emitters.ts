/**
 * Go to Emitter: the host asks the language server which recorder calls in the workspace's Go files could have
 * written an event (src/server/emitterIndex.ts). Kept apart from languageServer.ts: it is a request, not part
 * of the event feed, and the server answers it from its own index of every Go file in the workspace folders
 * (open documents as edited, the others as on disk), not only the open ones.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import { MAX_NAME_LENGTH } from './languageServer';

/** The `source` of the server's manifest diagnostics (manifestFeatures.ts), whose Go to Emitter code action the host offers. */
export const MANIFEST_DIAGNOSTIC_SOURCE = 'Kube Events';
/** Longest message the host sends (the event's message, cut). */
export const MAX_EMITTER_MESSAGE_LENGTH = 4_000;
/** Candidates an answer lists at most. */
export const MAX_EMITTER_CANDIDATES = 50;

/** The event to find the emitter of: cluster text, hence untrusted and bounded. */
export interface EmitterQueryParams {
  readonly reason: string;
  readonly message: string;
  /** `Normal`, `Warning` or what the event says. */
  readonly type: string;
  /** reportingController (core/v1 source.component when unset): the recorder's component. */
  readonly component: string;
  /** events.k8s.io/v1 `action`, '' for a core/v1 event. */
  readonly action: string;
}

/** One recorder call that could have written the event, with why. */
export interface EmitterCandidateDto {
  /** file:// URI of the Go file. */
  readonly uri: string;
  /** The call expression, 0-based lines and UTF-16 characters. */
  readonly range: { readonly start: { readonly line: number; readonly character: number }; readonly end: { readonly line: number; readonly character: number } };
  /** Higher fits better; candidates arrive best first. */
  readonly score: number;
  /** The call as written on its first line, cut: `c.recorder.Eventf(site, corev1.EventTypeWarning, "FailedCreate", …`. */
  readonly call: string;
  /** Why it fits (and where it does not), one short sentence each, best evidence first. */
  readonly why: readonly string[];
}

/** The server's answer. */
export interface EmitterResult {
  /** Best first; empty when no call in the workspace records the reason. */
  readonly candidates: readonly EmitterCandidateDto[];
  /** Go files indexed (to say how much "outside this workspace" looked at). */
  readonly filesIndexed: number;
}

/** Sent by the host (Go to Emitter); the server answers from its workspace Go index. */
export const EmittersRequest = /* @__PURE__ */ new RequestType<EmitterQueryParams, EmitterResult, void>('kubeEvents/emitters');

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function boundedString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Guards what the server receives. */
export function isEmitterQueryParams(v: unknown): v is EmitterQueryParams {
  if (!isPlain(v)) return false;
  return (
    boundedString(v.reason, MAX_NAME_LENGTH) &&
    v.reason !== '' &&
    boundedString(v.message, MAX_EMITTER_MESSAGE_LENGTH) &&
    boundedString(v.type, MAX_NAME_LENGTH) &&
    boundedString(v.component, MAX_NAME_LENGTH) &&
    boundedString(v.action, MAX_NAME_LENGTH)
  );
}

function isPosition(v: unknown): boolean {
  return isPlain(v) && Number.isInteger(v.line) && Number.isInteger(v.character) && (v.line as number) >= 0 && (v.character as number) >= 0;
}

/** Guards what the host receives. */
export function isEmitterResult(v: unknown): v is EmitterResult {
  if (!isPlain(v) || !Number.isInteger(v.filesIndexed) || !Array.isArray(v.candidates) || v.candidates.length > MAX_EMITTER_CANDIDATES) return false;
  return v.candidates.every(
    (c: unknown) =>
      isPlain(c) &&
      boundedString(c.uri, 4_096) &&
      c.uri.startsWith('file:') &&
      isPlain(c.range) &&
      isPosition(c.range.start) &&
      isPosition(c.range.end) &&
      typeof c.score === 'number' &&
      Number.isFinite(c.score) &&
      boundedString(c.call, 400) &&
      Array.isArray(c.why) &&
      c.why.length <= 10 &&
      c.why.every((w: unknown) => boundedString(w, 400)),
  );
}
