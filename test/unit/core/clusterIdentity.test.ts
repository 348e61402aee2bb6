import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { clusterFileStem, clusterKey } from '../../../src/core/clusterIdentity';

describe('clusterKey: one key per server and user', () => {
  const id = { server: 'https://127.0.0.1:6443', user: 'admin' };
  const sha256Hex = (t: string): string => createHash('sha256').update(t).digest('hex');

  it('is equal exactly when server and user are, whatever the context', () => {
    assert.equal(clusterKey(id), clusterKey({ ...id, context: 'other' } as typeof id));
    assert.notEqual(clusterKey(id), clusterKey({ ...id, user: 'viewer' }));
    assert.notEqual(clusterKey(id), clusterKey({ ...id, server: 'https://127.0.0.1:6444' }));
    // No separator a server URL or user name could fake.
    assert.notEqual(clusterKey({ server: 'a', user: 'b\nc' }), clusterKey({ server: 'a\nb', user: 'c' }));
  });

  it('names files by 24 hex digits of its SHA-256, spelling out neither URL nor user', () => {
    const stem = clusterFileStem(id, sha256Hex);
    assert.match(stem, /^[0-9a-f]{24}$/);
    assert.equal(stem, sha256Hex(`${id.server}\u0000${id.user}`).slice(0, 24));
    assert.notEqual(stem, clusterFileStem({ ...id, user: 'viewer' }, sha256Hex));
  });
});
