// A collector that is down, or that accepts connections and never answers, must never block the
// monitor, crash the process, leak, or lose events without counting them.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnomalyMonitor } from '../../src/index.js';
import { type OtelExport, startOtelExport } from '../../src/otel.js';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';
import { freePort, startProcess, waitFor } from '../support/processes.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let otel: OtelExport | undefined;
let receiver: OtlpReceiver | undefined;

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await otel?.shutdown(500);
  otel = undefined;
  await receiver?.close();
  receiver = undefined;
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function raise(monitor: AnomalyMonitor, n: number) {
  for (let i = 0; i < n; i++)
    monitor.recordPathTraversal(`10.0.${i >> 8}.${i & 255}`, `/../../etc/passwd?${i}`);
}

describe('a dead collector', () => {
  it('refusing connections: alerts never block or throw, drops and failures are counted and reported once', async () => {
    const monitor = new AnomalyMonitor();
    const errors: Error[] = [];
    otel = startOtelExport(monitor, {
      maxQueueSize: 100,
      onError: (error) => errors.push(error),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
      },
    });
    expect(() => raise(monitor, 5000)).not.toThrow();
    expect(monitor.getStats().handlerErrors).toBe(0);
    // 100 events fit in the queue; the other 4,900 were turned away at once, without waiting.
    expect(otel.droppedEvents()).toBe(4900);

    const current = otel;
    await waitFor('the event batch and some metric exports to fail', () =>
      current.droppedEvents() === 5000 && current.exportFailures() >= 3 ? true : undefined,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^OpenTelemetry (logs|metrics) export failed: .*ECONNREFUSED/);

    await otel.shutdown(1000);
    expect(otel.droppedEvents()).toBe(5000);
    raise(monitor, 10); // after shutdown the monitor is simply no longer exported
    expect(otel.droppedEvents()).toBe(5000);
  });

  it('that never answers: shutdown resolves within its timeout and counts what never arrived', async () => {
    receiver = await startOtlpReceiver({ answer: 'never' });
    const monitor = new AnomalyMonitor();
    otel = startOtelExport(monitor, {
      maxQueueSize: 200,
      onError: () => {},
      // The exporter's own timeout (10 s by default) is far longer than the shutdown timeout below.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '10000' },
    });
    raise(monitor, 3000);
    const hanging = receiver;
    await waitFor('the first batch to reach the hanging collector', () =>
      hanging.arrived() >= 1 ? true : undefined,
    );
    expect(otel.droppedEvents()).toBe(2800);

    const started = performance.now();
    await otel.shutdown(300);
    const elapsed = performance.now() - started;
    // Bounded by the 300 ms timeout, not by the 10 s export timeout (generous margin for a busy machine).
    expect(elapsed).toBeLessThan(5000);
    expect(otel.droppedEvents()).toBe(3000);
  });

  it('leaves nothing running: a process that exported to a hanging collector exits by itself', async () => {
    receiver = await startOtlpReceiver({ answer: 'never' });
    const child = startProcess(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'export-then-exit.ts')],
      {
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_TIMEOUT: '1500',
          OTEL_METRIC_EXPORT_INTERVAL: '60000',
        },
        name: 'export-then-exit',
      },
    );
    try {
      // The hung request is abandoned after the exporter's 1.5 s timeout; then nothing holds the process.
      const code = await Promise.race([
        child.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000).unref()),
      ]);
      expect(code, child.output()).toBe(0);
      const last = child.output().trim().split('\n').at(-1)!;
      expect(JSON.parse(last)).toEqual({ enabled: true, dropped: 2000 });
      expect(receiver.arrived()).toBeGreaterThanOrEqual(1);
    } finally {
      await child.stop(1000);
    }
  });
});
