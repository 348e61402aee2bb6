/**
 * `npm test`: type-check, unit tests, then — against one real control plane started here, with the event
 * producers (controller-manager, scheduler, kwok, demo controller) — integration tests, the extension-host
 * suite in code-server and the UI suite in code-server + Chromium.
 * `node out/test/run.js [stage…]` runs only the named stages (unit, integration, vscode, e2e, typecheck).
 * Each stage is a child process that ends with its own "N passed, N failed" line; this prints a summary
 * and the total, and exits non-zero if any stage failed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startControlPlane, type ControlPlane } from './cluster/controlPlane';

const root = path.resolve(__dirname, '..', '..');
const node = process.execPath;
const STAGES = ['typecheck', 'unit', 'integration', 'vscode', 'e2e'] as const;
type Stage = (typeof STAGES)[number];

interface Outcome {
  readonly stage: Stage;
  readonly passed: number;
  readonly failed: number;
  readonly exitCode: number;
  readonly seconds: number;
}

const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed/;
const nodeTestArgs = [
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'test/support/summaryReporter.mjs')}`,
  '--test-reporter-destination=stdout',
];

/** Runs a command, streaming its output, and reads the last "N passed, N failed" line it printed. */
function run(stage: Stage, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const started = Date.now();
  console.log(`\n=== ${stage}: ${[path.basename(cmd), ...args.map((a) => path.relative(root, a) || a)].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let passed = 0;
    let failed = 0;
    let sawSummary = false;
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (tail + chunk.toString('utf8')).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        const m = SUMMARY.exec(line.trim());
        if (m) [passed, failed, sawSummary] = [Number(m[1]), Number(m[2]), true];
      }
    });
    child.on('close', (code) => {
      const m = SUMMARY.exec(tail.trim());
      if (m) [passed, failed, sawSummary] = [Number(m[1]), Number(m[2]), true];
      const exitCode = code ?? 1;
      // A runner that died before its summary counts as one failure, never as a silent pass.
      if (!sawSummary && exitCode !== 0) failed = Math.max(failed, 1);
      resolve({ stage, passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed, exitCode, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function testFiles(dir: string): string[] {
  const abs = path.join(root, 'out/test', dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(abs, f));
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2) as Stage[];
  for (const s of requested) if (!STAGES.includes(s)) throw new Error(`unknown stage "${s}"; stages are ${STAGES.join(', ')}`);
  const stages = requested.length > 0 ? requested : [...STAGES];
  const outcomes: Outcome[] = [];
  let cluster: ControlPlane | undefined;
  const needsCluster = stages.some((s) => s === 'integration' || s === 'vscode' || s === 'e2e');
  try {
    if (needsCluster) {
      const t0 = Date.now();
      // With the producers: the suites see events from the real controllers, scheduler and kwok.
      cluster = await startControlPlane({ dir: path.join(root, '.run', 'test-cluster'), producers: true, log: (m) => console.log(`[cluster] ${m}`) });
      console.log(`[cluster] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${cluster.server}`);
    }
    const clusterEnv: NodeJS.ProcessEnv = cluster ? { KUBECONFIG: cluster.kubeconfigPath, KUBE_EVENTS_CLUSTER_DIR: cluster.dir } : {};
    for (const stage of stages) {
      switch (stage) {
        case 'typecheck':
          outcomes.push(await run(stage, node, [path.join(root, 'test/support/typecheck.mjs')]));
          break;
        case 'unit':
          outcomes.push(await run(stage, node, [...nodeTestArgs, ...testFiles('unit')]));
          break;
        case 'integration':
          outcomes.push(await run(stage, node, [...nodeTestArgs, ...testFiles('integration')], clusterEnv));
          break;
        case 'vscode':
          outcomes.push(await run(stage, node, [path.join(root, 'out/test/vscode/runExtensionHost.js')], clusterEnv));
          break;
        case 'e2e': {
          const pkg = await run(stage, node, [path.join(root, 'test/support/packageVsix.mjs')]);
          outcomes.push(pkg.exitCode === 0 ? await run(stage, node, [...nodeTestArgs, ...testFiles('e2e')], clusterEnv) : pkg);
          break;
        }
        default: {
          const never: never = stage;
          throw new Error(`unhandled stage ${String(never)}`);
        }
      }
    }
  } finally {
    await cluster?.stop();
  }
  console.log('\n=== summary');
  for (const o of outcomes) console.log(`${o.stage.padEnd(12)} ${o.passed} passed, ${o.failed} failed  (${o.seconds.toFixed(1)} s, exit ${o.exitCode})`);
  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  const bad = outcomes.some((o) => o.exitCode !== 0) || failed > 0;
  console.log(`${passed} passed, ${failed} failed`);
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
