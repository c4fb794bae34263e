// Accounting around the OpenTelemetry SDK's own batching, so that every alert event that does not reach
// the collector is counted. The SDK's BatchLogRecordProcessor drops a record silently when its queue is
// full (it only reports it through an optional self-observability meter), so secmon puts a thin
// processor in front of it that turns records away *before* the batch queue can be full, and wraps the
// exporters to learn which batches were delivered and which failed. Batching itself stays the SDK's.
import type { Context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  type AggregationOption,
  AggregationTemporality,
  AggregationType,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { sanitizeText } from '../core/sanitize.js';

/**
 * What happened to the alert events offered for export. `dropped()` only ever grows, so it can be
 * exposed as a counter.
 */
export class EventLedger {
  /** Events passed on to the batch processor. */
  accepted = 0;
  /** Events turned away: the queue was full, or export had been shut down. */
  rejected = 0;
  /** Events handed to the exporter (in a batch). */
  handedToExporter = 0;
  /** Events in batches the collector accepted. */
  delivered = 0;
  /** Events in batches whose export failed (after the exporter's own retries). */
  lost = 0;
  /** Events still outstanding (queued or being exported) when the ledger was closed. */
  abandoned = 0;
  private closed = false;

  /** Events waiting in the batch queue (an upper bound: a batch being prepared still counts). */
  queued(): number {
    return this.accepted - this.handedToExporter;
  }

  /** Events that did not reach the collector: turned away, lost in a failed export, or abandoned. */
  dropped(): number {
    return this.rejected + this.lost + this.abandoned;
  }

  /** Records the outcome of one exported batch (ignored once closed: those events are abandoned). */
  settled(count: number, delivered: boolean): void {
    if (this.closed) return;
    if (delivered) this.delivered += count;
    else this.lost += count;
  }

  /**
   * Called when shutdown ends (done or timed out): every event not delivered or lost by now is counted
   * as abandoned, and later outcomes are ignored, so the count is final and never goes down.
   */
  close(): void {
    if (this.closed) return;
    this.abandoned = this.accepted - this.delivered - this.lost;
    this.closed = true;
  }
}

/**
 * A LogRecordProcessor in front of the SDK's batch processor: passes a record on while fewer than
 * `maxQueueSize` are waiting, otherwise turns it away and counts it. Because the ledger counts a record
 * as waiting until the exporter has it, the batch queue never reaches its own limit, so the SDK never
 * drops a record without secmon counting it. Never blocks.
 */
export class BoundedEventProcessor implements LogRecordProcessor {
  private closed = false;

  constructor(
    private readonly inner: LogRecordProcessor,
    private readonly ledger: EventLedger,
    private readonly maxQueueSize: number,
  ) {}

  onEmit(logRecord: SdkLogRecord, context?: Context): void {
    if (this.closed || this.ledger.queued() >= this.maxQueueSize) {
      this.ledger.rejected++;
      return;
    }
    this.ledger.accepted++;
    this.inner.onEmit(logRecord, context);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return this.inner.shutdown();
  }
}

/**
 * Counts export failures and reports them through `onError` at most once per `intervalMs`, so a dead
 * collector produces one message a minute, not one per batch. Messages from the collector are hostile
 * text: they are cut and escaped.
 */
export class FailureReporter {
  failures = 0;
  private lastReportAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onError: (error: Error) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(signal: 'logs' | 'metrics', cause: unknown): void {
    this.failures++;
    const now = this.now();
    if (now - this.lastReportAt < this.intervalMs) return;
    this.lastReportAt = now;
    const detail = sanitizeText(
      cause instanceof Error ? cause.message : String(cause ?? 'unknown error'),
      200,
    );
    const error = new Error(
      `OpenTelemetry ${signal} export failed: ${detail} (${this.failures} export failure(s) so far; ` +
        `further failures are reported at most once every ${Math.round(this.intervalMs / 1000)} s)`,
      { cause },
    );
    try {
      this.onError(error);
    } catch {
      // A failing error callback must not break the export pipeline.
    }
  }
}

/**
 * Runs one export through `run` and settles it exactly once: `account` then `resultCallback` see the
 * first result only, and an exporter that throws counts as a failed export.
 */
function exportOnce(
  run: (done: (result: ExportResult) => void) => void,
  account: (result: ExportResult) => void,
  resultCallback: (result: ExportResult) => void,
): void {
  let settled = false;
  const done = (result: ExportResult): void => {
    if (settled) return;
    settled = true;
    account(result);
    resultCallback(result);
  };
  try {
    run(done);
  } catch (error) {
    done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
  }
}

/** Wraps a log exporter to record, per batch, whether the collector got it. */
export class CountingLogExporter implements LogRecordExporter {
  constructor(
    private readonly inner: LogRecordExporter,
    private readonly ledger: EventLedger,
    private readonly reporter: FailureReporter,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    const count = logs.length;
    this.ledger.handedToExporter += count;
    exportOnce(
      (done) => this.inner.export(logs, done),
      (result) => {
        const delivered = result.code === ExportResultCode.SUCCESS;
        this.ledger.settled(count, delivered);
        if (!delivered) this.reporter.record('logs', result.error);
      },
      resultCallback,
    );
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Wraps a metric exporter to count failed exports; temporality and aggregation stay the exporter's. */
export class CountingMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly reporter: FailureReporter,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    exportOnce(
      (done) => this.inner.export(metrics, done),
      (result) => {
        if (result.code !== ExportResultCode.SUCCESS) this.reporter.record('metrics', result.error);
      },
      resultCallback,
    );
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation?.(instrumentType) ?? { type: AggregationType.DEFAULT };
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
