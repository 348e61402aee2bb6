import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionDemand, type ConnectionReason } from '../../../src/host/connectionDemand';

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
});
