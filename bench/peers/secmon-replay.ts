// `secmon replay` (the built CLI, as a user runs it) on the bench's logs: time, peak RSS, its summary
// line and the addresses it raised brute_force for.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Measured, measure } from './measure.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');

export interface SecmonReplay extends Measured {
  summary: { lines: number; matched: number; events: number; alerts: Record<string, number> };
  /** Addresses (as secmon reports them: IPv6 by /64) with a firing brute_force alert. */
  bruteForce: Set<string>;
}

/** `secmon replay --format FORMAT --json ... FILE`; the generated auth.log is UTC, in 2026. */
export async function secmonReplay(
  file: string,
  format: 'sshd' | 'nginx',
  settings: { threshold: number; windowSec: number },
  workDir: string,
  timeoutMs: number,
): Promise<SecmonReplay> {
  const out = join(workDir, `secmon-${format}.jsonl`);
  const args = [cli, 'replay', '--format', format, '--json', '--threshold', String(settings.threshold)];
  args.push('--window', `${settings.windowSec}s`);
  // Syslog lines carry no year or zone (access logs do, and their format takes neither flag).
  if (format === 'sshd') args.push('--year', '2026', '--time-zone', 'UTC');
  args.push(file);
  const run = await measure(process.execPath, args, { stdoutFile: out, stderrFile: `${out}.err` }, timeoutMs);
  if (run.exitCode !== 0)
    throw new Error(`secmon replay failed: ${readFileSync(`${out}.err`, 'utf8').slice(-500)}`);
  const bruteForce = new Set<string>();
  let summary: SecmonReplay['summary'] | undefined;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const object = JSON.parse(line) as {
      summary?: SecmonReplay['summary'];
      type?: string;
      state?: string;
      sourceIp?: string;
    };
    if (object.summary) summary = object.summary;
    else if (object.type === 'brute_force' && object.state === 'firing' && object.sourceIp)
      bruteForce.add(object.sourceIp);
  }
  if (!summary) throw new Error('secmon replay printed no summary line');
  return { ...run, summary, bruteForce };
}
