// The recorder's ledger against both sides, counted: the real demo controller (our build) storms events on the
// real control plane; its log goes line by line into the ledger, which labels every attempt from our correlator's
// prediction and our own watch; kubectl then counts what the apiserver holds, and the two must agree.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { AGGREGATE_MESSAGE_PREFIX } from '../../src/core/correlator/correlator';
import type { KubeEvent } from '../../src/core/events/kubeEvent';
import { RecorderLedger, type LedgerCounts } from '../../src/core/ledger/recorderLedger';
import { LineSplitter } from '../../src/core/ledger/recorderLog';
import { EventSource } from '../../src/kube/eventSource';
import type { KubeClient } from '../../src/kube/kubeClient';
import { resolveBinaries } from '../cluster/binaries';
import type { ControlPlane } from '../cluster/controlPlane';
import { kubectlEvents, prepareStorm, releaseStorm, STORM_INSTANCE_FLAG, stormPlan, type StormPlan } from '../support/eventStorm';
import { clientFor, uniqueName, useCluster, waitFor } from './support/cluster';

const CONTROLLER = 'website-controller';
/** The ledger's bound in this test: long enough for client-go's rate-limited sink (5 writes/s) to drain the storm. */
const BOUND_MS = 25_000;

describe('the recorder ledger agrees with the apiserver on the demo controller\'s event storm', () => {
  const cluster = useCluster();
  let cp: ControlPlane;
  let admin: KubeClient;
  let demo: string;
  const children: ChildProcess[] = [];
  const plans: StormPlan[] = [];
  const sources: EventSource[] = [];

  before(async () => {
    cp = await cluster;
    admin = clientFor(cp, 'admin');
    demo = (await resolveBinaries(() => undefined, true)).producers!['demo-controller'];
  });
  after(async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const s of sources) s.stop();
    for (const p of plans) await releaseStorm(admin, p);
    admin?.dispose();
  });

  for (const [eventLog, logFormat] of [['structured', 'text'], ['printf', 'json']] as const) {
    it(`${eventLog === 'structured' ? 'StartStructuredLogging' : 'StartLogging'} as ${logFormat}: every label, counted on both sides`, async () => {
      const plan = stormPlan(uniqueName('ledger'));
      plans.push(plan);
      // Our watch, as the extension's session runs it: the events it sees are what the ledger joins with.
      const held = new Map<string, KubeEvent>();
      const source = new EventSource({
        client: admin,
        namespaces: [plan.namespace, plan.ending],
        preferredApi: 'core/v1',
        sink: (changes) => {
          for (const c of changes) held.set(c.event.uid, c.event);
        },
      });
      sources.push(source);
      source.start();
      await waitFor('the watch to go live', () => source.state.phase === 'live');
      await prepareStorm(admin, plan);

      const ledger = new RecorderLedger({ clock: { now: () => Date.now() }, source: CONTROLLER, boundMs: BOUND_MS });
      const child = spawn(demo, [`--kubeconfig=${cp.kubeconfigPath}`, `--namespace=${plan.namespace}`, `--event-log=${eventLog}`, `--log-format=${logFormat}`, STORM_INSTANCE_FLAG], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      const splitter = new LineSplitter();
      let done = false;
      child.stderr.on('data', (b: Buffer) => {
        for (const line of splitter.push(b.toString('utf8'))) {
          ledger.pushLine(line);
          if (line.includes('event storm done')) done = true;
        }
      });
      await waitFor('the storm to end', () => done, 60_000);
      const reasons = ['ProbeFailed', 'Resynced', 'MirrorFailed'];
      const counts = (reason: string): LedgerCounts => ledger.counts((a) => a.reason === reason);
      // Everything settles: each sent attempt confirmed by the watch, refused, or past the bound.
      await waitFor(
        'every attempt of the storm to be labelled',
        () => {
          ledger.reconcile(held.values());
          return reasons.every((r) => counts(r).pending === 0);
        },
        BOUND_MS + 30_000,
      );
      child.kill('SIGTERM');

      const probe = counts('ProbeFailed');
      const resynced = counts('Resynced');
      const mirror = counts('MirrorFailed');
      const attempts = (c: LedgerCounts) => Object.values(c).reduce((a, b) => a + b, 0);
      assert.equal(attempts(probe), plan.attempts, 'every ProbeFailed attempt was read from the log');
      assert.equal(attempts(resynced), Math.floor(plan.attempts / 3));

      // The apiserver's side, through kubectl.
      const judged = (await kubectlEvents(cp.kubeconfigPath, plan.namespace)).filter((e) => e.component === CONTROLLER);
      const of = (reason: string) => judged.filter((e) => e.reason === reason);
      const single = of('ProbeFailed').filter((e) => !e.message.startsWith(AGGREGATE_MESSAGE_PREFIX));
      const combined = of('ProbeFailed').filter((e) => e.message.startsWith(AGGREGATE_MESSAGE_PREFIX));
      assert.equal(single.length, probe.created, 'one ProbeFailed event on the apiserver per attempt labelled created');
      assert.ok(single.every((e) => e.count === 1));
      assert.equal(combined.length, 1, 'one combined event');
      assert.equal(combined[0].count, probe.combined, 'the combined event\'s count is the attempts labelled combined');
      assert.equal(probe['spam-filtered'], plan.attempts - probe.created - probe.combined, 'what the apiserver never got, the ledger says the spam filter dropped');
      assert.ok(probe['spam-filtered'] > 0 && probe.created > 0 && probe.combined > 0);
      assert.equal(of('Resynced').length, 1);
      assert.equal(of('Resynced')[0].count, resynced.created + resynced.patched, 'the Resynced count is created + count patched');
      assert.deepEqual([resynced.created, resynced.patched], [1, of('Resynced')[0].count - 1]);
      // The two refused ones: the missing namespace (no events can be there) and the terminating one (none arrived).
      assert.deepEqual([mirror.rejected, mirror['not-arrived']], [1, 1]);
      assert.equal((await kubectlEvents(cp.kubeconfigPath, plan.ending)).filter((e) => e.reason === 'MirrorFailed').length, 0);
      const rejected = ledger.attempts.find((a) => a.label === 'rejected')!;
      assert.equal(rejected.object.namespace, plan.gone);
      assert.equal(rejected.detail, `the apiserver refused it: namespaces "${plan.gone}" not found`);
      source.stop();
    });
  }
});
