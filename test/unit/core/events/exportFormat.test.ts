import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, exportEvents } from '../../../../src/core/events/exportFormat';
import { anEvent } from '../../support/eventBuilder';

describe('exportEvents', () => {
  const events = [anEvent({ reason: 'A', message: 'plain' }), anEvent({ reason: 'B', message: '=HYPERLINK("http://x")', type: 'Warning' }), anEvent({ reason: 'C', message: 'a "quoted", multi\nline' })];

  it('writes JSON that parses back to every event', async () => {
    const text = (await exportEvents(events, 'json'))!;
    const parsed = JSON.parse(text) as Array<{ reason: string; uid: string }>;
    assert.deepEqual(parsed.map((r) => r.reason), ['A', 'B', 'C']);
    assert.deepEqual(parsed.map((r) => r.uid), events.map((e) => e.uid));
  });

  it('writes one JSON object per NDJSON line', async () => {
    const lines = (await exportEvents(events, 'ndjson'))!.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.equal((JSON.parse(lines[2]) as { message: string }).message, 'a "quoted", multi\nline');
  });

  it('writes CSV with a header, RFC 4180 quoting and defused formulas', async () => {
    const csv = (await exportEvents(events, 'csv'))!;
    const header = csv.split('\n')[0].split(',');
    assert.ok(header.includes('reason') && header.includes('message') && header.includes('lastSeen'));
    assert.match(csv, /'=HYPERLINK\(""http:\/\/x""\)/);
    assert.equal(csvCell('a "q", b'), '"a ""q"", b"');
    assert.equal(csvCell('-1'), "'-1");
    assert.equal(csvCell(3), '3');
  });

  it('says which cluster each event came from, in every format (\'\' for an event of none)', async () => {
    const two = [anEvent({ cluster: 'kind-dev', reason: 'A' }), anEvent({ cluster: 'staging', reason: 'B' }), anEvent({ reason: 'C' })];
    const parsed = JSON.parse((await exportEvents(two, 'json'))!) as Array<{ cluster: string }>;
    assert.deepEqual(parsed.map((r) => r.cluster), ['kind-dev', 'staging', '']);
    const lines = (await exportEvents(two, 'ndjson'))!.trimEnd().split('\n');
    assert.equal((JSON.parse(lines[1]) as { cluster: string }).cluster, 'staging');
    const [header, ...rows] = (await exportEvents(two, 'csv'))!.trimEnd().split('\n');
    const column = header.split(',').indexOf('cluster');
    assert.equal(column, header.split(',').length - 1, 'the last column: the others keep their places');
    assert.deepEqual(rows.map((r) => r.split(',')[column]), ['kind-dev', 'staging', '']);
  });

  it('stops when cancelled and reports progress', async () => {
    const many = Array.from({ length: 5000 }, () => anEvent());
    const seen: number[] = [];
    assert.equal(await exportEvents(many, 'ndjson', (n) => seen.push(n), () => seen.length >= 1), undefined);
    assert.deepEqual(seen, [2000]);
  });
});
