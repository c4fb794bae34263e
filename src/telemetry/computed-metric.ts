import type { Metric, Registry, RegistryContentType } from 'prom-client';

/** One sample of a computed metric; an exemplar is only rendered in OpenMetrics output. */
export interface Sample {
  value: number;
  labels: Record<string, string>;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number };
}

/**
 * A metric family whose samples are computed at scrape time from state kept elsewhere (the monitor's
 * stats, the service's counters), shaped the way prom-client's `Registry` reads its own metrics
 * (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`). secmon keeps no second set of counters.
 * Each registry needs its own instance: prom-client renames counters in an OpenMetrics registry.
 */
class ComputedMetric {
  readonly aggregator = 'sum';
  constructor(
    public name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly samples: () => Sample[],
  ) {}
  collect(): void {}
  reset(): void {}
  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.samples(),
    };
  }
}

/** Registers a computed metric family on a registry. */
export function registerComputedMetric(
  registry: Registry<RegistryContentType>,
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  samples: () => Sample[],
): void {
  // prom-client types registerMetric for its own classes; ComputedMetric has the shape it reads.
  registry.registerMetric(new ComputedMetric(name, help, type, samples) as unknown as Metric);
}
