import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  // A missing folder would make every rule pass vacuously (a wrong root, say): fail instead.
  assert.ok(fs.existsSync(abs), `${dir} does not exist (root ${root})`);
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

const IMPORTS_VSCODE = /(?:from\s+|require\()\s*['"]vscode['"]/;

describe('module boundaries', () => {
  // src/core and src/kube run and are tested under plain Node; the webview and server have their own bundles.
  for (const dir of ['src/core', 'src/kube', 'src/history', 'src/capture', 'src/protocol', 'src/webview']) {
    it(`${dir} never imports vscode`, () => {
      const files = sources(dir);
      assert.ok(files.length > 0, `${dir} has no sources`);
      const offenders = files.filter((f) => IMPORTS_VSCODE.test(fs.readFileSync(path.join(root, f), 'utf8')));
      assert.deepEqual(offenders, []);
    });
  }

  const importsFrom = (dir: string, forbidden: RegExp): string[] =>
    sources(dir).filter((f) => [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].some((m) => forbidden.test(m[1])));

  it('src/core imports nothing from src/kube, src/host or src/webview', () => {
    assert.deepEqual(importsFrom('src/core', /^\.\.\/(kube|host|webview)\//), []);
  });

  // Resolved, so a module in a subfolder (src/core/query/, src/core/correlator/) cannot climb out either.
  const resolvedImports = (dir: string): Array<[string, string]> =>
    sources(dir).flatMap((f) =>
      [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m): [string, string] => [
        f,
        m[1].startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(f), m[1])) : m[1],
      ]),
    );

  it('src/core, in every subfolder, imports only src/core', () => {
    const found = resolvedImports('src/core');
    assert.ok(found.some(([f]) => f.startsWith(path.join('src', 'core', 'query'))), 'the subfolders are read');
    assert.deepEqual(found.filter(([, target]) => !target.startsWith(`src${path.sep}core`)), []);
  });

  it('src/protocol imports only itself, src/core and the LSP protocol types', () => {
    const allowed = (t: string): boolean => t.startsWith(`src${path.sep}core`) || t.startsWith(`src${path.sep}protocol`) || t === 'vscode-languageserver-protocol';
    assert.deepEqual(resolvedImports('src/protocol').filter(([, t]) => !allowed(t)), []);
  });

  it('src/capture imports only src/core and Node', () => {
    const allowed = (t: string): boolean => t.startsWith(`src${path.sep}core`) || t.startsWith(`src${path.sep}capture`) || t.startsWith('node:');
    const found = resolvedImports('src/capture');
    assert.ok(found.length > 0, 'src/capture has imports');
    assert.deepEqual(found.filter(([, t]) => !allowed(t)), []);
  });

  it('src/kube imports nothing from src/host or src/webview', () => {
    assert.deepEqual(importsFrom('src/kube', /^\.\.\/(host|webview)\//), []);
  });

  it('only the composition root (src/compose.ts, src/compose/) reaches src/compose', () => {
    for (const dir of ['src/core', 'src/kube', 'src/history', 'src/capture', 'src/protocol', 'src/host']) {
      assert.deepEqual(importsFrom(dir, /(^|\/)compose(\/|$)/), [], dir);
    }
  });

  it('src/webview imports only itself, src/core and src/protocol', () => {
    assert.deepEqual(importsFrom('src/webview', /^\.\.\/(?!core\/|protocol\/)/), []);
  });
});
