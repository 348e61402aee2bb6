import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Broadcaster } from '../../../../src/core/events/broadcaster';
import type { EventChange } from '../../../../src/core/events/kubeEvent';
import { EventLogSink } from '../../../../src/host/output/eventLogSink';
import { waitFor } from '../../../support/waitFor';
import { added, anEvent } from '../../support/eventBuilder';

/** The part of a LogOutputChannel the sink writes to, recording lines in order. */
function recordingChannel(): { lines: string[]; channel: vscode.LogOutputChannel } {
  const lines: string[] = [];
  const push = (level: string) => (text: string): void => void lines.push(`${level} ${text}`);
  const channel = { trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
  return { lines, channel: channel as unknown as vscode.LogOutputChannel };
}

describe('EventLogSink with several clusters', () => {
  it('starts each line with its cluster while more than one is watched, and not otherwise', async () => {
    const broadcaster = new Broadcaster<EventChange>();
    const { lines, channel } = recordingChannel();
    const sink = new EventLogSink(broadcaster, channel);
    try {
      broadcaster.offer(added(anEvent({ cluster: 'kind-a', reason: 'Alone' })));
      await waitFor('the first line', () => lines.length === 1);
      sink.setClustered(true);
      broadcaster.offer(added(anEvent({ cluster: 'kind-a', reason: 'First' })));
      broadcaster.offer(added(anEvent({ cluster: 'staging', reason: 'Second', type: 'Warning' })));
      await waitFor('both lines', () => lines.length === 3);
      assert.match(lines[0], /^info Event\(Pod\/default\/pod-\d+\): type: 'Normal' reason: 'Alone'/);
      assert.match(lines[1], /^info \[kind-a\] Event\(.*reason: 'First'/);
      assert.match(lines[2], /^warn \[staging\] Event\(.*reason: 'Second'/);
    } finally {
      sink.dispose();
      await broadcaster.shutdown();
    }
  });
});
