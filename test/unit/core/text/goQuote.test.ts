// Go literals written from cluster text, judged by Go: strconv.Quote itself (test/support/goJudge.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goSprintf } from '../../../../src/core/text/goFormat';
import { goQuote, goQuotedBody, hasControlCharacter } from '../../../../src/core/text/goQuote';
import { HOSTILE_REASONS, judgeGo } from '../../../support/goJudge';

describe('goQuote: strconv.Quote for untrusted text', () => {
  it('writes exactly what Go writes, for every hostile reason', () => {
    const judged = judgeGo({ quote: HOSTILE_REASONS });
    HOSTILE_REASONS.forEach((reason, i) => assert.equal(goQuote(reason), judged.quoted[i], JSON.stringify(reason)));
  });

  it("is what the recorder's %q writes too", () => {
    const judged = judgeGo({ quote: HOSTILE_REASONS });
    HOSTILE_REASONS.forEach((reason, i) => assert.equal(goSprintf('%q', reason), judged.quoted[i], JSON.stringify(reason)));
  });

  it('leaves no quote, backslash or control character unescaped', () => {
    for (const reason of HOSTILE_REASONS) {
      const body = goQuotedBody(reason);
      assert.ok(!hasControlCharacter(body), JSON.stringify(body));
      assert.ok(!/(^|[^\\])(\\\\)*"/.test(body), `an unescaped quote in ${JSON.stringify(body)}`);
    }
    assert.ok(hasControlCharacter('a\u0085') && hasControlCharacter('\u0000') && !hasControlCharacter('a\u202Eb'));
  });
});
