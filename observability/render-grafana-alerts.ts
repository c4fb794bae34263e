// Renders the alert definitions as Grafana-managed alert rules, in Grafana's file-provisioning
// format (grafana/provisioning/alerting/). Each rule runs the definition's query as query A against
// the provisioned Prometheus datasource and compares it with a threshold expression B, so it fires
// on the same series, with the same labels and annotations, as the Prometheus rule.
import { QueryBuilder, RuleBuilder } from '@grafana/grafana-foundation-sdk/alerting';
import { TypeThresholdBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { stringify } from 'yaml';
import {
  ALERT_GROUPS,
  type RenderContext,
  type RenderedAlert,
  type RenderOptions,
  renderAlerts,
  renderContext,
} from './alerts.js';
import { GENERATED_HEADER } from './render-prometheus.js';
import { GRAFANA_FOLDER, PROMETHEUS_DATASOURCE_UID } from './stack.js';

/** Grafana's template context: `$values.A.Value` is the number query A returned. */
export function grafanaContext(options: RenderOptions = {}): RenderContext {
  return renderContext('$values.A.Value', options);
}

/** Seconds in a Prometheus duration such as `5m` or `1h30m` (only the units the definitions use). */
function durationSeconds(duration: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
  let total = 0;
  let rest = duration;
  for (const match of duration.matchAll(/(\d+)([smhd])/g)) {
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.replace(match[0], '');
  }
  if (rest !== '' || total === 0) throw new TypeError(`not a duration: ${duration}`);
  return total;
}

function grafanaRule(alert: RenderedAlert, window: string) {
  // Query the whole window and then some, so an instant query always has samples to work on.
  const lookBack = Math.max(600, 2 * durationSeconds(window));
  const query = new QueryBuilder('A')
    .datasourceUid(PROMETHEUS_DATASOURCE_UID)
    .relativeTimeRange({ from: lookBack, to: 0 })
    .model(
      new DataqueryBuilder()
        .refId('A')
        .expr(alert.query)
        .instant()
        .datasource({ type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID }),
    );
  const threshold = new QueryBuilder('B')
    .datasourceUid('__expr__')
    .relativeTimeRange({ from: 0, to: 0 })
    .model(
      new TypeThresholdBuilder()
        .refId('B')
        .expression('A')
        .datasource({ type: '__expr__', uid: '__expr__' })
        .conditions([
          {
            evaluator: { type: alert.threshold.op === '>' ? 'gt' : 'lt', params: [alert.threshold.value] },
          },
        ]),
    );
  const rule = new RuleBuilder(alert.name)
    .uid(alert.uid)
    .condition('B')
    .withQuery(query)
    .withQuery(threshold)
    .noDataState(alert.noDataState)
    .execErrState('Error')
    .forDuration(alert.for)
    .labels(alert.labels)
    .annotations(alert.annotations)
    .isPaused(false)
    .build();
  // The builder produces the HTTP API's shape; file provisioning takes these fields (the folder,
  // group and org are given once per group), and plain data: drop the builders' marker methods.
  return JSON.parse(
    JSON.stringify({
      uid: rule.uid,
      title: rule.title,
      condition: rule.condition,
      data: rule.data,
      noDataState: rule.noDataState,
      execErrState: rule.execErrState,
      for: rule.for,
      labels: rule.labels,
      annotations: rule.annotations,
      isPaused: rule.isPaused,
    }),
  ) as Record<string, unknown>;
}

/** The provisioning file as data. */
export function grafanaAlertProvisioning(options: RenderOptions = {}) {
  const context = grafanaContext(options);
  const rendered = renderAlerts(context);
  return {
    apiVersion: 1,
    groups: ALERT_GROUPS.map((group) => ({
      orgId: 1,
      name: group.name,
      folder: GRAFANA_FOLDER,
      interval: group.grafanaInterval,
      rules: rendered
        .filter((alert) => alert.group === group.name)
        .map((alert) => grafanaRule(alert, context.window)),
    })),
  };
}

/** The provisioning file as YAML text, as committed in grafana/provisioning/alerting/secmon-alerts.yaml. */
export function renderGrafanaAlerts(options: RenderOptions = {}): string {
  return GENERATED_HEADER + stringify(grafanaAlertProvisioning(options), { lineWidth: 0 });
}
