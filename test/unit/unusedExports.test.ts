import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

// The checker the typecheck stage runs (test/support/unusedExports.mjs), run as that stage runs it, on tiny projects.
const root = path.resolve(__dirname, '..', '..', '..');
const checker = path.join(root, 'test/support/unusedExports.mjs');
const made: string[] = [];

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unused-exports-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function check(dir: string): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [checker, '--root', dir], { encoding: 'utf8' });
  assert.equal(r.stderr, '', 'nothing on stderr');
  return { status: r.status, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

const used = {
  'src/a.ts': ['export const used = 1;', 'export function alsoUsed(): number {', '  return used;', '}', ''].join('\n'),
  'src/b.ts': ["import { alsoUsed, used } from './a';", 'export const total = used + alsoUsed();', ''].join('\n'),
  'src/c.ts': ["import { total } from './b';", 'console.log(total);', ''].join('\n'),
};

describe('unused exports check (test/support/unusedExports.mjs)', () => {
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes when every export in src/ is imported by another src/ file', () => {
    const r = check(project(used));
    assert.equal(r.status, 0, r.lines.join('\n'));
    assert.deepEqual(r.lines, ['unused exports: 1 passed, 0 failed']);
  });

  it('fails on a planted unused export and names it with file:line:column', () => {
    const r = check(project({ ...used, 'src/a.ts': used['src/a.ts'] + '\n/** Nobody asked. */\nexport function planted(): void {}\n' }));
    assert.equal(r.status, 1);
    assert.equal(r.lines[0], 'src/a.ts:7:17: export "planted" is not imported by any other file in src/; nothing else imports it');
    assert.match(r.lines.join('\n'), /1 unused export\(s\)\. Remove the export keyword/);
    assert.equal(r.lines.at(-1), 'unused exports: 0 passed, 1 failed');
  });

  it('does not count tests as users, and names them', () => {
    const r = check(
      project({
        ...used,
        'src/d.ts': 'export const forTests = 2;\nexport const local = forTests + 1;\nconsole.log(local);\n',
        'test/d.test.ts': "import { forTests } from '../src/d';\nconsole.log(forTests);\n",
      }),
    );
    assert.equal(r.status, 1);
    assert.deepEqual(r.lines.filter((l) => l.startsWith('src/')), [
      'src/d.ts:1:14: export "forTests" is not imported by any other file in src/; only tests import it (test/d.test.ts)',
      'src/d.ts:2:14: export "local" is not imported by any other file in src/; nothing else imports it',
    ]);
  });

  it('counts type imports, re-exports, import() types and namespace imports as uses', () => {
    const r = check(
      project({
        'src/m.ts': 'export interface Shape { n: number }\nexport type Kind = string;\nexport const value = 1;\nexport const other = 2;\n',
        'src/n.ts': 'export const ns1 = 1;\nexport const ns2 = 2;\n',
        'src/user.ts': [
          "import type { Shape } from './m';",
          "import * as n from './n';",
          "export { value } from './m';",
          "export const k: import('./m').Kind = 'x';",
          'export const s: Shape = { n: n.ns1 };',
          '',
        ].join('\n'),
        'src/main.ts': "import { k, s, value } from './user';\nimport { other } from './m';\nconsole.log(k, s, value, other);\n",
      }),
    );
    assert.equal(r.status, 0, r.lines.join('\n'));
  });

  it("lets a type stay exported when another export's declaration names it, but not a value", () => {
    const r = check(
      project({
        ...used,
        'src/e.ts': [
          '/** Options of make(). */',
          'export interface MakeOptions { readonly size?: number }',
          'export type Unnamed = { readonly x: number };',
          'export const DEFAULT_SIZE = 3;',
          'export function make(o: MakeOptions = {}): number {',
          '  return o.size ?? DEFAULT_SIZE;',
          '}',
          '',
        ].join('\n'),
        'src/f.ts': "import { make } from './e';\nconsole.log(make());\n",
      }),
    );
    assert.equal(r.status, 1);
    assert.deepEqual(
      r.lines.filter((l) => l.startsWith('src/')).map((l) => l.split(':').slice(0, 2).join(':') + ' ' + (/"(\w+)"/.exec(l)?.[1] ?? '')),
      ['src/e.ts:3 Unnamed', 'src/e.ts:4 DEFAULT_SIZE'],
    );
  });

  it('accepts an allowlisted export with a reason, and fails on an entry without one or one no longer needed', () => {
    const allow = (entries: unknown[]) => ({ 'test/support/exportAllowlist.json': JSON.stringify(entries) });
    const entry = { file: 'src/entry.ts', name: 'activate', reason: 'the runtime calls it' };
    const entryFile = { 'src/entry.ts': 'export function activate(): void {}\n' };

    const ok = check(project({ ...used, ...entryFile, ...allow([entry]) }));
    assert.equal(ok.status, 0, ok.lines.join('\n'));

    const noReason = check(project({ ...used, ...entryFile, ...allow([{ ...entry, reason: ' ' }]) }));
    assert.equal(noReason.status, 1);
    assert.ok(noReason.lines.includes('test/support/exportAllowlist.json: entry 1 needs "file", "name" and a non-empty "reason"'), noReason.lines.join('\n'));

    const stale = check(project({ ...used, ...allow([entry, { file: 'src/a.ts', name: 'used', reason: 'once' }]) }));
    assert.equal(stale.status, 1);
    assert.deepEqual(stale.lines.slice(0, 2).sort(), [
      'test/support/exportAllowlist.json: "used" in src/a.ts is imported by src/ now; remove its entry',
      'test/support/exportAllowlist.json: src/entry.ts exports no "activate"; remove its entry',
    ]);
  });
});
