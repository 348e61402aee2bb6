/**
 * `npm run sandbox`: the product on its embedded default. Starts a real control plane, fills it with
 * workloads and events, keeps a trickle of live events going, starts code-server with the packaged
 * extension installed and prints the URL to open. Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startControlPlane } from '../cluster/controlPlane';
import { loadKubeconfig } from '../../src/kube/kubeConfigLoader';
import { startCodeServer } from '../support/codeServer';
import { recordEvent, seedDemo } from '../support/demoCluster';

const root = path.resolve(__dirname, '..', '..', '..');

function step(m: string): void {
  console.log(`[sandbox] ${m}`);
}

async function main(): Promise<void> {
  step('packaging the extension');
  const pkg = spawnSync(process.execPath, [path.join(root, 'test/support/packageVsix.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (pkg.status !== 0) throw new Error('packaging failed (see above)');
  step('starting kube-apiserver and etcd (the first run builds them: a few minutes)');
  const cp = await startControlPlane({ dir: path.join(root, '.run', 'sandbox-cluster'), log: (m) => step(m) });
  const loaded = loadKubeconfig({ path: cp.kubeconfigPath, context: 'admin' });
  if (!loaded.ok) throw new Error(loaded.message);
  const client = loaded.value.client;
  step('creating workloads and events');
  const demo = await seedDemo(client);
  step('starting code-server with Kube Events installed');
  const cs = await startCodeServer({
    runDir: path.join(root, '.run', 'sandbox-code-server'),
    vsix: path.join(root, 'dist/kube-events.vsix'),
    env: { KUBECONFIG: cp.kubeconfigPath },
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });
  // The demo's manifests in the workspace: opening one shows its objects' events in the editor.
  fs.cpSync(path.join(root, 'test', 'sandbox', 'workspace'), cs.workspaceDir, { recursive: true });

  // A trickle of live events: the tree, the log and the timeline update as they arrive.
  const [p1, p2] = demo.pods as [typeof demo.pods[0], typeof demo.pods[0]];
  let tick = 0;
  const live = setInterval(() => {
    tick++;
    const pick = tick % 3;
    const write =
      pick === 0
        ? recordEvent(client, p2, { type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container app in pod ${p2.name}`, component: 'kubelet', count: 17 + tick })
        : pick === 1
          ? recordEvent(client, p1, { reason: 'Pulled', message: 'Container image "registry.example/shop/web:1.4.3" already present on machine', component: 'kubelet' })
          : recordEvent(client, demo.deployment, { reason: 'ScalingReplicaSet', message: `Scaled replica set web-7c9d8f6b5 to ${2 + (tick % 3)}`, component: 'deployment-controller' });
    write.catch((err: unknown) => step(`live event failed: ${err instanceof Error ? err.message : String(err)}`));
  }, 5_000);

  const url = cs.workbenchUrl();
  console.log('');
  console.log(`  Open ${url}`);
  console.log('  then click the Kube Events icon in the activity bar.');
  console.log('');
  console.log(`  kubeconfig: ${cp.kubeconfigPath} (contexts "admin" and "restricted")`);
  console.log(`  try: KUBECONFIG=${cp.kubeconfigPath} kubectl get events -A`);
  console.log('  Ctrl-C stops the sandbox.');

  const stop = async (): Promise<void> => {
    clearInterval(live);
    step('stopping');
    client.dispose();
    await cs.stop();
    await cp.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`[sandbox] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
