// Type-checks every tsconfig of the project (esbuild does not), lints the whole tree with ESLint's type-aware
// rules (eslint.config.mjs), checks that every export in src/ has a user in src/ (unusedExports.mjs), and reports
// one result per check.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['tsconfig.json', 'src/webview/tsconfig.json', 'src/server/tsconfig.json'].filter((p) => existsSync(p));
let passed = 0;
let failed = 0;
for (const project of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', project], { stdio: 'inherit' });
  if (r.status === 0) {
    passed++;
    console.log(`ok - tsc -p ${project}`);
  } else {
    failed++;
    console.log(`not ok - tsc -p ${project}`);
  }
}
const lint = spawnSync(process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.'], { stdio: 'inherit' });
if (lint.status === 0) {
  passed++;
  console.log('ok - eslint .');
} else {
  failed++;
  console.log('not ok - eslint .');
}
const unused = spawnSync(process.execPath, ['test/support/unusedExports.mjs'], { stdio: 'inherit' });
if (unused.status === 0) {
  passed++;
  console.log('ok - unused exports');
} else {
  failed++;
  console.log('not ok - unused exports (each is listed above with file:line)');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
