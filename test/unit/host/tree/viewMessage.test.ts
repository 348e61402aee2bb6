import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeQuery } from '../../../../src/core/query/describe';
import { parseQuery } from '../../../../src/core/query/parse';
import { EMPTY_QUERY, type Query } from '../../../../src/core/query/syntax';
import { sessionProblemText } from '../../../../src/host/errorText';
import { viewMessage } from '../../../../src/host/tree/viewMessage';

function query(text: string): Query {
  const parsed = parseQuery(text);
  assert.ok(parsed.ok, text);
  return parsed.value;
}

const live = { phase: 'live', api: 'events.k8s.io/v1' } as const;

describe('viewMessage: the text above the Events view', () => {
  it('says nothing over an empty tree, whatever the state: the welcome view speaks then', () => {
    assert.equal(viewMessage({ state: { phase: 'paused' }, query: query('type:Warning'), shown: 0, total: 10, ownerUnknown: 3 }), undefined);
  });

  it('says nothing for a live, unfiltered stream', () => {
    assert.equal(viewMessage({ state: live, query: EMPTY_QUERY, shown: 5, total: 5, ownerUnknown: 0 }), undefined);
  });

  it('describes the filter with the counts, and the events it cannot place as a sentence of their own', () => {
    const q = query('type:Warning under:Deployment/shop/web');
    assert.equal(viewMessage({ state: live, query: q, shown: 3, total: 40, ownerUnknown: 0 }), `Filter: ${describeQuery(q)} — 3 of 40 events`);
    assert.equal(viewMessage({ state: live, query: q, shown: 3, total: 40, ownerUnknown: 1 }), `Filter: ${describeQuery(q)} — 3 of 40 events. 1 event about objects that no longer exist: owner unknown`);
    assert.equal(viewMessage({ state: live, query: q, shown: 3, total: 40, ownerUnknown: 2 }), `Filter: ${describeQuery(q)} — 3 of 40 events. 2 events about objects that no longer exist: owner unknown`);
  });

  it('puts why the stream is not live first, on its own line', () => {
    const q = query('reason:BackOff');
    assert.equal(viewMessage({ state: { phase: 'paused' }, query: q, shown: 1, total: 2, ownerUnknown: 0 }), `Paused: new events are not shown until you resume the stream.\nFilter: ${describeQuery(q)} — 1 of 2 events`);
    assert.equal(
      viewMessage({ state: { phase: 'reconnecting', attempt: 3, reason: 'connect ECONNREFUSED\n127.0.0.1:6443', retryInMs: 1000 }, query: EMPTY_QUERY, shown: 1, total: 1, ownerUnknown: 0 }),
      'Reconnecting (attempt 3): connect ECONNREFUSED 127.0.0.1:6443',
    );
    const error = { phase: 'error', reason: 'forbidden', message: 'RBAC forbids it.', retryInMs: 30_000 } as const;
    assert.equal(viewMessage({ state: error, query: EMPTY_QUERY, shown: 1, total: 1, ownerUnknown: 0 }), sessionProblemText(error));
  });

  it('keeps a long stream problem to one bounded line', () => {
    const message = `${'x'.repeat(5000)}\nsecond line`;
    const text = viewMessage({ state: { phase: 'error', reason: 'forbidden', message, retryInMs: 1 }, query: EMPTY_QUERY, shown: 1, total: 1, ownerUnknown: 0 });
    assert.ok(text && !text.includes('\n') && text.length < 2000, text?.slice(0, 100));
  });
});

describe('viewMessage with a capture open', () => {
  it('puts the capture\'s banner first, instead of the stream\'s state, even over an empty tree', () => {
    const banner = 'Capture of admin, 2026-12-07 07:10:00 – 07:40:00 (read-only)';
    const stopped = { phase: 'stopped' } as const;
    assert.equal(viewMessage({ state: stopped, query: EMPTY_QUERY, shown: 0, total: 0, ownerUnknown: 0, capture: banner }), `${banner}. Close Capture goes back to the live cluster.`);
    const q = query('reason:BackOff');
    assert.equal(
      viewMessage({ state: { phase: 'unconfigured', reason: 'noContext', message: 'The kubeconfig has no contexts.' }, query: q, shown: 2, total: 9, ownerUnknown: 0, capture: banner }),
      `${banner}. Close Capture goes back to the live cluster.\nFilter: ${describeQuery(q)} — 2 of 9 events`,
    );
  });
});
