// `npm run generate`: writes every generated observability file from its TypeScript source.
// `npm run generate -- --check` writes nothing and exits 1 when a committed file is stale.
// `--runbook-base-url=URL` (or SECMON_RUNBOOK_BASE_URL) points every runbook link at another copy of
// docs/runbooks.md; `--out-dir=DIR` writes the files under DIR instead of the repository.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RenderOptions } from './alerts.js';
import { renderDashboard } from './dashboard.js';
import { renderGrafanaAlerts } from './render-grafana-alerts.js';
import { renderPrometheusRules } from './render-prometheus.js';

const root = resolve(import.meta.dirname, '..');

/** The environment variable that sets the runbook base URL when no flag does. */
export const RUNBOOK_BASE_URL_ENV = 'SECMON_RUNBOOK_BASE_URL';

/** Each generated file (path relative to the repository root) and its current rendering. */
export function generatedFiles(options: RenderOptions = {}): Array<{ path: string; content: string }> {
  return [
    { path: 'prometheus/rules/secmon.rules.yml', content: renderPrometheusRules(options) },
    { path: 'grafana/provisioning/alerting/secmon-alerts.yaml', content: renderGrafanaAlerts(options) },
    { path: 'grafana/dashboards/secmon.json', content: renderDashboard(options) },
  ];
}

/** The rendering options an environment asks for (what `npm test` compares the committed files with). */
export function environmentOptions(env: NodeJS.ProcessEnv = process.env): RenderOptions {
  const runbookBaseUrl = env[RUNBOOK_BASE_URL_ENV];
  return runbookBaseUrl ? { runbookBaseUrl } : {};
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      check: { type: 'boolean', default: false },
      'runbook-base-url': { type: 'string' },
      'out-dir': { type: 'string' },
    },
  });
  const options = environmentOptions();
  if (values['runbook-base-url'] !== undefined) options.runbookBaseUrl = values['runbook-base-url'];
  const outDir = resolve(values['out-dir'] ?? root);
  let stale = 0;
  for (const file of generatedFiles(options)) {
    const target = resolve(outDir, file.path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === file.content) continue;
    if (values.check) {
      stale++;
      console.error(`stale: ${file.path} (run npm run generate)`);
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
      console.log(`wrote ${file.path}`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    // A bad flag or URL: say which, without a stack (exit 2, like the service's configuration errors).
    console.error(`generate: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
