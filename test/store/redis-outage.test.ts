import { afterAll, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor } from '../../src/index.js';
import { type OutagePolicy, redisStore } from '../../src/redis.js';
import { freePort, waitFor } from '../support/processes.js';
import { redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const binary = redisServerBinary();

function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn'; message: string; details: object }> = [];
  return {
    lines,
    logger: {
      info: (details: object, message: string) => lines.push({ level: 'info', message, details }),
      warn: (details: object, message: string) => lines.push({ level: 'warn', message, details }),
    },
    count: (pattern: RegExp) => lines.filter((line) => pattern.test(line.message)).length,
  };
}

function monitorFor(url: string, outagePolicy: OutagePolicy, threshold = 3) {
  const log = recordingLogger();
  const monitor = new AnomalyMonitor({
    bruteForce: { threshold },
    store: redisStore({ url, outagePolicy, logger: log.logger, connectWaitMs: 500, commandTimeoutMs: 500 }),
  });
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  return { monitor, alerts, log };
}

describe.skipIf(!binary)('Redis store outages (real redis-server, killed and restarted)', () => {
  const servers: TestRedis[] = [];
  const monitors: AnomalyMonitor[] = [];
  afterAll(async () => {
    await Promise.all(monitors.map((monitor) => monitor.close()));
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('starts without Redis under its policy, then switches to Redis when it appears', async () => {
    const port = await freePort();
    const { monitor, alerts, log } = monitorFor(`redis://127.0.0.1:${port}`, 'fallback');
    monitors.push(monitor);
    const started = Date.now();
    await monitor.ready();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(monitor.getStats().store.up).toBe(false);
    expect(log.count(/unavailable/)).toBe(1);
    for (let i = 0; i < 3; i++) monitor.recordFailedAuth('192.0.2.1');
    await monitor.settled();
    expect(alerts.map((a) => a.metadata)).toEqual([
      { count: 3, threshold: 3, windowSeconds: 300, suppressed: 0, degraded: 'fallback' },
    ]);
    expect(monitor.getStats().store.fallbacks.unavailable).toBe(3);
    expect(monitor.getStats().monitoredIps).toBe(1); // the local count while Redis is away

    servers.push(await startRedis(binary!, port));
    await waitFor('the store to connect', () => monitor.getStats().store.up, { timeoutMs: 10_000 });
    expect(log.count(/available again/)).toBe(1);
    for (let i = 0; i < 3; i++) monitor.recordFailedAuth('192.0.2.2');
    await monitor.settled();
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.metadata).toEqual({ count: 3, threshold: 3, windowSeconds: 300, suppressed: 0 });
    expect(monitor.getStats().store.fallbacks.unavailable).toBe(3);
  });

  it('decides the account-takeover detectors locally too while Redis is away, saying so', async () => {
    const port = await freePort();
    const fallback = monitorFor(`redis://127.0.0.1:${port}`, 'fallback');
    const failClosed = monitorFor(`redis://127.0.0.1:${port}`, 'fail-closed', 10);
    monitors.push(fallback.monitor, failClosed.monitor);
    await Promise.all([fallback.monitor.ready(), failClosed.monitor.ready()]);
    for (const { monitor } of [fallback, failClosed]) {
      for (let i = 0; i < 10; i++) monitor.recordFailedAuth('203.0.113.20', `user${i}`);
      for (let i = 0; i < 20; i++) monitor.recordFailedAuth(`198.51.100.${i}`, 'judy');
      monitor.recordSuccessfulAuth('192.0.2.30', 'judy');
      await monitor.settled();
    }
    const decided = (alerts: Alert[], type: string) =>
      alerts.filter((a) => a.type === type).map((a) => a.metadata?.degraded);
    // Both policies count the detectors' usual thresholds here (fail-closed lowers brute force's only).
    for (const [{ alerts }, policy] of [
      [fallback, 'fallback'],
      [failClosed, 'fail-closed'],
    ] as const) {
      expect(decided(alerts, 'credential_stuffing'), policy).toEqual([policy]);
      expect(decided(alerts, 'account_brute_force'), policy).toEqual([policy]);
      expect(
        alerts.filter((a) => a.type === 'account_compromise_suspected'),
        policy,
      ).toHaveLength(1);
    }
    expect(decided(fallback.alerts, 'brute_force')).toEqual(['fallback']); // .20's 10 failures, threshold 3
    expect(fallback.monitor.getStats().store.fallbacks.unavailable).toBe(30);
  });

  it('honours each policy while Redis is killed, logs each transition once and recovers by itself', async () => {
    const server = await startRedis(binary!);
    servers.push(server);
    const fallback = monitorFor(server.url, 'fallback');
    const failClosed = monitorFor(server.url, 'fail-closed', 10);
    monitors.push(fallback.monitor, failClosed.monitor);
    await Promise.all([fallback.monitor.ready(), failClosed.monitor.ready()]);
    expect(fallback.monitor.getStats().store.up).toBe(true);

    // In flight when Redis dies: every event is still decided, none throws.
    for (let i = 0; i < 200; i++) fallback.monitor.recordFailedAuth(`10.1.0.${i % 50}`);
    await server.kill();
    await fallback.monitor.settled();
    await waitFor('both stores to notice', () =>
      [fallback, failClosed].every(({ monitor }) => !monitor.getStats().store.up),
    );
    // Redis stays away long enough for several reconnect attempts: still one log line each.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const { log } of [fallback, failClosed]) {
      expect(log.count(/shared store unavailable/)).toBe(1);
    }
    expect(failClosed.log.lines.find((line) => line.level === 'warn')!.message).toMatch(/fail-closed/);

    // fallback: counts here with the usual threshold.
    for (let i = 0; i < 3; i++) fallback.monitor.recordFailedAuth('203.0.113.1');
    // fail-closed: one failure is enough.
    failClosed.monitor.recordFailedAuth('203.0.113.2', 'root');
    failClosed.monitor.recordFailedAuth('203.0.113.2', 'root');
    await Promise.all([fallback.monitor.settled(), failClosed.monitor.settled()]);
    expect(
      fallback.alerts.filter((a) => a.sourceIp === '203.0.113.1').map((a) => a.metadata?.degraded),
    ).toEqual(['fallback']);
    expect(failClosed.alerts.map((a) => [a.sourceIp, a.metadata])).toEqual([
      [
        '203.0.113.2',
        { count: 1, threshold: 10, windowSeconds: 300, suppressed: 0, degraded: 'fail-closed' },
      ],
    ]);
    expect(failClosed.monitor.getStats().suppressedByType.brute_force).toBe(1);
    const downFallbacks = fallback.monitor.getStats().store.fallbacks.unavailable;
    expect(downFallbacks).toBeGreaterThanOrEqual(3);

    await server.restart();
    await waitFor(
      'both stores to reconnect',
      () => [fallback, failClosed].every(({ monitor }) => monitor.getStats().store.up),
      { timeoutMs: 10_000 },
    );
    for (const { log } of [fallback, failClosed]) {
      expect(log.count(/available again/)).toBe(1);
      expect(log.count(/shared store unavailable/)).toBe(1);
    }
    // Back on Redis (restarted empty: the scripts are loaded again by themselves).
    for (let i = 0; i < 10; i++) failClosed.monitor.recordFailedAuth('203.0.113.3');
    await failClosed.monitor.settled();
    expect(failClosed.alerts.at(-1)!.metadata).toEqual({
      count: 10,
      threshold: 10,
      windowSeconds: 300,
      suppressed: 0,
    });
    expect(failClosed.alerts).toHaveLength(2);
    fallback.monitor.recordFailedAuth('203.0.113.4');
    await fallback.monitor.settled();
    expect(fallback.monitor.getStats().store.fallbacks.unavailable).toBe(downFallbacks);
  });
});
