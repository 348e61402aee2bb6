import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent } from '../../../../src/core/events/kubeEvent';
import { pickEvents } from '../../../../src/host/lsp/editorEvents';
import { MAX_EVENTS_PER_SUBJECT } from '../../../../src/protocol/languageServer';
import { anEvent } from '../../support/eventBuilder';

/** The rule as a whole sort states it: newest first (a stable sort), every Warning reason's newest picked first. */
function byWholeSort(events: KubeEvent[]): string[] {
  const sorted = [...events].sort((a, b) => b.lastSeen - a.lastSeen);
  const picked = new Set<KubeEvent>();
  const reasons = new Set<string>();
  for (const e of sorted) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    if (e.type === 'Warning' && !reasons.has(e.reason)) {
      reasons.add(e.reason);
      picked.add(e);
    }
  }
  for (const e of sorted) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    picked.add(e);
  }
  return [...picked].sort((a, b) => b.lastSeen - a.lastSeen).map((e) => e.uid);
}

describe('editor events', () => {
  it('picks what a whole sort picks, in its order, ties and more reasons than room included', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const size = random(400);
      const reasons = 1 + random(90);
      // Few distinct times, so that many events tie (events are timed to the second).
      const times = 1 + random(60);
      const events = Array.from({ length: size }, () =>
        anEvent({ type: random(3) === 0 ? 'Warning' : 'Normal', reason: `R${random(reasons)}`, lastSeen: 1_700_000_000_000 + random(times) * 1000 }),
      );
      assert.deepEqual(pickEvents(events).map((e) => e.uid), byWholeSort(events), `round ${round}: ${size} events, ${reasons} reasons, ${times} times`);
    }
  });
});
