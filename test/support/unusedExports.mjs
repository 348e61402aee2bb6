// Finds exports in src/ that no other file in src/ imports, with the TypeScript compiler API (not regexes), and
// fails if there is one: an export nobody imports is either dead code or a local that should not be exported.
// Run by the typecheck stage (test/support/typecheck.mjs); `node test/support/unusedExports.mjs [--root DIR]`.
//
// - A user is a file under src/ other than the declaring one: `import { x }`, `import type { x }`, `export { x } from`,
//   `import('./m').X` in a type, and (counting every export of the module as used) `import * as m`, `export * from`
//   and a dynamic `import()`. Tests and benchmarks are not users; the report names them so the fix is easy to see:
//   test through the module's public API, or un-export.
// - An export that must stay although no src/ file imports it (an entry point VS Code or another extension calls,
//   the one unit a test must reach) is listed in <root>/test/support/exportAllowlist.json as
//   `{ "file": "src/…", "name": "…", "reason": "…" }`. An entry without a reason, or one that is no longer
//   needed (the export is gone or src/ now imports it), fails the check too, so the list stays true.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const ALLOWLIST = 'test/support/exportAllowlist.json';
/** Every export of the module counts as used (a namespace import, `export *`, a dynamic import). */
const ALL = '*';

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const posix = (path) => path.split(sep).join('/');

/**
 * @param {string} root the project: its src/ is checked; its test/ and bench/ are read only to name test users.
 * @returns {{ offenders: { file: string, line: number, column: number, name: string, tests: string[] }[],
 *             allowlistProblems: string[] }}
 */
export function findUnusedExports(root) {
  root = resolve(root);
  const srcFiles = tsFiles(join(root, 'src'));
  const otherFiles = [...tsFiles(join(root, 'test')), ...tsFiles(join(root, 'bench'))];
  // Only the project's own modules and their symbols matter here, not types or type errors (tsc checks those), so
  // neither the standard library nor packages are read: that keeps the check to a few seconds.
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    resolveJsonModule: true,
    noEmit: true,
    noLib: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, ...rest) => (posix(fileName).includes('/node_modules/') ? undefined : getSourceFile.call(host, fileName, ...rest));
  const program = ts.createProgram([...srcFiles, ...otherFiles], options, host);
  const checker = program.getTypeChecker();
  const rel = (fileName) => posix(relative(root, fileName));
  const isSrc = (fileName) => rel(fileName).startsWith('src/');

  /** `file\0name` → the files (other than `file`) that use that export; `file\0*` when they use them all. */
  const users = new Map();
  const use = (target, name, user) => {
    if (target === user) return;
    const key = `${target}\0${name}`;
    let set = users.get(key);
    if (!set) users.set(key, (set = new Set()));
    set.add(user);
  };
  const moduleFile = (specifier) => {
    const symbol = specifier && checker.getSymbolAtLocation(specifier);
    const decl = symbol?.declarations?.find(ts.isSourceFile);
    return decl && !decl.isDeclarationFile ? decl.fileName : undefined;
  };

  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !(isSrc(file.fileName) || otherFiles.includes(resolve(file.fileName)))) continue;
    const user = file.fileName;
    const visit = (node) => {
      if (ts.isImportDeclaration(node)) {
        const target = moduleFile(node.moduleSpecifier);
        const clause = node.importClause;
        if (target && clause) {
          if (clause.name) use(target, 'default', user);
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) use(target, ALL, user);
          if (bindings && ts.isNamedImports(bindings)) for (const s of bindings.elements) use(target, (s.propertyName ?? s.name).text, user);
        }
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        const target = moduleFile(node.moduleSpecifier);
        if (target) {
          if (!node.exportClause || ts.isNamespaceExport(node.exportClause)) use(target, ALL, user);
          else for (const s of node.exportClause.elements) use(target, (s.propertyName ?? s.name).text, user);
        }
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const target = moduleFile(node.argument.literal);
        if (target) use(target, node.qualifier ? firstName(node.qualifier) : ALL, user);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const target = moduleFile(node.arguments[0]);
        if (target) use(target, ALL, user);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const allowlist = readAllowlist(root);
  const allowed = new Map(allowlist.entries.map((e) => [`${e.file}\0${e.name}`, e]));
  const allowlistProblems = [...allowlist.problems];
  const seenAllowed = new Set();
  const offenders = [];

  for (const fileName of srcFiles) {
    const file = program.getSourceFile(fileName);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) continue;
    const key = file.fileName;
    const srcUsers = (name) => [...(users.get(`${key}\0${name}`) ?? []), ...(users.get(`${key}\0${ALL}`) ?? [])].filter(isSrc);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const name = symbol.getName();
      const allowKey = `${rel(key)}\0${name}`;
      const usedBySrc = srcUsers(name).length > 0;
      if (allowed.has(allowKey)) {
        seenAllowed.add(allowKey);
        if (usedBySrc) allowlistProblems.push(`${ALLOWLIST}: "${name}" in ${rel(key)} is imported by src/ now; remove its entry`);
        continue;
      }
      if (usedBySrc || namesAnotherExport(checker, file, symbol)) continue;
      const decl = symbol.declarations?.find((d) => d.getSourceFile() === file) ?? symbol.declarations?.[0];
      const at = decl ? (ts.getNameOfDeclaration(decl) ?? decl) : file;
      const { line, character } = file.getLineAndCharacterOfPosition(at.getStart(file));
      const tests = [...(users.get(`${key}\0${name}`) ?? [])].filter((f) => !isSrc(f)).map(rel).sort();
      offenders.push({ file: rel(key), line: line + 1, column: character + 1, name, tests });
    }
  }
  for (const [k, e] of allowed) {
    if (!seenAllowed.has(k)) allowlistProblems.push(`${ALLOWLIST}: ${e.file} exports no "${e.name}"; remove its entry`);
  }
  offenders.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { offenders, allowlistProblems };
}

/**
 * True for a type (interface or type alias, not a class or value) that another export of its own file mentions in its
 * declaration: it names part of that export's signature (an options bag, a message of a union), so callers may name
 * it too. Values get no such pass: a function or constant only its own file uses is a local.
 */
function namesAnotherExport(checker, file, symbol) {
  const decls = symbol.declarations ?? [];
  if (decls.length === 0 || !decls.every((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d))) return false;
  const own = new Set(decls);
  let found = false;
  const visit = (node, top) => {
    if (found) return;
    if (ts.isIdentifier(node) && !own.has(top) && checker.getSymbolAtLocation(node) === symbol) {
      found = true;
      return;
    }
    ts.forEachChild(node, (child) => visit(child, top));
  };
  for (const statement of file.statements) {
    if (own.has(statement) || !isExported(statement)) continue;
    visit(statement, statement);
  }
  return found;
}

function isExported(statement) {
  return (ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function firstName(entity) {
  while (ts.isQualifiedName(entity)) entity = entity.left;
  return entity.text;
}

function readAllowlist(root) {
  const path = join(root, ALLOWLIST);
  if (!existsSync(path)) return { entries: [], problems: [] };
  let data;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { entries: [], problems: [`${ALLOWLIST}: not valid JSON (${err.message})`] };
  }
  if (!Array.isArray(data)) return { entries: [], problems: [`${ALLOWLIST}: expected an array of { file, name, reason }`] };
  const entries = [];
  const problems = [];
  data.forEach((e, i) => {
    const ok = e && typeof e.file === 'string' && typeof e.name === 'string' && typeof e.reason === 'string' && e.reason.trim() !== '';
    if (ok) entries.push(e);
    else problems.push(`${ALLOWLIST}: entry ${i + 1} needs "file", "name" and a non-empty "reason"`);
  });
  return { entries, problems };
}

/** Prints the report; returns the process exit code. */
export function report({ offenders, allowlistProblems }, out = console.log) {
  for (const o of offenders) {
    const why = o.tests.length > 0 ? `only tests import it (${o.tests.join(', ')})` : 'nothing else imports it';
    out(`${o.file}:${o.line}:${o.column}: export "${o.name}" is not imported by any other file in src/; ${why}`);
  }
  for (const p of allowlistProblems) out(p);
  if (offenders.length > 0) {
    out(
      `\n${offenders.length} unused export(s). Remove the export keyword (or the declaration, if unused), or test through ` +
        `the module's public API. If it must stay, add { file, name, reason } to ${ALLOWLIST} (see docs/ARCHITECTURE.md §17).`,
    );
  }
  const failed = offenders.length > 0 || allowlistProblems.length > 0;
  out(failed ? 'unused exports: 0 passed, 1 failed' : 'unused exports: 1 passed, 0 failed');
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--root');
  const root = at > 0 ? process.argv[at + 1] : process.cwd();
  process.exit(report(findUnusedExports(root)));
}
