// Three AnomalyMonitor replicas, each with its own connection to one real redis-server and one key
// prefix, events spread round-robin over them and fired without waiting: every account-takeover
// detector crosses at the cluster's total (no replica alone ever would), and exactly one replica
// raises each crossing's alert.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, type AnomalyMonitorOptions } from '../../src/index.js';
import { redisStore } from '../../src/redis.js';
import { redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const binary = redisServerBinary();
const T0 = 1_700_000_040_000; // on a minute boundary

describe.skipIf(!binary)('account-takeover detectors over three replicas sharing one Redis', () => {
  let server: TestRedis;
  let prefixes = 0;
  const opened: AnomalyMonitor[] = [];

  beforeAll(async () => {
    server = await startRedis(binary!);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((monitor) => monitor.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Three replicas on one clock; `alerts[i]` are replica i's. */
  async function cluster(options: Omit<AnomalyMonitorOptions, 'now' | 'store'> = {}) {
    const clock = { t: T0 };
    const keyPrefix = `replicas:${++prefixes}:`;
    const replicas = [0, 1, 2].map(() => {
      const monitor = new AnomalyMonitor({
        ...options,
        now: () => clock.t,
        store: redisStore({
          url: server.url,
          keyPrefix,
          minKeyTtlMs: 600_000,
          logger: { info() {}, warn() {} },
        }),
      });
      opened.push(monitor);
      const alerts: Alert[] = [];
      monitor.onAlert((alert) => {
        alerts.push(alert);
      });
      return { monitor, alerts };
    });
    await Promise.all(replicas.map(({ monitor }) => monitor.ready()));
    let next = 0;
    return {
      clock,
      /** The next replica, round-robin. */
      next: () => replicas[next++ % 3]!.monitor,
      settled: () => Promise.all(replicas.map(({ monitor }) => monitor.settled())),
      /** Firing alerts of a type, per replica. */
      firing: (type: string) =>
        replicas.map(({ alerts }) => alerts.filter((a) => a.type === type && a.state === 'firing')),
      suppressed: (type: string) =>
        replicas.reduce(
          (sum, { monitor }) => sum + monitor.getStats().suppressedByType[type as 'brute_force'],
          0,
        ),
    };
  }

  it('credential stuffing: one alert when the accounts of one client, spread over the replicas, reach 10', async () => {
    const c = await cluster();
    for (let i = 0; i < 9; i++) c.next().recordFailedAuth('203.0.113.5', `user${i}`);
    await c.settled();
    expect(c.firing('credential_stuffing').flat()).toHaveLength(0); // at most 3 accounts per replica
    for (let i = 9; i < 30; i++) c.next().recordFailedAuth('203.0.113.5', `user${i}`);
    await c.settled();
    const perReplica = c.firing('credential_stuffing');
    expect(perReplica.flat()).toHaveLength(1);
    expect(perReplica[0]).toHaveLength(1); // the 10th failure went to replica 0 (9 % 3)
    expect(perReplica[0]![0]!.metadata).toMatchObject({ accounts: 10, threshold: 10 });
    expect(c.suppressed('credential_stuffing')).toBe(20);
  });

  it('account brute force: one alert for 20 failures of one account from 20 addresses on three replicas', async () => {
    const c = await cluster();
    for (let i = 0; i < 40; i++) c.next().recordFailedAuth(`192.0.2.${i}`, 'alice');
    await c.settled();
    const alerts = c.firing('account_brute_force').flat();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      userId: 'alice',
      metadata: { count: 20, threshold: 20, minClients: 2 },
    });
    expect(c.suppressed('account_brute_force')).toBe(20);
    expect(c.firing('brute_force').flat()).toHaveLength(0);
  });

  it('network brute force: one alert for 30 failures rotated inside a /24, and one again after it ended', async () => {
    const c = await cluster();
    for (let i = 0; i < 45; i++) c.next().recordFailedAuth(`198.51.100.${i % 15}`);
    await c.settled();
    expect(
      c
        .firing('network_brute_force')
        .flat()
        .map((a) => a.metadata?.network),
    ).toEqual(['198.51.100.0/24']);
    expect(c.suppressed('network_brute_force')).toBe(15);
    c.clock.t += 400_000; // past the window and the keep-firing time: the attack is over
    for (let i = 0; i < 30; i++) c.next().recordFailedAuth(`198.51.100.${100 + (i % 15)}`);
    await c.settled();
    const alerts = c.firing('network_brute_force').flat();
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.id).not.toBe(alerts[0]!.id);
  });

  it('failed-login surge: one alert when the cluster-wide rate rises, though no replica alone reaches the floor', async () => {
    const options = {
      credentialStuffing: { enabled: false },
      networkBruteForce: { enabled: false },
      failedLoginSurge: { minPerMinute: 100 },
    };
    const c = await cluster(options);
    // One process that sees every failure, with the memory store: what the cluster must decide.
    const reference = new AnomalyMonitor({ ...options, now: () => c.clock.t });
    const expected: Alert[] = [];
    reference.onAlert((alert) => {
      if (alert.type === 'failed_login_surge') expected.push(alert);
    });
    const fail = (ip: string, user: string) => {
      c.next().recordFailedAuth(ip, user);
      reference.recordFailedAuth(ip, user);
    };
    // An hour of 20 failures a minute, then 240 a minute for two minutes: 80 a minute per replica,
    // under the floor of 100 that each would apply alone. Each moment is settled before the next: the
    // replicas' connections are independent, and a failure that reached Redis after a later one
    // would count in the later one's 10-second bin (as with replicas whose clocks disagree).
    for (let minute = 0; minute < 60; minute++) {
      for (let i = 0; i < 20; i++) {
        fail(`10.${minute}.${i}.1`, `user${i}`);
        c.clock.t += 3000;
        await c.settled();
      }
    }
    let n = 0;
    for (let second = 0; second < 120; second++) {
      for (let i = 0; i < 4; i++) fail(`172.16.${n >> 8}.${n++ & 255}`, `victim${n}`);
      c.clock.t += 1000;
      await c.settled();
    }
    await c.settled();
    const alerts = c.firing('failed_login_surge').flat();
    expect(alerts).toHaveLength(1);
    expect(expected).toHaveLength(1);
    expect([alerts[0]!.timestamp, alerts[0]!.metadata]).toEqual([
      expected[0]!.timestamp,
      expected[0]!.metadata,
    ]);
    // The baseline learned the first burst minutes too, before the rate window held enough to fire.
    expect(alerts[0]!.metadata?.baselinePerMinute).toBeGreaterThan(20);
    await reference.close();
  });

  it('account compromise: a successful login on one replica after an attack recorded by the others', async () => {
    const c = await cluster();
    const [a, b, d] = [c.next(), c.next(), c.next()];
    for (let i = 0; i < 20; i++) (i % 2 ? a : b).recordFailedAuth(`192.0.2.${i}`, 'carol');
    await c.settled();
    d.recordSuccessfulAuth('192.0.2.99', 'carol');
    await c.settled();
    const alerts = c.firing('account_compromise_suspected');
    expect(alerts.map((list) => list.length)).toEqual([0, 0, 1]);
    expect(alerts[2]![0]!.metadata).toEqual({ detectors: ['account_brute_force'] });
  });
});
