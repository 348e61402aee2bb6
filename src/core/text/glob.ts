/**
 * The one glob dialect of the extension: `*` matches any run of characters (also none), every other character
 * is literal, and case is ignored. Used by the query language (`reason:Back*`, a `*` in a word) and by the
 * emit command's production-context patterns (`kubeEvents.emit.confirmContexts`).
 *
 * Matched without regular expressions, greedy leftmost per segment: linear in the text, no backtracking, so a
 * pattern typed by a user cannot make matching slow.
 */

/** A compiled glob; call it once per candidate text. */
export type GlobTest = (text: string) => boolean;

/**
 * Compiles `pattern`. Anchored (the default), the whole text must match, as in `reason:Back*`; unanchored, the
 * pattern may match anywhere inside the text, as a query word does.
 */
export function compileGlob(pattern: string, anchored = true): GlobTest {
  const segs = pattern.toLowerCase().split('*');
  if (!anchored) {
    segs.unshift('');
    segs.push('');
  }
  const first = segs[0];
  const last = segs[segs.length - 1];
  if (segs.length === 1) return (raw) => raw.toLowerCase() === first;
  const middle = segs.slice(1, -1).filter((s) => s !== '');
  return (raw) => {
    const s = raw.toLowerCase();
    if (!s.startsWith(first)) return false;
    let pos = first.length;
    for (const seg of middle) {
      const at = s.indexOf(seg, pos);
      if (at < 0) return false;
      pos = at + seg.length;
    }
    return s.length - last.length >= pos && s.endsWith(last);
  };
}

/** Whether the whole of `text` matches `pattern` (see {@link compileGlob}). */
export function globMatches(pattern: string, text: string): boolean {
  return compileGlob(pattern)(text);
}
