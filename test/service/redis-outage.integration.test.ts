import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/processes.js';
import { redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const binary = redisServerBinary();
const BRUTE_FORCE = 'secmon_alerts_total{type="brute_force",severity="high"}';
const UNAVAILABLE = 'secmon_store_fallback_total{reason="unavailable"}';

/**
 * The fault test: Redis is killed (SIGKILL) while two services keep receiving events, then started
 * again on the same port. One service runs the default `fallback` policy, the other `fail-closed`.
 */
describe.skipIf(!binary)('secmon with Redis killed and restarted mid-run', () => {
  let redis: TestRedis;
  let fallback: RunningSecmon;
  let failClosed: RunningSecmon;

  beforeAll(async () => {
    redis = await startRedis(binary!);
    const common = {
      SECMON_REDIS_URL: redis.url,
      SECMON_BRUTE_FORCE_THRESHOLD: '5',
      SECMON_REDIS_TIMEOUT_MS: '500',
    };
    [fallback, failClosed] = await Promise.all([
      startSecmon({ ...common, SECMON_REDIS_KEY_PREFIX: 'fb:' }, 'secmon fallback'),
      startSecmon(
        { ...common, SECMON_REDIS_KEY_PREFIX: 'fc:', SECMON_REDIS_OUTAGE_POLICY: 'fail-closed' },
        'secmon fail-closed',
      ),
    ]);
  });

  afterAll(async () => {
    await Promise.all([fallback?.stop(), failClosed?.stop()]);
    await redis?.stop();
  });

  it('keeps answering every request, honours each policy, reports store_up 0 then 1 and logs each transition once', async () => {
    const services = [fallback, failClosed];
    const value = async (service: RunningSecmon, series: string) => (await service.metrics()).get(series);

    // Background traffic for the whole test: a batch to each service every 20 ms (bounded).
    const statuses: number[] = [];
    let sending = true;
    const traffic = (async () => {
      for (let round = 0; sending && round < 2000; round++) {
        const batch = [
          { type: 'failed_auth', ip: `198.51.100.${round % 200}` },
          { type: 'rate_limit_exceeded', ip: `198.51.100.${round % 200}` },
          { type: 'privileged_container', userId: 'ci-bot' },
        ];
        statuses.push(...(await Promise.all(services.map((service) => service.post(batch).catch(() => -1)))));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    try {
      await waitFor('traffic on Redis', async () => statuses.length >= 20);
      for (const service of services) {
        expect(await value(service, 'secmon_store_up')).toBe(1);
        expect(await value(service, UNAVAILABLE)).toBe(0);
      }

      await redis.kill();
      for (const service of services) {
        await waitFor('store_up to drop to 0', async () => (await value(service, 'secmon_store_up')) === 0);
        await waitFor('events decided locally', async () => ((await value(service, UNAVAILABLE)) ?? 0) > 0);
        const ready = await fetch(`${service.base}/readyz`);
        expect(ready.status).toBe(200);
        expect(((await ready.json()) as { store: { up: boolean } }).store.up).toBe(false);
      }

      // The declared policy, while Redis is away.
      const alertsBefore = await Promise.all(services.map((service) => value(service, BRUTE_FORCE)));
      for (let i = 0; i < 5; i++)
        expect(await fallback.post([{ type: 'failed_auth', ip: '203.0.113.200' }])).toBe(202);
      expect(await failClosed.post([{ type: 'failed_auth', ip: '203.0.113.201', userId: 'root' }])).toBe(202);
      const degradedAlert = (service: RunningSecmon, ip: string) =>
        service
          .logLines()
          .find(
            (line) => line.msg === 'security alert' && (line.alert as { sourceIp?: string }).sourceIp === ip,
          );
      await waitFor('a local brute_force alert under fallback', () =>
        degradedAlert(fallback, '203.0.113.200'),
      );
      await waitFor('an alert on the first failure under fail-closed', () =>
        degradedAlert(failClosed, '203.0.113.201'),
      );
      expect((degradedAlert(fallback, '203.0.113.200')!.alert as { metadata: object }).metadata).toEqual({
        count: 5,
        threshold: 5,
        windowSeconds: 300,
        suppressed: 0,
        degraded: 'fallback',
      });
      expect(
        (degradedAlert(failClosed, '203.0.113.201')!.alert as { metadata: object }).metadata,
      ).toMatchObject({
        count: 1,
        threshold: 5,
        degraded: 'fail-closed',
      });
      const alertsDuring = await Promise.all(services.map((service) => value(service, BRUTE_FORCE)));
      expect(alertsDuring[0]!).toBeGreaterThan(alertsBefore[0]!);
      expect(alertsDuring[1]!).toBeGreaterThan(alertsBefore[1]!);

      // Stay down while traffic goes on (over a second: several reconnect attempts, each failing).
      const sentWhileDown = statuses.length;
      await waitFor('traffic during the outage', async () => statuses.length >= sentWhileDown + 100);
      await redis.restart();
      for (const service of services) {
        await waitFor('store_up back to 1', async () => (await value(service, 'secmon_store_up')) === 1, {
          timeoutMs: 10_000,
        });
      }
      // Back on Redis: the fallback count stops growing while traffic goes on.
      const fallbacksAfter = await Promise.all(services.map((service) => value(service, UNAVAILABLE)));
      const sent = statuses.length;
      await waitFor('more traffic after recovery', async () => statuses.length >= sent + 20);
      expect(await Promise.all(services.map((service) => value(service, UNAVAILABLE)))).toEqual(
        fallbacksAfter,
      );
    } finally {
      sending = false;
      await traffic;
    }

    expect(statuses.length).toBeGreaterThan(60);
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    for (const service of services) {
      const lines = service.logLines().filter((line) => line.component === 'store');
      const transitions = lines.map((line) => [line.level, line.msg]);
      expect(
        transitions.filter(([, msg]) => String(msg).startsWith('shared store unavailable')),
      ).toHaveLength(1);
      expect(
        transitions.filter(([, msg]) => String(msg).startsWith('shared store available again')),
      ).toHaveLength(1);
      expect(lines.find((line) => String(line.msg).startsWith('shared store unavailable'))!.level).toBe(
        'warn',
      );
    }
  });
});
