import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

// docs/ARCHITECTURE.md and the code cite each other: comments cite its sections by number, and it names files.
// Both kinds of reference are checked here, so a renumbered section or a moved file cannot leave one dangling.

const root = path.resolve(__dirname, '..', '..', '..');
const DOC = 'docs/ARCHITECTURE.md';
const SECTION = '\u00a7';

/** The numbers of a markdown document's numbered headings: `## 4. The watch` gives "4", `### 4.2 Paging` "4.2". */
function headingNumbers(doc: string): Set<string> {
  return new Set([...doc.matchAll(/^#{2,6}[ \t]+(\d+(?:\.\d+)*)\.?[ \t]/gm)].map((m) => m[1]));
}

/** Every section cited in a text: the section sign and 4, or 4.2 (a sentence's full stop after it is no part of it). */
function citedSections(text: string): string[] {
  return [...text.matchAll(new RegExp(`${SECTION}(\\d+(?:\\.\\d+)*)`, 'g'))].map((m) => m[1]);
}

/**
 * Every repository path the document names: `src/…` and `test/…` paths, and file names (`timelinePanel.ts`,
 * `compose/views.ts`) written without their folder.
 */
function namedPaths(doc: string): { rooted: string[]; bare: string[] } {
  const rooted = [...doc.matchAll(/(?<![\w./-])((?:src|test)\/[\w./*-]*[\w*])/g)].map((m) => m[1]);
  const bare = [...doc.matchAll(/(?<![\w./-])([\w][\w/.-]*\.(?:ts|mjs|json))\b/g)].map((m) => m[1]).filter((p) => !/^(?:src|test)\//.test(p));
  return { rooted: [...new Set(rooted)], bare: [...new Set(bare)] };
}

interface Source {
  readonly path: string;
  readonly text: string;
}

/**
 * What does not resolve: a cited section with no heading, a rooted path that does not exist (a glob's folder must),
 * a bare file name that no file of the repository ends with.
 */
function danglingReferences(doc: string, sources: readonly Source[], files: readonly string[]): string[] {
  const problems: string[] = [];
  const headings = headingNumbers(doc);
  for (const s of sources) {
    for (const n of citedSections(s.text)) if (!headings.has(n)) problems.push(`${s.path} cites ${SECTION}${n}, which ${DOC} has no heading for`);
  }
  const all = new Set(files);
  const exists = (p: string): boolean => all.has(p) || files.some((f) => f.startsWith(`${p}/`));
  const { rooted, bare } = namedPaths(doc);
  for (const p of rooted) {
    const target = p.split('*')[0].replace(/\/+$/, '');
    if (!exists(target)) problems.push(`${DOC} names ${p}, which does not exist`);
  }
  for (const p of bare) {
    if (!files.some((f) => f === p || f.endsWith(`/${p}`))) problems.push(`${DOC} names ${p}, which no file of the repository is`);
  }
  return problems;
}

function repositoryFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'out' || e.name === 'dist') continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out;
}

describe('docs/ARCHITECTURE.md and the code', () => {
  it('finds a planted section that does not exist, a missing file and a bare name that is no file', () => {
    const doc = [
      '# Title',
      '## 1. The data path',
      'See src/core/kubeEvent.ts, src/core/query/, test/unit/**, timelinePanel.ts and src/core/gone.ts.',
      '### 1.2 Details',
      'Also compose/nowhere.ts.',
      '## 13. Composition',
    ].join('\n');
    const sources: Source[] = [
      { path: 'src/a.ts', text: `// fine (docs/ARCHITECTURE.md ${SECTION}1, ${SECTION}13.) and ${SECTION}1.2` },
      { path: 'src/b.ts', text: `/** wrong (docs/ARCHITECTURE.md ${SECTION}17) and ${SECTION}1.3 */` },
    ];
    const files = ['src/core/kubeEvent.ts', 'src/core/query/parse.ts', 'test/unit/a.test.ts', 'src/host/timeline/timelinePanel.ts'];
    assert.deepEqual(danglingReferences(doc, sources, files), [
      `src/b.ts cites ${SECTION}17, which ${DOC} has no heading for`,
      `src/b.ts cites ${SECTION}1.3, which ${DOC} has no heading for`,
      `${DOC} names src/core/gone.ts, which does not exist`,
      `${DOC} names compose/nowhere.ts, which no file of the repository is`,
    ]);
    assert.deepEqual(danglingReferences(doc, [sources[0]], [...files, 'src/core/gone.ts', 'src/compose/nowhere.ts']), []);
  });

  it('every section cited in src/, test/ and the document itself has a heading, and every path it names exists', () => {
    const files = repositoryFiles();
    const code = files.filter((f) => /^(?:src|test)\//.test(f) && /\.(?:ts|mjs|js|go)$/.test(f));
    // A wrong root would check nothing and pass: fail instead.
    assert.ok(code.length > 100, `only ${code.length} sources under ${root}`);
    const doc = fs.readFileSync(path.join(root, DOC), 'utf8');
    const sources = [{ path: DOC, text: doc }, ...code.map((f) => ({ path: f, text: fs.readFileSync(path.join(root, f), 'utf8') }))];
    assert.ok(sources.some((s) => s.path !== DOC && citedSections(s.text).length > 0), 'no citation found at all');
    assert.deepEqual(danglingReferences(doc, sources, files), []);
  });
});
