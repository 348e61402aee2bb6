import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands } from '../../src/constants';
import { EDITOR_COMMANDS } from '../../src/protocol/languageServer';

const root = path.resolve(__dirname, '..', '..', '..');

function imports(dir: string): Array<[string, string]> {
  const abs = path.join(root, dir);
  assert.ok(fs.existsSync(abs), `${dir} does not exist`);
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...fs.readFileSync(path.join(abs, f), 'utf8').matchAll(/(?:from\s+|require\()\s*['"]([^'"]+)['"]/g)].map((m): [string, string] => [f, m[1]]));
}

describe('language server boundaries', () => {
  it('src/server imports only itself, src/core, src/protocol and its libraries (never vscode)', () => {
    const allowed = /^(\.\/|\.\.\/core\/|\.\.\/protocol\/|node:|vscode-languageserver|yaml$|web-tree-sitter$)/;
    assert.deepEqual(imports('src/server').filter(([, m]) => !allowed.test(m)), []);
  });

  it('the host feed and its halves have no vscode import, so they run under plain Node', () => {
    const feed = ['languageServerFeed.ts', 'objectFeed.ts', 'reasonFeed.ts', 'editorEvents.ts'];
    assert.deepEqual(imports('src/host/lsp').filter(([f, m]) => feed.includes(f) && (m === 'vscode' || m.startsWith('vscode-languageclient'))), []);
  });

  it('the commands the server links are the extension\'s own', () => {
    for (const id of Object.values(EDITOR_COMMANDS)) assert.ok((Object.values(Commands) as string[]).includes(id), id);
  });
});
