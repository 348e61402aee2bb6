// Type-checks every tsconfig of the project (esbuild does not) and reports one result per project.
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
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
