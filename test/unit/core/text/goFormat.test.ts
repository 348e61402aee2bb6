import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goSprintf } from '../../../../src/core/text/goFormat';

describe('goSprintf: a Go fmt subset for eventf', () => {
  it('formats %s %d %v %q and %%', () => {
    assert.equal(goSprintf('pod %s restarted %d times', 'web-0', 3), 'pod web-0 restarted 3 times');
    assert.equal(goSprintf('%v %v %v %v', 'x', 2.5, true, null), 'x 2.5 true <nil>');
    assert.equal(goSprintf('image %q', 'nginx:1.27 "latest"\n'), 'image "nginx:1.27 \\"latest\\"\\n"');
    assert.equal(goSprintf('100%% done'), '100% done');
    assert.equal(goSprintf('%v', [1, 'a']), '[1 a]');
    assert.equal(goSprintf('%v', { b: 2, a: 'x' }), 'map[a:x b:2]');
    assert.equal(goSprintf('%s', new Error('boom')), 'boom');
    assert.equal(goSprintf('%d', 12n), '12');
    assert.equal(goSprintf('%q', 65), "'A'");
    assert.equal(goSprintf('%q', 'ünïcode'), '"ünïcode"');
  });

  it("marks mistakes the way Go's fmt does", () => {
    assert.equal(goSprintf('%d', 'three'), '%!d(string=three)');
    assert.equal(goSprintf('%d', 1.5), '%!d(float64=1.5)');
    assert.equal(goSprintf('%s', 3), '%!s(int=3)');
    assert.equal(goSprintf('%s and %s', 'one'), 'one and %!s(MISSING)');
    assert.equal(goSprintf('done', 1, 'x'), 'done%!(EXTRA int=1, string=x)');
    assert.equal(goSprintf('%z', 'x'), '%!z(string=x)');
    assert.equal(goSprintf('50%'), '50%!(NOVERB)');
  });

  it('formats Dates, Stringers, nested lists and control characters as Go would', () => {
    assert.equal(goSprintf('%s', new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), '2026-01-02T03:04:05.000Z');
    assert.equal(goSprintf('%v', new Date(Number.NaN)), 'Invalid Date');
    class Phase {
      toString(): string {
        return 'Running';
      }
    }
    assert.equal(goSprintf('phase %s', new Phase()), 'phase Running');
    assert.equal(goSprintf('%d', [1, [2, 3]]), '[1 [2 3]]');
    assert.equal(goSprintf('%q', 'a\tb\x01'), '"a\\tb\\x01"');
    assert.equal(goSprintf('%q', 39), "'\\''");
    assert.equal(goSprintf('%v', undefined), '<nil>');
    assert.equal(goSprintf('%s', null), '%!s(<nil>)');
    assert.equal(goSprintf('done', null), 'done%!(EXTRA <nil>)');
  });
});
