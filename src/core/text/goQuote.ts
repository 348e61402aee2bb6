/**
 * Go string literals written from untrusted text, exactly as Go's `strconv.Quote` writes them: `"` and `\`
 * escaped, `\a \b \f \n \r \t \v` for those controls, `\xNN` for other ASCII controls, `\uXXXX` /
 * `\UXXXXXXXX` for every other rune `unicode.IsPrint` refuses (format characters such as U+202E, separators such
 * as U+2028 and U+00A0, private use, unassigned), everything printable as itself. Whatever the text, the result
 * is one interpreted literal whose value is the text: it cannot close early or carry a raw control character.
 * Pure: used by the recorder's `%q` and by the language server's reason completion.
 *
 * Differences from Go: a JS string may hold a lone surrogate, which no Go string can; it is written as U+FFFD,
 * the rune Go's JSON decoder makes of it. Printability follows the Unicode version of the JS engine, which may be
 * newer than Go's tables (a rune Go does not know yet is escaped by Go and written as itself here; both literals
 * hold the same value).
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v' };

/** `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

/** A control character (Unicode category Cc: C0, DEL, C1), which text from the cluster never brings into code. */
export function hasControlCharacter(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

/** The body of `strconv.Quote(s)`: the literal without its two quotes. */
export function goQuotedBody(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\uFFFD';
    else if (isGoPrintable(ch)) out += ch;
    else if (SHORT_ESCAPES[cp]) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out;
}

/** `strconv.Quote(s)`. */
export function goQuote(s: string): string {
  return `"${goQuotedBody(s)}"`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
