// Helpers shared by the observability tests for reading the stack files (the end-to-end test derives
// its Prometheus and Alertmanager configuration from the shipped files itself).

/** One dashboard query: the panel it belongs to and its PromQL. */
export interface DashboardTarget {
  panel: string;
  refId: string;
  expr: string;
}

/** Every PromQL target of every panel of a dashboard JSON. */
export function dashboardTargets(dashboard: {
  panels?: Array<{ title?: string; targets?: Array<{ refId?: string; expr?: string }> }>;
}): DashboardTarget[] {
  return (dashboard.panels ?? []).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title ?? '',
      refId: target.refId ?? '',
      expr: target.expr ?? '',
    })),
  );
}

/**
 * Replaces Grafana's variables in a panel query with what Grafana would send to Prometheus: every
 * instance, and ranges that suit a test Prometheus scraping every second.
 */
export function expandGrafanaVariables(expr: string, range = '5m'): string {
  return expr
    .replaceAll('$__rate_interval', '15s')
    .replaceAll('$__interval', '5s')
    .replaceAll('$__range', range)
    .replaceAll('$instance', '.*');
}
