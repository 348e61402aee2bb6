// The standard extension-test entry point: VS Code loads this module in the extension host and awaits
// `run()`. test/vscode/runExtensionHost.ts drives it in code-server; desktop VS Code can run the same
// compiled *.test.js files through @vscode/test-cli (.vscode-test.mjs), which brings its own mocha runner.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { readReloadState, writeReloadState } from './windowReload';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  // The extension host inherits code-server's environment, so a runner can narrow the suite.
  const grep = process.env.KUBE_EVENTS_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  // A test asked for a window reload (windowReload.ts): this is the reloaded window; run only its tests.
  const before = readReloadState();
  if (before?.phase === 'requested') {
    writeReloadState({ ...before, phase: 'reloaded' });
    mocha.grep(before.grep);
  }
  const carried = before?.phase === 'requested' ? before : { passed: 0, failed: 0 };
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const runner = mocha.run(() => {
      const requested = readReloadState();
      if (requested?.phase === 'requested') {
        // Never settles: the reload ends this extension host, and the next window reports for both.
        writeReloadState({ ...requested, passed, failed });
        console.log(`# reloading the window for "${requested.grep}" (${passed} passed, ${failed} failed so far)`);
        void vscode.commands.executeCommand('workbench.action.reloadWindow');
        return;
      }
      passed += carried.passed;
      failed += carried.failed;
      // The plain closing line every runner prints; runExtensionHost.ts reads the counts from it.
      console.log(`${passed} passed, ${failed} failed`);
      if (failed > 0) reject(new Error(`${failed} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
    // Also fires for failing hooks, which count as failures here.
    runner.on('fail', () => failed++);
  });
}
