// Builds the production bundles and packages dist/kube-events.vsix, as a user would install it.
import { spawnSync } from 'node:child_process';

for (const args of [['esbuild.mjs', '--production'], ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--out', 'dist/kube-events.vsix']]) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`packaging failed: node ${args.join(' ')} exited ${r.status}`);
    process.exit(1);
  }
}
