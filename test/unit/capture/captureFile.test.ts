import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { readCapture, writeCapture } from '../../../src/capture/captureFile';
import { CAPTURE_FORMAT, CAPTURE_VERSION, captureSessionRanges, type Capture, type CaptureProblem, type CaptureResult } from '../../../src/core/capture/capture';
import type { KubeEvent } from '../../../src/core/events/kubeEvent';
import { anEvent } from '../support/eventBuilder';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-capture-'));
  dirs.push(dir);
  return dir;
}

function sample(): Capture {
  const events: KubeEvent[] = [
    anEvent({ reason: 'BackOff', type: 'Warning', message: 'Back-off restarting failed container app\nline two\ttab \u0001 ünïcødé 🚀', count: 7, cluster: 'kind-dev' }),
    anEvent({
      api: 'events.k8s.io/v1',
      action: 'Scheduling',
      eventTime: 1_700_000_100_000,
      series: { count: 3, lastObservedTime: 1_700_000_200_000 },
      lastSeen: 1_700_000_200_000,
      related: { kind: 'Node', name: 'node-1', namespace: '', apiVersion: 'v1', uid: 'node-uid', resourceVersion: '9', fieldPath: '' },
      reportingInstance: 'scheduler-1',
      cluster: 'staging',
    }),
    anEvent({ ours: true, expired: true, deletedAt: 1_700_000_300_000, regarding: { kind: 'Website', apiVersion: 'demo.kube-events.dev/v1', fieldPath: 'spec' } }),
  ];
  // What normalizeEvent derives, as the decoder derives it again.
  events[1] = { ...events[1], lastSeen: 1_700_000_200_000, firstSeen: events[1].firstTimestamp || 1_700_000_100_000 };
  return {
    header: {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      created: '2026-12-07T07:00:00.000Z',
      from: 1_700_000_000_000,
      to: 1_700_000_400_000,
      query: 'type:Warning under:Deployment/web',
      clusters: [
        { name: 'kind-dev', id: '0123456789abcdef01234567' },
        { name: 'staging', id: 'fedcba9876543210fedcba98', server: 'https://staging.example:6443' },
      ],
      layout: { timeline: { sort: 'lastSeen', zoom: 2.5, lanes: ['Deployment/web', 'Pod/web-1'] }, tree: { grouping: 'object' } },
      origin: 'kube-events',
      writer: '0.9.0',
    },
    events,
    owners: [
      {
        cluster: 'kind-dev',
        records: [
          { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'p1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d', uid: 'rs1', controller: true }], source: 'read' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'web-5d', uid: '', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '' }], source: 'name' },
        ],
      },
    ],
    sessions: [
      {
        id: 'session-1',
        name: 'Launch controller',
        type: 'go',
        controller: 'website-controller',
        start: 1_700_000_050_000,
        end: 1_700_000_350_000,
        stops: [
          { kind: 'stopped', at: 1_700_000_060_000, reason: 'breakpoint' },
          { kind: 'continued', at: 1_700_000_070_000, reason: '' },
          { kind: 'stopped', at: 1_700_000_080_000, reason: 'pause', text: 'reason:BackOff matched BackOff on Pod/web-1', uid: 'event-uid-1' },
        ],
      },
      { id: 'session-2', name: 'Attach', type: 'go', controller: '', start: 1_700_000_360_000, stops: [] },
    ],
  };
}

function problemOf(r: CaptureResult): CaptureProblem {
  assert.equal(r.ok, false, 'the file was refused');
  return r;
}

/** A refusal: its reason, a message naming the file and saying what to do, and never a stack trace. */
function assertRefused(r: CaptureResult, reason: CaptureProblem['reason'], file: string, mentions: RegExp): CaptureProblem {
  const p = problemOf(r);
  assert.equal(p.reason, reason, p.message);
  assert.ok(p.message.startsWith(`Cannot open ${path.basename(file)}: `), p.message);
  assert.doesNotMatch(p.message, /\n\s+at /, 'no stack trace');
  assert.ok(!p.message.includes(path.dirname(file)), 'the folder is not named');
  assert.match(p.message, mentions);
  return p;
}

async function written(capture: Capture = sample()): Promise<{ file: string; text: string }> {
  const file = path.join(tempDir(), 'investigation.kube-events.gz');
  await writeCapture(file, capture);
  return { file, text: zlib.gunzipSync(fs.readFileSync(file)).toString('utf8') };
}

function put(text: string | Buffer, name = 'capture.kube-events.gz', gzip = true): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
  return file;
}

describe('captures: write and read (src/capture/captureFile.ts)', () => {
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips the header, events, owners and sessions', async () => {
    const capture = sample();
    const { file, text } = await written(capture);
    assert.deepEqual([...fs.readFileSync(file).subarray(0, 2)], [0x1f, 0x8b], 'gzipped');
    const r = await readCapture(file);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.deepEqual(r.value.header, capture.header);
    assert.deepEqual(r.value.events, capture.events);
    assert.deepEqual(r.value.owners, capture.owners);
    assert.deepEqual(r.value.sessions, capture.sessions);
    const lines = text.split('\n');
    assert.equal(lines.at(-1), '', 'every line ends');
    assert.equal((JSON.parse(lines[0]) as { format: string }).format, 'kube-events-capture');
    assert.deepEqual(JSON.parse(lines.at(-2)!) as unknown, { kind: 'end', events: 3, owners: 2, sessions: 2 });
    assert.ok(!text.includes(path.dirname(file)) && !text.includes(os.tmpdir()), 'no path in the file');
  });

  it('round-trips 20,000 events with owners of two clusters, the owners split over lines', async () => {
    const events = Array.from({ length: 20_000 }, (_, i) => anEvent({ cluster: i % 2 ? 'a' : 'b', message: `m${i}` }));
    const records = Array.from({ length: 25_000 }, (_, i) => ({
      apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `u${i}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs' }], source: 'read' as const,
    }));
    const capture: Capture = { ...sample(), events, owners: [{ cluster: 'a', records }, { cluster: 'b', records: records.slice(0, 3) }] };
    const { file, text } = await written(capture);
    assert.equal(text.split('\n').filter((l) => l.startsWith('{"kind":"owners"')).length, 4, '10,000 records a line');
    const r = await readCapture(file);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.deepEqual(r.value.events, events);
    assert.deepEqual(r.value.owners, capture.owners);
    assert.equal(r.value.events.filter((e) => e.cluster === 'a').length, 10_000);
  });

  it('writes atomically: over an old file, no temporary file left, and a failed write leaves the old file whole', async () => {
    const { file } = await written();
    const before = fs.readFileSync(file);
    const smaller: Capture = { ...sample(), events: [anEvent()] };
    await writeCapture(file, smaller);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'only the capture, no temporary file');
    const r = await readCapture(file);
    assert.ok(r.ok && r.value.events.length === 1);

    // The events fail half way through the write (a store that throws, a disk that fills).
    await writeCapture(file, sample());
    const good = fs.readFileSync(file);
    assert.notDeepEqual(good, before, 'rewritten');
    const failing = new Proxy(Array.from({ length: 50_000 }, () => anEvent()), {
      get(target, key, receiver) {
        if (key === '40000') throw new Error('disk full (simulated)');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    await assert.rejects(writeCapture(file, { ...sample(), events: failing }), /disk full/);
    assert.deepEqual(fs.readFileSync(file), good, 'the old capture is untouched');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'the temporary file is gone');

    // A capture a reader would refuse is not written at all.
    await assert.rejects(writeCapture(file, { ...sample(), header: { ...sample().header, layout: { deep: JSON.parse('{"__proto__":{"x":1}}') as never } } }), /not written: .*__proto__/);
    assert.deepEqual(fs.readFileSync(file), good);
  });

  it('reads a capture from another OS: CRLF line ends and a UTF-8 byte order mark, gzipped or plain', async () => {
    const capture = sample();
    const { text } = await written(capture);
    const windows = `\ufeff${text.replace(/\n/g, '\r\n')}`;
    for (const file of [put(windows, 'windows.kube-events.gz'), put(windows, 'windows.ndjson', false)]) {
      const r = await readCapture(file);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual(r.value.header, capture.header);
      assert.deepEqual(r.value.events, capture.events, 'a message keeps its own line breaks');
      assert.deepEqual(r.value.sessions, capture.sessions);
    }
  });

  it('refuses a truncated gzip stream', async () => {
    const { file } = await written({ ...sample(), events: Array.from({ length: 3000 }, () => anEvent()) });
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assertRefused(await readCapture(file), 'truncated', file, /ends early.*Ask for the file again/);
  });

  it('refuses a file whose last line is cut, and one that stops at a line end before its end record', async () => {
    const { text } = await written();
    const cutMidLine = text.slice(0, text.lastIndexOf('"kind":"session"') + 10);
    const f1 = put(cutMidLine);
    assertRefused(await readCapture(f1), 'truncated', f1, /last line, \d+, is cut/);
    const lines = text.split('\n');
    const f2 = put(lines.slice(0, 3).join('\n') + '\n');
    assertRefused(await readCapture(f2), 'truncated', f2, /end record is missing/);
  });

  it('refuses a corrupt middle: a line that is not JSON, a record of the wrong shape, damaged gzip data', async () => {
    const { text, file } = await written();
    const lines = text.split('\n');
    const f1 = put([...lines.slice(0, 2), '{"kind":"event","event":{"uid":', ...lines.slice(3)].join('\n'));
    const p1 = assertRefused(await readCapture(f1), 'corrupt', f1, /not JSON \(line 3\)/);
    assert.equal((p1 as { line?: number }).line, 3);
    const f2 = put([...lines.slice(0, 2), '{"kind":"event","event":{"uid":"x","api":"core/v1","regarding":{},"count":"seven"}}', ...lines.slice(3)].join('\n'));
    assertRefused(await readCapture(f2), 'corrupt', f2, /count is not a number \(line 3\)/);
    const f3 = put([...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    assertRefused(await readCapture(f3), 'corrupt', f3, /end record counts 3 events.*holds 2/);
    // The gzip trailer's CRC-32 no longer matches the data.
    const bytes = Buffer.from(fs.readFileSync(file));
    bytes[bytes.length - 8] ^= 0xff;
    fs.writeFileSync(file, bytes);
    assertRefused(await readCapture(file), 'corrupt', file, /gzip data is damaged/);
  });

  it('refuses a capture from a future format version, saying to update', async () => {
    const { text } = await written();
    const lines = text.split('\n');
    const header = { ...(JSON.parse(lines[0]) as Record<string, unknown>), version: 99, somethingNew: { shape: 'unknown' } };
    const file = put([JSON.stringify(header), '{"kind":"eventV99","x":1}', ''].join('\n'));
    const p = assertRefused(await readCapture(file), 'future-version', file, /newer Kube Events \(format 99; this one reads format 1 and older\)\. Update the extension/);
    assert.equal((p as { version?: number }).version, 99);
  });

  it('refuses hostile captures: a 10 MB message, __proto__ keys, a poisoned layout, too many sessions or stops', async () => {
    const { text } = await written();
    const lines = text.split('\n');
    const event = JSON.parse(lines[1]) as { event: Record<string, unknown> };
    const withEvent = (e: unknown): string => [lines[0], JSON.stringify({ kind: 'event', event: e }), ...lines.slice(2)].join('\n');

    const huge = put(withEvent({ ...event.event, message: 'x'.repeat(10 * 1024 * 1024) }));
    assertRefused(await readCapture(huge), 'hostile', huge, /a line of 10\.0 MiB, longer than any event .*\(line 2\)/);
    const long = put(withEvent({ ...event.event, message: 'x'.repeat(2 * 1024 * 1024) }));
    assertRefused(await readCapture(long), 'hostile', long, /message is longer than 1,572,864 characters \(line 2\)/);

    const proto = put(lines[1].replace('{"uid"', '{"__proto__":{"polluted":true},"uid"').replace(/^/, `${lines[0]}\n`).concat('\n', lines.slice(2).join('\n')));
    assertRefused(await readCapture(proto), 'hostile', proto, /"__proto__" \(line 2\)/);
    const escaped = put(lines[1].replace('{"uid"', '{"\\u005f_proto__":{"polluted":true},"uid"').replace(/^/, `${lines[0]}\n`).concat('\n', lines.slice(2).join('\n')));
    assertRefused(await readCapture(escaped), 'hostile', escaped, /"__proto__"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');

    const header = JSON.parse(lines[0]) as Record<string, unknown>;
    const layout = put([JSON.stringify({ ...header, layout: { tree: { constructor: { prototype: { x: 1 } } } } }), ...lines.slice(1)].join('\n'));
    assertRefused(await readCapture(layout), 'hostile', layout, /layout has the key "constructor" \(line 1\)/);
    const deep = put([JSON.stringify({ ...header, layout: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) as unknown }), ...lines.slice(1)].join('\n'));
    assertRefused(await readCapture(deep), 'hostile', deep, /nests deeper than 16/);

    const session = lines.find((l) => l.startsWith('{"kind":"session"'))!;
    const many = put([lines[0], ...Array.from({ length: 101 }, () => session), ''].join('\n'));
    assertRefused(await readCapture(many), 'hostile', many, /more than 100 debug sessions \(line 102\)/);
    const s = JSON.parse(session) as { session: { stops: unknown[] } };
    const stops = put([lines[0], JSON.stringify({ kind: 'session', session: { ...s.session, stops: Array.from({ length: 501 }, () => s.session.stops[0]) } }), ''].join('\n'));
    assertRefused(await readCapture(stops), 'hostile', stops, /more than 500 stops \(line 2\)/);
  });

  it('refuses what is not a capture, an empty file, a missing file, and more than the bounds allow', async () => {
    const png = put(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'picture.png', false);
    assertRefused(await readCapture(png), 'not-a-capture', png, /neither a Kube Events capture nor a dump.*kubectl get events -o json/);
    const other = put('{"format":"something-else","version":1}\n', 'other.json', false);
    assertRefused(await readCapture(other), 'not-a-capture', other, /not a Kube Events capture header/);
    const pods = put(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u' } }] }), 'pods.json', false);
    assertRefused(await readCapture(pods), 'not-a-capture', pods, /none of them an Event/);
    const empty = put('', 'empty.kube-events.gz');
    assertRefused(await readCapture(empty), 'not-a-capture', empty, /empty/);
    const missing = path.join(tempDir(), 'gone.kube-events.gz');
    assertRefused(await readCapture(missing), 'unreadable', missing, /does not exist/);
    const folder = tempDir();
    assertRefused(await readCapture(folder), 'unreadable', folder, /not a file/);

    const { file } = await written();
    assertRefused(await readCapture(file, { maxEvents: 2 }), 'too-large', file, /more than 2 events/);
    assertRefused(await readCapture(file, { maxBytes: 100 }), 'too-large', file, /more than 100 bytes/);
    const bomb = put(Buffer.alloc(50 * 1024 * 1024, 0x20), 'bomb.kube-events.gz');
    assert.ok(fs.statSync(bomb).size < 1024 * 1024);
    assertRefused(await readCapture(bomb, { maxBytes: 10 * 1024 * 1024 }), 'too-large', bomb, /decompresses to more than 10\.0 MiB/);
  });
});

describe('captureSessionRanges (src/core/capture/capture.ts)', () => {
  it('gives session:last the newest session and session:current the newest still running', () => {
    const { sessions } = sample();
    assert.deepEqual(captureSessionRanges(sessions), { current: { start: 1_700_000_360_000 }, last: { start: 1_700_000_360_000 } });
    assert.deepEqual(captureSessionRanges(sessions.slice(0, 1)), { last: { start: 1_700_000_050_000, end: 1_700_000_350_000 } });
    assert.deepEqual(captureSessionRanges([]), {});
  });
});
