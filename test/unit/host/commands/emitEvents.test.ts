import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burstSize, confirmGlob, emitReport, isEmitInput, liveTarget, NOT_CONNECTED, sendBurst, summarise, validate, type EmitInput, type EmitTarget } from '../../../../src/host/commands/emitEvents';
import type { EmitSpec, RecordOutcome, RecordResult } from '../../../../src/kube/recorder';
import type { ObjectKeyWith } from '../../../../src/core/events/kubeEvent';

const target: EmitTarget = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'old-uid' };
const live: ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'> = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'new-uid', resourceVersion: '42' };
const spec: EmitInput = { type: 'Warning', reason: 'TestWarning', message: 'hello', flavour: 'core/v1' };

function outcome(kind: RecordOutcome['outcome'], count = 1, explanation = 'why'): RecordResult {
  return { ok: true, value: { namespace: 'shop', name: `web.${count}`, flavour: 'core/v1', outcome: kind, explanation, correlation: 'new', count, warnings: [], event: {} } as unknown as RecordOutcome };
}

/** A recorder that answers from a list and keeps what it was asked to send. */
function recorder(answers: RecordResult[]) {
  const sent: EmitSpec[] = [];
  return {
    sent,
    emit: async (s: EmitSpec): Promise<RecordResult> => {
      sent.push(s);
      return answers[Math.min(sent.length - 1, answers.length - 1)];
    },
  };
}

describe('Emit Test Event: the logic without vscode', () => {
  it('skips the prompts only for a complete input', () => {
    assert.equal(isEmitInput(spec), true);
    assert.equal(isEmitInput({ ...spec, fieldPath: 'spec.containers{app}' }), true);
    assert.equal(isEmitInput({ ...spec, flavour: 'v2' }), false);
    assert.equal(isEmitInput({ ...spec, fieldPath: 3 }), false);
    assert.equal(isEmitInput({ type: 'Normal', reason: 'X' }), false);
    assert.equal(isEmitInput(undefined), false);
  });

  it('asks first in a context that matches a confirm glob, naming the glob', () => {
    assert.equal(confirmGlob('prod-eu', ['*prod*', 'live']), '*prod*');
    assert.equal(confirmGlob('kind-dev', ['*prod*', 'live']), undefined);
  });

  it('names the live object, says when it was re-created, and refuses a missing one', () => {
    const read = liveTarget(target, { ok: true, value: live });
    assert.ok(read.ok);
    assert.deepEqual(read.value.ref, live);
    assert.match(read.value.notes.join(), /Deployment\/web was re-created since the events in the tree: the event names the live object \(uid new-uid\)/);
    const same = liveTarget({ ...target, uid: 'new-uid' }, { ok: true, value: live });
    assert.ok(same.ok);
    assert.deepEqual(same.value.notes, []);

    const missing = liveTarget(target, { ok: false, reason: 'not-found', message: 'deployments "web" not found.' });
    assert.ok(!missing.ok);
    assert.match(missing.message, /^The test event was not sent: deployments "web" not found\. .*Create the object, or pick another\.$/);

    const other = liveTarget(target, { ok: false, reason: 'unavailable', message: 'the apiserver did not answer.' });
    assert.deepEqual(other, { ok: false, reason: 'unavailable', message: 'The test event on Deployment/web was not sent: the apiserver did not answer.' });

    assert.deepEqual(liveTarget(target, undefined), { ok: false, reason: 'not-connected', message: NOT_CONNECTED });
  });

  it('sends what the pick knew when RBAC forbids the read, and says so', () => {
    const read = liveTarget(target, { ok: false, reason: 'forbidden', message: 'RBAC forbids get.' });
    assert.ok(read.ok);
    assert.deepEqual(read.value.ref, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'old-uid', resourceVersion: '' });
    assert.deepEqual(read.value.notes, ['Deployment/web could not be read, so the event carries the uid from its earlier events and no resourceVersion: RBAC forbids get.']);
    const noUid = liveTarget({ ...target, uid: undefined }, { ok: false, reason: 'forbidden', message: 'no.' });
    assert.ok(noUid.ok);
    assert.equal(noUid.value.ref.uid, '');
    assert.match(noUid.value.notes[0], /carries no uid or resourceVersion/);
  });

  it('bounds the burst and checks what the prompts accept', () => {
    assert.equal(burstSize({}), 1);
    assert.equal(burstSize({ burst: 0 }), 1);
    assert.equal(burstSize({ burst: 2.7 }), 2);
    // Emit Test Event…'s cap on a burst, as its prompt states it.
    const MAX_BURST = 500;
    assert.equal(burstSize({ burst: 10_000 }), MAX_BURST);
    assert.equal(validate.burst('3'), undefined);
    assert.equal(validate.burst('0'), `a number from 1 to ${MAX_BURST}`);
    assert.equal(validate.burst(String(MAX_BURST + 1)), `a number from 1 to ${MAX_BURST}`);
    assert.equal(validate.interval('60000'), undefined);
    assert.match(validate.interval('60001') ?? '', /up to 60000/);
    assert.equal(validate.action(' '), 'action is required');
    assert.equal(validate.action('Testing'), undefined);
    assert.equal(validate.message('x'.repeat(1024)), undefined);
    assert.match(validate.message('é'.repeat(600)) ?? '', /at most 1024 bytes; this is 1200/);
  });

  it('sends a burst to the live reference with the field path, paced, and stops at the first failure', async () => {
    const r = recorder([outcome('created'), outcome('patched', 2), { ok: false, reason: 'forbidden', message: 'RBAC forbids create.' }]);
    const slept: number[] = [];
    const progress: number[] = [];
    const results = await sendBurst(r, { ref: live, notes: [] }, { ...spec, burst: 5, intervalMs: 250, fieldPath: 'spec.x' }, { sleep: async (ms) => void slept.push(ms), onSent: (n) => progress.push(n) });
    assert.equal(results.length, 3, 'stopped at the failure');
    assert.deepEqual(progress, [1, 2, 3]);
    assert.deepEqual(slept, [250, 250]);
    assert.deepEqual(r.sent[0].object, { ...live, fieldPath: 'spec.x' });
    assert.equal(r.sent[0].reason, 'TestWarning');
    const report = emitReport(target, { ref: live, notes: ['a note'] }, spec, results);
    assert.equal(report.summary, 'Warning TestWarning on Deployment/web (core/v1) was not sent after 2 sent: RBAC forbids create. Note: a note.');
    assert.deepEqual(report.reference, live);
  });

  it('stops a burst when it is cancelled', async () => {
    const abort = new AbortController();
    const r = recorder([outcome('created')]);
    const results = await sendBurst(r, { ref: live, notes: [] }, { ...spec, burst: 10 }, { signal: abort.signal, onSent: (n) => n === 2 && abort.abort() });
    assert.equal(results.length, 2);
    assert.equal(r.sent[1].signal, abort.signal);
  });

  it('sums a run up in one sentence', () => {
    assert.equal(summarise(target, spec, [outcome('created', 1, 'A new event.')]), 'Warning TestWarning on Deployment/web (core/v1): created shop/web.1. A new event.');
    assert.equal(
      summarise(target, spec, [outcome('created'), outcome('patched', 2), outcome('skipped', 3, 'the spam filter')]),
      'Warning TestWarning on Deployment/web (core/v1): 3 emitted — 1 created, 1 patched, 1 not sent (the spam filter). Last: not sent: the spam filter.',
    );
  });
});
