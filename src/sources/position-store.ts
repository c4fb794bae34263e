// Where each followed file was read up to, kept in a state directory so a restarted service resumes
// exactly where it stopped. One JSON file (`positions.json`) holds every followed path; it is
// replaced atomically (written to a temporary file, flushed, renamed over), so a crash leaves the
// old or the new positions, never half of one.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes at the start of a file hashed to tell the same inode from a new file that reused it. */
export const FINGERPRINT_BYTES = 256;

/** Where one file was read up to. */
export interface FilePosition {
  /** Device and inode of the file read (a rotated file keeps them under its new name). */
  dev: number;
  ino: number;
  /** Byte offset of the next line not yet processed. */
  offset: number;
  /** The bytes at `offset` are the rest of a too-long line already counted. */
  skipping: boolean;
  /** sha256 (hex) of the file's first `fingerprintBytes` bytes, when it had any. */
  fingerprint: string;
  fingerprintBytes: number;
}

const FILE_NAME = 'positions.json';
const VERSION = 1;

/** The hex sha256 of a file's first bytes, the fingerprint kept beside its position. */
export function fingerprintOf(bytes: Buffer, length: number): string {
  return createHash('sha256').update(bytes.subarray(0, length)).digest('hex');
}

/**
 * The positions of followed files, by absolute path. `load()` reads them once at start; `set()`
 * changes them in memory; `save()` writes them all atomically when something changed. Without a
 * directory (`undefined`) nothing is read or written: every start is a fresh one.
 */
export class PositionStore {
  private readonly positions = new Map<string, FilePosition>();
  private dirty = false;
  private saving: Promise<void> | undefined;

  constructor(readonly directory: string | undefined) {}

  /**
   * Creates the directory if needed and reads the saved positions. Throws when the directory cannot
   * be created or the file cannot be read (a state directory the user asked for must work); a file
   * that is not valid JSON is set aside as `positions.json.bad` and every source starts fresh.
   * Resolves with a warning to log in that case.
   */
  async load(): Promise<string | undefined> {
    if (this.directory === undefined) return undefined;
    mkdirSync(this.directory, { recursive: true });
    const file = join(this.directory, FILE_NAME);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.probeWritable();
        return undefined;
      }
      throw error;
    }
    const entries = parsePositions(text);
    if (entries === undefined) {
      await rename(file, `${file}.bad`);
      return `${file} is not a positions file secmon wrote; set aside as ${FILE_NAME}.bad, sources start afresh`;
    }
    for (const [path, position] of entries) this.positions.set(path, position);
    await this.probeWritable();
    return undefined;
  }

  get(path: string): FilePosition | undefined {
    return this.positions.get(path);
  }

  set(path: string, position: FilePosition): void {
    const old = this.positions.get(path);
    if (
      old !== undefined &&
      old.offset === position.offset &&
      old.ino === position.ino &&
      old.dev === position.dev &&
      old.skipping === position.skipping &&
      old.fingerprint === position.fingerprint
    ) {
      return;
    }
    this.positions.set(path, position);
    this.dirty = true;
  }

  /** Writes the positions if they changed since the last save; one write at a time. */
  async save(): Promise<void> {
    if (this.directory === undefined) return;
    while (this.saving !== undefined) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    this.saving = this.write(this.directory).finally(() => {
      this.saving = undefined;
    });
    try {
      await this.saving;
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private async write(directory: string): Promise<void> {
    const body = JSON.stringify({ version: VERSION, files: Object.fromEntries(this.positions) });
    const file = join(directory, FILE_NAME);
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  }

  // Fails at start, not at the first save, when the directory cannot be written.
  private async probeWritable(): Promise<void> {
    const probe = join(this.directory!, `.probe.${process.pid}`);
    const handle = await open(probe, 'w');
    await handle.close();
    await unlink(probe);
  }
}

function parsePositions(text: string): Array<[string, FilePosition]> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  // `null`, a number or a string is bad content like any other, not a TypeError out of load().
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { version, files } = parsed as { version?: unknown; files?: unknown };
  if (version !== VERSION || typeof files !== 'object' || files === null) return undefined;
  const out: Array<[string, FilePosition]> = [];
  for (const [path, value] of Object.entries(files as Record<string, unknown>)) {
    const p = value as Partial<FilePosition> | null;
    if (
      p !== null &&
      Number.isSafeInteger(p.dev) &&
      Number.isSafeInteger(p.ino) &&
      Number.isSafeInteger(p.offset) &&
      (p.offset as number) >= 0 &&
      typeof p.skipping === 'boolean' &&
      typeof p.fingerprint === 'string' &&
      Number.isSafeInteger(p.fingerprintBytes)
    ) {
      out.push([path, p as FilePosition]);
    }
  }
  return out;
}
