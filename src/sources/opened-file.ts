// One followed file as the follower holds it open: how it is opened (never blocking, regular files
// only), how it is recognised again (device, inode and a fingerprint of its first bytes), and where
// a file rotated away is found beside its path.
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FINGERPRINT_BYTES, type FilePosition, fingerprintOf } from './position-store.js';

/** Why a file cannot be read now (a constant set: it is a metric label). */
export const FOLLOW_PROBLEMS = ['not_found', 'permission_denied', 'not_a_file', 'io_error'] as const;
export type FollowProblem = (typeof FOLLOW_PROBLEMS)[number];

/** An open followed file and how far it has been read. */
export interface OpenFile {
  handle: FileHandle;
  path: string;
  dev: number;
  ino: number;
  /** Size at the last look, bytes. */
  size: number;
  /** Next byte to read. */
  readPos: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** Since when (epoch ms) the path names another file or none: finish this one, then switch. */
  replacedSince: number | undefined;
  /** Opened by inode after a restart (the file rotated while secmon was down): never the path's. */
  rotatedAway: boolean;
}

export type OpenResult = { ok: true; file: OpenFile } | { ok: false; reason: FollowProblem; detail: string };

/**
 * Opens `path` for reading if it is a regular file, and takes its fingerprint. Opened non-blocking:
 * a FIFO put in place of the file must not block a thread of the pool until a writer comes.
 */
export async function openRegularFile(path: string, rotatedAway: boolean): Promise<OpenResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: problemOf(error), detail: errorText(error) };
  }
  try {
    const s = await handle.stat();
    if (!s.isFile()) {
      await handle.close();
      return { ok: false, reason: 'not_a_file', detail: notAFile(s) };
    }
    const file: OpenFile = {
      handle,
      path,
      dev: s.dev,
      ino: s.ino,
      size: s.size,
      readPos: 0,
      fingerprint: '',
      fingerprintBytes: 0,
      replacedSince: undefined,
      rotatedAway,
    };
    await takeFingerprint(file);
    return { ok: true, file };
  } catch (error) {
    await handle.close().catch(() => undefined);
    return { ok: false, reason: problemOf(error), detail: errorText(error) };
  }
}

/** Hashes the file's first bytes (up to {@link FINGERPRINT_BYTES}); done again while it is shorter. */
export async function takeFingerprint(file: OpenFile): Promise<void> {
  const head = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await file.handle.read(head, 0, FINGERPRINT_BYTES, 0);
  file.fingerprint = fingerprintOf(head, bytesRead);
  file.fingerprintBytes = bytesRead;
}

/** Whether the file starts with the bytes a saved position (or an earlier look) fingerprinted. */
export async function sameStart(
  file: OpenFile,
  saved: Pick<FilePosition, 'fingerprint' | 'fingerprintBytes'>,
): Promise<boolean> {
  if (saved.fingerprintBytes === 0) return true;
  const head = Buffer.alloc(saved.fingerprintBytes);
  const { bytesRead } = await file.handle.read(head, 0, saved.fingerprintBytes, 0);
  return bytesRead === saved.fingerprintBytes && fingerprintOf(head, bytesRead) === saved.fingerprint;
}

/** Whether the file's last byte is a newline (false for an empty file). */
export async function endsWithNewline(file: OpenFile): Promise<boolean> {
  if (file.size === 0) return false;
  const last = Buffer.alloc(1);
  const { bytesRead } = await file.handle.read(last, 0, 1, file.size - 1);
  return bytesRead === 1 && last[0] === 10;
}

/**
 * Where the file a saved position names (its device and inode) is now, if it was rotated beside
 * `path`: a name that starts with the file's name and a separator (`auth.log.1`,
 * `auth.log-20261207`), not compressed (a compressed copy cannot be resumed in). At most 100 names
 * are looked at.
 */
export async function findRotatedAway(path: string, saved: FilePosition): Promise<string | undefined> {
  const directory = dirname(path);
  const name = basename(path);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return undefined;
  }
  const candidates = names
    .filter((n) => n !== name && n.startsWith(name) && /^[.\-_]/.test(n.slice(name.length)))
    .filter((n) => !/\.(gz|bz2|xz|zst|lz4|z)$/i.test(n))
    .slice(0, 100);
  for (const candidate of candidates) {
    const candidatePath = join(directory, candidate);
    try {
      const s = await stat(candidatePath);
      if (s.dev === saved.dev && s.ino === saved.ino && s.isFile()) return candidatePath;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The detail of a `not_a_file` problem. */
export function notAFile(s: Stats): string {
  return s.isDirectory() ? 'is a directory' : 'is not a regular file';
}

export function problemOf(error: unknown): FollowProblem {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'not_found';
    case 'EACCES':
    case 'EPERM':
      return 'permission_denied';
    case 'EISDIR':
      return 'not_a_file';
    default:
      return 'io_error';
  }
}

/** The errno code (`EACCES`), or the message: constant text, safe to log. */
export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(error);
}
