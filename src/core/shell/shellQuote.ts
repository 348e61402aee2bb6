/**
 * Quoting for command lines the user pastes into a terminal (docs/ARCHITECTURE.md §16). Three families, as
 * VS Code's terminal profiles have them: POSIX shells (bash, zsh, sh, Git Bash, WSL), PowerShell (Windows
 * PowerShell 5.1 and pwsh, VS Code's default terminal on Windows) and cmd.exe. Quoting alone cannot make any
 * text safe (cmd expands `%VAR%` inside quotes; a control character acts as a keystroke in a shell without
 * bracketed paste), so callers also keep values to the character sets Kubernetes gives them.
 */

/** The shell a copied line is meant for. */
export type ShellKind = 'posix' | 'powershell' | 'cmd';

/**
 * Control characters, format characters (bidi overrides, zero-width joiners), line and paragraph separators,
 * surrogates, private-use and unassigned code points: never part of a copied line.
 */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

/** The single-quote characters PowerShell's tokenizer treats alike: ' and the typographic ‘ ’ ‚ ‛. */
const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/** Words left bare in each shell: nothing in them is syntax there (`@` and `,` are, in PowerShell). */
const BARE: Record<ShellKind, RegExp> = {
  posix: /^[A-Za-z0-9_./:=@-]+$/,
  powershell: /^[A-Za-z0-9_./:=-]+$/,
  cmd: /^[A-Za-z0-9_./:=@-]+$/,
};

/**
 * Quotes one word for a POSIX shell (bash, zsh, sh). A word of characters no shell treats specially is left
 * bare, so the usual `kubectl` line reads as typed; anything else goes in single quotes, inside which only `'`
 * itself needs care: it closes the quotes, is escaped, and reopens them.
 */
export function shellQuote(word: string): string {
  return BARE.posix.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes one word for `shell`, or undefined when that shell cannot be given the word safely: any unprintable
 * character (all shells); in cmd.exe a `"` (ends the quotes), `%` (expands variables even inside them) or `!`
 * (the same with delayed expansion); in cmd.exe and PowerShell a `"` or a trailing `\`, which the Windows
 * command-line parser kubectl.exe uses would read differently from the shell (PowerShell 5.1 re-quotes a
 * native command's arguments without escaping either), so the shell and kubectl would disagree on where the
 * argument ends.
 */
export function quoteArg(shell: ShellKind, word: string): string | undefined {
  if (UNPRINTABLE.test(word)) return undefined;
  if (word !== '' && BARE[shell].test(word)) return word;
  switch (shell) {
    case 'posix':
      return shellQuote(word);
    case 'powershell':
      // Inside single quotes PowerShell expands nothing; a quote character is written twice.
      return /"|\\$/.test(word) ? undefined : `'${word.replace(POWERSHELL_SINGLE_QUOTES, (q) => q + q)}'`;
    case 'cmd':
      return /["%!]|\\$/.test(word) ? undefined : `"${word}"`;
    default: {
      const never: never = shell;
      return never;
    }
  }
}
