// Bytes to lines for every log source: replay (files, stdin, .gz) and live following. Splits on
// `\n` at the byte level (Buffer.indexOf is a memchr), so a line's end is an exact byte offset (what
// a follower stores to resume), and a multi-byte character cut by a chunk boundary is never split:
// no UTF-8 sequence contains the byte 0x0A.

/** The longest line read, bytes, by default (64 KiB): longer lines are skipped and counted. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Receives the lines of a {@link LineSplitter}. */
export interface LineSink {
  /**
   * One complete line: without its `\n` and a trailing `\r`, decoded as UTF-8 (an invalid sequence
   * becomes U+FFFD, never an error). `end` is the byte offset just after its newline (or after its
   * last byte at the end of input).
   */
  line(text: string, end: number): void;
  /** A line longer than the bound, skipped whole (none of it is parsed); `end` as for `line`. */
  tooLong(end: number): void;
}

/** Splits a byte stream into lines, holding at most one bounded partial line between chunks. */
export interface LineSplitter {
  /** Reads the next chunk of the stream. */
  push(chunk: Buffer): void;
  /** The input has ended: a last line without a newline is delivered now. */
  end(): void;
  /** Bytes read so far, partial line included. */
  readonly bytesRead: number;
  /** Byte offset just after the last line delivered (a resume position). */
  readonly bytesConsumed: number;
  /** Inside a line over the bound: the bytes up to its newline are being dropped. */
  readonly skipping: boolean;
  /**
   * Where a reader resumes without reading a line twice: {@link bytesConsumed}, or, inside a line
   * over the bound, {@link bytesRead} (resume with `skipping`, and the rest of it is dropped too).
   */
  readonly resumeOffset: number;
}

/** Where a splitter starts: a byte offset in the stream, and whether it is inside a too-long line. */
export interface SplitterStart {
  /** Byte offset of the first chunk pushed (what `bytesRead` and `end` offsets count from). */
  offset?: number;
  /** The bytes at `offset` are the rest of a line over the bound: dropped up to its newline. */
  skipping?: boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * A line splitter delivering to `sink`. Lines longer than `maxLineBytes` (default 64 KiB; the `\r`
 * of a CRLF ending counts) are skipped whole and reported with `sink.tooLong`: the memory held is
 * bounded by `maxLineBytes` whatever the input, also a gigabyte without a newline. Throws a
 * `TypeError` when `maxLineBytes` is not an integer from 1 to 2^30.
 */
export function createLineSplitter(
  sink: LineSink,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  start: SplitterStart = {},
): LineSplitter {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1 || maxLineBytes > 2 ** 30) {
    throw new TypeError(`maxLineBytes must be an integer from 1 to 2^30 (got ${String(maxLineBytes)})`);
  }
  const splitter = new Splitter(sink, maxLineBytes);
  splitter.bytesRead = start.offset ?? 0;
  splitter.bytesConsumed = start.offset ?? 0;
  splitter.skipping = start.skipping ?? false;
  return splitter;
}

class Splitter implements LineSplitter {
  bytesRead = 0;
  bytesConsumed = 0;
  // The start of a line cut by a chunk boundary, at most maxLineBytes in all.
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  // Inside a line already over the bound: everything up to its newline is dropped.
  skipping = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number,
  ) {}

  get resumeOffset(): number {
    return this.skipping ? this.bytesRead : this.bytesConsumed;
  }

  push(chunk: Buffer): void {
    const base = this.bytesRead;
    this.bytesRead += chunk.length;
    const length = chunk.length;
    let start = 0;
    while (start < length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.hold(chunk, start, length);
        return;
      }
      const end = base + newline + 1;
      if (this.skipping) {
        this.skipping = false;
        this.finishTooLong(end);
      } else if (this.pendingBytes === 0) {
        this.deliver(chunk, start, newline, end);
      } else {
        this.hold(chunk, start, newline);
        if (this.skipping) {
          this.skipping = false;
          this.finishTooLong(end);
        } else {
          const whole = Buffer.concat(this.pending, this.pendingBytes);
          this.pending = [];
          this.pendingBytes = 0;
          this.deliver(whole, 0, whole.length, end);
        }
      }
      start = newline + 1;
    }
  }

  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.finishTooLong(this.bytesRead);
    } else if (this.pendingBytes > 0) {
      const whole = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.deliver(whole, 0, whole.length, this.bytesRead);
    }
  }

  // A line in bytes [from, to) of `buffer`, without its newline.
  private deliver(buffer: Buffer, from: number, to: number, end: number): void {
    let last = to;
    if (last > from && buffer[last - 1] === CARRIAGE_RETURN) last--;
    this.bytesConsumed = end;
    if (to - from > this.maxLineBytes) this.sink.tooLong(end);
    else this.sink.line(buffer.toString('utf8', from, last), end);
  }

  // Keeps bytes [from, to) of a line not yet ended, or starts skipping once it is over the bound.
  private hold(chunk: Buffer, from: number, to: number): void {
    if (this.skipping || from === to) return;
    if (this.pendingBytes + (to - from) > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      return;
    }
    // A copy: the caller may reuse the chunk's memory (a stream's pooled buffers).
    this.pending.push(Buffer.from(chunk.subarray(from, to)));
    this.pendingBytes += to - from;
  }

  private finishTooLong(end: number): void {
    this.bytesConsumed = end;
    this.sink.tooLong(end);
  }
}
