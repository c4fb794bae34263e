// One conformance suite for every window store. The in-memory semantics (test/core/brute-force.test.ts
// and the property test below, which compares the monitor with a naive model of the window) are the
// specification; each store runs the same behavioural cases, through the store interface and through an
// AnomalyMonitor using it, with injected time. The memory store runs the property most often: it is the
// default store, so this is also the core's model test.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALERT,
  type AnomalyMonitorOptions,
  clientKey,
  type FailureDecision,
  NO_ALERT,
  REALERT,
  SUPPRESSED,
  UNPARSEABLE,
  type WindowSettings,
  type WindowStore,
  type WindowStoreFactory,
  windowSettings,
} from '../../src/index.js';
import { monitorWithClock } from '../core/helpers.js';
import { NaiveModel } from '../support/naive-window-model.js';

const T0 = 1_700_000_000_000;

/** How a test file provides the store under test. */
export interface StoreUnderTest {
  /** A factory whose stores share no state with any store made by an earlier call. */
  factory(): WindowStoreFactory;
  /** fast-check runs of the property test (each one opens a store). */
  propertyRuns: number;
}

interface Decided {
  decision: FailureDecision;
  count: number;
  suppressed: number;
}

/** One failed login through the store interface, synchronous or not, as plain data (brute force's decision). */
async function failure(store: WindowStore, ip: string, now: number): Promise<Decided> {
  const answer = store.recordFailure(clientKey(ip, 64), undefined, now);
  if (answer instanceof Promise) {
    expect((await answer).degraded, 'a healthy store decides on the shared state').toBeUndefined();
  }
  const decided = (await answer).decisions[0]!;
  const alerted = decided.decision === ALERT || decided.decision === REALERT;
  return {
    decision: decided.decision,
    count: alerted ? decided.count : 0,
    suppressed: alerted ? decided.suppressed : 0,
  };
}

/** Runs the conformance suite against one store. Call inside a test file, at collection time. */
export function storeConformance(name: string, under: () => StoreUnderTest): void {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
  });

  function open(settings: Partial<WindowSettings> = {}): WindowStore {
    const store = under().factory()({
      ...windowSettings({ bruteForce: { threshold: 3, windowMs: 10_000 }, maxTrackedIps: 1000 }, () => T0),
      ...settings,
    });
    opened.push(store);
    return store;
  }

  function monitor(options: Omit<AnomalyMonitorOptions, 'now' | 'store'> = {}) {
    const clocked = monitorWithClock({ ...options, store: under().factory() }, T0);
    opened.push(clocked.monitor);
    return clocked;
  }

  describe(`${name} store: the store interface`, () => {
    it('decides nothing below the threshold, ALERT at the crossing, SUPPRESSED while over', async () => {
      const store = open({ threshold: 3 });
      const got: Decided[] = [];
      for (let i = 0; i < 5; i++) got.push(await failure(store, '198.51.100.4', T0 + i * 1000));
      expect(got).toEqual([
        { decision: NO_ALERT, count: 0, suppressed: 0 },
        { decision: NO_ALERT, count: 0, suppressed: 0 },
        { decision: ALERT, count: 3, suppressed: 0 },
        { decision: SUPPRESSED, count: 0, suppressed: 0 },
        { decision: SUPPRESSED, count: 0, suppressed: 0 },
      ]);
    });

    it('does not count a failure exactly windowMs old', async () => {
      const store = open({ threshold: 3, windowMs: 10_000 });
      await failure(store, '198.51.100.4', T0);
      await failure(store, '198.51.100.4', T0 + 5000);
      expect((await failure(store, '198.51.100.4', T0 + 10_000)).decision).toBe(NO_ALERT);
      expect((await failure(store, '198.51.100.4', T0 + 10_001)).decision).toBe(ALERT);
    });

    it('re-alerts once per realertIntervalMs while over, with the episode count and the suppressed count', async () => {
      const store = open({ threshold: 3, windowMs: 60_000, realertIntervalMs: 10_000 });
      const alerts: Array<[number, number, number]> = [];
      for (let i = 0; i < 25; i++) {
        const decided = await failure(store, '203.0.113.9', T0 + i * 1000);
        if (decided.decision !== NO_ALERT && decided.decision !== SUPPRESSED)
          alerts.push([i * 1000, decided.count, decided.suppressed]);
      }
      expect(alerts).toEqual([
        [2000, 3, 0],
        [12_000, 13, 9],
        [22_000, 23, 9],
      ]);
    });

    it('alerts on a new crossing after falling below the threshold, whatever the re-alert interval', async () => {
      const store = open({
        threshold: 2,
        windowMs: 10_000,
        realertIntervalMs: 1_000_000,
        keepFiringForMs: 0,
      });
      expect((await failure(store, '203.0.113.9', T0)).decision).toBe(NO_ALERT);
      expect((await failure(store, '203.0.113.9', T0)).decision).toBe(ALERT);
      expect((await failure(store, '203.0.113.9', T0 + 20_000)).decision).toBe(NO_ALERT);
      expect(await failure(store, '203.0.113.9', T0 + 21_000)).toEqual({
        decision: ALERT,
        count: 2,
        suppressed: 0,
      });
    });

    it('continues the episode when the client comes back over within keepFiringForMs of falling below', async () => {
      const store = open({
        threshold: 2,
        windowMs: 10_000,
        realertIntervalMs: 1_000_000,
        keepFiringForMs: 5000,
      });
      const ip = '203.0.113.9';
      await failure(store, ip, T0);
      expect((await failure(store, ip, T0)).decision).toBe(ALERT); // over until T0 + 10 s
      expect((await failure(store, ip, T0 + 12_000)).decision).toBe(NO_ALERT); // below since T0 + 10 s
      expect((await failure(store, ip, T0 + 14_999)).decision).toBe(SUPPRESSED); // back within 5 s: same episode
      expect((await failure(store, ip, T0 + 30_000)).decision).toBe(NO_ALERT); // below since T0 + 22 s
      expect((await failure(store, ip, T0 + 30_000)).decision).toBe(ALERT); // 5 s later: a new crossing
    });

    it('re-alerts on every failure over the threshold when realertIntervalMs is 0', async () => {
      const store = open({ threshold: 2, realertIntervalMs: 0 });
      const decisions: number[] = [];
      for (let i = 0; i < 5; i++) decisions.push((await failure(store, '203.0.113.9', T0)).decision);
      expect(decisions).toEqual([NO_ALERT, ALERT, REALERT, REALERT, REALERT]);
    });

    it('alerts on the first failure when the threshold is 1', async () => {
      const store = open({ threshold: 1 });
      expect(await failure(store, '203.0.113.9', T0)).toEqual({ decision: ALERT, count: 1, suppressed: 0 });
    });

    it('keeps IPv4 addresses, IPv6 prefixes and the unparseable key apart', async () => {
      const store = open({ threshold: 2 });
      for (const ip of ['192.0.2.1', '2001:db8:1:2::1', 'garbage']) {
        expect((await failure(store, ip, T0)).decision).toBe(NO_ALERT);
      }
      expect((await failure(store, '2001:db8:1:2:ffff::9', T0)).decision).toBe(ALERT);
      expect((await failure(store, 'more garbage', T0)).decision).toBe(ALERT);
      expect((await failure(store, '192.0.2.2', T0)).decision).toBe(NO_ALERT);
      expect(clientKey('more garbage', 64)).toBe(UNPARSEABLE);
    });

    it('lets a rate-limited client alert at most once per realertIntervalMs', async () => {
      const store = open({ realertIntervalMs: 10_000 });
      const key = clientKey('192.0.2.9', 64);
      const due: boolean[] = [];
      for (const at of [0, 5000, 9999, 10_000, 10_001, 20_000])
        due.push(await store.recordRateLimited(key, T0 + at));
      expect(due).toEqual([true, false, false, true, false, true]);
      expect(await store.recordRateLimited(clientKey('192.0.2.10', 64), T0 + 20_000)).toBe(true);
    });

    it('grants the privilege-escalation alert at most once per interval', async () => {
      const store = open({ privilegedAlertIntervalMs: 60_000 });
      const due: boolean[] = [];
      for (const at of [0, 30_000, 59_999, 60_000, 60_001])
        due.push(await store.claimPrivilegedAlert(T0 + at));
      expect(due).toEqual([true, false, false, true, false]);
      const every = open({ privilegedAlertIntervalMs: 0 });
      expect([await every.claimPrivilegedAlert(T0), await every.claimPrivilegedAlert(T0)]).toEqual([
        true,
        true,
      ]);
    });

    it('counts clients active inside the window, failed or rate limited, and drops idle ones', async () => {
      const store = open({ windowMs: 10_000 });
      await failure(store, '192.0.2.1', T0);
      await failure(store, '192.0.2.2', T0 + 4000);
      await store.recordRateLimited(clientKey('192.0.2.3', 64), T0 + 6000);
      await failure(store, '192.0.2.1', T0 + 8000);
      await store.refresh();
      expect(store.activeCount(T0 + 8000)).toBe(3);
      await failure(store, '192.0.2.9', T0 + 14_000); // 192.0.2.2 idle for the window now
      await store.refresh();
      expect(store.activeCount(T0 + 14_000)).toBe(3);
    });

    it('evicts the least recently active client past maxTrackedIps, counts it, and forgets its failures', async () => {
      const store = open({ threshold: 2, maxTrackedIps: 2 });
      await failure(store, '192.0.2.1', T0);
      await failure(store, '192.0.2.2', T0 + 1);
      await store.recordRateLimited(clientKey('192.0.2.1', 64), T0 + 2); // .1 is now the most recent
      await failure(store, '192.0.2.3', T0 + 3); // evicts .2
      expect(store.evicted).toBe(1);
      expect((await failure(store, '192.0.2.2', T0 + 4)).decision).toBe(NO_ALERT); // starts over; evicts .1
      expect(store.evicted).toBe(2);
      expect((await failure(store, '192.0.2.3', T0 + 5)).decision).toBe(ALERT); // .3 kept its failure
      await store.refresh();
      expect(store.activeCount(T0 + 5)).toBe(2);
    });

    it('reports its health', async () => {
      const store = open();
      await store.ready();
      await failure(store, '192.0.2.1', T0);
      expect(store.stats()).toMatchObject({ up: true, fallbacks: { unavailable: 0, overloaded: 0 } });
    });
  });

  describe(`${name} store: distinct counting`, () => {
    it('decides over exactly when a naive count of distinct accounts, clients and failures says so', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            accounts: fc.integer({ min: 2, max: 4 }),
            accountThreshold: fc.integer({ min: 1, max: 5 }),
            minClients: fc.integer({ min: 2, max: 3 }),
            networkThreshold: fc.integer({ min: 1, max: 6 }),
            windowMs: fc.integer({ min: 1, max: 20 }).map((n) => n * 5),
          }),
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: 5 }), // client: 192.0.2.0-2 and 198.51.100.0-2 (two networks)
              fc.integer({ min: 0, max: 5 }), // account
              fc.integer({ min: 0, max: 6 }).map((n) => n * 5),
            ),
            { maxLength: 100 },
          ),
          async (config, events) => {
            const store = open(
              windowSettings(
                {
                  bruteForce: { threshold: 1000, windowMs: config.windowMs },
                  credentialStuffing: { accounts: config.accounts },
                  accountBruteForce: { threshold: config.accountThreshold, minClients: config.minClients },
                  networkBruteForce: { threshold: config.networkThreshold, minClients: config.minClients },
                  failedLoginSurge: { enabled: false },
                },
                () => T0,
              ),
            );
            const seen: Array<{ client: number; account: number; at: number }> = [];
            let now = T0;
            for (const [client, account, dt] of events) {
              now += dt;
              seen.push({ client, account, at: now });
              const ip = `${client < 3 ? '192.0.2' : '198.51.100'}.${client % 3}`;
              const answer = store.recordFailure(clientKey(ip, 64), `user${account}`, now);
              const decisions = (answer instanceof Promise ? await answer : answer).decisions;
              const inWindow = seen.filter((event) => event.at > now - config.windowMs);
              const distinct = (values: number[]) => new Set(values).size;
              const ofClient = inWindow.filter((event) => event.client === client);
              const ofAccount = inWindow.filter((event) => event.account === account);
              const ofNetwork = inWindow.filter((event) => event.client < 3 === client < 3);
              const expected = [
                distinct(ofClient.map((event) => event.account)) >= config.accounts,
                ofAccount.length >= config.accountThreshold &&
                  distinct(ofAccount.map((event) => event.client)) >= config.minClients,
                ofNetwork.length >= config.networkThreshold &&
                  distinct(ofNetwork.map((event) => event.client)) >= config.minClients,
              ];
              const actual = [1, 2, 3].map((i) => decisions[i]!.decision !== NO_ALERT);
              expect(actual, `at ${now - T0} ms`).toEqual(expected);
            }
            await store.close();
          },
        ),
        { numRuns: under().propertyRuns },
      );
    });
  });

  describe(`${name} store: through an AnomalyMonitor`, () => {
    it('raises a brute_force alert at the threshold with the same fields and metadata', async () => {
      const { monitor: m, alerts, advance } = monitor({ bruteForce: { threshold: 3, windowMs: 10_000 } });
      m.recordFailedAuth('198.51.100.4', 'alice');
      advance(1000);
      m.recordFailedAuth('198.51.100.4:4242', 'alice');
      advance(1000);
      m.recordFailedAuth('::ffff:198.51.100.4', 'alice');
      await m.settled();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toEqual({
        id: expect.any(String),
        state: 'firing',
        timestamp: new Date(T0 + 2000),
        startedAt: new Date(T0 + 2000),
        type: 'brute_force',
        severity: 'high',
        message: '3 failed logins within 10s from 198.51.100.4',
        sourceIp: '198.51.100.4',
        userId: 'alice',
        metadata: { count: 3, threshold: 3, windowSeconds: 10, suppressed: 0 },
      });
    });

    it('alerts once per crossing, re-alerts per interval and counts what it held back', async () => {
      const {
        monitor: m,
        alerts,
        advance,
      } = monitor({
        bruteForce: { threshold: 3, windowMs: 60_000, realertIntervalMs: 10_000 },
      });
      for (let i = 0; i < 25; i++) {
        m.recordFailedAuth('203.0.113.9');
        advance(1000);
      }
      await m.settled();
      expect(
        alerts.map((a) => [a.timestamp.getTime() - T0, a.metadata?.count, a.metadata?.suppressed]),
      ).toEqual([
        [2000, 3, 0],
        [12_000, 13, 9],
        [22_000, 23, 9],
      ]);
      const stats = m.getStats();
      expect(stats.failedAuthAttempts).toBe(25);
      expect(stats.alerts.brute_force).toBe(3);
      expect(stats.suppressedByType.brute_force).toBe(20);
    });

    it('groups an IPv6 /64 and every unparseable address into one window each', async () => {
      const { monitor: m, alerts } = monitor({ bruteForce: { threshold: 3 } });
      for (const ip of [
        '2001:db8:1:2::1',
        '[2001:db8:1:2:aaaa::5]:443',
        '2001:db8:1:2:ffff:ffff:ffff:ffff',
      ]) {
        m.recordFailedAuth(ip);
      }
      for (const ip of ['not an ip', '', '999.1.1.1']) m.recordFailedAuth(ip);
      await m.settled();
      expect(alerts.map((a) => a.sourceIp)).toEqual(['2001:db8:1:2::/64', undefined]);
      expect(alerts[1]!.message).toContain('unparseable');
      expect(m.getStats().monitoredIps).toBe(2);
    });

    it('raises privilege_escalation at most once per interval, counting every attempt', async () => {
      const { monitor: m, alerts, advance } = monitor({ privilegedAlertIntervalMs: 60_000 });
      m.recordPrivilegedContainerAttempt('mallory');
      advance(30_000);
      m.recordPrivilegedContainerAttempt('mallory');
      m.recordPrivilegedContainerAttempt('eve');
      advance(30_000);
      m.recordPrivilegedContainerAttempt('eve');
      await m.settled();
      expect(alerts.map((a) => [a.type, a.userId, a.metadata?.totalAttempts])).toEqual([
        ['privilege_escalation', 'mallory', 1],
        ['privilege_escalation', 'eve', 4],
      ]);
      expect(m.getStats().suppressedByType.privilege_escalation).toBe(2);
    });

    it('raises rate_limit_exceeded at most once per client per interval', async () => {
      const { monitor: m, alerts, advance } = monitor({ bruteForce: { realertIntervalMs: 10_000 } });
      m.recordRateLimitExceeded('192.0.2.5', 'bob');
      m.recordRateLimitExceeded('192.0.2.5', 'bob');
      m.recordRateLimitExceeded('192.0.2.6');
      advance(10_000);
      m.recordRateLimitExceeded('192.0.2.5', 'bob');
      await m.settled();
      expect(alerts.map((a) => [a.sourceIp, a.metadata?.totalAttempts])).toEqual([
        ['192.0.2.5', 1],
        ['192.0.2.6', 3],
        ['192.0.2.5', 4],
      ]);
      expect(m.getStats().suppressedByType.rate_limit_exceeded).toBe(1);
    });

    it('behaves exactly like the naive model over random event sequences', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            threshold: fc.integer({ min: 1, max: 6 }),
            windowMs: fc.integer({ min: 1, max: 40 }).map((n) => n * 5),
            realertIntervalMs: fc.integer({ min: 0, max: 60 }).map((n) => n * 5),
            maxTrackedIps: fc.integer({ min: 1, max: 6 }),
            keepFiringForMs: fc.integer({ min: 0, max: 12 }).map((n) => n * 5),
          }),
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: MODEL_CLIENTS.length - 1 }),
              fc.integer({ min: 0, max: 12 }).map((n) => n * 5),
            ),
            {
              maxLength: 300,
            },
          ),
          async (config, events) => {
            const {
              monitor: m,
              alerts,
              clock,
            } = monitor({
              bruteForce: {
                threshold: config.threshold,
                windowMs: config.windowMs,
                realertIntervalMs: config.realertIntervalMs,
              },
              maxTrackedIps: config.maxTrackedIps,
              lifecycle: { keepFiringForMs: config.keepFiringForMs },
            });
            const model = new NaiveModel(
              config.threshold,
              config.windowMs,
              config.realertIntervalMs,
              config.maxTrackedIps,
              config.keepFiringForMs,
            );
            const expected: Array<{ ip: string | undefined; count: number; suppressed: number; at: number }> =
              [];
            for (const [client, dt] of events) {
              clock.t += dt;
              const [ip, key] = MODEL_CLIENTS[client]!;
              m.recordFailedAuth(ip);
              const alert = model.failure(key ?? 'unparseable', clock.t);
              if (alert) expected.push({ ip: key, ...alert, at: clock.t });
            }
            await m.settled();
            expect(
              alerts
                .filter((a) => a.type === 'brute_force' && a.state === 'firing')
                .map((a) => ({
                  ip: a.sourceIp,
                  count: a.metadata?.count,
                  suppressed: a.metadata?.suppressed,
                  at: a.timestamp.getTime(),
                })),
            ).toEqual(expected);
            const stats = m.getStats();
            expect(stats.suppressedByType.brute_force).toBe(model.suppressedTotal);
            expect(stats.evictedIps).toBe(model.evicted);
            expect(stats.monitoredIps).toBe(model.active(clock.t));
            await m.close();
          },
        ),
        { numRuns: under().propertyRuns },
      );
    });
  });
}

// The clients of the model test: [address sent, the key it must share a window under]. Every kind of
// key (IPv4, IPv4 carried in IPv6, IPv6 prefixes, the shared unparseable key) takes part in eviction.
const MODEL_CLIENTS: ReadonlyArray<readonly [string, string | undefined]> = [
  ['192.0.2.0', '192.0.2.0'],
  ['192.0.2.1', '192.0.2.1'],
  ['::ffff:192.0.2.1', '192.0.2.1'],
  ['2001:db8:0:1::1', '2001:db8:0:1::/64'],
  ['[2001:db8:0:1:ffff::9]:443', '2001:db8:0:1::/64'],
  ['2001:db8:0:2::1', '2001:db8:0:2::/64'],
  ['garbage', undefined],
  ['', undefined],
];
