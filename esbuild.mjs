// One build for every bundle. `node esbuild.mjs [--production] [--watch] [--tests] [--bundles=name,…]`
//   extension: src/extension.ts -> dist/extension.js (node, cjs, `vscode` external), what activation loads; and
//              the parts it loads on first use, each its own file beside it (LAZY below, docs/ARCHITECTURE.md §2)
//   webview:   src/webview/main.ts -> dist/webview.js (browser, iife), when present
//   server:    src/server/server.ts -> dist/server.js (node, cjs), when present, with its two .wasm files
//   historyWorker: src/history/historyWorker.ts -> dist/historyWorker.js (node, cjs), SQLite's thread
//   --tests:   every test/**/*.ts and bench/**/*.ts -> out/<same path>.js (node, cjs, packages external)
//   --bundles: build only the named bundles (extension, webview, server; none: `--bundles=`), e.g. the unit
//              stage needs only the server, which languageServerProcess.test.ts starts
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const bundlesArg = process.argv.find((a) => a.startsWith('--bundles='));
const bundles = bundlesArg === undefined ? undefined : new Set(bundlesArg.slice('--bundles='.length).split(',').filter(Boolean));
const wanted = (name) => bundles === undefined || bundles.has(name);

const common = { bundle: true, sourcemap: !production, minify: production, sourcesContent: false, logLevel: 'warning' };

/**
 * What the extension loads on first use rather than at activation: source module → its bundle in dist/. The
 * extension bundle reaches each only through `require('./lazy/<name>')` (src/kube/lazy.ts, src/host/lsp/lazy.ts),
 * which this build leaves as a require of the bundle beside it; test bundles compile the source in instead.
 * A lazy bundle imports no runtime module of src/ but its own (test/unit/bundles.test.ts): a class in two
 * bundles would be two classes.
 */
const LAZY = {
  // @kubernetes/client-node: credentials and YAML output, on the first request to a cluster.
  'src/kube/lazy/clientNode.ts': 'dist/kube.js',
  // The YAML parser: kubeconfig files and the manifest under the cursor, on the first read of either.
  'src/kube/lazy/yamlParser.ts': 'dist/yaml.js',
  // vscode-languageclient: once a YAML or Go document is open, after activation.
  'src/host/lsp/lazy/languageClient.ts': 'dist/languageClient.js',
};
const lazyNames = new Map(Object.entries(LAZY).map(([source, out]) => [source.replace(/^.*\/lazy\//, './lazy/').replace(/\.ts$/, ''), `./${out.slice('dist/'.length)}`]));
/** Leaves `require('./lazy/<name>')` in the extension bundle as a require of `./<bundle>.js` beside it. */
const lazyRequires = {
  name: 'lazy-requires',
  setup(build) {
    build.onResolve({ filter: /^\.\/lazy\/\w+$/ }, (args) => {
      const bundle = lazyNames.get(args.path);
      if (!bundle || args.kind !== 'require-call') return undefined;
      return { path: bundle, external: true };
    });
  },
};
/**
 * `import * as vscode from 'vscode'` in each of the host's modules would copy the whole API object's properties
 * once per module (esbuild's CommonJS interop): every module imports it from one module that re-exports it,
 * copied once.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};
/**
 * The language server protocol's module declares notification types that only the language client bundle uses;
 * nothing in the extension bundle depends on the package's side effects, so unused, it is left out.
 */
const protocolWithoutSideEffects = {
  name: 'protocol-without-side-effects',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver-protocol$/ }, async (args) => {
      if (args.pluginData === 'resolved') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolved' });
      return { ...resolved, sideEffects: false };
    });
  },
};

/** @type {esbuild.BuildOptions[]} */
const targets = [];
if (wanted('extension')) {
  targets.push({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [lazyRequires, protocolWithoutSideEffects, vscodeOnce] });
  for (const [source, outfile] of Object.entries(LAZY)) {
    targets.push({ ...common, entryPoints: [source], outfile, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] });
  }
}
if (wanted('webview') && existsSync('src/webview/main.ts')) {
  targets.push({ ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' });
}
if (wanted('server') && existsSync('src/server/server.ts')) {
  // web-tree-sitter's ESM build reads import.meta.url, which a CommonJS bundle lacks: take its CommonJS build.
  targets.push({ ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20', alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' } });
  // The server loads tree-sitter's runtime and the Go grammar as WASM from its own folder: no network, no native build.
  mkdirSync('dist', { recursive: true });
  copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/tree-sitter.wasm');
  copyFileSync('node_modules/tree-sitter-go/tree-sitter-go.wasm', 'dist/tree-sitter-go.wasm');
}

if (wanted('historyWorker')) {
  // History's SQLite runs on this worker thread, never on the extension host's (src/history/historyWorker.ts).
  targets.push({ ...common, entryPoints: ['src/history/historyWorker.ts'], outfile: 'dist/historyWorker.js', platform: 'node', format: 'cjs', target: 'node20' });
}

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'results' ? [] : tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}
if (tests) {
  targets.push({
    ...common, sourcemap: true, minify: false,
    entryPoints: [...tsFiles('test'), ...tsFiles('bench')], outdir: 'out', outbase: '.',
    platform: 'node', format: 'cjs', target: 'node20', packages: 'external',
  });
}

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
// The history database's SQLite is WebAssembly, loaded from beside the bundle at run time.
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm', 'dist/node-sqlite3-wasm.wasm');
