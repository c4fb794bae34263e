import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/processes.js';
import { redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const binary = redisServerBinary();
const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');

describe('secmon serve with bad Redis settings', () => {
  it.each([
    [
      { SECMON_REDIS_URL: 'localhost:6379' },
      /SECMON_REDIS_URL \(--redis-url\) must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://localhost', SECMON_REDIS_OUTAGE_POLICY: 'ignore' },
      /SECMON_REDIS_OUTAGE_POLICY \(--redis-outage-policy\) must be one of fallback, fail-closed \(got "ignore"\)/,
    ],
  ])('exits 2 naming the setting: %j', async (env, message) => {
    const failure = await promisify(execFile)(process.execPath, [cli, 'serve'], {
      env: { ...process.env, ...env },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(message);
  });
});
const BRUTE_FORCE = 'secmon_alerts_total{type="brute_force",severity="high"}';
const PRIVILEGE = 'secmon_alerts_total{type="privilege_escalation",severity="critical"}';

describe.skipIf(!binary)('three secmon replicas sharing one Redis', () => {
  let redis: TestRedis;
  let admin: Redis;
  let replicas: RunningSecmon[] = [];

  beforeAll(async () => {
    redis = await startRedis(binary!);
    admin = new Redis(redis.url);
    replicas = await Promise.all(
      [1, 2, 3].map((n) =>
        startSecmon(
          { SECMON_REDIS_URL: redis.url, SECMON_BRUTE_FORCE_THRESHOLD: '10' },
          `secmon replica ${n}`,
        ),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    admin?.disconnect();
    await redis?.stop();
  });

  /** Sums one series over every replica's /metrics. */
  const total = async (series: string) => {
    const scrapes = await Promise.all(replicas.map((replica) => replica.metrics()));
    return scrapes.reduce((sum, metrics) => sum + (metrics.get(series) ?? 0), 0);
  };
  /** The failures Redis has recorded for an address (the script's ring fill, capped at the threshold). */
  const recorded = async (ip: string) => Number(await admin.hget(`secmon:c:${ip}`, 'f'));
  const episode = async (ip: string) => Number(await admin.hget(`secmon:c:${ip}`, 'e'));

  it('report ready with the shared store up', async () => {
    for (const replica of replicas) {
      const response = await fetch(`${replica.base}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'ready',
        store: { backend: 'redis', up: true, outagePolicy: 'fallback' },
      });
    }
  });

  it('cross the threshold at the same total as one instance, and exactly one replica alerts', async () => {
    const ip = '203.0.113.77';
    const failure = { type: 'failed_auth', ip, userId: 'admin' };
    for (let i = 0; i < 9; i++) expect(await replicas[i % 3]!.post([failure])).toBe(202);
    await waitFor('Redis to hold 9 failures', async () => (await recorded(ip)) === 9);
    expect(await total(BRUTE_FORCE)).toBe(0); // 3 per replica: no process would ever see 10

    expect(await replicas[0]!.post([failure])).toBe(202); // the 10th, cluster-wide
    await waitFor('one brute_force alert', async () => (await total(BRUTE_FORCE)) === 1);

    for (let i = 0; i < 5; i++) expect(await replicas[(i + 1) % 3]!.post([failure])).toBe(202);
    await waitFor('Redis to hold the episode', async () => (await episode(ip)) === 15);
    await waitFor(
      '5 suppressed',
      async () => (await total('secmon_alerts_suppressed_total{type="brute_force"}')) === 5,
    );
    expect(await total(BRUTE_FORCE)).toBe(1);
    // Counters stay per replica (Prometheus sums them); the monitored-IP gauge is the cluster's.
    const scrapes = await Promise.all(replicas.map((replica) => replica.metrics()));
    expect(scrapes.map((metrics) => metrics.get('secmon_failed_auth_total'))).toEqual([5, 5, 5]);
    expect(scrapes.map((metrics) => metrics.get('secmon_monitored_ips'))).toEqual([1, 1, 1]);
    const alertLines = replicas.flatMap((replica) =>
      replica.logLines().filter((line) => line.msg === 'security alert'),
    );
    expect(alertLines).toHaveLength(1);
    expect(alertLines[0]!.alert).toMatchObject({
      type: 'brute_force',
      sourceIp: ip,
      userId: 'admin',
      metadata: { count: 10, threshold: 10, windowSeconds: 300, suppressed: 0 },
    });
  });

  it('raise one alert when failures arrive at every replica at once', async () => {
    const ip = '203.0.113.78';
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => replicas[i % 3]!.post([{ type: 'failed_auth', ip }])),
    );
    expect(statuses.every((status) => status === 202)).toBe(true);
    await waitFor('Redis to hold all 30', async () => (await episode(ip)) === 30);
    await waitFor('the second alert overall', async () => (await total(BRUTE_FORCE)) === 2);
    await waitFor(
      '20 more suppressed',
      async () => (await total('secmon_alerts_suppressed_total{type="brute_force"}')) === 25,
    );
    expect(await total(BRUTE_FORCE)).toBe(2);
  });

  it('raise one credential-stuffing alert for a leaked list tried across every replica', async () => {
    const series = 'secmon_alerts_total{type="credential_stuffing",severity="high"}';
    const ip = '203.0.113.79';
    for (let i = 0; i < 9; i++) {
      expect(await replicas[i % 3]!.post([{ type: 'failed_auth', ip, userId: `leaked${i}` }])).toBe(202);
    }
    await waitFor(
      'Redis to hold 9 distinct accounts',
      async () => (await episode(ip)) === 0 && (await recorded(ip)) === 9,
    );
    expect(await total(series)).toBe(0); // 3 accounts per replica: no process would ever see 10
    const rest = Array.from({ length: 6 }, (_, i) =>
      replicas[i % 3]!.post([{ type: 'failed_auth', ip, userId: `leaked${9 + i}` }]),
    );
    expect((await Promise.all(rest)).every((status) => status === 202)).toBe(true);
    await waitFor('one credential_stuffing alert', async () => (await total(series)) === 1);
    await waitFor(
      '5 suppressed',
      async () => (await total('secmon_alerts_suppressed_total{type="credential_stuffing"}')) === 5,
    );
    expect(await total(series)).toBe(1);
  });

  it('share the privileged-container alert interval', async () => {
    for (const replica of replicas) {
      expect(await replica.post([{ type: 'privileged_container', userId: 'mallory' }])).toBe(202);
    }
    await waitFor(
      'every attempt decided',
      async () => (await total('secmon_alerts_suppressed_total{type="privilege_escalation"}')) === 2,
    );
    expect(await total(PRIVILEGE)).toBe(1);
    expect(await total('secmon_privileged_container_attempts_total')).toBe(3);
  });
});
