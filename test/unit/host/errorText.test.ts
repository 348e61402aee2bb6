import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { KUBECONFIG_ADVICE, kubeconfigProblemText, sessionProblemText, SOURCE_ADVICE } from '../../../src/host/errorText';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: Array<{ title: string; category?: string }> };
};
const paletteTitles = new Set(pkg.contributes.commands.map((c) => `${c.category ?? ''}: ${c.title}`));

describe('errorText: what the host tells the user', () => {
  it('puts the facts first and the advice after, for a refused stream', () => {
    const facts = 'RBAC forbids user "dev" to list/watch events in either API group (core "" or events.k8s.io) in all namespaces.';
    const text = sessionProblemText({ phase: 'error', reason: 'forbidden', message: facts, retryInMs: 30_000 });
    assert.equal(
      text,
      `${facts} Ask for get/list/watch on events, or pick namespaces you can read with "Kube Events: Select Namespace…".`,
    );
  });

  it('adds nothing where there is nothing to suggest', () => {
    const facts = 'The events API was not found in all namespaces (404).';
    assert.equal(sessionProblemText({ phase: 'error', reason: 'notFound', message: facts, retryInMs: 1 }), facts);
    assert.equal(kubeconfigProblemText({ reason: 'noCluster', message: 'Context "lab" names cluster "x", which is missing or has no server address.' }).endsWith('address.'), true);
  });

  it('says what to do about a kubeconfig, naming the setting', () => {
    assert.equal(
      sessionProblemText({ phase: 'unconfigured', reason: 'noKubeconfig', message: 'No kubeconfig found (looked for /home/u/.kube/config).' }),
      'No kubeconfig found (looked for /home/u/.kube/config). Set "kubeEvents.kubeconfig" or KUBECONFIG, or create ~/.kube/config.',
    );
    assert.match(kubeconfigProblemText({ reason: 'noContext', message: 'The kubeconfig has no current-context.' }), /Select Context…/);
  });

  it('has no problem text while the stream runs', () => {
    for (const state of [{ phase: 'live', api: 'core/v1' }, { phase: 'connecting' }, { phase: 'paused' }, { phase: 'reconnecting', attempt: 1, reason: 'x', retryInMs: 1 }] as const) {
      assert.equal(sessionProblemText(state), undefined, state.phase);
    }
  });

  it('names only palette commands that exist, by their title', () => {
    for (const advice of [...Object.values(SOURCE_ADVICE), ...Object.values(KUBECONFIG_ADVICE)]) {
      for (const [, named] of advice.matchAll(/"(Kube Events: [^"]+)"/g)) assert.ok(paletteTitles.has(named), `${named} is a command title`);
    }
  });
});
