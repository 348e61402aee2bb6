import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RelistBackoff } from '../../../src/kube/relistBackoff';
import { DEFAULT_TIMING } from '../../../src/kube/eventSource';

/** The production numbers, as the loop builds them. */
const REFLECTOR = { initialMs: DEFAULT_TIMING.relistBackoffInitialMs, maxMs: DEFAULT_TIMING.relistBackoffMaxMs, resetAfterMs: DEFAULT_TIMING.relistBackoffResetMs };

describe('RelistBackoff (client-go reflector spacing)', () => {
  it('uses the reflector\'s numbers: 800 ms doubling to 30 s, reset after 2 quiet minutes', () => {
    assert.deepEqual(REFLECTOR, { initialMs: 800, maxMs: 30_000, resetAfterMs: 120_000 });
  });

  it('doubles from the first step to the cap, each wait between one and two steps', () => {
    let now = 0;
    const low = new RelistBackoff(REFLECTOR, () => now, () => 0);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      waits.push(low.next());
      now += 1_000;
    }
    assert.deepEqual(waits, [800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
    now = 0;
    const high = new RelistBackoff(REFLECTOR, () => now, () => 0.999_999);
    const top: number[] = [];
    for (let i = 0; i < 8; i++) {
      top.push(high.next());
      now += 1_000;
    }
    assert.deepEqual(top, [1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000]);
  });

  it('starts again from the first step after a quiet period, not before', () => {
    let now = 0;
    const b = new RelistBackoff(REFLECTOR, () => now, () => 0);
    b.next();
    now += 10_000;
    assert.equal(b.next(), 1_600);
    now += 120_000; // exactly the reset period: still the same episode
    assert.equal(b.next(), 3_200);
    now += 120_001;
    assert.equal(b.next(), 800, 'a relist more than 2 minutes after the previous one is a new episode');
  });
});
