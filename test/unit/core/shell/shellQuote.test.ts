import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { quoteArg, shellQuote } from '../../../../src/core/shell/shellQuote';

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

describe('quoteArg', () => {
  it('POSIX: single quotes, as shellQuote', () => {
    assert.equal(quoteArg('posix', `x'; calc; #`), `'x'\\''; calc; #'`);
    assert.equal(quoteArg('posix', 'user@cluster'), 'user@cluster');
  });

  it('PowerShell: single quotes with every single-quote character doubled, @ and , quoted', () => {
    assert.equal(quoteArg('powershell', `x'; calc; #`), `'x''; calc; #'`);
    // PowerShell closes a single-quoted string on the typographic quotes too.
    assert.equal(quoteArg('powershell', 'x\u2019; calc'), `'x\u2019\u2019; calc'`);
    assert.equal(quoteArg('powershell', '$env:HOME `whoami`'), `'$env:HOME \`whoami\`'`);
    assert.equal(quoteArg('powershell', 'user@cluster'), `'user@cluster'`);
    assert.equal(quoteArg('powershell', 'a,b'), `'a,b'`);
    assert.equal(quoteArg('powershell', 'kind-dev'), 'kind-dev');
  });

  it('PowerShell: refuses what kubectl.exe would split elsewhere than the shell (a " or a trailing \\)', () => {
    assert.equal(quoteArg('powershell', 'a" --server "https://evil'), undefined);
    assert.equal(quoteArg('powershell', 'a b\\'), undefined);
  });

  it('cmd: double quotes; refuses ", % and ! (expanded inside quotes) and a trailing \\', () => {
    assert.equal(quoteArg('cmd', 'a & calc'), '"a & calc"');
    assert.equal(quoteArg('cmd', 'a|b^c<d>e'), '"a|b^c<d>e"');
    assert.equal(quoteArg('cmd', 'a" & calc & "'), undefined);
    assert.equal(quoteArg('cmd', '%PATH%'), undefined);
    assert.equal(quoteArg('cmd', 'hi!x!'), undefined);
    assert.equal(quoteArg('cmd', 'dir\\'), undefined);
    assert.equal(quoteArg('cmd', 'kind-dev'), 'kind-dev');
  });

  it('refuses control and format characters in every shell', () => {
    for (const shell of ['posix', 'powershell', 'cmd'] as const) {
      for (const c of ['\x03', '\r', '\n', '\x1b', '\x7f', '\u0085', '\u202e', '\u200b', '\u2028']) {
        assert.equal(quoteArg(shell, `a${c}b`), undefined, `${shell} ${JSON.stringify(c)}`);
      }
    }
  });
});
