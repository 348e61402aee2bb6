/**
 * Splits a UTF-8 byte stream (a watch response) into lines on LF, as bytes: each line is decoded once, straight
 * from the chunk that holds it, and chunks are never joined into one string (no concatenation, no re-scan of
 * what was already searched). Only a line that spans chunks is copied, its pieces joined as bytes when its LF
 * arrives. An LF byte never occurs inside a multi-byte UTF-8 sequence, so a character split across chunks is
 * decoded whole. Lines come out as they are: a CR before the LF stays, as does an empty line.
 */
export class LineSplitter {
  /** The start of a line whose LF has not arrived yet, in arrival order. */
  private pending: Buffer[] = [];
  private pendingLength = 0;

  /** Bytes held of a line whose LF has not arrived yet: what a caller bounds. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /**
   * Calls `onLine` with each line `chunk` completes, in order, without its LF. Keeps the chunk's unfinished tail.
   * An exception from `onLine` propagates and the rest of the chunk is not split: the stream is to be abandoned.
   */
  push(chunk: Buffer, onLine: (line: string) => void): void {
    let nl = chunk.indexOf(0x0a);
    if (nl < 0) {
      this.hold(chunk);
      return;
    }
    let start = 0;
    if (this.pendingLength > 0) {
      this.pending.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.pending, this.pendingLength + nl);
      this.pending = [];
      this.pendingLength = 0;
      start = nl + 1;
      onLine(line.toString('utf8'));
      nl = chunk.indexOf(0x0a, start);
    }
    while (nl >= 0) {
      onLine(chunk.toString('utf8', start, nl));
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.hold(start === 0 ? chunk : chunk.subarray(start));
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pending.push(piece);
    this.pendingLength += piece.length;
  }
}
