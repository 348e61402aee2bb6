/**
 * Bounds on how much of a cluster-supplied text each surface shows. Anyone who may create an Event can send a
 * message of about 1 MiB (the apiserver accepts it); every place that shows one cuts it to a documented
 * length and says how much was left out, with "…(N more characters)". Where the user asks for the whole
 * text (Open Resource YAML of the event, Export Events…) it stays whole. See docs/ARCHITECTURE.md.
 */
export const TEXT_LIMITS = {
  /** A tree row's description. */
  treeRow: 200,
  /** A tree row's accessibility label (read out by screen readers on every focus). */
  accessibility: 500,
  /** A hover: the tree's tooltip, the language server's hovers. */
  hover: 4_000,
  /** One line of the "Kube Events" log. */
  logLine: 2_000,
  /** A notification or a status text. */
  notification: 1_000,
} as const;

function marker(rest: number): string {
  return `…(${rest} more character${rest === 1 ? '' : 's'})`;
}

/** Index at or below `i` that does not split a UTF-16 surrogate pair. */
function safeCut(text: string, i: number): number {
  if (i <= 0 || i >= text.length) return Math.max(0, Math.min(i, text.length));
  const c = text.charCodeAt(i - 1);
  return c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
}

/** Keeps line breaks; cuts after `max` characters with the marker. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = safeCut(text, max);
  return text.slice(0, cut) + marker(text.length - cut);
}

// eslint-disable-next-line no-control-regex
const FOLD = /[\u0000-\u001f\u007f\s]/;

/**
 * Folds whitespace and control characters to single spaces (so a message cannot forge further lines) and cuts
 * to `max` characters with the marker. Reads only as much of `text` as it shows: a 1 MiB message costs no more
 * than a short one.
 */
export function oneLine(text: string, max: number): string {
  let out = '';
  let i = 0;
  let pendingSpace = false;
  // Leading whitespace is dropped, inner runs become one space, trailing whitespace is dropped.
  while (i < text.length && out.length < max) {
    const ch = text[i];
    if (FOLD.test(ch)) {
      pendingSpace = out.length > 0;
      i++;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
      if (out.length >= max) break;
    }
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    if (pair && out.length + 2 > max) break;
    out += pair ? text.slice(i, i + 2) : ch;
    i += pair ? 2 : 1;
  }
  while (i < text.length && FOLD.test(text[i])) i++;
  return i < text.length ? out.trimEnd() + marker(text.length - i) : out;
}
