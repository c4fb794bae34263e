// Names the generated files and the hand-written stack files (prometheus.yml, the Grafana datasource,
// docker-compose.yml) must agree on. The structural tests check the hand-written side.

/** The uid of the provisioned Prometheus datasource (grafana/provisioning/datasources/). */
export const PROMETHEUS_DATASOURCE_UID = 'secmon-prometheus';
/** The Grafana folder the alert rules and the dashboard are provisioned into. */
export const GRAFANA_FOLDER = 'secmon';
/** The dashboard's uid: its URL is /d/secmon-overview. */
export const DASHBOARD_UID = 'secmon-overview';
