import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

const IMPORTS_VSCODE = /(?:from\s+|require\()\s*['"]vscode['"]/;

describe('module boundaries', () => {
  // src/core and src/kube run and are tested under plain Node; the webview and server have their own bundles.
  for (const dir of ['src/core', 'src/kube', 'src/protocol', 'src/webview', 'src/server']) {
    it(`${dir} never imports vscode`, () => {
      const offenders = sources(dir).filter((f) => IMPORTS_VSCODE.test(fs.readFileSync(path.join(root, f), 'utf8')));
      assert.deepEqual(offenders, []);
    });
  }

  it('src/core imports nothing from src/kube or src/host', () => {
    const offenders = sources('src/core').filter((f) => /from\s+['"]\.\.\/(kube|host)\//.test(fs.readFileSync(path.join(root, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
