import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExists } from '../../../../src/host/lsp/existence';
import type { ObjectKeyWith } from '../../../../src/core/events/kubeEvent';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

describe('existence checks for the language server', () => {
  it('reads the object by its key alone and answers yes with its uid', async () => {
    const asked: ObjectKeyWith<never, 'apiVersion'>[] = [];
    const answer = await checkExists(async (ref) => {
      asked.push(ref);
      return { ok: true, value: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'u1' } } as never };
    }, { ...deployment, extra: 'not sent' } as typeof deployment);
    assert.deepEqual(answer, { exists: 'yes', uid: 'u1' });
    assert.deepEqual(asked, [deployment]);
  });

  it('answers no only for a 404, and unknown for every other failure or while not connected', async () => {
    assert.deepEqual(await checkExists(async () => ({ ok: false, reason: 'not-found', message: '' }), deployment), { exists: 'no', uid: '' });
    for (const reason of ['forbidden', 'unknown-kind', 'unavailable'] as const) {
      assert.deepEqual(await checkExists(async () => ({ ok: false, reason, message: '' }), deployment), { exists: 'unknown', uid: '' }, reason);
    }
    assert.deepEqual(await checkExists(() => undefined, deployment), { exists: 'unknown', uid: '' });
  });
});
