// Which events are "ours" is judged by what the recorder's sink sent (uids, and the name of a write in flight),
// never by a field of the event: a reporting controller or source anyone may write proves nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent, OUR_REPORTING_CONTROLLER } from '../../../../src/core/events/kubeEvent';
import { OurEvents } from '../../../../src/core/events/ourEvents';
import { RecorderSink } from '../../../../src/kube/recorderSink';
import { KubeApiError } from '../../../../src/kube/kubeClient';
import type { CoreV1EventBody } from '../../../../src/core/correlator/wire';

const at = (namespace: string, name: string, uid = '') => ({ namespace, name, uid });

/** A core/v1 event as anyone may write it: our reporting controller and source, and a recorder's annotation. */
const forged = {
  metadata: { name: 'web-0.17f0', namespace: 'shop', uid: 'forged-1', resourceVersion: '3', annotations: { 'kube-events.dev/emitted-by': 'vscode' } },
  involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'shop' },
  reason: 'TestWarning',
  message: 'looks like ours',
  type: 'Warning',
  source: { component: OUR_REPORTING_CONTROLLER, host: 'dev-laptop' },
  reportingComponent: OUR_REPORTING_CONTROLLER,
  reportingInstance: 'dev-laptop',
  count: 1,
};

function coreBody(name: string): CoreV1EventBody {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'shop' },
    reason: 'TestWarning',
    message: 'm',
    type: 'Warning',
    source: { component: OUR_REPORTING_CONTROLLER },
    count: 1,
  } as unknown as CoreV1EventBody;
}

describe('OurEvents', () => {
  it('an event with our reporting controller, source and annotations is not ours by its fields', () => {
    const e = normalizeEvent(forged, 'core/v1')!;
    assert.equal(e.reportingController, OUR_REPORTING_CONTROLLER);
    assert.equal(e.ours, false);
    assert.equal(new OurEvents().isOurs(e), false);
  });

  it('a uid the sink sent is ours; the name is claimed only while the write is in flight', () => {
    const ours = new OurEvents();
    ours.sending('shop', 'web-0.1');
    // The watch may deliver the new event before the create's answer: its name is ours meanwhile.
    assert.equal(ours.isOurs(at('shop', 'web-0.1', 'u1')), true);
    assert.equal(ours.isOurs(at('other', 'web-0.1', 'u1')), false, 'the same name in another namespace');
    ours.sent('shop', 'web-0.1', 'u1');
    assert.equal(ours.isOurs(at('shop', 'web-0.1', 'u1')), true);
    // Re-created under the same name by someone else (another uid), after our write: not ours.
    assert.equal(ours.isOurs(at('shop', 'web-0.1', 'u2')), false);
  });

  it('a write that fails ends the claim on its name', () => {
    const ours = new OurEvents();
    ours.sending('shop', 'taken');
    ours.notSent('shop', 'taken');
    assert.equal(ours.isOurs(at('shop', 'taken', 'theirs')), false);
    // Overlapping writes of one name (a patch while a series refresh runs): claimed until both answered.
    ours.sending('shop', 'twice');
    ours.sending('shop', 'twice');
    ours.notSent('shop', 'twice');
    assert.equal(ours.isOurs(at('shop', 'twice', 'x')), true);
    ours.sent('shop', 'twice', 'x');
    assert.equal(ours.isOurs(at('shop', 'twice', 'y')), false);
  });

  it('keeps at most maxUids, forgetting the oldest; clear() forgets all', () => {
    const ours = new OurEvents(2);
    for (const uid of ['a', 'b', 'c']) ours.sent('shop', uid, uid);
    assert.deepEqual(['a', 'b', 'c'].map((uid) => ours.isOurs(at('shop', `x-${uid}`, uid))), [false, true, true]);
    ours.clear();
    assert.equal(ours.size, 0);
  });
});

describe('RecorderSink tells the ledger what it wrote', () => {
  it('a create answers with the uid; a refused create claims nothing', async () => {
    const ours = new OurEvents();
    const answers: Array<() => unknown> = [
      () => ({ metadata: { name: 'web-0.1', namespace: 'shop', uid: 'created-uid' } }),
      () => {
        throw new KubeApiError(409, 'AlreadyExists', 'events "web-0.2" already exists', 'POST', '/api/v1/namespaces/shop/events');
      },
    ];
    let inFlight: boolean[] = [];
    const sink = new RecorderSink({
      ledger: ours,
      client: {
        request: async <T>(): Promise<T> => {
          inFlight.push(ours.isOurs(at('shop', 'web-0.1')) || ours.isOurs(at('shop', 'web-0.2')));
          return answers.shift()!() as T;
        },
      },
    });
    const created = await sink.writeCore(coreBody('web-0.1'), undefined);
    assert.ok(created.ok);
    assert.deepEqual(inFlight, [true], 'the name is claimed while the request is out');
    assert.equal(ours.isOurs(at('shop', 'web-0.1', 'created-uid')), true);
    inFlight = [];
    const refused = await sink.writeCore(coreBody('web-0.2'), undefined);
    assert.equal(refused.ok, false);
    assert.deepEqual(inFlight, [true]);
    // Someone else holds that name: their event is not ours.
    assert.equal(ours.isOurs(at('shop', 'web-0.2', 'their-uid')), false);
  });
});
