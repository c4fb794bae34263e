// `secmon replay` as a user runs it: the built CLI (run `npm run build` first) on real files in a
// temporary directory, on stdin, and in a pseudo-terminal for the progress bar.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const T0 = Date.parse('2026-12-06T10:00:00Z');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`, `input` on stdin, no SECMON_* variables unless given. */
function secmon(args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SECMON_') && value !== undefined) env[key] = value;
  }
  return new Promise<Run>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin (usage errors)
    child.stdin.end(options.input ?? '');
  });
}

/** An ISO 8601 sshd line (journalctl -o short-iso) at T0 + `ms`. */
function sshd(ms: number, pid: number, message: string): string {
  const time = new Date(T0 + ms).toISOString().replace('Z', '+0000');
  return `${time} web1 sshd[${pid}]: ${message}\n`;
}

/** One password try from `ip` at T0 + `ms`: the lines sshd writes for it (one failure). */
function failedTry(ms: number, ip: string, pid: number, user = 'root'): string {
  return (
    sshd(
      ms,
      pid,
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
    ) +
    sshd(ms, pid, `Failed password for ${user} from ${ip} port ${40000 + pid} ssh2`) +
    sshd(ms, pid, `Connection closed by authenticating user ${user} ${ip} port ${40000 + pid} [preauth]`)
  );
}

const tries = (ip: string, offsets: number[], firstPid = 100) =>
  offsets.map((ms, i) => failedTry(ms, ip, firstPid + i)).join('');

const NINE = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000];

function summaryOf(stdout: string) {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!).summary;
}

function jsonAlerts(stdout: string) {
  return stdout
    .trimEnd()
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secmon-replay-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('secmon replay', () => {
  it('prints each alert as JSON at its log time, then the summary; exit 0', async () => {
    const file = join(dir, 'auth.log');
    await writeFile(
      file,
      tries('203.0.113.50', [...NINE, 299_000]) + sshd(400_000, 999, 'Server listening on 0.0.0.0 port 22.'),
    );
    const { code, stdout, stderr } = await secmon(['replay', '--format', 'sshd', '--json', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const alerts = jsonAlerts(stdout);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      state: 'firing',
      type: 'brute_force',
      severity: 'high',
      sourceIp: '203.0.113.50',
      userId: 'root',
      timestamp: '2026-12-06T10:04:59.000Z',
      metadata: { count: 10, threshold: 10, windowSeconds: 300 },
    });
    expect(summaryOf(stdout)).toEqual({
      files: 1,
      lines: 31,
      matched: 30,
      ignored: 1,
      unparsed: 0,
      tooLong: 0,
      events: 10,
      late: 0,
      untimed: 0,
      alerts: { brute_force: 1 },
      resolved: {},
      active: { brute_force: 1 },
      from: '2026-12-06T10:00:00.000Z',
      to: '2026-12-06T10:04:59.000Z',
      errors: [],
      interrupted: false,
    });
  });

  it('windows are exact on log time: the 10th try 300 s after the first raises nothing', async () => {
    const file = join(dir, 'edge.log');
    await writeFile(file, tries('203.0.113.51', [...NINE, 300_000]));
    const { code, stdout } = await secmon(['replay', '--format', 'sshd', '--json', file]);
    expect(code).toBe(0);
    expect(jsonAlerts(stdout)).toEqual([]);
    expect(summaryOf(stdout)).toMatchObject({ events: 10, alerts: {} });
  });

  it('takes thresholds and windows as flags (durations too) and as the SECMON_* variables of serve', async () => {
    const file = join(dir, 'five.log');
    await writeFile(file, tries('198.51.100.9', [0, 100_000, 200_000, 300_000, 400_000]));
    const flags = await secmon([
      'replay',
      '--format',
      'sshd',
      '--json',
      '--threshold',
      '5',
      '--window',
      '7m',
      '--network-brute-force-enabled',
      'false',
      file,
    ]);
    expect(jsonAlerts(flags.stdout).map((a) => a.type)).toEqual(['brute_force']);
    const narrower = await secmon([
      'replay',
      '--format',
      'sshd',
      '--json',
      '--threshold',
      '5',
      '--window',
      '400s',
      file,
    ]);
    expect(jsonAlerts(narrower.stdout)).toEqual([]);
    const env = await secmon(['replay', '--format', 'sshd', '--json', file], {
      env: { SECMON_BRUTE_FORCE_THRESHOLD: '5', SECMON_BRUTE_FORCE_WINDOW_MS: '400001' },
    });
    expect(summaryOf(env.stdout).alerts).toEqual({ brute_force: 1 });
  });

  it('prints a table without --json, the summary still as the last line', async () => {
    const file = join(dir, 'table.log');
    const later = sshd(
      600_000,
      999,
      'Accepted publickey for alice from 192.0.2.10 port 50000 ssh2: ED25519 SHA256:x',
    );
    await writeFile(file, tries('203.0.113.52', [...NINE, 9000]) + later);
    const { code, stdout } = await secmon(['replay', '--format', 'sshd', file]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\) +STATE +TYPE +SEVERITY +CLIENT +USER +COUNT$/);
    expect(lines[1]).toMatch(/^2026-12-06 10:00:09 +firing +brute_force +high +203\.0\.113\.52 +root +10$/);
    // Below the threshold from 10:05:00 (the first try left the window); resolved after 60 s below.
    expect(lines[2]).toMatch(/^2026-12-06 10:05:00 +resolved +brute_force +high +203\.0\.113\.52 +root +10$/);
    expect(JSON.parse(lines[3]!).summary).toMatchObject({
      alerts: { brute_force: 1 },
      resolved: { brute_force: 1 },
    });
    expect(lines).toHaveLength(4);
  });

  it('reads .gz files and stdin (plain or gzip), several inputs in order as one stream', async () => {
    const old = join(dir, 'auth.log.2.gz');
    const recent = join(dir, 'auth.log.1');
    await writeFile(old, gzipSync(tries('192.0.2.7', NINE.slice(0, 5))));
    await writeFile(recent, tries('192.0.2.7', NINE.slice(5), 200));
    const stdin = tries('192.0.2.7', [9000], 300);
    const files = await secmon(['replay', '--format', 'sshd', '--json', old, recent, '-'], { input: stdin });
    expect(files.code).toBe(0);
    expect(summaryOf(files.stdout)).toMatchObject({
      files: 3,
      lines: 30,
      events: 10,
      alerts: { brute_force: 1 },
    });
    const zipped = await secmon(['replay', '--format', 'sshd', '--json', '-'], {
      input: gzipSync(tries('192.0.2.8', [...NINE, 9000])),
    });
    expect(summaryOf(zipped.stdout)).toMatchObject({ files: 1, lines: 30, alerts: { brute_force: 1 } });
  });

  it('counts garbage, binary and overlong lines and goes on', async () => {
    const file = join(dir, 'garbage.log');
    const body = Buffer.concat([
      Buffer.from(tries('203.0.113.60', [0])),
      Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]),
      Buffer.from(`${'A'.repeat(200_000)}\n`),
      Buffer.from('not a syslog line at all\r\n'),
      Buffer.from(tries('203.0.113.60', [1000], 7)),
      Buffer.from('x'.repeat(100_000)), // a last line without a newline, too long
    ]);
    await writeFile(file, body);
    const { code, stdout, stderr } = await secmon(['replay', '--format', 'sshd', '--json', file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(summaryOf(stdout)).toMatchObject({ lines: 10, matched: 6, unparsed: 2, tooLong: 2, events: 2 });
  });

  it('a corrupt .gz is reported by name, exit 1; the other files are still read and the summary printed', async () => {
    const bad = join(dir, 'broken.log.gz');
    const whole = gzipSync(
      tries(
        '203.0.113.70',
        Array.from({ length: 200 }, (_, i) => i * 1000),
      ),
    );
    await writeFile(bad, whole.subarray(0, whole.length - 100));
    const good = join(dir, 'after.log');
    await writeFile(good, tries('203.0.113.71', [500_000]));
    const { code, stdout, stderr } = await secmon(['replay', '--format', 'sshd', '--json', bad, good]);
    expect(code).toBe(1);
    expect(stderr).toBe(`secmon replay: ${bad}: not a valid gzip file (unexpected end of file)\n`);
    const summary = summaryOf(stdout);
    expect(summary.errors).toEqual([{ input: bad, error: 'not a valid gzip file (unexpected end of file)' }]);
    expect(summary.lines).toBeGreaterThan(3);
    expect(summary.to).toBe('2026-12-06T10:08:20.000Z'); // the good file's try was read
  });

  it.each([
    [
      ['--format', 'sshdd'],
      /^secmon: --format must be one of "sshd".* \(got "sshdd"\); did you mean "sshd"\?\n/,
    ],
    [
      ['--format', 'sshd', '--threshold', '0'],
      /^secmon: SECMON_BRUTE_FORCE_THRESHOLD \(--threshold\) must be an integer .*\(got "0"\)\n/,
    ],
    [
      ['--format', 'sshd', '--window', '300'],
      /^secmon: --window must be a duration with a unit, such as 300s, 5m, 1h or 1500ms \(got "300"\)\n/,
    ],
    [
      ['--format', 'sshd', '--brute-force-window-ms', '5m'],
      /^secmon: SECMON_BRUTE_FORCE_WINDOW_MS \(--brute-force-window-ms\) must be an integer \(got "5m"\)\n/,
    ],
    [
      ['--format', 'sshd', '--threshold', '5', '--brute-force-threshold', '6'],
      /^secmon: --threshold and --brute-force-threshold set the same thing: give one\n/,
    ],
    [['--format', 'sshd', '--year', '26'], /^secmon: --year must be a year such as 2025 \(got "26"\)\n/],
    [
      ['--format', 'sshd', '--time-zone', 'CET'],
      /^secmon: sshd\.timeZone must be "local" or "UTC" \(got "CET"\)\n/,
    ],
    [
      ['--format', 'nginx', '--year', '2026'],
      /^secmon: --year does not apply to --format nginx: its times carry their own year and zone/,
    ],
    [
      ['--format', 'json', '--year', '2026', '--time-zone', 'UTC'],
      /^secmon: --year and --time-zone do not apply to --format json/,
    ],
    [['--threshold', '5'], /^error: required option '--format <name>' not specified\n/],
  ])('%j: exit 2 with a message naming the problem, nothing read', async (flags, message) => {
    const file = join(dir, 'ok.log');
    await writeFile(file, tries('203.0.113.80', [0]));
    const { code, stdout, stderr } = await secmon(['replay', ...flags, file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('a bad SECMON_* variable is named: exit 2', async () => {
    const file = join(dir, 'ok.log');
    await writeFile(file, tries('203.0.113.80', [0]));
    const { code, stderr } = await secmon(['replay', '--format', 'sshd', file], {
      env: { SECMON_KEEP_FIRING_FOR_MS: 'soon' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^secmon: SECMON_KEEP_FIRING_FOR_MS \(--keep-firing-for-ms\) must be an integer \(got "soon"\)\n/,
    );
  });

  it('a missing file or a directory is named before anything is read: exit 2', async () => {
    const first = join(dir, 'first.log');
    await writeFile(first, tries('203.0.113.90', [...NINE, 9000]));
    const missing = join(dir, 'nope.log');
    const gone = await secmon(['replay', '--format', 'sshd', '--json', first, missing]);
    expect(gone).toEqual({ code: 2, stdout: '', stderr: `secmon: cannot read ${missing}: no such file\n` });
    const sub = join(dir, 'a-directory');
    await mkdir(sub, { recursive: true });
    const directory = await secmon(['replay', '--format', 'sshd', sub]);
    expect(directory).toEqual({
      code: 2,
      stdout: '',
      stderr: `secmon: cannot read ${sub}: is a directory\n`,
    });
    const twice = await secmon(['replay', '--format', 'sshd', '-', '-']);
    expect(twice.stderr).toBe('secmon: - (standard input) can be given only once\n');
  });

  it('shows no progress bar when stderr is not a terminal, and one when it is', async () => {
    const file = join(dir, 'progress.log');
    await writeFile(file, tries('203.0.113.100', NINE));
    const piped = await secmon(['replay', '--format', 'sshd', file]);
    expect(piped.stderr).toBe('');
    // `script` runs the command in a pseudo-terminal (stdout and stderr both on it).
    const command = [process.execPath, cli, 'replay', '--format', 'sshd', file]
      .map((a) => `'${a}'`)
      .join(' ');
    const tty = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      child.on('error', reject);
      child.on('close', () => resolvePromise(out));
    });
    expect(tty).toMatch(/replay \[[░█]+\] \d+% \| [\d.]+ MiB of [\d.]+ MiB/);
    expect(tty).toContain('"summary"');
    const off = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn('script', ['-qec', `${command} --no-progress`, '/dev/null'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      child.on('error', reject);
      child.on('close', () => resolvePromise(out));
    });
    expect(off).not.toContain('replay [');
  });

  it('stops quietly when the reader of its output goes away (| head)', async () => {
    const file = join(dir, 'many.log');
    // 2,000 addresses over the threshold: far more alert lines than `head -1` reads.
    const lines: string[] = [];
    for (let a = 0; a < 2000; a++) lines.push(tries(`10.${a >> 8}.${a & 255}.1`, [...NINE, 9000], a * 20));
    await writeFile(file, lines.join(''));
    const result = await new Promise<Run>((resolvePromise, reject) => {
      const child = spawn('sh', [
        '-c',
        `{ '${process.execPath}' '${cli}' replay --format sshd --json '${file}'; echo "exit $?" >&2; } | head -1`,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    });
    expect(result.stderr).toBe('exit 0\n'); // no EPIPE error, no stack trace
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  it("prints exactly the README's worked example", async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf("## Replay last month's logs"));
    const [log, output] = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const command = /```sh\n(npx secmon replay [^\n]* auth\.log)\n```/.exec(section)?.[1];
    expect(command).toBeDefined();
    const file = join(dir, 'auth.log');
    await writeFile(file, log!);
    const args = command!.split(' ').slice(2, -1);
    const { code, stdout } = await secmon([...args, file], { env: { TZ: 'America/New_York' } });
    expect(code).toBe(0);
    expect(stdout).toBe(output);
  });

  it('replays nginx access logs, with format options', async () => {
    const file = join(dir, 'access.log');
    const line = (second: number, status: number, path = '/admin/') =>
      `203.0.113.7 - alice [06/Dec/2026:10:00:${String(second).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" ${status} 179 "-" "curl/8.5.0"\n`;
    const body =
      Array.from({ length: 10 }, (_, i) => line(i, 403)).join('') +
      line(30, 200, '/files?name=../../etc/passwd');
    await writeFile(file, body);
    const plain = await secmon(['replay', '--format', 'nginx', '--json', file]);
    expect(summaryOf(plain.stdout)).toMatchObject({
      lines: 11,
      matched: 1,
      ignored: 10,
      alerts: { path_traversal: 1 },
    });
    const forbidden = await secmon([
      'replay',
      '--format',
      'nginx',
      '--json',
      '--format-option',
      'failedAuthStatuses=[401,403]',
      file,
    ]);
    expect(summaryOf(forbidden.stdout)).toMatchObject({
      matched: 11,
      alerts: { brute_force: 1, path_traversal: 1 },
    });
    const typo = await secmon([
      'replay',
      '--format',
      'nginx',
      '--format-option',
      'failedAuthStatus=[403]',
      file,
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^secmon: nginx\.failedAuthStatus is not a known option; did you mean nginx\.failedAuthStatuses\?/,
    );
  });

  it('replays json lines with their times, exactly at the window edge', async () => {
    const file = join(dir, 'events.jsonl');
    const event = (ms: number) =>
      `${JSON.stringify({ type: 'failed_auth', ip: '198.51.100.20', userId: 'bob', time: new Date(T0 + ms).toISOString() })}\n`;
    await writeFile(file, [...NINE, 299_999].map(event).join(''));
    const over = await secmon(['replay', '--format', 'json', '--json', file]);
    expect(jsonAlerts(over.stdout).map((a) => [a.type, a.timestamp])).toEqual([
      ['brute_force', '2026-12-06T10:04:59.999Z'],
    ]);
    await writeFile(file, [...NINE, 300_000].map(event).join(''));
    const edge = await secmon(['replay', '--format', 'json', '--json', file]);
    expect(jsonAlerts(edge.stdout)).toEqual([]);
  });

  it('replays a custom format from a formats file, and names a broken one', async () => {
    const formats = join(dir, 'formats.yaml');
    await writeFile(
      formats,
      [
        'formats:',
        '  myapp:',
        '    timeZone: UTC',
        '    patterns:',
        '      - event: failed_auth',
        "        pattern: '^(?<time>\\S+) WARN login failed for user=(?<user>\\S+) from <HOST>$'",
        '',
      ].join('\n'),
    );
    const file = join(dir, 'myapp.log');
    await writeFile(
      file,
      Array.from(
        { length: 10 },
        (_, i) => `2026-12-06T10:00:0${i}Z WARN login failed for user=carol from 192.0.2.44\n`,
      ).join(''),
    );
    const run = await secmon(['replay', '--formats-file', formats, '--format', 'myapp', '--json', file]);
    expect(run.stderr).toBe('');
    expect(jsonAlerts(run.stdout).map((a) => [a.type, a.sourceIp, a.timestamp])).toEqual([
      ['brute_force', '192.0.2.44', '2026-12-06T10:00:09.000Z'],
    ]);
    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      'formats:\n  myapp:\n    patterns:\n      - event: failed_auth\n        pattern: "(unclosed"\n',
    );
    const bad = await secmon(['replay', '--formats-file', broken, '--format', 'myapp', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(broken);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('Ctrl-C stops a replay waiting on stdin and prints the summary of what was read: exit 130', async () => {
    const child = spawn(process.execPath, [cli, 'replay', '--format', 'sshd', '--json', '-']);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const alerted = new Promise<void>((resolvePromise) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (stdout.includes('"brute_force"')) resolvePromise();
      });
    });
    const closed = new Promise<number | null>((resolvePromise) => child.on('close', resolvePromise));
    // Ten tries, then one 700 s later: past sshd's hold time (600 s), so the alert comes out while
    // stdin stays open.
    child.stdin.write(tries('203.0.113.120', [...NINE, 9000]) + failedTry(700_000, '192.0.2.200', 900));
    await alerted;
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(summaryOf(stdout)).toMatchObject({
      lines: 33,
      events: 11,
      alerts: { brute_force: 1 },
      interrupted: true,
    });
    expect(stderr).toBe('secmon replay: interrupted (SIGINT): the summary covers what was read\n');
  });

  it('says so on stderr when files are given newest first (their events come out late)', async () => {
    const older = join(dir, 'auth.log.1');
    const newer = join(dir, 'auth.log');
    await writeFile(older, tries('203.0.113.130', NINE));
    await writeFile(newer, tries('203.0.113.131', [3_600_000, 4_300_000])); // 700 s apart: past the horizon
    const { code, stdout, stderr } = await secmon(['replay', '--format', 'sshd', '--json', newer, older]);
    expect(code).toBe(0);
    expect(summaryOf(stdout)).toMatchObject({ events: 11, late: 9 });
    expect(stderr).toMatch(
      /^secmon replay: 9 event\(s\) came after later ones .* give several files oldest first/,
    );
  });
});
