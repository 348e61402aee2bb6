// Builds the production bundles and packages dist/kube-events.vsix, as a user would install it (npm run
// package, the UI tests, the sandbox). README links stay relative: they resolve once the package names the
// repository it is published from.
import { spawnSync } from 'node:child_process';

for (const args of [['esbuild.mjs', '--production'], ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', 'dist/kube-events.vsix']]) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`packaging failed: node ${args.join(' ')} exited ${r.status}`);
    process.exit(1);
  }
}
