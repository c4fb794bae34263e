// Bytes of a log file to lines, in bounded memory whatever the file holds. Lines are split on the
// '\n' byte before decoding: that byte never occurs inside a multi-byte UTF-8 sequence, so each line
// decodes on its own and invalid UTF-8 becomes U+FFFD in that line only. A line longer than the
// bound is skipped to its newline and reported once; the bytes already held of it are dropped at
// once, so a gigabyte without a newline costs at most the bound.

/** Default longest line kept, bytes (without its newline). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** What a {@link LineSplitter} hands on. */
export interface LineSink {
  /** A complete line, without '\n' or a trailing '\r'. */
  line(text: string): void;
  /** A line longer than the bound: its start was dropped, its rest is being skipped. Once per line. */
  tooLong(): void;
}

/**
 * Splits a stream of byte chunks into lines. `offset` is the byte position (in the stream) of the
 * next line not yet handed on: where a reader resumes after a restart without reading a line twice.
 * While a too-long line is being skipped, `offset` moves with the bytes skipped and `skipping` is
 * true, so a resumed reader keeps skipping the same line rather than counting its tail as a line.
 */
export class LineSplitter {
  private held: Buffer;
  private heldLength = 0;
  private skippingLine = false;
  private position: number;
  private committed: number;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    start = 0,
    skipping = false,
  ) {
    this.held = Buffer.alloc(Math.min(maxLineBytes, 4096));
    this.position = start;
    this.committed = start;
    this.skippingLine = skipping;
  }

  /** Byte position of the next line not yet handed on (see the class comment). */
  get offset(): number {
    return this.committed;
  }

  /** Whether the bytes at `offset` are the rest of a too-long line already reported. */
  get skipping(): boolean {
    return this.skippingLine;
  }

  /** Bytes held of an unfinished last line. */
  get pendingBytes(): number {
    return this.heldLength;
  }

  /** Splits `chunk`, the bytes that follow everything pushed so far. */
  push(chunk: Buffer, length = chunk.length): void {
    let start = 0;
    while (start < length) {
      const newline = chunk.indexOf(10, start);
      const ended = newline !== -1 && newline < length;
      const end = ended ? newline : length;
      if (this.skippingLine) {
        // Already reported: drop its bytes up to the newline that ends it.
        if (ended) this.skippingLine = false;
        this.committed = this.position + (ended ? end + 1 : end);
      } else if (ended) {
        if (this.heldLength === 0) this.emit(chunk, start, end);
        else if (this.append(chunk, start, end)) {
          this.emit(this.held, 0, this.heldLength);
          this.heldLength = 0;
        }
        // append() may have found the line too long; this newline ends it either way.
        this.skippingLine = false;
        this.committed = this.position + end + 1;
      } else if (!this.append(chunk, start, end)) {
        // Too long without a newline yet: what is read of it is consumed.
        this.committed = this.position + end;
      }
      start = end + 1;
    }
    this.position += length;
  }

  /**
   * Hands on the unfinished last line as a line (the file it came from is finished: rotated away);
   * does nothing when there is none.
   */
  finish(): void {
    if (this.heldLength > 0) {
      this.emit(this.held, 0, this.heldLength);
      this.heldLength = 0;
    }
    this.skippingLine = false;
    this.committed = this.position;
  }

  /** Starts over at byte `start` of a new stream (a rotated or truncated file), dropping what is held. */
  reset(start = 0, skipping = false): void {
    this.heldLength = 0;
    this.skippingLine = skipping;
    this.position = start;
    this.committed = start;
  }

  // Adds bytes to the held line; false (and the line reported too long) when it would pass the bound.
  private append(source: Buffer, start: number, end: number): boolean {
    const bytes = end - start;
    if (this.heldLength + bytes > this.maxLineBytes) {
      this.heldLength = 0;
      this.skippingLine = true;
      this.sink.tooLong();
      return false;
    }
    if (this.heldLength + bytes > this.held.length) {
      const grown = Buffer.alloc(
        Math.min(this.maxLineBytes, Math.max(this.held.length * 2, this.heldLength + bytes)),
      );
      this.held.copy(grown, 0, 0, this.heldLength);
      this.held = grown;
    }
    source.copy(this.held, this.heldLength, start, end);
    this.heldLength += bytes;
    return true;
  }

  private emit(source: Buffer, start: number, end: number): void {
    if (end - start > this.maxLineBytes) {
      this.sink.tooLong();
      return;
    }
    const last = end > start && source[end - 1] === 13 ? end - 1 : end;
    this.sink.line(source.toString('utf8', start, last));
  }
}
