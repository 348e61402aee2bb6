/**
 * Text the server shows. Cluster text is untrusted: every piece of it goes through {@link escapeMarkdown}
 * (markdown) after {@link oneLine} (bounded, one line), so it can neither format, link nor run a command.
 */
import { oneLine } from '../core/text/boundedText';
import { type EDITOR_COMMANDS } from '../protocol/languageServer';

/** Backslash-escapes every ASCII punctuation character (CommonMark allows it for all of them). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/**
 * Characters of cluster text the server shows in one place: a hover table's columns (narrow enough that the table
 * stays readable beside code), and a name in a diagnostic, a CodeLens title or a context label.
 */
export const SHOWN_LENGTH = {
  type: 20,
  reason: 80,
  /** `Kind/name`. */
  object: 80,
  /** `Kind/namespace/name`. */
  objectWithNamespace: 100,
  source: 60,
  message: 160,
  /** A reason or object named in a diagnostic message. */
  diagnosticName: 200,
  /** A reason in a CodeLens title. */
  lensReason: 128,
  context: 100,
} as const;

/** Untrusted text for a markdown table cell: one line, at most `max` characters, escaped. */
export function cell(text: string, max: number): string {
  return escapeMarkdown(oneLine(text, max));
}

type EditorCommand = (typeof EDITOR_COMMANDS)[keyof typeof EDITOR_COMMANDS];

/** A markdown command link to one of our own commands; `label` is ours (never cluster text), args are encoded. */
export function commandLink(label: string, command: EditorCommand, args: readonly unknown[]): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}
