/**
 * `npm run sandbox`: the product on its embedded default. Starts a real control plane with the event
 * producers (controller-manager, scheduler, kwok's fake nodes, the demo controller), creates workloads,
 * starts code-server with the packaged extension installed and prints the URL to open. The events come
 * from those components; only a hostile-text event and one that expires are written by the sandbox
 * itself (source kube-events-sandbox). Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startControlPlane } from '../cluster/controlPlane';
import { loadKubeconfig } from '../../src/kube/kubeConfigLoader';
import { startCodeServer } from '../support/codeServer';
import { SANDBOX_SOURCE, startWorkloads } from '../support/demoCluster';

const root = path.resolve(__dirname, '..', '..', '..');

function step(m: string): void {
  console.log(`[sandbox] ${m}`);
}

async function main(): Promise<void> {
  step('packaging the extension');
  const pkg = spawnSync(process.execPath, [path.join(root, 'test/support/packageVsix.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (pkg.status !== 0) throw new Error('packaging failed (see above)');
  step('starting etcd, kube-apiserver and the event producers (the first run builds them: about 15 minutes on 2 cores)');
  const cp = await startControlPlane({ dir: path.join(root, '.run', 'sandbox-cluster'), producers: true, log: (m) => step(m) });
  const loaded = loadKubeconfig({ path: cp.kubeconfigPath, context: 'admin' });
  if (!loaded.ok) throw new Error(loaded.message);
  const client = loaded.value.client;
  step('creating workloads (the controllers, the scheduler and kwok write the events)');
  const workloads = await startWorkloads(client);
  step(`workloads in namespaces ${workloads.namespaces.join(', ')}`);
  step('starting code-server with Kube Events installed');
  const cs = await startCodeServer({
    runDir: path.join(root, '.run', 'sandbox-code-server'),
    vsix: path.join(root, 'dist/kube-events.vsix'),
    env: { KUBECONFIG: cp.kubeconfigPath },
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });
  // The demo's manifests in the workspace: opening one shows its objects' events in the editor.
  fs.cpSync(path.join(root, 'test', 'sandbox', 'workspace'), cs.workspaceDir, { recursive: true });

  const url = cs.workbenchUrl();
  console.log('');
  console.log(`  Open ${url}`);
  console.log('  then click the Kube Events icon in the activity bar.');
  console.log('');
  console.log(`  kubeconfig: ${cp.kubeconfigPath} (contexts "admin" and "restricted")`);
  console.log(`  try: KUBECONFIG=${cp.kubeconfigPath} kubectl get events -A -o custom-columns=SOURCE:.source.component,CTRL:.reportingComponent,REASON:.reason,COUNT:.count`);
  console.log(`  filter: under:Website/shop/storefront   or   source:${SANDBOX_SOURCE} for the two events the sandbox wrote itself`);
  console.log('  Ctrl-C stops the sandbox.');

  const stop = async (): Promise<void> => {
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
