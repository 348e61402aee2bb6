// The bundles activation does not load (esbuild.mjs's LAZY, docs/ARCHITECTURE.md §2): reached only through their
// loaders, importing nothing of src/ that would then exist twice, and shipped in the .vsix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/** esbuild.mjs's LAZY table: source module → bundle in dist/. */
function lazyBundles(): Array<{ source: string; bundle: string }> {
  const table = /const LAZY = \{([\s\S]*?)\n\};/.exec(read('esbuild.mjs'));
  assert.ok(table, 'esbuild.mjs declares no LAZY table');
  const entries = [...table[1].matchAll(/^\s*'([^']+)':\s*'([^']+)'/gm)].map((m) => ({ source: m[1], bundle: m[2] }));
  assert.ok(entries.length >= 3, `LAZY names ${entries.length} bundles`);
  return entries;
}

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** A module's imports that are not `import type`, resolved against the repository when relative. */
function valueImports(file: string): string[] {
  return [...read(file).matchAll(/^import\s+(?!type\b)[^'"]*?\bfrom\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => {
    const target = m[1] ?? m[2] ?? m[3];
    return target.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), target)) : target;
  });
}

describe('lazily loaded bundles', () => {
  it('import no runtime module of src/ but the protocol (a class in two bundles would be two classes)', () => {
    for (const { source } of lazyBundles()) {
      const ofSrc = valueImports(source).filter((t) => t.startsWith(`src${path.sep}`) && !t.startsWith(path.join('src', 'protocol')));
      assert.deepEqual(ofSrc, [], source);
    }
  });

  it('are reached at run time only through their loaders', () => {
    const lazy = new Set(lazyBundles().map(({ source }) => source.replace(/\.ts$/, '')));
    const loaders = new Set([path.join('src', 'kube', 'lazy.ts'), path.join('src', 'host', 'lsp', 'lazy.ts')]);
    const offenders = sources('src')
      .filter((f) => !loaders.has(f))
      .flatMap((f) => valueImports(f).filter((t) => lazy.has(t)).map((t) => `${f} → ${t}`));
    assert.deepEqual(offenders, [], 'a value import would bundle the module into dist/extension.js');
  });

  it('each loader requires what esbuild.mjs maps to a bundle', () => {
    const required = [path.join('src', 'kube', 'lazy.ts'), path.join('src', 'host', 'lsp', 'lazy.ts')].flatMap((f) => valueImports(f));
    assert.deepEqual(required.sort(), lazyBundles().map(({ source }) => source.replace(/\.ts$/, '')).sort());
  });

  it('are shipped in the .vsix (.vscodeignore re-includes each)', () => {
    const ignore = read('.vscodeignore');
    for (const { bundle } of lazyBundles()) assert.match(ignore, new RegExp(`^!${bundle.replace(/\./g, '\\.')}$`, 'm'), bundle);
  });

  it('leave the language server protocol out of dist/extension.js: every message type in src/protocol is marked pure', () => {
    // One unmarked `new NotificationType(...)` is a side effect esbuild must keep, and with it the whole protocol
    // package (about 300 KB) in the bundle activation loads.
    const unmarked = sources(path.join('src', 'protocol')).flatMap((f) =>
      [...read(f).matchAll(/^.*\bnew (?:Notification|Request)Type\d?\b.*$/gm)].filter((m) => !m[0].includes('/* @__PURE__ */')).map((m) => `${f}: ${m[0].trim()}`),
    );
    assert.deepEqual(unmarked, []);
  });
});
