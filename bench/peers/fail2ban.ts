// fail2ban on the bench's logs: `fail2ban-regex` for speed (its own filter, the way users test one),
// and the jail's decision for agreement (fail2ban-jail.py: fail2ban's own filter and FailManager).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Measured, measure, which } from './measure.js';

/**
 * 401s in an nginx access log, written the way fail2ban's own access-log filters are (nginx-botsearch:
 * the timestamp found by a `datepattern` and cut out of the line, leaving `[]`). fail2ban ships no
 * filter for 401s in access logs. Without the datepattern fail2ban tries every date template on every
 * line and reads this log about 25 times slower.
 */
export const NGINX_401_FILTER = {
  failregex: String.raw`^<HOST> \S+ \S+ \[\] "[^"]*" 401 `,
  datepattern: String.raw`^[^\[]*\[({DATE})`,
};

export interface Fail2banSpeed extends Measured {
  lines: number;
  matched: number;
  /** fail2ban-regex's own "processed in" time: its reading and matching, without interpreter start-up. */
  processingSeconds: number;
}

/** Why fail2ban cannot run here, or undefined when it can. */
export function fail2banMissing(): string | undefined {
  return which('fail2ban-regex') ? undefined : 'fail2ban-regex not installed';
}

/**
 * `fail2ban-regex --raw [-d DATEPATTERN] FILE FILTER`: lines read and matched, wall and processing
 * time, peak RSS. `filter` is a filter name (`sshd`) or a failregex.
 */
export async function fail2banRegex(
  file: string,
  filter: string,
  datepattern: string | undefined,
  workDir: string,
  timeoutMs: number,
): Promise<Fail2banSpeed> {
  const out = join(workDir, 'fail2ban-regex.out');
  const args = ['--raw', ...(datepattern ? ['-d', datepattern] : []), file, filter];
  const run = await measure(
    which('fail2ban-regex')!,
    args,
    { stdoutFile: out, stderrFile: `${out}.err` },
    timeoutMs,
  );
  const text = readFileSync(out, 'utf8');
  const lines = /Lines: (\d+) lines, \d+ ignored, (\d+) matched/.exec(text);
  const processed = /\[processed in ([\d.]+) sec\]/.exec(text);
  if (run.exitCode !== 0 || !lines || !processed)
    throw new Error(`fail2ban-regex failed (exit ${run.exitCode}): ${text.slice(-500)}`);
  return {
    ...run,
    lines: Number(lines[1]),
    matched: Number(lines[2]),
    processingSeconds: Number(processed[1]),
  };
}

/** The Python that runs fail2ban: the interpreter named by fail2ban-regex's `#!` line. */
function fail2banPython(): string {
  const shebang = readFileSync(which('fail2ban-regex')!, 'utf8').split('\n', 1)[0]!;
  return shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/)[0]! : 'python3';
}

/** The addresses a jail with `filter`, `maxretry` and `findtime` (s) would ban on `file`. */
export async function fail2banJail(
  file: string,
  filter: string,
  maxRetry: number,
  findTimeSec: number,
  workDir: string,
  timeoutMs: number,
): Promise<{ banned: string[]; failures: number }> {
  const script = resolve(import.meta.dirname, 'fail2ban-jail.py');
  const out = join(workDir, 'fail2ban-jail.json');
  const run = await measure(
    fail2banPython(),
    [script, filter, String(maxRetry), String(findTimeSec)],
    { stdinFile: file, stdoutFile: out, stderrFile: `${out}.err` },
    timeoutMs,
  );
  if (run.exitCode !== 0)
    throw new Error(`fail2ban jail failed: ${readFileSync(`${out}.err`, 'utf8').slice(-500)}`);
  const result = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!) as {
    banned: string[];
    failures: number;
  };
  return result;
}
