// The one definition of secmon's alerts. `prometheus/rules/secmon.rules.yml` and
// `grafana/provisioning/alerting/secmon-alerts.yaml` are both generated from this list
// (`npm run generate`), and a test fails when either committed file differs from what this
// module renders, so the two cannot drift.
//
// To add an alert: append an `AlertDefinition` to `ALERTS` (or a new group to `ALERT_GROUPS`),
// write its runbook section in docs/runbooks.md (heading = the alert name), add promtool cases to
// prometheus/tests/secmon.rules.test.yml (one that fires, one that stays quiet), then run
// `npm run generate`. The tests check each of those steps. A health rule on a gauge looks like
// SecmonDown (`query: () => 'min by (job, instance) (secmon_store_up)'`, `threshold: < 1`,
// `for: '2m'`); one on a counter like SecmonAlertHandlersFailing (`increaseOf(...)`, `> 0`). An
// attack secmon follows from start to end (its alerts have a lifecycle) looks like
// SecmonCredentialStuffing in takeover-alerts.ts (`activeAttacks(type)`, `> 0`): it fires while
// secmon says the attack goes on and resolves when secmon resolves it. The live end-to-end test
// checks that every rule's query finds series on a default `secmon serve`; a rule on series that
// exist only with some configuration (a Redis store) must be exempted there.

import { activeAttacks, byInstance, TAKEOVER_ALERTS, WHO } from './takeover-alerts.js';

/** Severities in secmon's own vocabulary; Alertmanager pages on `critical` and notifies on the rest. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** The Prometheus job name the rules and the dashboard expect secmon to be scraped under. */
export const SECMON_JOB = 'secmon';

/**
 * Where `runbook_url` annotations point by default: the published runbook document, one section per
 * alert (its anchor is the lower-cased alert name, as GitHub makes it from the `## Name` heading).
 * `npm run generate -- --runbook-base-url=URL` (or `SECMON_RUNBOOK_BASE_URL`) renders another one,
 * e.g. your fork's or your wiki's copy.
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/secmon/secmon/blob/main/docs/runbooks.md';

export const DEFAULT_WINDOW = '5m';

/** What a rendering can change: the look-back window and where the runbook links point. */
export interface RenderOptions {
  /**
   * The look-back window of the attack and health counters, a Prometheus duration. The shipped
   * files use {@link DEFAULT_WINDOW}; the end-to-end test renders the same rules with a shorter
   * one so that a resolved notification follows within seconds.
   */
  window?: string;
  /** An absolute http(s) URL without a fragment (default {@link DEFAULT_RUNBOOK_BASE_URL}). */
  runbookBaseUrl?: string;
}

/** How the rendering targets differ: time windows and the template syntax for "the value". */
export interface RenderContext {
  /** The look-back window (see {@link RenderOptions.window}). */
  window: string;
  /** Template text for the evaluated value (Prometheus: `$value`; Grafana: `$values.A.Value`). */
  value: string;
  /**
   * Template text that prints the evaluated value as a whole number (`12`, never `1.2e+01` or
   * `1.314`). Use it for every count; the queries of counts are whole already (see `increaseOf`).
   */
  count: string;
  /** Where the runbook links point (see {@link RenderOptions.runbookBaseUrl}). */
  runbookBaseUrl: string;
}

/**
 * The template context of a target whose evaluated value is `value` (`$value` in Prometheus,
 * `$values.A.Value` in Grafana). Throws a `TypeError` for a runbook base that is not an absolute
 * http(s) URL without a fragment: the link would not be clickable from a notification.
 */
export function renderContext(value: string, options: RenderOptions = {}): RenderContext {
  const runbookBaseUrl = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  if (!/^https?:\/\/[^\s#]+$/.test(runbookBaseUrl) || !URL.canParse(runbookBaseUrl)) {
    throw new TypeError(
      `runbook base URL must be an absolute http(s) URL without a #fragment (got ${JSON.stringify(runbookBaseUrl)})`,
    );
  }
  return {
    window: options.window ?? DEFAULT_WINDOW,
    value,
    count: `{{ printf "%.0f" ${value} }}`,
    runbookBaseUrl,
  };
}

/** `>` or `<`: the only comparisons both Prometheus and Grafana's threshold expression have. */
export interface Threshold {
  op: '>' | '<';
  value: number;
}

export interface AlertDefinition {
  /** The alert name (Prometheus `alertname`, Grafana rule title). CamelCase, starts with `Secmon`. */
  name: string;
  /** A stable id for Grafana (`uid`), at most 40 characters of [a-z0-9-]. */
  uid: string;
  severity: Severity;
  /**
   * The PromQL whose value is compared with `threshold`, one series per (job, instance): the
   * Prometheus rule is `query <op> threshold`; the Grafana rule runs `query` as query A and
   * the threshold as expression B. Use `ctx.window` for every range.
   */
  query: (ctx: RenderContext) => string;
  threshold: Threshold;
  /**
   * How long the condition must hold before the alert fires (Prometheus duration). `0s` for attack
   * alerts: the event already happened, page at the first evaluation after it.
   */
  for: string;
  /** One line; may use `{{ $labels.instance }}`. */
  summary: string;
  /** A few sentences; may use `{{ $labels.instance }}` and `ctx.value` (a number). */
  description: (ctx: RenderContext) => string;
  /**
   * What Grafana does when `query` returns nothing (Prometheus simply does not fire). `OK` for
   * everything that "secmon down / not scraped" already covers.
   */
  noDataState?: 'OK' | 'Alerting';
}

export interface AlertGroup {
  /** Rule group name in Prometheus and Grafana. */
  name: string;
  /** Goes into every alert's `category` label (Alertmanager's inhibition uses it). */
  category: 'attack' | 'health';
  /** Evaluation interval in Grafana (a multiple of 10 s); Prometheus uses its global interval. */
  grafanaInterval: string;
  alerts: AlertDefinition[];
}

/** A rendered alert, the same for both targets apart from the template syntax. */
export interface RenderedAlert {
  name: string;
  uid: string;
  group: string;
  query: string;
  threshold: Threshold;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
  noDataState: 'OK' | 'Alerting';
}

/** More path-traversal attempts than this inside the window is a burst (one probe is background noise). */
export const PATH_TRAVERSAL_BURST = 10;
/** Bytes a log source may stay behind the end of its file (10 minutes running) before it is an alert. */
export const SOURCE_LAG_BYTES = 16 * 1024 * 1024;
/** Share of `secmon_tracked_ips_limit` in use above which addresses are probably being sprayed. */
export const TRACKED_IPS_NEAR_CAP_RATIO = 0.9;

/**
 * How much a counter grew in the window, per (job, instance), as a whole number. `increase()`
 * extrapolates to the window's edges (one event can read 1.05 or 1.314); the events themselves are
 * whole, and the extrapolated value is never below the growth it saw, so `floor` gives back that
 * growth (for counts below about 14 exactly) and a rule `> N` still fires on the first event past N.
 */
const increaseOf = (metric: string, ctx: RenderContext): string =>
  `floor(${byInstance(`increase(${metric}[${ctx.window}])`)})`;
const up = `up{job="${SECMON_JOB}"}`;
const attacks: AlertDefinition[] = [
  {
    name: 'SecmonBruteForceDetected',
    uid: 'secmon-brute-force-detected',
    severity: 'high',
    // secmon's own per-address window decides what a brute force is and when it is over; the rule
    // follows its active attacks, so it fires for as long as the attack lasts and no longer.
    query: () => activeAttacks('brute_force'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Brute-force login attack detected by secmon on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} client address(es) (or IPv6 prefixes) over the failed-login threshold right now. ${WHO}`,
  },
  {
    name: 'SecmonPrivilegeEscalationAttempt',
    uid: 'secmon-privilege-escalation-attempt',
    severity: 'critical',
    query: (ctx) => increaseOf('secmon_privileged_container_attempts_total', ctx),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Privileged container requested (privilege-escalation attempt) on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} request(s) for a privileged container in the last ${ctx.window}. ` +
      'A privileged container can take over its host; confirm who asked for it and why.',
  },
  {
    name: 'SecmonCommandInjectionAttempt',
    uid: 'secmon-command-injection-attempt',
    severity: 'critical',
    query: (ctx) => increaseOf('secmon_command_injection_attempts_total', ctx),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Command-injection attempt detected by secmon on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} input(s) with shell metacharacters or command substitution ` +
      `reached a monitored service in the last ${ctx.window}. Check whether any of them was executed.`,
  },
  {
    name: 'SecmonPathTraversalBurst',
    uid: 'secmon-path-traversal-burst',
    severity: 'high',
    query: (ctx) => increaseOf('secmon_path_traversal_attempts_total', ctx),
    threshold: { op: '>', value: PATH_TRAVERSAL_BURST },
    for: '0s',
    summary: 'Burst of path-traversal attempts seen by secmon on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} path-traversal attempts in the last ${ctx.window} ` +
      `(more than ${PATH_TRAVERSAL_BURST}): someone is probing for files outside the web root.`,
  },
  {
    name: 'SecmonSuspiciousContainer',
    uid: 'secmon-suspicious-container',
    severity: 'high',
    query: (ctx) => increaseOf('secmon_suspicious_container_attempts_total', ctx),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Suspicious container configuration requested on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} container request(s) with a dangerous configuration ` +
      `(host mounts, host namespaces, added capabilities) in the last ${ctx.window}.`,
  },
  ...TAKEOVER_ALERTS,
];

const health: AlertDefinition[] = [
  {
    name: 'SecmonDown',
    uid: 'secmon-down',
    severity: 'critical',
    query: () => up,
    threshold: { op: '<', value: 1 },
    for: '2m',
    summary: 'secmon on {{ $labels.instance }} cannot be scraped',
    description: () =>
      'Prometheus has failed to scrape secmon for 2 minutes. While secmon is down nobody is ' +
      'watching for attacks: an unwatched door is itself an incident.',
    // No `up` series at all is SecmonNotScraped's job.
    noDataState: 'OK',
  },
  {
    name: 'SecmonNotScraped',
    uid: 'secmon-not-scraped',
    severity: 'critical',
    query: () => `absent(${up})`,
    threshold: { op: '>', value: 0 },
    for: '5m',
    summary: 'Prometheus has no secmon target to scrape',
    description: () =>
      `There has been no ${up} series for 5 minutes: the scrape configuration or service discovery ` +
      'lost secmon, so none of the attack alerts can fire.',
  },
  {
    name: 'SecmonTrackedIpsNearCap',
    uid: 'secmon-tracked-ips-near-cap',
    severity: 'high',
    query: () => 'max by (job, instance) (secmon_monitored_ips / secmon_tracked_ips_limit)',
    threshold: { op: '>', value: TRACKED_IPS_NEAR_CAP_RATIO },
    for: '5m',
    summary: 'secmon on {{ $labels.instance }} is tracking close to its address cap',
    description: (ctx) =>
      `secmon is tracking {{ ${ctx.value} | humanizePercentage }} of its address cap ` +
      '(SECMON_MAX_TRACKED_IPS). That many distinct addresses usually means someone is spraying ' +
      'addresses to dodge per-address limits; past the cap the oldest addresses are evicted.',
  },
  {
    name: 'SecmonTrackedAccountsNearCap',
    uid: 'secmon-tracked-accounts-near-cap',
    severity: 'high',
    query: () => 'max by (job, instance) (secmon_monitored_accounts / secmon_tracked_accounts_limit)',
    threshold: { op: '>', value: TRACKED_IPS_NEAR_CAP_RATIO },
    for: '5m',
    summary: 'secmon on {{ $labels.instance }} is tracking close to its account cap',
    description: (ctx) =>
      `secmon is tracking {{ ${ctx.value} | humanizePercentage }} of its account cap ` +
      '(SECMON_MAX_TRACKED_ACCOUNTS). That many distinct accounts with failed logins usually means ' +
      'someone is spraying account names; past the cap the least recently attacked accounts are evicted.',
  },
  {
    name: 'SecmonAlertHandlersFailing',
    uid: 'secmon-alert-handlers-failing',
    severity: 'high',
    query: (ctx) => increaseOf('secmon_alert_handler_errors_total', ctx),
    threshold: { op: '>', value: 0 },
    for: '5m',
    summary: "secmon's alert handlers are failing on {{ $labels.instance }}",
    description: (ctx) =>
      `${ctx.count} alert-handler error(s) in the last ${ctx.window}, for 5 minutes ` +
      'running: some alerts are not reaching their destination (logs, events, integrations).',
  },
  {
    name: 'SecmonStoreDegraded',
    uid: 'secmon-store-degraded',
    severity: 'high',
    // 0 while the shared store (Redis) cannot be reached; always 1 with the in-memory store.
    query: () => 'min by (job, instance) (secmon_store_up)',
    threshold: { op: '<', value: 1 },
    for: '2m',
    summary: 'secmon on {{ $labels.instance }} cannot reach its shared store (Redis)',
    description: () =>
      'secmon has not been able to use Redis for 2 minutes. Its outage policy applies: with ' +
      "fallback, failed logins are counted in each replica's memory, so an attack spread across " +
      'replicas needs up to N times the threshold to be seen; with fail-closed, every address alerts ' +
      'on its first failed login. Nothing is lost or blocked, and secmon reconnects by itself.',
  },
  {
    name: 'SecmonSourceDown',
    uid: 'secmon-source-down',
    severity: 'high',
    // One series per configured source (a bounded label); none without sources.
    query: () => 'min by (job, instance, source) (secmon_source_up)',
    threshold: { op: '<', value: 1 },
    for: '5m',
    summary: 'secmon on {{ $labels.instance }} cannot read its log source {{ $labels.source }}',
    description: () =>
      'For 5 minutes secmon has not been able to read the file of the log source ' +
      '{{ $labels.source }} (missing, not a regular file, permission denied or read errors). ' +
      'Attacks in that log are not seen until it is readable again; secmon keeps trying every poll.',
  },
  {
    name: 'SecmonSourceFallingBehind',
    uid: 'secmon-source-falling-behind',
    severity: 'medium',
    query: () => 'max by (job, instance, source) (secmon_source_lag_bytes)',
    threshold: { op: '>', value: SOURCE_LAG_BYTES },
    for: '10m',
    summary: 'secmon on {{ $labels.instance }} is falling behind its log source {{ $labels.source }}',
    description: (ctx) =>
      `The log source {{ $labels.source }} has been more than ${SOURCE_LAG_BYTES / 1024 / 1024} MiB ` +
      `behind the end of its file for 10 minutes ({{ ${ctx.value} | humanize1024 }}B now): lines are ` +
      'written faster than secmon reads them, so its alerts come late.',
  },
  {
    name: 'SecmonOtelEventsDropped',
    uid: 'secmon-otel-events-dropped',
    severity: 'medium',
    query: (ctx) => increaseOf('secmon_otel_events_dropped_total', ctx),
    threshold: { op: '>', value: 0 },
    for: '10m',
    summary: 'secmon on {{ $labels.instance }} is dropping OpenTelemetry alert events',
    description: (ctx) =>
      `${ctx.count} secmon.alert event(s) dropped in the last ${ctx.window}: the OTLP ` +
      'collector is unreachable or too slow. Metrics and Prometheus alerts still work.',
  },
];

/** Every alert secmon ships, in the order they appear in the generated files. */
export const ALERT_GROUPS: AlertGroup[] = [
  { name: 'secmon-attacks', category: 'attack', grafanaInterval: '30s', alerts: attacks },
  { name: 'secmon-health', category: 'health', grafanaInterval: '1m', alerts: health },
];

/** Renders every definition for one target (see {@link RenderContext}). */
export function renderAlerts(ctx: RenderContext): RenderedAlert[] {
  return ALERT_GROUPS.flatMap((group) =>
    group.alerts.map((alert) => {
      const query = alert.query(ctx);
      return {
        name: alert.name,
        uid: alert.uid,
        group: group.name,
        query,
        threshold: alert.threshold,
        expr: `${query} ${alert.threshold.op} ${alert.threshold.value}`,
        for: alert.for,
        labels: { severity: alert.severity, category: group.category },
        annotations: {
          summary: alert.summary,
          description: alert.description(ctx),
          runbook_url: runbookUrl(alert.name, ctx.runbookBaseUrl),
        },
        noDataState: alert.noDataState ?? 'OK',
      };
    }),
  );
}

/** The runbook link for an alert: the section of the runbooks headed with its name. */
export function runbookUrl(alertName: string, base = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base}#${alertName.toLowerCase()}`;
}
