// `npm run generate`: writes every generated observability file from its TypeScript source.
// `npm run generate -- --check` writes nothing and exits 1 when a committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderDashboard } from './dashboard.js';
import { renderGrafanaAlerts } from './render-grafana-alerts.js';
import { renderPrometheusRules } from './render-prometheus.js';

const root = resolve(import.meta.dirname, '..');

/** Each generated file (path relative to the repository root) and its current rendering. */
export function generatedFiles(): Array<{ path: string; content: string }> {
  return [
    { path: 'prometheus/rules/secmon.rules.yml', content: renderPrometheusRules() },
    { path: 'grafana/provisioning/alerting/secmon-alerts.yaml', content: renderGrafanaAlerts() },
    { path: 'grafana/dashboards/secmon.json', content: renderDashboard() },
  ];
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const file of generatedFiles()) {
    const target = resolve(root, file.path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === file.content) continue;
    if (check) {
      stale++;
      console.error(`stale: ${file.path} (run npm run generate)`);
    } else {
      await writeFile(target, file.content);
      console.log(`wrote ${file.path}`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.includes('--check'));
}
