import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote } from '../../src/core/shellQuote';

describe('shellQuote', () => {
  it('leaves words without shell syntax bare', () => {
    assert.equal(shellQuote('kind-dev'), 'kind-dev');
    assert.equal(shellQuote('Deployment/web'), 'Deployment/web');
    assert.equal(shellQuote('arn:aws:eks:eu-west-1:123:cluster/prod'), 'arn:aws:eks:eu-west-1:123:cluster/prod');
    assert.equal(shellQuote('user@cluster'), 'user@cluster');
  });

  it('single-quotes spaces, globs, variables and the empty word', () => {
    assert.equal(shellQuote('my context'), `'my context'`);
    assert.equal(shellQuote('*'), `'*'`);
    assert.equal(shellQuote('$HOME'), `'$HOME'`);
    assert.equal(shellQuote('a;rm -rf /'), `'a;rm -rf /'`);
    assert.equal(shellQuote(''), `''`);
  });

  it('closes, escapes and reopens the quotes around a single quote', () => {
    assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  });

  it('survives a real shell unchanged', { skip: process.platform === 'win32' }, () => {
    for (const word of ['plain', 'two words', `it's "quoted"`, '$(whoami) `id` $HOME', 'back\\slash', 'new\nline', '*?[]{}!#~', '']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
      assert.equal(echoed, word);
    }
  });
});
