/**
 * A subset of Go's `fmt.Sprintf`, for the recorder's `eventf`: a message typed as a Go format string and its
 * arguments read the same as a Go controller's would, mistakes included (Go prints a marker instead of failing).
 * Pure: no Node or VS Code APIs, so the language server and tests can use it as well.
 */
import { goQuote } from './goQuote';

function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Error) return '*errors.errorString';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** A value's text when it can stand for a string: strings, errors, Dates and objects with their own toString. */
function stringLike(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.message;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { toString?: unknown }).toString === 'function' && (v).toString !== Object.prototype.toString) {
    // A class with its own toString (Go's Stringer): String() calls it.
    return (v as { toString(): string }).toString();
  }
  return undefined;
}

function formatArg(verb: string, v: unknown): string {
  const bad = (): string => (v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goType(v)}=${formatArg('v', v)})`);
  if (Array.isArray(v) && (verb === 'v' || verb === 's' || verb === 'd' || verb === 'q')) return `[${v.map((x) => formatArg(verb, x)).join(' ')}]`;
  switch (verb) {
    case 'v': {
      if (v === null || v === undefined) return '<nil>';
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      const s = stringLike(v);
      if (s !== undefined) return s;
      const o = v as Record<string, unknown>;
      return `map[${Object.keys(o)
        .sort()
        .map((k) => `${k}:${formatArg('v', o[k])}`)
        .join(' ')}]`;
    }
    case 's': {
      const s = stringLike(v);
      if (s !== undefined) return s;
      if (v !== null && typeof v === 'object') return formatArg('v', v);
      return bad();
    }
    case 'd':
      if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return String(v);
      return bad();
    case 'q': {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10ffff) {
        const ch = String.fromCodePoint(v);
        return ch === "'" ? "'\\''" : `'${goQuote(ch).slice(1, -1)}'`;
      }
      const s = stringLike(v);
      return s !== undefined ? goQuote(s) : bad();
    }
    default:
      return bad();
  }
}

/**
 * A Go `fmt.Sprintf` subset for eventf: `%s`, `%d`, `%v`, `%q` and `%%`, with Go's markers for mistakes:
 * `%!d(string=x)` for a wrong type, `%!s(MISSING)` for a missing argument, `%!(EXTRA int=1)` for extra ones.
 * Flags, widths and other verbs are not supported (they show as a wrong-verb marker).
 */
export function goSprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const verb = format[++i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(verb, args[next++]);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goType(a)}=${formatArg('v', a)}`))
      .join(', ')})`;
  }
  return out;
}
