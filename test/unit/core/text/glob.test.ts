import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, globMatches } from '../../../../src/core/text/glob';

describe('glob: `*` matches any run, the rest is literal, case is ignored', () => {
  it('matches the whole text when anchored', () => {
    assert.equal(globMatches('prod*', 'Prod-EU'), true);
    assert.equal(globMatches('prod*', 'staging-prod'), false);
    assert.equal(globMatches('*prod*', 'staging-prod'), true);
    assert.equal(globMatches('*-prod', 'eu-prod'), true);
    assert.equal(globMatches('*-prod', 'eu-prod-2'), false);
    assert.equal(globMatches('a*b*c', 'aXbYc'), true);
    assert.equal(globMatches('a*b*c', 'acb'), false);
    assert.equal(globMatches('*', ''), true);
    assert.equal(globMatches('**', 'anything'), true);
  });

  it('without a star, compares the whole text case-insensitively', () => {
    assert.equal(globMatches('kind-dev', 'KIND-dev'), true);
    assert.equal(globMatches('kind-dev', 'kind-dev2'), false);
    assert.equal(globMatches('', ''), true);
    assert.equal(globMatches('', 'x'), false);
  });

  it('takes every other character literally, regular-expression syntax included', () => {
    assert.equal(globMatches('a.b', 'axb'), false);
    assert.equal(globMatches('a.b', 'A.B'), true);
    assert.equal(globMatches('(x)+?[*]', '(X)+?[anything]'), true);
    assert.equal(globMatches('^a$', '^a$'), true);
  });

  it('needs the segments in order and without overlap', () => {
    assert.equal(globMatches('ab*ba', 'aba'), false);
    assert.equal(globMatches('ab*ba', 'abba'), true);
    assert.equal(globMatches('a*a*a', 'aa'), false);
    assert.equal(globMatches('a*a*a', 'aaa'), true);
  });

  it('matches anywhere inside the text when not anchored', () => {
    const t = compileGlob('back*off', false);
    assert.equal(t('Container BackOff restarting'), true);
    assert.equal(t('back-off'), true);
    assert.equal(t('offback'), false);
    assert.equal(compileGlob('pull', false)('ImagePullBackOff'), true);
  });

  // A backtracking matcher would not finish this in any lifetime; a linear one answers at once. The timeout
  // only turns such a hang into a failure (how fast matching is belongs to `npm run bench`).
  it('answers a pattern that makes a backtracking matcher hang', { timeout: 10_000 }, () => {
    const pattern = `${'a*'.repeat(2_000)}b`;
    const text = 'a'.repeat(20_000);
    assert.equal(globMatches(pattern, text), false);
  });
});
