// Reading docs/existing-prometheus-grafana.md for the tests that follow it step by step: its
// snippets (the fenced block after each `<!-- guide:name -->` marker) and its shell commands, run as
// written with the guide's paths moved into a test's temporary directory.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ALERT_GROUPS } from '../../observability/alerts.js';

const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../..');
const guide = readFileSync(join(root, 'docs/existing-prometheus-grafana.md'), 'utf8');

/** Every alert secmon ships, with the labels routing reads. */
export const guideAlerts = ALERT_GROUPS.flatMap((group) =>
  group.alerts.map((alert) => ({ name: alert.name, severity: alert.severity, category: group.category })),
);

/** The guide's text. */
export function guideText(): string {
  return guide;
}

/** The fenced block that follows `<!-- guide:name -->` in the guide. */
export function block(name: string): string {
  const found = new RegExp(`<!-- guide:${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(guide)?.[1];
  if (found === undefined) throw new Error(`the guide has no block guide:${name}`);
  return found;
}

/** The guide's paths moved under `dir` (and the package's files to the repository's), `urls` replaced. */
export function localise(text: string, dir: string, urls: Record<string, string> = {}): string {
  let out = text
    .replaceAll('node_modules/secmon/', `${root}/`)
    .replaceAll('/etc/prometheus/', `${dir}/prometheus/`)
    .replaceAll('/etc/alertmanager/', `${dir}/alertmanager/`)
    .replaceAll('/etc/grafana/', `${dir}/grafana/`);
  for (const [from, to] of Object.entries(urls)) out = out.replaceAll(from, to);
  return out;
}

/** Each command of a `sh` block (continuation lines joined), as the guide writes it. */
export function commands(name: string): string[] {
  return block(name)
    .replace(/\\\n\s*/g, '')
    .replace(/\|\n\s*/g, '| ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** Runs one of the guide's commands; resolves with its standard output. */
export async function shell(command: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', command], { cwd: root });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command}\nfailed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}
