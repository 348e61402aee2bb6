/**
 * A capture on disk (docs/ARCHITECTURE.md §18): written gzipped and atomically, read all or nothing. Reading also
 * imports `kubectl get events -o json` and kubernetes-event-exporter's JSON lines, plain or gzipped
 * (src/core/capture/captureImport.ts). Text from another OS reads the same: CRLF line ends and a UTF-8 byte order
 * mark are accepted. No path is ever written into the file. Node only (fs, zlib); no `vscode`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CAPTURE_LIMITS, type Capture, type CaptureProblem, type CaptureReadOptions, type CaptureResult } from '../core/capture/capture';
import { CaptureDecoder, captureLines, captureWriteProblem, corrupt, hostile, notACapture, tooLarge, truncated, type CaptureLineReader } from '../core/capture/captureCodec';
import { captureShape, EventExporterImporter, importKubectlJson } from '../core/capture/captureImport';

const gunzip = promisify(zlib.gunzip);

/** Lines decoded between two turns of the event loop: the extension host's thread is shared. */
const LINES_PER_TURN = 2_048;

/** The capture's text in chunks of about 64 KiB, for the gzip stream. */
function* chunks(capture: Capture): Generator<Buffer> {
  let text = '';
  for (const line of captureLines(capture)) {
    text += `${line}\n`;
    if (text.length >= 65_536) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text) yield Buffer.from(text, 'utf8');
}

/**
 * Writes `capture` to `file`, gzipped (see src/core/capture/captureCodec.ts for the lines). Atomic: the text goes to
 * a temporary file in the same folder, which is flushed to disk and then renamed over `file`, so `file` is either
 * what it was or the whole new capture; on failure the temporary file is removed. Rejects with the file system's
 * error (no room, no permission), or with an Error saying what in `capture` a reader would refuse.
 */
export async function writeCapture(file: string, capture: Capture): Promise<void> {
  const problem = captureWriteProblem(capture);
  if (problem) throw new Error(`The capture was not written: ${problem}.`);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await pipeline(Readable.from(chunks(capture)), zlib.createGzip(), fs.createWriteStream(temp, { flags: 'wx' }));
    const handle = await fs.promises.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

function unreadable(what: string): CaptureProblem {
  return { ok: false, reason: 'unreadable', message: `${what}. Check that the file exists and that you may read it.` };
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** What a zlib failure means for the reader: the stream ended early, or the data is not gzip's. */
function gunzipProblem(err: unknown, maxBytes: number): CaptureProblem {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(`it decompresses to more than ${size(maxBytes)}`);
  if (code === 'Z_BUF_ERROR') return truncated('the gzip stream stops before its end');
  return corrupt(`its gzip data is damaged (${code === 'Z_DATA_ERROR' ? 'a bad block or checksum' : typeof code === 'string' ? code : 'unknown error'})`);
}

/**
 * Reads a capture, or imports a dump, from `file`: all or nothing, so a bad file changes nothing. Answers the whole
 * capture or the one problem that kept it from being read, its message naming the file (never its folder) and
 * saying what to do. Decodes between turns of the event loop; the bounds of `opts` (default
 * {@link CAPTURE_LIMITS}) apply to the file, to what it decompresses to, and to its events.
 */
export async function readCapture(file: string, opts: CaptureReadOptions = {}): Promise<CaptureResult> {
  const maxBytes = opts.maxBytes ?? CAPTURE_LIMITS.maxBytes;
  const maxEvents = opts.maxEvents ?? CAPTURE_LIMITS.maxEvents;
  const named = (p: CaptureProblem): CaptureProblem => ({ ...p, message: `Cannot open ${path.basename(file)}: ${p.message}` });
  let stat: fs.Stats;
  let raw: Buffer;
  try {
    stat = await fs.promises.stat(file);
    if (!stat.isFile()) return named(unreadable('it is not a file'));
    if (stat.size > maxBytes) return named(tooLarge(`${size(stat.size)}, more than ${size(maxBytes)}`));
    raw = await fs.promises.readFile(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return named(unreadable(code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'you may not read it' : `it cannot be read (${String(code ?? err)})`));
  }
  let data = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      data = await gunzip(raw, { maxOutputLength: maxBytes });
    } catch (err) {
      return named(gunzipProblem(err, maxBytes));
    }
  }
  const result = await decode(data, { modified: stat.mtimeMs, maxEvents });
  return result.ok ? result : named(result);
}

/** The decompressed text, line by line, into the reader its first line asks for. */
async function decode(data: Buffer, ctx: { readonly modified: number; readonly maxEvents: number }): Promise<CaptureResult> {
  const bom = data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  let reader: CaptureLineReader | undefined;
  let n = 0;
  for (let start = bom; start < data.length; ) {
    let end = data.indexOf(0x0a, start);
    const cut = end === -1;
    if (cut) end = data.length;
    const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
    n++;
    if (stop - start > CAPTURE_LIMITS.maxLineBytes) return hostile(`a line of ${size(stop - start)}, longer than any event the API server stores`, n);
    const line = data.toString('utf8', start, stop);
    start = end + 1;
    if (!reader) {
      if (line.trim() === '') continue;
      const shape = captureShape(line);
      if (shape === 'json-document') {
        try {
          return importKubectlJson(data.toString('utf8', bom), ctx);
        } catch (err) {
          // A document longer than the longest string V8 makes.
          if (err instanceof Error && /string longer|Invalid string length/i.test(err.message)) return tooLarge('a JSON document too long to read at once');
          throw err;
        }
      }
      if (shape === 'unknown') return notACapture('It is neither a Kube Events capture nor a dump of events');
      reader = shape === 'capture' ? new CaptureDecoder(ctx.maxEvents) : new EventExporterImporter(ctx);
    }
    const problem = reader.line(line, n);
    if (problem) return cut && problem.reason === 'corrupt' ? truncated(`its last line, ${n}, is cut`) : problem;
    if (n % LINES_PER_TURN === 0) await new Promise((r) => setImmediate(r));
  }
  return reader ? reader.finish() : notACapture('It is empty');
}
