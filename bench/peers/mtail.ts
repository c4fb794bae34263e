// mtail, the Prometheus ecosystem's log-to-metrics exporter, on the bench's logs: a program counting
// failed logins per address (the usual way to get "failures by IP" out of it). It has no windows or
// thresholds; what it yields is one time series per address, counted here.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Measured, measure, which } from './measure.js';

const PROGRAMS = {
  sshd: `counter ssh_failed_password_total by address
/sshd\\[\\d+\\]: Failed password for (invalid user )?\\S+ from (?P<address>\\S+) port \\d+/ {
  ssh_failed_password_total[$address]++
}
`,
  nginx: `counter http_unauthorized_total by address
/^(?P<address>\\S+) \\S+ \\S+ \\[[^\\]]+\\] "[^"]*" 401 / {
  http_unauthorized_total[$address]++
}
`,
};

export function mtailMissing(): string | undefined {
  return which('mtail') ? undefined : 'mtail not installed';
}

/** `mtail --one_shot` on `file` with the program for `format`: time, peak RSS, series it made. */
export async function mtailOneShot(
  file: string,
  format: keyof typeof PROGRAMS,
  workDir: string,
  timeoutMs: number,
): Promise<Measured & { series: number }> {
  const progs = join(workDir, `mtail-${format}`);
  mkdirSync(progs, { recursive: true });
  writeFileSync(join(progs, `${format}.mtail`), PROGRAMS[format]);
  const out = join(workDir, `mtail-${format}.json`);
  const run = await measure(
    which('mtail')!,
    ['--one_shot', '--one_shot_format', 'json', '--progs', progs, '--logs', file, '--logtostderr'],
    { stdoutFile: out, stderrFile: `${out}.err` },
    timeoutMs,
  );
  if (run.exitCode !== 0) throw new Error(`mtail failed: ${readFileSync(`${out}.err`, 'utf8').slice(-500)}`);
  const metrics = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Array<{ LabelValues?: unknown[] }>>;
  let series = 0;
  for (const metric of Object.values(metrics))
    for (const entry of metric) series += entry.LabelValues?.length ?? 0;
  return { ...run, series };
}
