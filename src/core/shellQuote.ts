/**
 * Quotes one word for a POSIX shell (bash, zsh, sh), for commands the user pastes into a terminal. A word of
 * characters no shell treats specially is left bare, so the usual `kubectl` line reads as typed; anything else
 * goes in single quotes, inside which only `'` itself needs care: it closes the quotes, is escaped, and reopens them.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
