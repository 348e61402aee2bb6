// @vscode/test-cli configuration (`npx vscode-test`): the extension-host suite in desktop VS Code, for
// machines that can download it from update.code.visualstudio.com. It runs the same compiled files as the
// code-server harness (`node out/test/vscode/runExtensionHost.js`), which is what CI uses here; build
// them first with `node esbuild.mjs && node esbuild.mjs --tests`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'extensionHost',
  files: 'out/test/vscode/suite/**/*.test.js',
  // The VS Code that code-server 4.100.3 ships, so both routes test against the same API.
  version: '1.100.3',
  // test-cli brings its own mocha runner instead of test/vscode/suite/index.ts: keep the options in step.
  mocha: { ui: 'tdd', timeout: 60_000 },
  // Only the extension under development; KUBECONFIG and the rest of the environment pass through.
  launchArgs: ['--disable-extensions'],
});
