// Follows one log file the way `tail -F` does, and knows exactly which byte it has read up to.
//
// What it survives, and how:
// - rename rotation (logrotate `create`): the path names another inode than the open file. The old
//   file is read for one more poll interval (writers that have not reopened yet), to its end, and
//   only then closed; the new file is read from its first byte.
// - `copytruncate`: the open file is smaller than the position read, or its first bytes changed
//   (more was written after the truncation than had been read): read again from byte 0.
// - deletion, and a path that does not exist (yet): the open file is read to its end and closed;
//   the path is tried again every poll, and a file that appears there is read from its first byte.
// - a directory, a FIFO or a device at the path, permission denied, read errors: reported once per
//   episode (`problem`), tried again every poll, never thrown.
// fs.watch on the file's directory only hints that something changed (it misses events across
// rotation on some systems); a poll every `pollIntervalMs` is what guarantees progress. Reads are
// bounded chunks with a bounded amount per turn of the event loop, so a huge backlog does not stall
// the HTTP endpoints; lines are bounded by the line splitter.
import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createLineSplitter, DEFAULT_MAX_LINE_BYTES, type LineSplitter } from './line-splitter.js';
import {
  endsWithNewline,
  errorText,
  type FollowProblem,
  findRotatedAway,
  notAFile,
  type OpenFile,
  openRegularFile,
  problemOf,
  sameStart,
  takeFingerprint,
} from './opened-file.js';
import { FINGERPRINT_BYTES, type FilePosition } from './position-store.js';

export { FOLLOW_PROBLEMS, type FollowProblem } from './opened-file.js';

/** How the followed file was replaced (a constant set: it is a metric label). */
export const ROTATION_KINDS = ['renamed', 'truncated', 'deleted'] as const;
export type RotationKind = (typeof ROTATION_KINDS)[number];

/** What a follower reports. Callbacks run synchronously inside a poll; they must not throw. */
export interface FollowerHandlers {
  /** A complete line (no '\n', no trailing '\r'; invalid UTF-8 replaced by U+FFFD). */
  line(text: string): void;
  /** A line longer than `maxLineBytes` (skipped), reported when it ends. */
  tooLong(): void;
  /** The lines read so far are all handed on (after each batch of reads). */
  batchEnd?(): void;
  /**
   * The file cannot be read now: called once when the problem starts or changes (reason or detail),
   * not every poll.
   */
  problem?(reason: FollowProblem, detail: string): void;
  /** The file is open (again) after a problem or at start; `from` is the first byte read. */
  opened?(path: string, from: number): void;
  rotated?(kind: RotationKind): void;
}

export interface FollowerOptions {
  /** Absolute path of the file. */
  path: string;
  /** Read a file that exists at start from its first byte rather than from its end. Default false. */
  fromStart?: boolean;
  /** Where a previous run stopped (see {@link PositionStore}); takes precedence over `fromStart`. */
  resume?: FilePosition;
  /** Longest interval between two looks at the file, ms. Default 500. */
  pollIntervalMs?: number;
  /** Longest line, bytes. Default 64 KiB. */
  maxLineBytes?: number;
  /** Bytes per read. Default 64 KiB. */
  chunkBytes?: number;
  /** Most bytes read before yielding to the event loop. Default 1 MiB. */
  maxBytesPerTurn?: number;
  /** The clock, epoch ms (tests inject one). Default `Date.now`. */
  now?: () => number;
}

/** What a follower can say about itself at any moment (read by metrics). */
export interface FollowerStatus {
  /** The file is open and the last read of it worked. */
  up: boolean;
  /** Bytes between the next unprocessed line and the end of the file, at the last look. */
  lagBytes: number;
  /** Epoch ms of the last read that returned bytes; undefined before the first. */
  lastReadAt: number | undefined;
  /** The problem now, if any. */
  problem: FollowProblem | undefined;
}

/**
 * Follows one file; see the module comment for what it survives. `start()` begins polling,
 * `stop()` finishes the poll in progress and closes the file (the position of the last complete
 * line handed on stays available from `position()`).
 */
export class FileFollower {
  private readonly path: string;
  private readonly pollIntervalMs: number;
  private readonly chunk: Buffer;
  private readonly maxBytesPerTurn: number;
  private readonly now: () => number;
  private splitter: LineSplitter;
  private readonly maxLineBytes: number;
  private file: OpenFile | undefined;
  /**
   * The next file opened follows the start rules (a saved position, else its end, or its start with
   * `fromStart`). Cleared once a file is opened, or once the path is found missing: a file that
   * appears later is new, and read from its first byte (so is a file that replaces a directory or a
   * FIFO at the path). A file that exists but cannot be read yet (permission denied) keeps the
   * start rules for when it can.
   */
  private initial = true;
  private currentProblem: FollowProblem | undefined;
  private currentDetail = '';
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private running = false;
  private stopped = false;
  private lastReadAt: number | undefined;
  private lagBytes = 0;
  private resume: FilePosition | undefined;
  private lastPosition: FilePosition | undefined;

  constructor(
    private readonly options: FollowerOptions,
    private readonly handlers: FollowerHandlers,
  ) {
    this.path = options.path;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024);
    this.maxBytesPerTurn = options.maxBytesPerTurn ?? 1024 * 1024;
    this.now = options.now ?? Date.now;
    this.resume = options.resume;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.splitter = createLineSplitter(this.handlers, this.maxLineBytes);
  }

  // Starts splitting a new stream (a file, or the same file again from `offset`), dropping any
  // unfinished line held of the previous one.
  private resetSplitter(offset: number, skipping = false): void {
    this.splitter = createLineSplitter(this.handlers, this.maxLineBytes, { offset, skipping });
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.watchDirectory();
    this.schedule(0);
  }

  /** Stops polling, waits for a poll in progress, closes the file. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.polling;
    this.lastPosition = this.position();
    const file = this.file;
    this.file = undefined;
    await file?.handle.close().catch(() => undefined);
  }

  /** One poll now: the first look at start, and tests that drive the follower poll by poll. */
  async pollNow(): Promise<void> {
    while (this.polling !== undefined) await this.polling;
    this.polling = this.safePoll()
      .then(() => undefined)
      .finally(() => {
        this.polling = undefined;
      });
    await this.polling;
  }

  status(): FollowerStatus {
    return {
      up: this.file !== undefined && this.currentProblem === undefined,
      lagBytes: this.lagBytes,
      lastReadAt: this.lastReadAt,
      problem: this.currentProblem,
    };
  }

  /**
   * Where to resume: the file (device, inode, fingerprint) and the offset of the next line not yet
   * handed on. Undefined when no file has been open.
   */
  position(): FilePosition | undefined {
    const file = this.file;
    if (file === undefined) return this.lastPosition;
    return {
      dev: file.dev,
      ino: file.ino,
      offset: this.splitter.resumeOffset,
      skipping: this.splitter.skipping,
      fingerprint: file.fingerprint,
      fingerprintBytes: file.fingerprintBytes,
    };
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.polling !== undefined) {
        this.again = true;
        return;
      }
      let more = false;
      this.polling = this.safePoll()
        .then((pending) => {
          more = pending;
        })
        .finally(() => {
          this.polling = undefined;
          const soon = more || this.again;
          this.again = false;
          if (this.timer === undefined) this.schedule(soon ? 0 : this.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  // A change in the directory (a write, a rename, a new file) brings the next poll forward.
  private watchDirectory(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name || changed.startsWith(`${name}.`)) {
          if (this.polling !== undefined) this.again = true;
          else if (this.timer !== undefined) this.schedule(0);
        }
      });
      this.watcher.on('error', () => {
        // Polling goes on without the hint.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No directory yet, or no inotify: polling alone.
      this.watcher = undefined;
    }
  }

  // A poll never rejects: an unexpected failure (a read of the first bytes failing, say) is an
  // io_error of the file, which is closed and tried again like any other.
  private async safePoll(): Promise<boolean> {
    try {
      return await this.poll();
    } catch (error) {
      if (this.file !== undefined) await this.lose('io_error', errorText(error));
      else this.report('io_error', errorText(error));
      return false;
    }
  }

  /** One look at the file; true when it stopped early with more to read. */
  private async poll(): Promise<boolean> {
    if (this.file === undefined) {
      await this.openFile();
      if (this.file === undefined) return false;
    }
    const file = this.file;
    let fileStat: { size: number };
    try {
      fileStat = await file.handle.stat();
    } catch (error) {
      await this.lose('io_error', errorText(error));
      return false;
    }
    // copytruncate (or any truncation): the file is shorter than what was read, or, when more was
    // written after the truncation than had been read before secmon looked, it starts with other
    // bytes. Everything in it now is new.
    if (
      fileStat.size < file.readPos ||
      (fileStat.size !== file.size && file.readPos > 0 && !(await this.startsAsBefore(file)))
    ) {
      file.readPos = 0;
      this.resetSplitter(0);
      await takeFingerprint(file);
      this.handlers.rotated?.('truncated');
    }
    file.size = fileStat.size;
    const pending = await this.read(file);
    if (this.file !== file) return false;
    if (pending) return true;
    if (file.fingerprintBytes < FINGERPRINT_BYTES && file.size > file.fingerprintBytes) {
      await takeFingerprint(file);
    }
    this.lagBytes = Math.max(0, file.size - this.splitter.resumeOffset);
    await this.checkReplaced(file);
    return false;
  }

  // Reads from the position to the end of the file, at most maxBytesPerTurn; true when more is left.
  private async read(file: OpenFile): Promise<boolean> {
    let budget = this.maxBytesPerTurn;
    let readAny = false;
    try {
      while (budget > 0 && !this.stopped) {
        const { bytesRead } = await file.handle.read(this.chunk, 0, this.chunk.length, file.readPos);
        if (bytesRead === 0) break;
        readAny = true;
        this.lastReadAt = this.now(); // before the lines are handed on: a scrape never sees them without it
        file.readPos += bytesRead;
        budget -= bytesRead;
        // The splitter copies what it holds of an unfinished line: the chunk buffer is reused.
        this.splitter.push(this.chunk.subarray(0, bytesRead));
      }
    } catch (error) {
      if (readAny) this.handlers.batchEnd?.();
      await this.lose('io_error', errorText(error));
      return false;
    }
    if (readAny) {
      if (file.readPos > file.size) file.size = file.readPos;
      this.lagBytes = Math.max(0, file.size - this.splitter.resumeOffset);
      this.handlers.batchEnd?.();
    }
    if (this.currentProblem !== undefined) this.currentProblem = undefined;
    return budget <= 0 && !this.stopped;
  }

  // After reading to the end: does the path still name this file?
  private async checkReplaced(file: OpenFile): Promise<void> {
    let now: { dev: number; ino: number } | undefined;
    if (!file.rotatedAway) {
      try {
        now = await stat(this.path);
      } catch {
        now = undefined; // gone (or unreadable): handled as gone
      }
      if (now !== undefined && now.dev === file.dev && now.ino === file.ino) {
        file.replacedSince = undefined;
        return;
      }
    }
    // The path names another file, or none (a rename whose new file is not created yet looks the
    // same as a deletion). Give writers that still hold the old file a poll interval: it was read
    // to its end just now, and is read to its end again until the interval is over. (Measured in
    // time, not polls: directory events can bring polls a millisecond apart.)
    if (!file.rotatedAway) {
      const seenAt = this.now();
      file.replacedSince ??= seenAt;
      if (seenAt - file.replacedSince < this.pollIntervalMs) return;
    }
    // A last line without a newline in a file nobody writes any more is a line.
    this.splitter.end();
    this.handlers.batchEnd?.();
    this.handlers.rotated?.(now === undefined && !file.rotatedAway ? 'deleted' : 'renamed');
    // Until the next file opens, the position is the end of this one: a restart in between finds
    // it (renamed beside the path) read to its end, and does not read its last lines again.
    this.lastPosition = this.position();
    this.file = undefined;
    this.lagBytes = 0;
    await file.handle.close().catch(() => undefined);
    // What appears at the path from now on is new: read it from its first byte.
    this.resetSplitter(0);
    await this.openFile();
  }

  private async openFile(): Promise<void> {
    const first = this.initial;
    const resume = first ? this.resume : undefined;
    let pathStat: Awaited<ReturnType<typeof stat>>;
    try {
      pathStat = await stat(this.path);
    } catch (error) {
      if (resume !== undefined && (await this.openRotatedAway(resume))) return;
      const problem = problemOf(error);
      if (problem === 'not_found') this.startRulesDone();
      this.report(problem, errorText(error));
      return;
    }
    if (resume !== undefined && !(pathStat.dev === resume.dev && pathStat.ino === resume.ino)) {
      // Rotated while secmon was down: finish the file it was reading, if it is still there.
      if (await this.openRotatedAway(resume)) return;
    }
    if (!pathStat.isFile()) {
      this.startRulesDone(); // the regular file that replaces it will be new
      this.report('not_a_file', notAFile(pathStat));
      return;
    }
    const file = await this.openAt(this.path, false);
    if (file === undefined) return;
    let from = 0;
    let skipping = false;
    if (resume !== undefined && file.dev === resume.dev && file.ino === resume.ino) {
      if ((await sameStart(file, resume)) && resume.offset <= file.size) {
        from = resume.offset;
        skipping = resume.skipping;
      }
      // Otherwise a new file reused the inode, or it was truncated while secmon was down: from 0.
    } else if (first && resume === undefined && !this.options.fromStart) {
      from = file.size;
      // Starting mid-line: skip that line's rest rather than count half a line.
      skipping = from > 0 && !(await endsWithNewline(file));
    }
    // (A saved position of another file: the file at the path is new since then, read from 0.)
    this.begin(file, from, skipping);
  }

  private startRulesDone(): void {
    this.initial = false;
    this.resume = undefined;
  }

  // Finishes the file a saved position names if it was rotated beside the path while secmon was
  // down (see findRotatedAway); true when it is open.
  private async openRotatedAway(resume: FilePosition): Promise<boolean> {
    const path = await findRotatedAway(this.path, resume);
    if (path === undefined) return false;
    const file = await this.openAt(path, true);
    if (file === undefined) return false;
    if (!(await sameStart(file, resume)) || resume.offset > file.size) {
      await file.handle.close().catch(() => undefined);
      return false;
    }
    this.begin(file, resume.offset, resume.skipping);
    return true;
  }

  private async openAt(path: string, rotatedAway: boolean): Promise<OpenFile | undefined> {
    const opened = await openRegularFile(path, rotatedAway);
    if (opened.ok) return opened.file;
    this.report(opened.reason, opened.detail);
    return undefined;
  }

  private async startsAsBefore(file: OpenFile): Promise<boolean> {
    try {
      return await sameStart(file, file);
    } catch {
      return true; // a read error shows at the next read
    }
  }

  private begin(file: OpenFile, from: number, skipping: boolean): void {
    this.startRulesDone();
    file.readPos = from;
    this.resetSplitter(from, skipping);
    this.file = file;
    this.currentProblem = undefined;
    this.lagBytes = Math.max(0, file.size - from);
    this.handlers.opened?.(file.path, from);
  }

  // The open file failed: close it, report, and try the path again next poll (from its start only
  // if it turns out to be another file; the same file resumes where it was).
  private async lose(reason: FollowProblem, detail: string): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    this.lastPosition = this.position();
    this.resume = this.lastPosition;
    this.initial = true;
    this.file = undefined;
    await file.handle.close().catch(() => undefined);
    this.report(reason, detail);
  }

  private report(reason: FollowProblem, detail: string): void {
    if (this.currentProblem === reason && this.currentDetail === detail) return;
    this.currentProblem = reason;
    this.currentDetail = detail;
    this.handlers.problem?.(reason, detail);
  }
}
