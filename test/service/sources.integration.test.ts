// Live log sources on the real `secmon serve` process and real files: what /metrics says about
// them, exact resumption across a SIGTERM and a rotation while stopped, a soak that appends while
// rotating, bad input and files secmon may not read.

import { execFile } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { appendFile, copyFile, rename, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/processes.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const run = promisify(execFile);

let dir: string;
let running: RunningSecmon[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secmon-sources-'));
});
afterEach(async () => {
  await Promise.all(running.map((service) => service.stop()));
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  const service = await startSecmon({ SECMON_SOURCE_POLL_MS: '50', ...env }, 'secmon serve', options);
  running.push(service);
  return service;
}

/**
 * One failed login as a json-lines log line, each line different (as log lines with times are; a
 * live source does not use the time); addresses cycle through 250 so state stays small.
 */
const failedLogin = (n: number) =>
  `${JSON.stringify({ type: 'failed_auth', ip: `198.51.100.${n % 250}`, time: 1_796_600_000_000 + n })}\n`;
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => failedLogin(from + i)).join('');

const series = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
const linesOf = (source: string, outcome: string) => series('secmon_source_lines_total', { source, outcome });

/** The failed logins a stopped service recorded, from its last log line. */
function recordedBy(service: RunningSecmon): number {
  const last = service.logLines().at(-1) as { msg?: string; totals?: { failedAuthAttempts: number } };
  expect(last.msg).toBe('secmon stopped');
  return last.totals!.failedAuthAttempts;
}

describe('secmon serve --source', () => {
  it('counts lines by outcome, raises alerts from them, and reports each source on /metrics', async () => {
    const log = join(dir, 'app.log');
    const later = join(dir, 'later.log');
    writeFileSync(log, lines(0, 5)); // before the start: not read (from the end by default)
    const started = Date.now() / 1000;
    const service = await start({
      SECMON_SOURCES: `app=json:${log},later=json:${later}`,
      SECMON_SOURCE_MAX_LINE_BYTES: '256',
      SECMON_BRUTE_FORCE_THRESHOLD: '3',
    });
    const attacker = JSON.stringify({ type: 'failed_auth', ip: '192.0.2.7', userId: 'root' });
    await appendFile(log, `${attacker}\n${attacker}\nnot json at all\n\n${'x'.repeat(1000)}\n`);
    await appendFile(log, Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
    await appendFile(log, `${attacker}\r\n`);
    const metrics = await waitFor('every line counted', async () => {
      const m = await service.metrics();
      return m.get(linesOf('app', 'matched')) === 3 && m.get(linesOf('app', 'unparsed')) === 2
        ? m
        : undefined;
    });
    expect(metrics.get(linesOf('app', 'ignored'))).toBe(1);
    expect(metrics.get(linesOf('app', 'too_long'))).toBe(1);
    expect(metrics.get(series('secmon_source_events_total', { source: 'app' }))).toBe(3);
    expect(metrics.get('secmon_failed_auth_total')).toBe(3);
    expect(metrics.get(series('secmon_source_up', { source: 'app' }))).toBe(1);
    expect(metrics.get(series('secmon_source_lag_bytes', { source: 'app' }))).toBe(0);
    expect(
      metrics.get(series('secmon_source_last_read_timestamp_seconds', { source: 'app' })),
    ).toBeGreaterThan(started);
    expect(metrics.get(series('secmon_source_up', { source: 'later' }))).toBe(0);
    expect(metrics.get(series('secmon_source_errors_total', { source: 'later', reason: 'not_found' }))).toBe(
      1,
    );
    // The log line travels through a pipe: wait for it rather than assume it is there.
    const alert = (await waitFor('the alert logged', () =>
      service.logLines().find((line) => line.msg === 'security alert'),
    )) as { alert: { type: string; sourceIp: string } };
    expect(alert?.alert).toMatchObject({ type: 'brute_force', sourceIp: '192.0.2.7' });
    // Logged once each (two unparsed lines, one warning), with the reason.
    const warned = (source: string, msg: string) =>
      service.logLines().filter((line) => line.level === 'warn' && line.source === source && line.msg === msg)
        .length;
    const unparsed = 'a line is not in the json format (counted as unparsed; logged once)';
    const tooLong = 'a line longer than the limit was skipped (counted as too_long; logged once)';
    const missing = 'log source cannot be read; trying again';
    await waitFor('the warnings logged', () => warned('app', unparsed) > 0 && warned('app', tooLong) > 0);
    expect([warned('app', unparsed), warned('app', tooLong), warned('later', missing)]).toEqual([1, 1, 1]);

    // A file that appears later is read from its first byte.
    await writeFile(later, lines(0, 4));
    const after = await waitFor('the new file read', async () => {
      const m = await service.metrics();
      return m.get(linesOf('later', 'matched')) === 4 ? m : undefined;
    });
    expect(after.get(series('secmon_source_up', { source: 'later' }))).toBe(1);
    expect(after.get(series('secmon_source_errors_total', { source: 'later', reason: 'not_found' }))).toBe(1);
  });

  it('resumes exactly where it stopped: SIGTERM mid-stream, more lines and a rotation while down', async () => {
    const log = join(dir, 'app.log');
    const env = {
      SECMON_SOURCES: `app=json:${log}`,
      SECMON_STATE_DIR: join(dir, 'state'),
      SECMON_FROM_START: 'true',
    };
    writeFileSync(log, lines(0, 500));
    const first = await start(env);
    // Keep appending while the service is stopped under it.
    let written = 500;
    const writer = (async () => {
      for (let round = 0; round < 60; round++) {
        await appendFile(log, lines(written, 50));
        written += 50;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor(
      'some lines read',
      async () => ((await first.metrics()).get(linesOf('app', 'matched')) ?? 0) > 1000,
    );
    first.process.child.kill('SIGTERM');
    await first.process.exited;
    await writer;
    const before = recordedBy(first);
    expect(before).toBeGreaterThan(1000);
    expect(before).toBeLessThan(written);
    // While stopped: more lines, a line left half-written, then logrotate (create).
    await appendFile(log, `${lines(written, 200)}{"type":"failed_auth",`);
    written += 200;
    renameSync(log, `${log}.1`);
    await writeFile(log, lines(written, 300));
    written += 300;

    const second = await start(env);
    await waitFor('the rest read', async () => {
      const m = await second.metrics();
      return before + (m.get(linesOf('app', 'matched')) ?? 0) >= written ? true : undefined;
    });
    await second.stop();
    // The half line ended with the rotated file: a line of its own, not in the format.
    const secondLines = second.logLines();
    expect(recordedBy(second) + before).toBe(written);
    expect(
      secondLines.some((line) => line.msg === 'log source reading' && line.openedPath === `${log}.1`),
    ).toBe(true);
  });

  it('after a crash (SIGKILL) loses no line, and reads again at most what it processed since the last save', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state');
    const env = { SECMON_SOURCES: `app=json:${log}`, SECMON_STATE_DIR: state, SECMON_FROM_START: 'true' };
    writeFileSync(log, lines(0, 300));
    const first = await start(env);
    // Saved up to the end of the file (positions are written every second).
    await waitFor(
      'the position saved',
      () => {
        try {
          const saved = JSON.parse(readFileSync(join(state, 'positions.json'), 'utf8'));
          return saved.files[log]?.offset === statSync(log).size;
        } catch {
          return false;
        }
      },
      { timeoutMs: 10_000 },
    );
    await appendFile(log, lines(300, 50));
    await waitFor(
      'the new lines read',
      async () => (await first.metrics()).get(linesOf('app', 'matched')) === 350,
    );
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    await appendFile(log, lines(350, 100));
    const second = await start(env);
    await waitFor('the file read to its end', async () => {
      const m = await second.metrics();
      return (
        (m.get(linesOf('app', 'matched')) ?? 0) >= 100 &&
        m.get(series('secmon_source_lag_bytes', { source: 'app' })) === 0
      );
    });
    await second.stop();
    // The last log line says what each source read.
    const last = second.logLines().at(-1) as { sources?: Record<string, { lines: Record<string, number> }> };
    expect(last.sources?.app?.lines.matched).toBe(recordedBy(second));
    // The 100 lines written while it was down, and again at most the 50 processed after the last save.
    expect(recordedBy(second)).toBeGreaterThanOrEqual(100);
    expect(recordedBy(second)).toBeLessThanOrEqual(150);
  });

  it('soak: appending while rotating (rename, late writes to the old file, copytruncate) loses and repeats nothing', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const service = await start({ SECMON_SOURCES: `app=json:${log}` });
    const count = async (name: string) => (await service.metrics()).get(name) ?? 0;
    let written = 0;
    let renamed = 0;
    const until = Date.now() + 3000;
    for (let round = 0; round < 200 && Date.now() < until; round++) {
      for (let burst = 0; burst < 5; burst++) {
        await appendFile(log, lines(written, 40));
        written += 40;
      }
      if (round % 5 === 4) {
        // logrotate `create`, with a writer that appends to the old file before it reopens.
        await rename(log, `${log}.1`);
        await appendFile(`${log}.1`, lines(written, 10));
        written += 10;
        await writeFile(log, lines(written, 10));
        written += 10;
        renamed++;
        // Rotations minutes apart in life; here the next waits until this one is seen.
        const seen = renamed;
        await waitFor(
          'the rotation seen',
          async () =>
            // Seen as a deletion when secmon looked between the rename and the new file's creation.
            (await count(series('secmon_source_rotations_total', { source: 'app', kind: 'renamed' }))) +
              (await count(series('secmon_source_rotations_total', { source: 'app', kind: 'deleted' }))) >=
            seen,
        ).catch(async (error: Error) => {
          throw new Error(
            `${error.message}\n${JSON.stringify([...(await service.metrics())].filter(([k]) => k.includes('source')))}\n${service.process.output()}`,
          );
        });
      } else if (round % 5 === 2) {
        // copytruncate loses what is written between the copy and the truncation by design; here
        // nothing is, and lines not yet read when the file is truncated would be lost: wait for them.
        const target = written;
        await waitFor(
          'caught up before copytruncate',
          async () => (await count(linesOf('app', 'matched'))) >= target,
        );
        await copyFile(log, `${log}.1`);
        await truncate(log, 0);
      }
    }
    await waitFor('every line', async () => (await count(linesOf('app', 'matched'))) >= written, {
      timeoutMs: 20_000,
    });
    const metrics = await service.metrics();
    expect(
      metrics.get(series('secmon_source_rotations_total', { source: 'app', kind: 'truncated' })),
    ).toBeGreaterThan(0);
    await service.stop();
    expect(written).toBeGreaterThan(2000);
    expect(recordedBy(service)).toBe(written);
  });

  it('reads 50 MB without a newline in bounded memory, counting one too_long line', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const service = await start({ SECMON_SOURCES: `app=json:${log}` });
    const rss = async () => (await service.metrics()).get('process_resident_memory_bytes')!;
    const before = await rss();
    const block = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 50; i++) await appendFile(log, block);
    await appendFile(log, `\n${lines(0, 1)}`);
    const metrics = await waitFor('the line skipped', async () => {
      const m = await service.metrics();
      return m.get(linesOf('app', 'matched')) === 1 ? m : undefined;
    });
    expect(metrics.get(linesOf('app', 'too_long'))).toBe(1);
    expect(metrics.get(series('secmon_source_up', { source: 'app' }))).toBe(1);
    // Holding the line would take at least 50 MB more.
    expect((await rss()) - before).toBeLessThan(30 * 1024 * 1024);
  });

  it('keeps trying a file it may not read (run as nobody) and a directory in place of a file', async () => {
    chmodSync(dir, 0o755);
    const log = join(dir, 'auth.log');
    writeFileSync(log, lines(0, 2), { mode: 0o600 }); // root's, unreadable to nobody
    const folder = join(dir, 'folder.log');
    mkdirSync(folder);
    const service = await start(
      { SECMON_SOURCES: `auth=json:${log},folder=json:${folder}`, SECMON_FROM_START: 'true' },
      { uid: 65534, gid: 65534 },
    );
    const metrics = await waitFor('both problems counted', async () => {
      const m = await service.metrics();
      return m.get(series('secmon_source_errors_total', { source: 'auth', reason: 'permission_denied' })) ===
        1 && m.get(series('secmon_source_errors_total', { source: 'folder', reason: 'not_a_file' })) === 1
        ? m
        : undefined;
    });
    expect(metrics.get(series('secmon_source_up', { source: 'auth' }))).toBe(0);
    expect(metrics.get(series('secmon_source_up', { source: 'folder' }))).toBe(0);
    const problems = await waitFor('both problems logged', () => {
      const logged = service
        .logLines()
        .filter((line) => line.msg === 'log source cannot be read; trying again');
      return logged.length >= 2 ? logged : undefined;
    });
    expect(problems.map((line) => [line.source, line.reason, line.detail]).sort()).toEqual([
      ['auth', 'permission_denied', 'EACCES'],
      ['folder', 'not_a_file', 'is a directory'],
    ]);
    // Fixed by the operator: read (from its start, as --from-start asked), counted once.
    chmodSync(log, 0o644);
    const after = await waitFor('the file read', async () => {
      const m = await service.metrics();
      return m.get(linesOf('auth', 'matched')) === 2 ? m : undefined;
    });
    expect(after.get(series('secmon_source_up', { source: 'auth' }))).toBe(1);
    expect(
      after.get(series('secmon_source_errors_total', { source: 'auth', reason: 'permission_denied' })),
    ).toBe(1);
  });

  it('reads an sshd auth.log: attempts, not lines, raise a brute-force alert; a held probe is decided live', async () => {
    const log = join(dir, 'auth.log');
    writeFileSync(log, '');
    const service = await start({ SECMON_SOURCES: `ssh=sshd:${log}`, SECMON_BRUTE_FORCE_THRESHOLD: '5' });
    const session = (pid: number) => [
      `Dec  6 10:00:0${pid % 10} web1 sshd[${pid}]: Failed password for root from 203.0.113.7 port ${50000 + pid} ssh2`,
      `Dec  6 10:00:0${pid % 10} web1 sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root`,
      `Dec  6 10:00:0${pid % 10} web1 sshd[${pid}]: Connection closed by authenticating user root 203.0.113.7 port ${50000 + pid} [preauth]`,
    ];
    // Five connections, one password each: 15 lines, 5 attempts.
    await appendFile(log, `${[4001, 4002, 4003, 4004, 4005].flatMap(session).join('\n')}\n`);
    // A user-enumeration probe: counted once its connection closes without a Failed line.
    await appendFile(
      log,
      'Dec  6 10:01:00 web1 sshd[5001]: Invalid user oracle from 198.51.100.23 port 40022\n' +
        'Dec  6 10:01:01 web1 sshd[5001]: Connection closed by invalid user oracle 198.51.100.23 port 40022 [preauth]\n' +
        'Dec  6 10:01:02 web1 systemd[1]: Started Session 7 of user alice.\n',
    );
    const metrics = await waitFor('the log read', async () => {
      const m = await service.metrics();
      return m.get('secmon_failed_auth_total') === 6 ? m : undefined;
    });
    expect(metrics.get(linesOf('ssh', 'matched'))! + metrics.get(linesOf('ssh', 'ignored'))!).toBe(18);
    expect(metrics.get(series('secmon_source_events_total', { source: 'ssh' }))).toBe(6);
    // The log line travels through a pipe: wait for it rather than assume it is there.
    const alert = (await waitFor('the alert logged', () =>
      service.logLines().find((line) => line.msg === 'security alert'),
    )) as { alert: { type: string; sourceIp: string } };
    expect(alert?.alert).toMatchObject({ type: 'brute_force', sourceIp: '203.0.113.7' });
  });

  it('stops the start with exit code 2 naming SECMON_STATE_DIR when the state directory is unusable', async () => {
    const notADirectory = join(dir, 'state');
    writeFileSync(notADirectory, 'a file');
    const failure = await run(process.execPath, [cli, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        SECMON_SOURCES: `json:${join(dir, 'app.log')}`,
        SECMON_STATE_DIR: notADirectory,
      },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain(
      `secmon: SECMON_STATE_DIR (--state-dir) "${notADirectory}" cannot be used: it is not a directory`,
    );
  });
});
