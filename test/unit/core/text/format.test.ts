import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatClock, formatDateTime, formatDay, formatQueryDuration, formatSpan, formatWindow } from '../../../../src/core/text/format';

describe('core/text/format: one formatter per idea', () => {
  it('formatAge: one unit like kubectl, switching at 120 s, 120 m and 48 h', () => {
    assert.deepEqual(
      [0, 119_999, 120_000, 7_199_999, 7_200_000, 48 * 3_600_000 - 1, 48 * 3_600_000, -1, Number.NaN].map(formatAge),
      ['0s', '119s', '2m', '119m', '2h', '47h', '2d', '0s', '0s'],
    );
  });

  it('formatSpan: at most two units, seconds only under ten minutes', () => {
    assert.deepEqual(
      [400, 3_000, 134_000, 600_000, 605_000, 3_600_000, 3_780_000, 86_400_000, 90_000_000, -5].map(formatSpan),
      ['0s', '3s', '2m 14s', '10m', '10m', '1h', '1h 3m', '1d', '1d 1h', '0s'],
    );
  });

  it('formatQueryDuration: as the query language writes it', () => {
    assert.deepEqual([90 * 60_000, 86_400_000 + 5_000, 30_000, 0].map(formatQueryDuration), ['1h30m', '1d5s', '30s', '']);
  });

  it('formatWindow: in words, after "the last"', () => {
    assert.deepEqual([60_000, 1_800_000, 3_600_000, 7_200_000, 5_400_000].map(formatWindow), ['minute', '30 minutes', 'hour', '2 hours', '90 minutes']);
  });

  it('clock times are local: formatClock, formatDay, formatDateTime', () => {
    const t = new Date(2024, 2, 3, 4, 5, 6).getTime();
    assert.equal(formatClock(t), '04:05:06');
    assert.equal(formatClock(t, false), '04:05');
    assert.equal(formatDay(t), 'Mar 3');
    assert.equal(formatDateTime(t), '2024-03-03 04:05:06');
    assert.equal(formatDateTime(0), 'unknown');
  });
});
