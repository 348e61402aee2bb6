import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorMessage } from '../../../../src/core/text/errorMessage';

describe('errorMessage', () => {
  it("gives an Error's message, without its name or stack", () => {
    assert.equal(errorMessage(new TypeError('fetch failed')), 'fetch failed');
    assert.equal(errorMessage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'connect ECONNREFUSED 127.0.0.1:1');
  });

  it('turns anything else thrown into a string', () => {
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
    assert.equal(errorMessage({ code: 410 }), '[object Object]');
  });
});
