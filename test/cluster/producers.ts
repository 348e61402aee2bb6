// The components that write events in a real cluster: kube-controller-manager, kube-scheduler, kwok (the
// kubelet of fake nodes) and our demo controller, with the fake nodes they run on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './binaries';
import { type ProducerState, type StateFile, writeState } from './stateFile';
import { liveProcess, ms, READY_TIMEOUT_MS, request, sleep, spawnDetached, startupError } from './supervision';

/** The components that {@link StartControlPlaneOptions.producers} starts, in start order. */
export const PRODUCERS = ['kube-controller-manager', 'kube-scheduler', 'kwok', 'demo-controller'] as const;
export type ProducerName = (typeof PRODUCERS)[number];

/** Fake nodes that kwok manages (4 CPUs, 8 GiB, 110 pods each), created with the producers. */
export const FAKE_NODES = ['kwok-node-1', 'kwok-node-2', 'kwok-node-3'] as const;
/** Pods with this label set to "true" crash-loop on a fake node: kwok records a repeating BackOff warning. */
export const CRASH_LOOP_LABEL = 'kube-events.local/crash-loop';
/** The demo controller's custom resource (test/cluster/go/demo-controller/website-crd.yaml). */
export const WEBSITE = { group: 'demo.kube-events.local', version: 'v1', kind: 'Website', plural: 'websites' } as const;

/**
 * Controllers kube-controller-manager runs: the ones whose objects the tests and the sandbox create,
 * plus what keeps a namespace usable (service accounts, quota, garbage collection). Not the pod garbage
 * collector: it deletes pods bound to nodes that do not exist, which demoCluster's seedDemo relies on.
 */
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'namespace-controller',
  // Removes the not-ready taint that admission puts on every new node once kwok reports it Ready.
  'node-lifecycle-controller',
  'resourcequota-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
];

/**
 * Command lines of the producers. All of them use the admin kubeconfig (system:masters): this is a test
 * cluster, and per-component identities would add certificates without adding events. Each serves
 * /healthz on its own loopback port; leader election is off because each runs once.
 */
export function producerStates(state: StateFile, bins: Record<ProducerName, string>, ports: number[]): ProducerState[] {
  const kubeconfig = state.kubeconfigPath;
  const delegated = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`];
  const args: Record<ProducerName, { args: string[]; health: (port: number) => string }> = {
    'kube-controller-manager': {
      args: [
        ...delegated,
        '--bind-address=127.0.0.1',
        `--cert-dir=${path.join(state.dir, 'certs', 'kube-controller-manager')}`,
        '--leader-elect=false',
        `--controllers=${CONTROLLERS.join(',')}`,
        // The serviceaccount-token controller signs with the key the apiserver verifies.
        `--service-account-private-key-file=${path.join(state.dir, 'sa.key')}`,
        `--root-ca-file=${state.caFile}`,
        '--profiling=false',
      ],
      health: (port) => `https://127.0.0.1:${port}/healthz`,
    },
    'kube-scheduler': {
      args: [...delegated, '--bind-address=127.0.0.1', `--cert-dir=${path.join(state.dir, 'certs', 'kube-scheduler')}`, '--leader-elect=false', '--profiling=false'],
      health: (port) => `https://127.0.0.1:${port}/healthz`,
    },
    kwok: {
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${path.join(repoRoot(), 'test', 'cluster', 'kwok', 'stages.yaml')}`,
        `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
      ],
      health: (port) => `http://127.0.0.1:${port}/healthz`,
    },
    'demo-controller': { args: [`--kubeconfig=${kubeconfig}`], health: (port) => `http://127.0.0.1:${port}/healthz` },
  };
  return PRODUCERS.map((name, i) => {
    const port = ports[i];
    const portFlag = name === 'kwok' ? `--server-address=127.0.0.1:${port}` : name === 'demo-controller' ? `--health-address=127.0.0.1:${port}` : `--secure-port=${port}`;
    return { name, bin: bins[name], args: [...args[name].args, portFlag], log: path.join(state.dir, `${name}.log`), pid: null, health: args[name].health(port) };
  });
}

const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** Creates the fake nodes, starts every producer and waits until each answers /healthz and the nodes are Ready. */
export async function startProducers(state: StateFile, adminToken: string, log: (m: string) => void): Promise<void> {
  const producers = state.producers ?? [];
  const admin = { ca: state.caFile, token: adminToken };
  for (const [i, name] of FAKE_NODES.entries()) {
    const capacity = { cpu: '4', memory: '8Gi', pods: '110' };
    // TEST-NET-1 addresses: never routed, and distinct per node so pod hostIPs tell the nodes apart.
    const addresses = [{ type: 'InternalIP', address: `192.0.2.${11 + i}` }, { type: 'Hostname', address: name }];
    const res = await request({
      ...admin,
      url: `${state.server}/api/v1/nodes`,
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { [FAKE_NODE_ANNOTATION]: 'fake' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
        },
        status: { capacity, allocatable: capacity, addresses },
      }),
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST /api/v1/nodes ${name}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  }
  for (const p of producers) {
    if (p.args.some((a) => a.startsWith('--cert-dir='))) fs.mkdirSync(path.join(state.dir, 'certs', p.name), { recursive: true });
    p.pid = spawnDetached(p);
  }
  writeState(state);
  const started = Date.now();
  await Promise.all(
    producers.map(async (p) => {
      await waitForHealth(p, started);
      log(`${p.name} healthy after ${ms(started)}`);
    }),
  );
  const kwok = producers.find((p) => p.name === 'kwok')!;
  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    const res = await request({ ...admin, url: `${state.server}/api/v1/nodes` });
    type Node = { metadata: { name: string }; spec?: { taints?: unknown[] }; status?: { conditions?: Array<{ type: string; status: string }> } };
    const items = res.status === 200 ? (JSON.parse(res.body) as { items: Node[] }).items : [];
    // Schedulable too: the node-lifecycle controller has removed the not-ready taint.
    const ready = items.filter((n) => (FAKE_NODES as readonly string[]).includes(n.metadata.name) && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.taints?.length);
    if (ready.length === FAKE_NODES.length) break;
    if (!liveProcess(kwok)) throw startupError('kwok exited during startup', kwok);
    if (Date.now() > deadline) throw startupError(`fake nodes not Ready and untainted after ${READY_TIMEOUT_MS / 1000} s (${ready.length} of ${FAKE_NODES.length})`, kwok);
    await sleep(250);
  }
  log(`${FAKE_NODES.length} fake nodes Ready after ${ms(started)}`);
}

async function waitForHealth(p: ProducerState, started: number): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!liveProcess(p)) throw startupError(`${p.name} exited during startup`, p);
    try {
      const res = await request({ url: p.health, insecure: true });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(250);
  }
  throw startupError(`${p.name} not healthy after ${READY_TIMEOUT_MS / 1000} s (last ${p.health}: ${last})`, p);
}
