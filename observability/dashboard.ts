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
import { ALERT_SEVERITY, ALERT_TYPES, type AlertSeverity, type AlertType } from '../src/core/alert.js';
import {
  DEFAULT_RUNBOOK_BASE_URL,
  type RenderOptions,
  SECMON_JOB,
  TRACKED_IPS_NEAR_CAP_RATIO,
} from './alerts.js';
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

function stat(title: string, description: string, expr: string, span = 8): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .withTarget(query(expr).instant())
    .height(4)
    .span(span)
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

/** A counter's growth per minute: every count of events is read in one unit across the dashboard. */
const perMinute = (by: string, counter: string): string =>
  `sum${by ? ` by (${by})` : ''} (rate(${counter}{${inst}}[$__rate_interval])) * 60`;
/** Grafana's unit for "events per minute" (counts/min). */
const PER_MINUTE = 'cpm';

/** The colour a stat turns at the first alert of a type: how loud its severity is. */
const SEVERITY_COLOR: Record<AlertSeverity, string> = {
  critical: 'red',
  high: 'red',
  medium: 'orange',
  low: 'yellow',
};

/** `path_traversal` -> `Path traversal`. */
const typeTitle = (type: AlertType): string =>
  type.charAt(0).toUpperCase() + type.slice(1).replaceAll('_', ' ');

/**
 * Widths on Grafana's 24-column grid for `count` panels side by side, at most `perLine` a line, each
 * line filled exactly (the builder starts a new line when a line reaches 24 columns).
 */
export function lineWidths(count: number, perLine = 8): number[] {
  const widths: number[] = [];
  for (let start = 0; start < count; start += perLine) {
    const onLine = Math.min(perLine, count - start);
    for (let i = 0; i < onLine; i++) widths.push(Math.floor(24 / onLine) + (i < 24 % onLine ? 1 : 0));
  }
  return widths;
}

/**
 * The top row: one stat per alert type (every type in `ALERT_TYPES`, so a new type gets its stat at
 * the next `npm run generate`), each the number of alerts of that type secmon raised in the selected
 * time range, whole, coloured by the type's severity once it is above zero.
 */
function alertTypeStats(): StatBuilder[] {
  // As few lines of at most 8 as the types need, the types spread evenly over them (11 types: 6 + 5).
  const lines = Math.ceil(ALERT_TYPES.length / 8);
  const widths = lineWidths(ALERT_TYPES.length, Math.ceil(ALERT_TYPES.length / lines));
  return ALERT_TYPES.map((type, index) =>
    stat(
      typeTitle(type),
      `${type} alerts secmon raised in the selected time range (severity ${ALERT_SEVERITY[type]}).`,
      `floor(sum(increase(secmon_alerts_total{type="${type}", ${inst}}[$__range])))`,
      widths[index],
    )
      .unit('none')
      .decimals(0)
      .thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: 1, color: SEVERITY_COLOR[ALERT_SEVERITY[type]] },
        ]),
      ),
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
export function secmonDashboard(options: RenderOptions = {}): Dashboard {
  const runbookBaseUrl = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const builder = new DashboardBuilder('secmon: security anomalies')
    .uid(DASHBOARD_UID)
    .description(
      'Attacks secmon detected (login attacks and account takeover, privilege escalation, injection, traversal) and the health ' +
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

  const top = builder.withRow(new RowBuilder('Alerts raised in the time range, by type'));
  for (const panel of alertTypeStats()) top.withPanel(panel);

  builder
    .withRow(new RowBuilder('secmon now'))
    .withPanel(
      stat(
        'secmon up',
        'Whether Prometheus can scrape each secmon instance. DOWN means nobody is watching: the counts above stop.',
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
        .description(
          `Prometheus alerts from the secmon rules that are firing now. Each has a runbook: ${runbookBaseUrl}#<alert name in lower case>.`,
        )
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
        PER_MINUTE,
      ).withTarget(query(perMinute('type, severity', 'secmon_alerts_total'), '{{type}} ({{severity}})')),
    )
    .withPanel(
      timeseries(
        'Suppressed alerts by type',
        'Alerts held back by a re-alert interval, per minute: the attack goes on but was already reported.',
        PER_MINUTE,
      ).withTarget(query(perMinute('type', 'secmon_alerts_suppressed_total'), '{{type}}')),
    )
    .withPanel(
      timeseries(
        'Attacks in progress by type',
        'Attacks secmon is following right now (an alert fired, not yet resolved), by type: each line lasts as long as the attacks do. `secmon offenders` lists who they are.',
        'short',
      )
        .decimals(0)
        .withTarget(query(`sum by (type) (secmon_active_alerts{${inst}})`, '{{type}}')),
    );

  builder
    .withRow(new RowBuilder('Attacks'))
    .withPanel(
      timeseries(
        'Failed logins',
        'Failed logins reported to secmon per minute, per instance.',
        PER_MINUTE,
      ).withTarget(query(perMinute('instance', 'secmon_failed_auth_total'), '{{instance}}')),
    )
    .withPanel(
      timeseries(
        'Attempts per attack type',
        'Attack attempts per minute by type, all selected instances together.',
        PER_MINUTE,
      ).targets(
        ATTACK_COUNTERS.map(([metric, legend], index) =>
          query(perMinute('', metric), legend, String.fromCharCode(65 + index)),
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
        'Addresses evicted per minute because the cap was reached: a sustained rate means address spraying.',
        PER_MINUTE,
      ).withTarget(query(perMinute('instance', 'secmon_tracked_ips_evicted_total'), '{{instance}}')),
    )
    .withPanel(
      timeseries(
        'Successful logins',
        'Successful logins reported to secmon per minute, per instance. One in the middle of a login attack raises account_compromise_suspected.',
        PER_MINUTE,
      ).withTarget(query(perMinute('instance', 'secmon_successful_auth_total'), '{{instance}}')),
    )
    .withPanel(
      timeseries(
        'Monitored accounts against the cap',
        'Accounts with failed logins inside the window, and the most secmon tracks at once (SECMON_MAX_TRACKED_ACCOUNTS).',
        'short',
      ).targets([
        query(`sum by (instance) (secmon_monitored_accounts{${inst}})`, '{{instance}} monitored', 'A'),
        query(`max by (instance) (secmon_tracked_accounts_limit{${inst}})`, '{{instance}} cap', 'B'),
      ]),
    )
    .withPanel(
      timeseries(
        'Account and network evictions',
        'Accounts and networks evicted per minute because their cap was reached: a sustained rate means account names (or networks) are being sprayed.',
        PER_MINUTE,
      ).targets([
        query(perMinute('instance', 'secmon_tracked_accounts_evicted_total'), '{{instance}} accounts', 'A'),
        query(perMinute('instance', 'secmon_tracked_networks_evicted_total'), '{{instance}} networks', 'B'),
      ]),
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
        'Alert handlers that threw, and OpenTelemetry alert events dropped (collector unreachable or slow), per minute.',
        PER_MINUTE,
      ).targets([
        query(perMinute('instance', 'secmon_alert_handler_errors_total'), '{{instance}} handler errors', 'A'),
        query(
          perMinute('instance', 'secmon_otel_events_dropped_total'),
          '{{instance}} OTel events dropped',
          'B',
        ),
      ]),
    )
    .withPanel(
      timeseries(
        'Shared store (Redis)',
        'With SECMON_REDIS_URL: whether each instance can use Redis (1 up, 0 down: SecmonStoreDegraded), and events per minute it decided in its own memory instead, by reason (unavailable, overloaded). Always up, nothing decided locally, with the in-memory store.',
        'short',
      ).targets([
        query(`min by (instance) (secmon_store_up{${inst}})`, '{{instance}} up', 'A'),
        query(
          perMinute('instance, reason', 'secmon_store_fallback_total'),
          '{{instance}} decided locally per minute: {{reason}}',
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

  // Log files secmon follows (SECMON_SOURCES); empty panels without sources.
  builder
    .withRow(new RowBuilder('Log sources'))
    .withPanel(
      timeseries(
        'Log source lines',
        'Lines read per minute from each log source (SECMON_SOURCES), by outcome: matched (evidence), ignored (understood, not evidence), unparsed (not in the format: check the format or the log), too_long (skipped, longer than SECMON_SOURCE_MAX_LINE_BYTES).',
        PER_MINUTE,
      ).withTarget(
        query(perMinute('source, outcome', 'secmon_source_lines_total'), '{{source}} {{outcome}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Log sources readable',
        'Whether each log source can read its file (1) or not (0: missing, not a file, permission denied, read errors; SecmonSourceDown after 5 minutes), and problems per minute by reason.',
        'short',
      ).targets([
        query(`min by (source) (secmon_source_up{${inst}})`, '{{source}} up', 'A'),
        query(
          perMinute('source, reason', 'secmon_source_errors_total'),
          '{{source}} {{reason}} per minute',
          'B',
        ),
      ]),
    )
    .withPanel(
      timeseries(
        'Log sources behind',
        'Bytes between the next line each source will read and the end of its file (SecmonSourceFallingBehind past 16 MiB for 10 minutes).',
        'bytes',
      ).withTarget(query(`max by (source) (secmon_source_lag_bytes{${inst}})`, '{{source}}')),
    )
    .withPanel(
      timeseries(
        'Log sources: last read and rotations',
        'Seconds since each source last read from its file (a quiet log grows this too; behind-ness is the panel beside), and rotations per minute by kind (renamed, truncated, deleted).',
        's',
      ).targets([
        query(
          `time() - max by (source) (secmon_source_last_read_timestamp_seconds{${inst}})`,
          '{{source}} since last read',
          'A',
        ),
        query(
          perMinute('source, kind', 'secmon_source_rotations_total'),
          '{{source}} {{kind}} per minute',
          'B',
        ),
      ]),
    );

  return builder.build();
}

/** The dashboard as committed in grafana/dashboards/secmon.json. */
export function renderDashboard(options: RenderOptions = {}): string {
  return `${JSON.stringify(secmonDashboard(options), null, 2)}\n`;
}
