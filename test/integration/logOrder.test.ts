// The log's initial dump against a real kube-apiserver: a paged list arrives in the apiserver's name order,
// and the log writes it oldest first by last seen (like `kubectl events`), then the watch's changes as they come.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Broadcaster } from '../../src/core/events/broadcaster';
import type { EventChange } from '../../src/core/events/kubeEvent';
import { EventSource } from '../../src/kube/eventSource';
import type { KubeClient } from '../../src/kube/kubeClient';
import { EventLogSink } from '../../src/host/output/eventLogSink';
import { clientFor, createNamespace, useCluster, waitFor } from './support/cluster';

/** The part of a LogOutputChannel the sink writes to, recording lines in order (a stand-in for the UI only). */
function recordingChannel(): { lines: string[]; channel: vscode.LogOutputChannel } {
  const lines: string[] = [];
  const push = (level: string) => (text: string): void => void lines.push(`${level} ${text}`);
  const channel = { trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
  return { lines, channel: channel as unknown as vscode.LogOutputChannel };
}

async function createAt(client: KubeClient, ns: string, name: string, reason: string, lastSeen: Date): Promise<void> {
  const first = new Date(lastSeen.getTime() - 60_000).toISOString();
  await client.request(`/api/v1/namespaces/${ns}/events`, {
    method: 'POST',
    body: {
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-0' },
      type: 'Normal',
      reason,
      message: `${reason} happened`,
      source: { component: 'log-order-test' },
      count: 2,
      firstTimestamp: first,
      lastTimestamp: lastSeen.toISOString(),
    },
  });
}

describe('the log against a real kube-apiserver', () => {
  let admin: KubeClient;
  let source: EventSource | undefined;
  before(async () => {
    admin = clientFor(await useCluster(), 'admin');
  });
  after(() => {
    source?.stop();
    admin?.dispose();
  });

  it('writes a paged initial list oldest first by last seen, with when each was last seen, then live changes', async () => {
    const ns = await createNamespace(admin, 'log-order');
    const now = Date.now();
    // Names sort a < b < c < d < e; last-seen times run the other way, so name order is the wrong order.
    const ages = { a: 10, b: 40, c: 20, d: 50, e: 30 };
    for (const [name, minutes] of Object.entries(ages)) await createAt(admin, ns, `${name}-event`, `Reason${name.toUpperCase()}`, new Date(now - minutes * 60_000));

    const broadcaster = new Broadcaster<EventChange>();
    const { lines, channel } = recordingChannel();
    const sink = new EventLogSink(broadcaster, channel);
    const listed: EventChange[] = [];
    broadcaster.watch((batch) => void listed.push(...batch));
    // Two events a page: the list takes three pages, and its end comes with a page that has one event.
    source = new EventSource({ client: admin, namespaces: [ns], timing: { pageSize: 2 }, sink: (changes) => void changes.forEach((c) => broadcaster.offer(c)) });
    source.start();
    await waitFor('the listed events in the log', () => lines.filter((l) => l.includes('[listed;')).length === 5, 20_000);

    assert.deepEqual(
      lines.filter((l) => l.includes('[listed;')).map((l) => /reason: '(\w+)'/.exec(l)?.[1]),
      ['ReasonD', 'ReasonB', 'ReasonE', 'ReasonC', 'ReasonA'],
      'oldest last-seen first',
    );
    assert.match(lines[0], new RegExp(`last seen ${new Date(now - 50 * 60_000).toISOString().slice(0, 16)}`));
    // The source marks exactly one change as the list's last, and it is the last change of the list.
    assert.deepEqual(listed.map((c) => c.list), ['more', 'more', 'more', 'more', 'last']);

    // A change from the watch is written at once, without the list marker.
    await waitFor('the stream to go live', () => source!.state.phase === 'live');
    await createAt(admin, ns, 'f-event', 'ReasonF', new Date());
    const live = await waitFor('the live event in the log', () => lines.find((l) => l.includes("reason: 'ReasonF'")), 20_000);
    assert.doesNotMatch(live, /\[listed/);
    sink.dispose();
    await broadcaster.shutdown();
  });

  it('writes only the newest of a long list, after a line saying how many were listed', async () => {
    const ns = await createNamespace(admin, 'log-tail');
    const now = Date.now();
    const ages = { a: 10, b: 40, c: 20, d: 50, e: 30 };
    for (const [name, minutes] of Object.entries(ages)) await createAt(admin, ns, `${name}-event`, `Reason${name.toUpperCase()}`, new Date(now - minutes * 60_000));

    const broadcaster = new Broadcaster<EventChange>();
    const { lines, channel } = recordingChannel();
    const sink = new EventLogSink(broadcaster, channel, 3);
    const tail = new EventSource({ client: admin, namespaces: [ns], timing: { pageSize: 2 }, sink: (changes) => void changes.forEach((c) => broadcaster.offer(c)) });
    try {
      tail.start();
      await waitFor('the listed events in the log', () => lines.filter((l) => l.includes('[listed;')).length === 3, 20_000);
      await waitFor('the stream to go live', () => tail.state.phase === 'live');
      assert.equal(lines[0], 'info [events] listed 5 events; the newest 3 follow (the Events view, the timeline and Export Events… have every one)');
      assert.deepEqual(
        lines.filter((l) => l.includes('[listed;')).map((l) => /reason: '(\w+)'/.exec(l)?.[1]),
        ['ReasonE', 'ReasonC', 'ReasonA'],
        'the newest three, oldest of them first',
      );
    } finally {
      tail.stop();
      sink.dispose();
      await broadcaster.shutdown();
    }
  });
});
