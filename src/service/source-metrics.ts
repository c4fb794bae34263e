import type { Registry, RegistryContentType } from 'prom-client';
import { FOLLOW_PROBLEMS, ROTATION_KINDS } from '../sources/file-follower.js';
import { LINE_OUTCOMES, type LiveSource } from '../sources/live-sources.js';
import { registerComputedMetric, type Sample } from '../telemetry/computed-metric.js';

/**
 * Registers the metrics of the live log sources, read at scrape time from each source's counts and
 * follower status. Labels are bounded: `source` is a configured source name, `outcome`, `reason`
 * and `kind` are constant sets. `sources` is read at each scrape (sources are created at start).
 */
export function registerSourceMetrics(
  registry: Registry<RegistryContentType>,
  prefix: string,
  live: { readonly sources: readonly LiveSource[] },
): void {
  const metric = (type: 'counter' | 'gauge', name: string, help: string, samples: () => Sample[]) =>
    registerComputedMetric(registry, `${prefix}${name}`, help, type, samples);
  const each = (value: (source: LiveSource) => number | undefined) => () =>
    live.sources.flatMap((source) => {
      const v = value(source);
      return v === undefined ? [] : [{ value: v, labels: { source: source.spec.name } }];
    });
  metric(
    'counter',
    'source_lines_total',
    'Lines read from log sources, by outcome: matched (evidence), ignored (understood, not evidence), unparsed (not in the format), too_long (skipped).',
    () =>
      live.sources.flatMap((source) =>
        LINE_OUTCOMES.map((outcome) => ({
          value: source.counts.lines[outcome],
          labels: { source: source.spec.name, outcome },
        })),
      ),
  );
  metric(
    'counter',
    'source_events_total',
    'Events recorded from log source lines.',
    each((source) => source.counts.events),
  );
  metric(
    'gauge',
    'source_up',
    'Whether the log source file is open and readable (1) or not (0: missing, not a file, permission denied, read errors).',
    each((source) => (source.status().up ? 1 : 0)),
  );
  metric(
    'gauge',
    'source_lag_bytes',
    'Bytes between the next unread line of the log source and the end of its file, at the last look.',
    each((source) => source.status().lagBytes),
  );
  metric(
    'gauge',
    'source_last_read_timestamp_seconds',
    'When the log source last read bytes from its file, Unix seconds (absent before the first read).',
    each((source) => {
      const at = source.status().lastReadAt;
      return at === undefined ? undefined : at / 1000;
    }),
  );
  metric(
    'counter',
    'source_errors_total',
    'Times a log source could not read its file, by reason (each episode counted once, however long it lasts).',
    () =>
      live.sources.flatMap((source) =>
        FOLLOW_PROBLEMS.map((reason) => ({
          value: source.counts.errors[reason],
          labels: { source: source.spec.name, reason },
        })),
      ),
  );
  metric(
    'counter',
    'source_rotations_total',
    'Times the file of a log source was replaced, by kind: renamed (logrotate create), truncated (copytruncate), deleted.',
    () =>
      live.sources.flatMap((source) =>
        ROTATION_KINDS.map((kind) => ({
          value: source.counts.rotations[kind],
          labels: { source: source.spec.name, kind },
        })),
      ),
  );
}
