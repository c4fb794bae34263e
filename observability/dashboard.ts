// The secmon Grafana dashboard, built with Grafana's foundation SDK. `npm run generate` writes it to
// grafana/dashboards/secmon.json; a test fails when the committed file differs from this.
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { SECMON_JOB, TRACKED_IPS_NEAR_CAP_RATIO } from './alerts.js';
import { DASHBOARD_UID } from './stack.js';

/** Grafana's syntax for the data-source variable (not a JavaScript template). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax
export const DATASOURCE_VARIABLE = '${datasource}';
const datasource = { type: 'prometheus', uid: DATASOURCE_VARIABLE };
/** Label matcher every secmon series is filtered by (the instance variable). */
const inst = 'instance=~"$instance"';
const up = `up{job="${SECMON_JOB}", ${inst}}`;
const firingAlerts = 'ALERTS{alertstate="firing", alertname=~"Secmon.+"}';

function query(expr: string, legend?: string, refId = 'A'): DataqueryBuilder {
  const builder = new DataqueryBuilder().refId(refId).expr(expr).datasource(datasource);
  return legend === undefined ? builder : builder.legendFormat(legend);
}

/** Green below `red`, red from it: for counts of attacks, where anything above zero matters. */
function redFrom(red: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: red, color: 'red' },
  ]);
}

function stat(title: string, description: string, expr: string): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .withTarget(query(expr).instant())
    .height(4)
    .span(4)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

function timeseries(title: string, description: string, unit: string): TimeseriesBuilder {
  return new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .unit(unit)
    .min(0)
    .height(8)
    .span(12)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['max', 'lastNotNull']),
    );
}

/** Attempt counters per attack type, each with its legend. */
const ATTACK_COUNTERS: Array<[metric: string, legend: string]> = [
  ['secmon_privileged_container_attempts_total', 'privileged container'],
  ['secmon_suspicious_container_attempts_total', 'suspicious container'],
  ['secmon_path_traversal_attempts_total', 'path traversal'],
  ['secmon_command_injection_attempts_total', 'command injection'],
  ['secmon_rate_limit_exceeded_total', 'rate limit exceeded'],
];

/** Builds the dashboard (plain data, ready for JSON). */
export function secmonDashboard(): Dashboard {
  const builder = new DashboardBuilder('secmon: security anomalies')
    .uid(DASHBOARD_UID)
    .description(
      'Attacks secmon detected (brute force, privilege escalation, injection, traversal) and the health ' +
        'of secmon itself. Generated from observability/dashboard.ts.',
    )
    .tags(['secmon', 'security'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').regex(''),
    )
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .description('secmon instances (the scrape target address)')
        .datasource(datasource)
        .query(`label_values(up{job="${SECMON_JOB}"}, instance)`)
        .definition(`label_values(up{job="${SECMON_JOB}"}, instance)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    );

  builder
    .withRow(new RowBuilder('Now'))
    .withPanel(
      stat(
        'secmon up',
        'Whether Prometheus can scrape each secmon instance. DOWN means nobody is watching.',
        up,
      )
        .mappings([
          {
            type: MappingType.ValueToText,
            options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
          },
        ])
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'red' },
            { value: 1, color: 'green' },
          ]),
        ),
    )
    .withPanel(
      stat(
        'Firing secmon alerts',
        'secmon alerting rules firing now in Prometheus (all instances).',
        `count(${firingAlerts}) or vector(0)`,
      ).thresholds(redFrom(1)),
    )
    .withPanel(
      stat(
        'Brute-force alerts',
        'Brute-force alerts secmon raised in the selected time range.',
        `sum(increase(secmon_alerts_total{type="brute_force", ${inst}}[$__range]))`,
      )
        .decimals(0)
        .thresholds(redFrom(1)),
    )
    .withPanel(
      stat(
        'Privilege-escalation attempts',
        'Privileged-container requests in the selected time range.',
        `sum(increase(secmon_privileged_container_attempts_total{${inst}}[$__range]))`,
      )
        .decimals(0)
        .thresholds(redFrom(1)),
    )
    .withPanel(
      stat(
        'Command-injection attempts',
        'Inputs that looked like command injection in the selected time range.',
        `sum(increase(secmon_command_injection_attempts_total{${inst}}[$__range]))`,
      )
        .decimals(0)
        .thresholds(redFrom(1)),
    )
    .withPanel(
      stat(
        'Tracked IPs, share of cap',
        'Monitored client addresses as a share of SECMON_MAX_TRACKED_IPS (highest instance). Near 100 % usually means address spraying.',
        `max(secmon_monitored_ips{${inst}} / secmon_tracked_ips_limit{${inst}})`,
      )
        .unit('percentunit')
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'green' },
            { value: 0.7, color: 'orange' },
            { value: TRACKED_IPS_NEAR_CAP_RATIO, color: 'red' }, // where TrackedIpsNearCap fires
          ]),
        ),
    );

  builder
    .withRow(new RowBuilder('Alerts'))
    .withPanel(
      new TableBuilder()
        .title('Firing alerts')
        .description('Prometheus alerts from the secmon rules that are firing now; see docs/runbooks.md.')
        .datasource(datasource)
        .withTarget(query(firingAlerts).instant().format(PromQueryFormat.Table))
        .withTransformation({
          id: 'organize',
          options: { excludeByName: { Time: true, Value: true, __name__: true, alertstate: true } },
        })
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseries(
        'Alerts by type and severity',
        'secmon alerts raised per minute, by alert type and severity.',
        'short',
      ).withTarget(
        query(
          `sum by (type, severity) (rate(secmon_alerts_total{${inst}}[$__rate_interval])) * 60`,
          '{{type}} ({{severity}})',
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Suppressed alerts by type',
        'Alerts held back by a re-alert interval, per minute: the attack goes on but was already reported.',
        'short',
      ).withTarget(
        query(
          `sum by (type) (rate(secmon_alerts_suppressed_total{${inst}}[$__rate_interval])) * 60`,
          '{{type}}',
        ),
      ),
    );

  builder
    .withRow(new RowBuilder('Attacks'))
    .withPanel(
      timeseries(
        'Failed logins',
        'Failed logins per second reported to secmon, per instance.',
        'reqps',
      ).withTarget(
        query(
          `sum by (instance) (rate(secmon_failed_auth_total{${inst}}[$__rate_interval]))`,
          '{{instance}}',
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Attempts per attack type',
        'Attack attempts per second by type, all selected instances together.',
        'reqps',
      ).targets(
        ATTACK_COUNTERS.map(([metric, legend], index) =>
          query(`sum(rate(${metric}{${inst}}[$__rate_interval]))`, legend, String.fromCharCode(65 + index)),
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Monitored IPs against the cap',
        'Client addresses active inside the brute-force window, and the most secmon tracks at once.',
        'short',
      ).targets([
        query(`sum by (instance) (secmon_monitored_ips{${inst}})`, '{{instance}} monitored', 'A'),
        query(`max by (instance) (secmon_tracked_ips_limit{${inst}})`, '{{instance}} cap', 'B'),
      ]),
    )
    .withPanel(
      timeseries(
        'Tracked-IP evictions',
        'Addresses evicted per second because the cap was reached: a sustained rate means address spraying.',
        'short',
      ).withTarget(
        query(
          `sum by (instance) (rate(secmon_tracked_ips_evicted_total{${inst}}[$__rate_interval]))`,
          '{{instance}}',
        ),
      ),
    );

  builder
    .withRow(new RowBuilder('secmon health'))
    .withPanel(
      timeseries(
        'Scrape health',
        'Scrape duration per instance; gaps mean failed scrapes (see "secmon up").',
        's',
      ).withTarget(query(`scrape_duration_seconds{job="${SECMON_JOB}", ${inst}}`, '{{instance}}')),
    )
    .withPanel(
      timeseries(
        'Alert delivery errors',
        'Alert handlers that threw, and OpenTelemetry alert events dropped (collector unreachable or slow), per second.',
        'short',
      ).targets([
        query(
          `sum by (instance) (rate(secmon_alert_handler_errors_total{${inst}}[$__rate_interval]))`,
          '{{instance}} handler errors',
          'A',
        ),
        query(
          `sum by (instance) (rate(secmon_otel_events_dropped_total{${inst}}[$__rate_interval]))`,
          '{{instance}} OTel events dropped',
          'B',
        ),
      ]),
    )
    .withPanel(
      timeseries(
        'Shared store (Redis)',
        'With SECMON_REDIS_URL: whether each instance can use Redis (1 up, 0 down: SecmonStoreDegraded), and events per second it decided in its own memory instead, by reason (unavailable, overloaded). Always up, nothing decided locally, with the in-memory store.',
        'short',
      ).targets([
        query(`min by (instance) (secmon_store_up{${inst}})`, '{{instance}} up', 'A'),
        query(
          `sum by (instance, reason) (rate(secmon_store_fallback_total{${inst}}[$__rate_interval]))`,
          '{{instance}} decided locally: {{reason}}',
          'B',
        ),
      ]),
    )
    .withPanel(
      timeseries(
        'Event API requests',
        'POST /v1/events per second: accepted, and rejected by reason. Many `unauthorized` rejections mean someone is guessing ingest tokens (each one is also recorded as a failed login).',
        'reqps',
      ).targets([
        query(`sum(rate(secmon_ingest_requests_accepted_total{${inst}}[$__rate_interval]))`, 'accepted', 'A'),
        query(
          `sum by (reason) (rate(secmon_ingest_requests_rejected_total{${inst}}[$__rate_interval]))`,
          'rejected: {{reason}}',
          'B',
        ),
      ]),
    )
    .withPanel(
      timeseries('Memory', 'Resident memory and V8 heap in use per instance.', 'bytes').targets([
        query(`process_resident_memory_bytes{job="${SECMON_JOB}", ${inst}}`, '{{instance}} resident', 'A'),
        query(`nodejs_heap_size_used_bytes{job="${SECMON_JOB}", ${inst}}`, '{{instance}} heap used', 'B'),
      ]),
    )
    .withPanel(
      timeseries(
        'Event-loop lag',
        'p99 event-loop lag per instance: high values delay every request.',
        's',
      ).withTarget(query(`nodejs_eventloop_lag_p99_seconds{job="${SECMON_JOB}", ${inst}}`, '{{instance}}')),
    );

  return builder.build();
}

/** The dashboard as committed in grafana/dashboards/secmon.json. */
export function renderDashboard(): string {
  return `${JSON.stringify(secmonDashboard(), null, 2)}\n`;
}
