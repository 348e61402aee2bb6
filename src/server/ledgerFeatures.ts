/**
 * The recorder ledger on Go controller code (docs/ARCHITECTURE.md, "The recorder's ledger"): for each recorder
 * call whose reason the newest debug session's ledger names, a CodeLens with its attempts by label ("37
 * attempts: 10 created, 2 count patched, 25 combined"), a hover section saying they are the controller's claims,
 * and the live lints as Information diagnostics on the reason. The host computes the figures and the lint texts
 * (src/core/ledger/recorderLint.ts, with client-go's numbers from the correlator); this only places them.
 */
import { Diagnostic, DiagnosticSeverity, type CodeLens } from 'vscode-languageserver-types';
import { EDITOR_COMMANDS, type LedgerReasonDto } from '../protocol/languageServer';
import { escapeMarkdown, commandLink } from './format';
import type { GoPositions } from './goFeatures';
import type { RecorderCall } from './goLocator';
import { DIAGNOSTIC_SOURCE } from './manifestFeatures';

/** The diagnostic codes of the two lints. */
const LEDGER_LINT_CODES = { 'distinct-messages': 'recorder-distinct-messages', 'spam-filter': 'recorder-spam-filter' } as const;

export function ledgerCodeLenses(calls: readonly RecorderCall[], ledger: ReadonlyMap<string, LedgerReasonDto>, doc: GoPositions): CodeLens[] {
  const out: CodeLens[] = [];
  for (const call of calls) {
    const entry = call.reason ? ledger.get(call.reason) : undefined;
    if (!entry) continue;
    const range = doc.rangeOf({ start: call.range.start, end: call.range.start });
    out.push({ range, command: { title: `Recorder ledger: ${entry.text}`, command: EDITOR_COMMANDS.showRecorderLedger, arguments: [] } });
  }
  return out;
}

export function ledgerDiagnostics(calls: readonly RecorderCall[], ledger: ReadonlyMap<string, LedgerReasonDto>, doc: GoPositions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const call of calls) {
    const entry = call.reason ? ledger.get(call.reason) : undefined;
    if (!entry || !call.reasonRange) continue;
    for (const lint of entry.lints) {
      out.push(Diagnostic.create(doc.rangeOf(call.reasonRange), lint.text, DiagnosticSeverity.Information, LEDGER_LINT_CODES[lint.rule], DIAGNOSTIC_SOURCE));
    }
  }
  return out;
}

/** The hover's ledger section, '' when the ledger does not name the reason. */
export function ledgerHoverSection(entry: LedgerReasonDto | undefined, session: string): string {
  if (!entry) return '';
  const lines = [
    '',
    `**Recorder ledger** of debug session ${escapeMarkdown(session ? `"${session}"` : '')}: ${escapeMarkdown(entry.text)}`,
    '',
    "_Attempts read from the controller's log: its claims, not events._",
  ];
  for (const lint of entry.lints) lines.push('', `- ${escapeMarkdown(lint.text)}`);
  lines.push('', commandLink('Show Recorder Ledger', EDITOR_COMMANDS.showRecorderLedger, []));
  return lines.join('\n');
}
