// The follower on real files in a temporary directory. Most tests drive it one poll at a time
// (`pollNow`), so what a poll sees is decided by the test, not by timing; one test lets its timers
// and the directory watch run on their own.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileFollower,
  type FollowerOptions,
  type FollowProblem,
  type RotationKind,
} from '../../src/sources/file-follower.js';
import { PositionStore } from '../../src/sources/position-store.js';
import { waitFor } from '../support/processes.js';

let dir: string;
let followers: FileFollower[] = [];
/** The followers' clock: `settle` moves it past the rotation grace (one poll interval, 50 ms). */
let clock = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secmon-follow-'));
});
afterEach(async () => {
  await Promise.all(followers.map((f) => f.stop()));
  followers = [];
  rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  lines: string[];
  tooLong: number;
  problems: Array<[FollowProblem, string]>;
  rotations: RotationKind[];
}

function follow(options: Partial<FollowerOptions> & { path: string }): {
  follower: FileFollower;
  seen: Seen;
} {
  const seen: Seen = { lines: [], tooLong: 0, problems: [], rotations: [] };
  const follower = new FileFollower(
    { pollIntervalMs: 50, now: () => clock, ...options },
    {
      line: (text) => seen.lines.push(text),
      tooLong: () => seen.tooLong++,
      problem: (reason, detail) => seen.problems.push([reason, detail]),
      rotated: (kind) => seen.rotations.push(kind),
    },
  );
  followers.push(follower);
  return { follower, seen };
}

/** Polls until the follower has nothing new to read and a replaced file's grace is over. */
async function settle(follower: FileFollower): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await follower.pollNow();
    clock += 30;
  }
}

describe('following a file', () => {
  it('reads from the end by default: only lines appended after the first look', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'old 1\nold 2\nhalf of a li');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, 'ne\nnew 1\r\nnew 2\n');
    await settle(follower);
    // The line the first look started inside is skipped, not counted as half a line.
    expect(seen.lines).toEqual(['new 1', 'new 2']);
  });

  it('reads everything with fromStart, and holds a last line until its newline arrives', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'one\ntwo\nthr');
    const { follower, seen } = follow({ path, fromStart: true });
    await settle(follower);
    expect(seen.lines).toEqual(['one', 'two']);
    expect(follower.position()?.offset).toBe(8);
    appendFileSync(path, 'ee\n');
    await settle(follower);
    expect(seen.lines).toEqual(['one', 'two', 'three']);
    expect(follower.status()).toMatchObject({ up: true, lagBytes: 0 });
  });

  it('survives rename rotation (logrotate create): the old file is read to its end, the new one from 0', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, 'a\nb\n');
    renameSync(path, `${path}.1`);
    // A writer that has not reopened yet still appends to the renamed file.
    appendFileSync(`${path}.1`, 'c\n');
    writeFileSync(path, 'd\n');
    await follower.pollNow();
    appendFileSync(`${path}.1`, 'c2\n'); // within the grace poll
    appendFileSync(path, 'e\n');
    await settle(follower);
    expect(seen.lines).toEqual(['a', 'b', 'c', 'c2', 'd', 'e']);
    expect(seen.rotations).toEqual(['renamed']);
  });

  it('survives copytruncate: a file smaller than the position is read again from its first byte', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, 'first line, quite long\nsecond\n');
    await follower.pollNow();
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, 'x\n');
    await settle(follower);
    expect(seen.lines).toEqual(['first line, quite long', 'second', 'x']);
    expect(seen.rotations).toEqual(['truncated']);
  });

  it('recognises a truncation followed by more lines than it had read, by the changed first bytes', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, '2026-12-07T01:00:00 one\n');
    await follower.pollNow();
    truncateSync(path, 0);
    appendFileSync(path, '2026-12-07T01:00:05 two, longer than the first\n2026-12-07T01:00:06 three\n');
    await settle(follower);
    expect(seen.lines).toEqual([
      '2026-12-07T01:00:00 one',
      '2026-12-07T01:00:05 two, longer than the first',
      '2026-12-07T01:00:06 three',
    ]);
    expect(seen.rotations).toEqual(['truncated']);
  });

  it('survives deletion and re-creation, reporting the missing file once', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, 'before\n');
    unlinkSync(path);
    await settle(follower);
    await settle(follower);
    expect(seen.lines).toEqual(['before']);
    expect(seen.rotations).toEqual(['deleted']);
    expect(seen.problems.map(([reason]) => reason)).toEqual(['not_found']);
    expect(follower.status().up).toBe(false);
    writeFileSync(path, 'after\n');
    await settle(follower);
    expect(seen.lines).toEqual(['before', 'after']);
    expect(follower.status().up).toBe(true);
  });

  it('waits for a file that does not exist yet, and reads it whole when it appears', async () => {
    const path = join(dir, 'later', 'app.log');
    const { follower, seen } = follow({ path });
    await settle(follower);
    expect(seen.problems).toEqual([['not_found', 'ENOENT']]);
    mkdirSync(join(dir, 'later'));
    writeFileSync(path, 'one\ntwo\n');
    await settle(follower);
    expect(seen.lines).toEqual(['one', 'two']);
  });

  it('reports a directory or a FIFO in place of the file once, and reads the file that replaces it', async () => {
    const path = join(dir, 'app.log');
    mkdirSync(path);
    const { follower, seen } = follow({ path });
    await settle(follower);
    rmSync(path, { recursive: true });
    execFileSync('mkfifo', [path]);
    await settle(follower);
    expect(seen.problems).toEqual([
      ['not_a_file', 'is a directory'],
      ['not_a_file', 'is not a regular file'],
    ]);
    unlinkSync(path);
    writeFileSync(path, 'real\n');
    await settle(follower);
    expect(seen.lines).toEqual(['real']);
  });

  it('keeps invalid UTF-8 and binary garbage as lines with replacement characters, never stopping', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    appendFileSync(path, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x0a, 0xe2, 0x82, 0xac, 0x0a]));
    appendFileSync(path, 'ok\n');
    await settle(follower);
    expect(seen.lines).toEqual(['\ufffd\ufffd\u0000A', '\ufffd', '€', 'ok']);
  });

  it('skips a line longer than the limit, counts it once, and reads the next line whole', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path, maxLineBytes: 100, chunkBytes: 16 });
    await follower.pollNow();
    appendFileSync(path, `${'x'.repeat(99)}\n${'y'.repeat(101)}`);
    await settle(follower);
    expect(seen.tooLong).toBe(0); // counted when it ends
    expect(follower.position()).toMatchObject({ offset: 201, skipping: true });
    appendFileSync(path, `${'y'.repeat(500)}\nnext\n`);
    await settle(follower);
    expect(seen.lines).toEqual(['x'.repeat(99), 'next']);
    expect(seen.tooLong).toBe(1);
  });

  it('reads 50 MB without a newline in bounded memory: one too_long line, then the next line', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path });
    await follower.pollNow();
    const block = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 50; i++) appendFileSync(path, block);
    const before = process.memoryUsage();
    // 50 polls of at most 1 MiB each: the whole line is read and dropped as it goes.
    for (let i = 0; i < 55; i++) await follower.pollNow();
    const after = process.memoryUsage();
    expect(seen.lines).toEqual([]);
    expect(follower.position()).toMatchObject({ offset: 50 * 1024 * 1024, skipping: true });
    appendFileSync(path, 'tail of it\nnext\n');
    await settle(follower);
    expect(seen.tooLong).toBe(1);
    expect(seen.lines).toEqual(['next']);
    // Holding the line would take 50 MB (as bytes) or 100 MB (as a string).
    expect(after.rss - before.rss).toBeLessThan(20 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(5 * 1024 * 1024);
  });

  it('follows on its own timers and the directory watch, and stops cleanly', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ path, now: Date.now });
    await follower.pollNow();
    follower.start();
    for (let i = 0; i < 20; i++) appendFileSync(path, `line ${i}\n`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'after rotation\n');
    await waitFor('every line', () => seen.lines.length === 21, { timeoutMs: 5000, intervalMs: 20 });
    await follower.stop();
    appendFileSync(path, 'after stop\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.lines.at(-1)).toBe('after rotation');
    expect(seen.lines).toHaveLength(21);
  });
});

describe('resuming from a saved position', () => {
  async function runOnce(path: string, store: PositionStore, options: Partial<FollowerOptions> = {}) {
    const { follower, seen } = follow({ path, resume: store.get(path), ...options });
    await settle(follower);
    await follower.stop();
    store.set(path, follower.position()!);
    await store.save();
    return seen.lines;
  }

  it('resumes exactly after the last complete line, across a restart of the store', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'a\nb\npart');
    const state = join(dir, 'state');
    const first = new PositionStore(state);
    await first.load();
    expect(await runOnce(path, first, { fromStart: true })).toEqual(['a', 'b']);
    appendFileSync(path, 'ial\nc\n');
    const second = new PositionStore(state);
    await second.load();
    expect(await runOnce(path, second)).toEqual(['partial', 'c']);
    const third = new PositionStore(state);
    await third.load();
    expect(await runOnce(path, third)).toEqual([]);
  });

  it('finishes the rotated file it was reading when the file rotated while it was stopped', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'a\n');
    const store = new PositionStore(join(dir, 'state'));
    await store.load();
    expect(await runOnce(path, store, { fromStart: true })).toEqual(['a']);
    appendFileSync(path, 'b\n');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'c\n');
    expect(await runOnce(path, store)).toEqual(['b', 'c']);
  });

  it('does not read a rotated file again when it stopped after the rotation, before the new file', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'a\nb\n');
    const store = new PositionStore(join(dir, 'state'));
    await store.load();
    const { follower, seen } = follow({ path, fromStart: true });
    await settle(follower);
    renameSync(path, `${path}.1`);
    await settle(follower); // finished the renamed file; no new one yet
    await follower.stop();
    store.set(path, follower.position()!);
    await store.save();
    expect(seen.lines).toEqual(['a', 'b']);
    writeFileSync(path, 'c\n');
    expect(await runOnce(path, store)).toEqual(['c']);
  });

  it('reads a file from its start when it was truncated or replaced while stopped', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'first content line\n');
    const store = new PositionStore(join(dir, 'state'));
    await store.load();
    await runOnce(path, store, { fromStart: true });
    truncateSync(path, 0);
    appendFileSync(path, 'x\n');
    expect(await runOnce(path, store)).toEqual(['x']);
    // Same inode, other first bytes, longer than the position: only the fingerprint tells.
    writeFileSync(path, 'another file entirely\nline two\n');
    expect(await runOnce(path, store)).toEqual(['another file entirely', 'line two']);
  });

  it('sets aside a positions file it cannot read and starts afresh', async () => {
    const state = join(dir, 'state');
    mkdirSync(state);
    writeFileSync(join(state, 'positions.json'), '{not json');
    const store = new PositionStore(state);
    expect(await store.load()).toMatch(/set aside as positions.json.bad/);
  });

  it('sets aside a positions file holding JSON that is not an object (null, a number)', async () => {
    const state = join(dir, 'state');
    mkdirSync(state);
    for (const content of ['null', '7']) {
      writeFileSync(join(state, 'positions.json'), content);
      const store = new PositionStore(state);
      expect(await store.load()).toMatch(/set aside as positions.json.bad/);
      expect(existsSync(join(state, 'positions.json'))).toBe(false);
    }
  });
});
