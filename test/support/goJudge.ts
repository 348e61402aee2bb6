// Asks Go itself (test/fixtures/goLiteralJudge, run with the local toolchain) how it quotes strings and what its
// parser reads in Go sources, so tests of Go text we write are judged by the language, not by our own reading.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** One argument of a recorder call as go/parser reads it: a string literal's value, or the source text. */
export interface JudgedArgument {
  readonly literal?: string;
  readonly text?: string;
}

export interface JudgedSource {
  /** Syntax errors; empty when the source parses. */
  readonly errors: readonly string[];
  /** Every `.Event`, `.Eventf` and `.AnnotatedEventf` call, in source order. */
  readonly calls: readonly { readonly method: string; readonly args: readonly JudgedArgument[] }[];
}

export interface Judgement {
  /** `strconv.Quote` of each string asked. */
  readonly quoted: readonly string[];
  readonly sources: readonly JudgedSource[];
}

function goBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/local/go/bin']) {
    const candidate = join(dir, 'go');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('Go is needed to judge Go literals and was not found on PATH or in /usr/local/go/bin: install Go 1.24 or newer (see test/support/prerequisites.sh)');
}

function judgeFolder(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fixtures', 'goLiteralJudge');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`test/fixtures/goLiteralJudge not found above ${from}`);
  }
}

/** Runs the judge once over everything asked (a first run compiles it: allow a minute on a cold build cache). */
export function judgeGo(request: { quote?: readonly string[]; sources?: readonly string[] }): Judgement {
  // Bundled into each test under out/test/…, at any depth: the judge is in the nearest folder above that holds it.
  const dir = judgeFolder(__dirname);
  const out = execFileSync(goBinary(), ['run', 'main.go'], {
    cwd: dir,
    input: JSON.stringify({ quote: request.quote ?? [], sources: request.sources ?? [] }),
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Judgement;
}

/** Reasons anyone who may create an Event can write (core/v1 does not validate the reason's characters). */
export const HOSTILE_REASONS: readonly string[] = [
  'x", os.Exit(1), "',
  'x` + os.Getenv("HOME") + `',
  'back\\slash\\',
  'trailing\\',
  'line\nbreak',
  'carriage\rreturn',
  'tab\there',
  'nul\u0000byte',
  'del\u007f',
  'c1\u0085next-line',
  'bell\u0007',
  'rlo\u202Eesrever\u202C',
  'line\u2028separator',
  'nbsp\u00a0soft\u00adhyphen',
  'zero\u200bwidth\ufeffbom',
  'private\ue000use',
  'max\u{10ffff}',
  'emoji😀',
  'ünïcödé Bäck',
  'Back\u0301Off',
  "it's %v ${x} {{.}}",
  '"',
  '\\',
  '`',
  'lone\ud800surrogate',
];

/** The {@link HOSTILE_REASONS} with a control character (or a lone surrogate, which no Go string holds): never offered. */
export const UNOFFERED_REASONS: readonly string[] = ['line\nbreak', 'carriage\rreturn', 'tab\there', 'nul\u0000byte', 'del\u007f', 'c1\u0085next-line', 'bell\u0007', 'lone\ud800surrogate'];

/** The {@link HOSTILE_REASONS} a raw (backquoted) literal can hold as they are: no backquote, nothing unprintable. */
export const RAW_SAFE_REASONS: readonly string[] = ['x", os.Exit(1), "', 'back\\slash\\', 'trailing\\', 'emoji😀', 'ünïcödé Bäck', 'Back\u0301Off', "it's %v ${x} {{.}}", '"', '\\'];
