import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, oneLine, TEXT_LIMITS } from '../../../../src/core/text/boundedText';

describe('bounded text', () => {
  it('leaves short text alone', () => {
    assert.equal(oneLine('Back-off restarting failed container', 200), 'Back-off restarting failed container');
    assert.equal(bounded('line 1\nline 2', 200), 'line 1\nline 2');
  });

  it('folds whitespace and control characters so a message cannot forge log lines', () => {
    assert.equal(oneLine('  a\n\n\tb\u0000c \r\n', 100), 'a b c');
    assert.equal(oneLine('\n\n', 100), '');
  });

  it('cuts a 1 MiB message to the limit and says how much was left out', () => {
    const huge = 'x'.repeat(1_048_576);
    const shown = oneLine(huge, TEXT_LIMITS.accessibility);
    assert.equal(shown, `${'x'.repeat(500)}…(1048076 more characters)`);
    assert.equal(bounded(huge, TEXT_LIMITS.hover), `${'x'.repeat(4000)}…(1044576 more characters)`);
  });

  it('counts what is left of the original text and never splits a surrogate pair', () => {
    assert.equal(oneLine('ab   cd', 3), 'ab…(2 more characters)', 'the folded run at the cut is not counted');
    assert.equal(oneLine('🚀🚀', 3), '🚀…(2 more characters)');
    assert.equal(bounded('a🚀', 2), 'a…(2 more characters)');
    assert.equal(oneLine('one more', 7), 'one mor…(1 more character)');
  });

  it('does not say anything was left out when only trailing whitespace was', () => {
    assert.equal(oneLine('abc   \n', 3), 'abc');
  });
});
