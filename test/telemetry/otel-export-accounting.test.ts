import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import {
  BoundedEventProcessor,
  CountingLogExporter,
  EventLedger,
  FailureReporter,
} from '../../src/telemetry/otel-export-accounting.js';

/** An exporter that holds every batch until the test settles it, like a slow collector. */
class HeldExporter implements LogRecordExporter {
  batches: Array<{ records: ReadableLogRecord[]; settle: (result: ExportResult) => void }> = [];
  export(records: ReadableLogRecord[], settle: (result: ExportResult) => void): void {
    this.batches.push({ records, settle });
  }
  seen(): number {
    return this.batches.reduce((sum, batch) => sum + batch.records.length, 0);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function pipeline(maxQueueSize: number) {
  const held = new HeldExporter();
  const ledger = new EventLedger();
  const failures: Error[] = [];
  const reporter = new FailureReporter((error) => failures.push(error), 60_000);
  const batch = new BatchLogRecordProcessor({
    exporter: new CountingLogExporter(held, ledger, reporter),
    maxQueueSize,
    maxExportBatchSize: maxQueueSize,
    scheduledDelayMillis: 60_000,
  });
  const provider = new LoggerProvider({
    processors: [new BoundedEventProcessor(batch, ledger, maxQueueSize)],
  });
  const logger = provider.getLogger('test');
  const emit = (n: number) => {
    for (let i = 0; i < n; i++) logger.emit({ eventName: 'secmon.alert', body: `event ${i}` });
  };
  return { held, ledger, reporter, failures, provider, emit };
}

describe('event accounting around the SDK batch processor', () => {
  it('turns events away once maxQueueSize are waiting, counts them, and never blocks', async () => {
    const { held, ledger, emit } = pipeline(10);
    emit(25);
    expect(ledger.accepted).toBe(10);
    expect(ledger.rejected).toBe(15);
    expect(ledger.dropped()).toBe(15);
    await nextTurn();
    // The full batch went to the (slow) exporter, so there is room again.
    expect(held.batches).toHaveLength(1);
    expect(ledger.queued()).toBe(0);
    emit(25);
    expect(ledger.accepted).toBe(20);
    expect(ledger.rejected).toBe(30);
  });

  it('counts events of failed batches as dropped and delivered ones as delivered', async () => {
    const { held, ledger, reporter, emit } = pipeline(10);
    emit(10);
    await nextTurn();
    held.batches[0]!.settle({ code: ExportResultCode.SUCCESS });
    emit(10);
    await nextTurn();
    await nextTurn();
    expect(held.batches).toHaveLength(2);
    held.batches[1]!.settle({ code: ExportResultCode.FAILED, error: new Error('503') });
    expect(ledger.delivered).toBe(10);
    expect(ledger.lost).toBe(10);
    expect(ledger.dropped()).toBe(10);
    expect(reporter.failures).toBe(1);
  });

  it('lets no event disappear inside the SDK: every event is exported, turned away or still waiting', async () => {
    const { held, ledger, emit } = pipeline(7);
    for (let round = 0; round < 20; round++) {
      emit(3 + (round % 11));
      await nextTurn();
      for (const batch of held.batches.splice(0)) {
        batch.settle({ code: round % 3 === 0 ? ExportResultCode.FAILED : ExportResultCode.SUCCESS });
      }
    }
    const offered =
      20 * 3 + [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8].reduce((a, b) => a + b, 0);
    expect(ledger.accepted + ledger.rejected).toBe(offered);
    expect(ledger.delivered + ledger.lost + ledger.queued()).toBe(ledger.accepted);
    expect(ledger.queued()).toBeLessThanOrEqual(7);
  });

  it('after a completed shutdown, counts nothing delivered as dropped and queues nothing more', async () => {
    const { held, ledger, provider, emit } = pipeline(10);
    emit(4);
    const shutdown = provider.shutdown();
    await nextTurn();
    expect(held.batches).toHaveLength(1);
    held.batches[0]!.settle({ code: ExportResultCode.SUCCESS });
    await shutdown;
    ledger.close();
    expect(ledger.delivered).toBe(4);
    expect(ledger.dropped()).toBe(0);
    emit(3);
    expect(ledger.accepted).toBe(4);
    expect(held.batches).toHaveLength(1);
  });

  it('when shutdown gives up on a hanging export, counts it as dropped and never counts down', async () => {
    const { held, ledger, emit } = pipeline(10);
    emit(10); // one full batch, handed to an exporter that never answers
    emit(6); // waiting in the queue
    await nextTurn();
    expect(held.batches).toHaveLength(1);
    ledger.close(); // the shutdown timeout passed
    expect(ledger.dropped()).toBe(16);
    held.batches[0]!.settle({ code: ExportResultCode.SUCCESS }); // the collector answers after all
    expect(ledger.dropped()).toBe(16);
  });
});

describe('failure reporting', () => {
  it('reports at most once per interval, with the running count', () => {
    let now = 0;
    const errors: Error[] = [];
    const reporter = new FailureReporter(
      (error) => errors.push(error),
      60_000,
      () => now,
    );
    for (let i = 0; i < 50; i++) {
      reporter.record('logs', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
      now += 1000;
    }
    expect(reporter.failures).toBe(50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(
      'OpenTelemetry logs export failed: connect ECONNREFUSED 127.0.0.1:4318',
    );
    expect(errors[0]!.message).toContain('1 export failure(s) so far');
    now = 60_000;
    reporter.record('metrics', new Error('Request timed out'));
    expect(errors).toHaveLength(2);
    expect(errors[1]!.message).toContain('OpenTelemetry metrics export failed: Request timed out');
    expect(errors[1]!.message).toContain('51 export failure(s) so far');
  });

  it('escapes and cuts what a hostile collector sends back, and survives a throwing callback', () => {
    const reporter = new FailureReporter(() => {
      throw new Error('logger down');
    }, 60_000);
    expect(() => reporter.record('logs', new Error(`bad\n\u001b[2J${'x'.repeat(10_000)}`))).not.toThrow();
    let message = '';
    new FailureReporter((error) => {
      message = error.message;
    }, 60_000).record('logs', new Error(`bad\n\u001b[2J${'x'.repeat(10_000)}`));
    expect(message).toContain('bad\\n\\x1b[2J');
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message.length).toBeLessThan(400);
  });
});
