import assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../../src/kube/lineSplitter';

/**
 * How the watch split its stream before the byte splitter: the response decoded as a string stream
 * (`setEncoding('utf8')`), appended to a string, cut at each '\n'. The splitter must give the same lines.
 */
function asStrings(chunks: readonly Buffer[]): string[] {
  const decoder = new StringDecoder('utf8');
  const out: string[] = [];
  let buffer = '';
  for (const chunk of chunks) {
    buffer += decoder.write(chunk);
    let start = 0;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n', start)) {
      out.push(buffer.slice(start, nl));
      start = nl + 1;
    }
    buffer = buffer.slice(start);
  }
  return out;
}

function split(chunks: readonly Buffer[]): { lines: string[]; pending: number } {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (const chunk of chunks) splitter.push(chunk, (l) => lines.push(l));
  return { lines, pending: splitter.pendingBytes };
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

/** A small deterministic generator, so a failing cut can be reproduced. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WATCH = Buffer.from(
  [
    '{"type":"ADDED","object":{"metadata":{"uid":"a"},"message":"Pulled image \\"app:1\\""}}',
    '{"type":"MODIFIED","object":{"metadata":{"uid":"b"},"message":"Zurück: Größe überschritten — 容器重启 🚀"}}',
    '',
    '{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"42"}}}',
    '',
  ].join('\n'),
  'utf8',
);

describe('LineSplitter', () => {
  it('gives the lines of a stream whole, wherever the chunks are cut', () => {
    const whole = asStrings([WATCH]);
    assert.equal(whole.length, 4);
    for (let at = 0; at <= WATCH.length; at++) {
      assert.deepEqual(split(cut(WATCH, [at])).lines, whole, `one cut at byte ${at}`);
    }
    assert.deepEqual(split(cut(WATCH, Array.from({ length: WATCH.length - 1 }, (_, i) => i + 1))).lines, whole, 'one byte per chunk');
  });

  it('gives the same lines as the string splitter it replaced, for random cuts of mixed text', () => {
    const next = random(20);
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 8) }, (_, i) =>
        i % 3 === 0 ? `{"message":"é${'ü'.repeat(Math.floor(next() * 5))}中🚀"}` : i % 3 === 1 ? '' : `{"n":${i}}\r`,
      );
      const bytes = Buffer.from(lines.join('\n') + (next() < 0.5 ? '\n' : ''), 'utf8');
      const at = [...new Set(Array.from({ length: Math.floor(next() * 6) }, () => Math.floor(next() * bytes.length)))].sort((a, b) => a - b);
      const chunks = cut(bytes, at);
      assert.deepEqual(split(chunks).lines, asStrings(chunks), `round ${round}, cuts at ${at.join(',')}`);
    }
  });

  it('decodes a multi-byte character split across chunks as one character', () => {
    const bytes = Buffer.from('{"m":"🚀"}\n', 'utf8'); // the rocket is 4 bytes, from byte 6
    for (const at of [[7], [8], [9], [7, 8, 9]]) {
      const { lines } = split(cut(bytes, at));
      assert.deepEqual(lines, ['{"m":"🚀"}'], `cut at ${at.join(',')}`);
      assert.deepEqual(JSON.parse(lines[0]), { m: '🚀' });
    }
  });

  it('keeps the CR of a CRLF line end, as the string splitter did (JSON.parse reads it as whitespace)', () => {
    const chunks = cut(Buffer.from('{"a":1}\r\n{"b":2}\r\n', 'utf8'), [8, 9]);
    const { lines } = split(chunks);
    assert.deepEqual(lines, ['{"a":1}\r', '{"b":2}\r']);
    assert.deepEqual(lines, asStrings(chunks));
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), [{ a: 1 }, { b: 2 }]);
  });

  it('holds a line that spans many chunks, counts its bytes, and gives it whole at its LF', () => {
    const big = `{"message":"${'x'.repeat(3 * 1024 * 1024)}ß"}`;
    const bytes = Buffer.from(`${big}\n{"after":true}\n`, 'utf8');
    const splitter = new LineSplitter();
    const lines: string[] = [];
    let maxPending = 0;
    for (let from = 0; from < bytes.length; from += 65_536) {
      splitter.push(bytes.subarray(from, from + 65_536), (l) => lines.push(l));
      maxPending = Math.max(maxPending, splitter.pendingBytes);
    }
    assert.deepEqual(lines, [big, '{"after":true}']);
    assert.ok(maxPending >= Buffer.byteLength(big) - 65_536, `the unfinished line was counted (${maxPending} bytes at most)`);
    assert.equal(splitter.pendingBytes, 0);
  });

  it('keeps an unfinished last line back and counts it', () => {
    const { lines, pending } = split([Buffer.from('{"a":1}\n{"b":', 'utf8'), Buffer.from('2', 'utf8')]);
    assert.deepEqual(lines, ['{"a":1}']);
    assert.equal(pending, Buffer.byteLength('{"b":2'));
  });

  it('stops at a line whose handler throws: the lines after it in that chunk are not given', () => {
    const splitter = new LineSplitter();
    const seen: string[] = [];
    assert.throws(
      () =>
        splitter.push(Buffer.from('a\nERROR\nc\n', 'utf8'), (l) => {
          if (l === 'ERROR') throw new Error('gone');
          seen.push(l);
        }),
      /gone/,
    );
    assert.deepEqual(seen, ['a']);
  });
});
