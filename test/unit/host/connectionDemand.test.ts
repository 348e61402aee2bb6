import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/emitter';
import type { SessionSettings } from '../../../src/kube/clusterSession';
import { ConnectionDemand, connectWhenDemanded, type ConnectionReason } from '../../../src/host/connectionDemand';

describe('connection demand', () => {
  it('connects at the first reason, once, and stays connected for the window', () => {
    const demand = new ConnectionDemand();
    const fired: ConnectionReason[] = [];
    demand.onDidDemand((r) => fired.push(r));
    assert.equal(demand.reason, undefined, 'nothing asked for the cluster yet');
    demand.want('document');
    demand.want('view');
    demand.want('command');
    assert.deepEqual(fired, ['document'], 'later reasons change nothing');
    assert.equal(demand.reason, 'document');
    demand.dispose();
  });

  it('a disposed demand connects nothing', () => {
    const demand = new ConnectionDemand();
    const fired: ConnectionReason[] = [];
    demand.onDidDemand((r) => fired.push(r));
    demand.dispose();
    demand.want('view');
    assert.deepEqual(fired, []);
    assert.equal(demand.reason, undefined);
  });

  it('connects the session at the first reason, and passes settings changes on only after it', () => {
    const demand = new ConnectionDemand();
    const requests = new Emitter<SessionSettings>();
    const atStart: SessionSettings = { kubeconfig: { context: 'a' }, scope: { kind: 'context' } };
    let current = atStart;
    const updates: SessionSettings[] = [];
    const logged: string[] = [];
    const wiring = connectWhenDemanded(
      demand,
      { update: (s) => updates.push(s) },
      {
        get sessionSettings() {
          return current;
        },
        onDidRequestConnection: requests.event,
      },
      { info: (m) => logged.push(m) },
    );
    const beforeDemand: SessionSettings = { kubeconfig: { context: 'b' }, scope: { kind: 'all' } };
    current = beforeDemand;
    requests.fire(beforeDemand);
    assert.deepEqual(updates, [], 'a settings change before any reason connects nothing');
    demand.want('view');
    assert.deepEqual(updates, [beforeDemand], 'the first reason connects with the settings of that moment');
    assert.deepEqual(logged, ['[session] connecting: the Events view is shown']);
    const later: SessionSettings = { kubeconfig: { context: 'c' }, scope: { kind: 'all' } };
    requests.fire(later);
    assert.deepEqual(updates, [beforeDemand, later], 'once connected, a settings change reaches the session');
    for (const d of wiring) d.dispose();
    demand.dispose();
  });
  it('connects nothing while a capture holds the window, neither at a reason nor at a settings change', () => {
    const demand = new ConnectionDemand();
    const requests = new Emitter<SessionSettings>();
    const settings: SessionSettings = { kubeconfig: { context: 'a' }, scope: { kind: 'context' } };
    const updates: SessionSettings[] = [];
    let held = true;
    const wiring = connectWhenDemanded(demand, { update: (s) => updates.push(s) }, { sessionSettings: settings, onDidRequestConnection: requests.event }, { info: () => undefined }, () => held);
    demand.want('view');
    requests.fire(settings);
    assert.deepEqual(updates, [], 'a capture is open: nothing connects');
    assert.equal(demand.reason, 'view', 'the reason is kept for when the capture closes');
    held = false;
    requests.fire(settings);
    assert.deepEqual(updates, [settings]);
    for (const d of wiring) d.dispose();
    demand.dispose();
  });
});
