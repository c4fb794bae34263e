// The account-takeover scenarios (every login detector, the alert lifecycle, offenders, privacy mode),
// written once and run against every store: test/core/account-takeover.test.ts (memory) and
// test/store/redis-account-takeover.test.ts (Redis). `flush()` waits until the store has decided
// everything recorded so far (immediate with the memory store).
import { describe, expect, it } from 'vitest';
import type { Alert, AnomalyMonitor, AnomalyMonitorOptions } from '../../src/index.js';

/** A monitor on a hand-driven clock, with every alert collected, on the store under test. */
export interface ScenarioMonitor {
  monitor: AnomalyMonitor;
  alerts: Alert[];
  clock: { t: number };
  advance(ms: number): void;
  /** Resolves when every event recorded so far has been decided and its alerts delivered. */
  flush(): Promise<void>;
}

export type OpenMonitor = (options?: Omit<AnomalyMonitorOptions, 'now'>, start?: number) => ScenarioMonitor;

const firing = (alerts: Alert[], type: string) =>
  alerts.filter((a) => a.type === type && a.state === 'firing');
const resolved = (alerts: Alert[], type: string) =>
  alerts.filter((a) => a.type === type && a.state === 'resolved');

/** Registers the scenarios. Call inside a test file, at collection time. */
export function accountTakeoverScenarios(open: OpenMonitor): void {
  describe('credential stuffing', () => {
    it('fires once when one client fails for the tenth distinct account inside the window, and resolves', async () => {
      const { monitor, alerts, advance, flush } = open();
      for (let i = 0; i < 9; i++) {
        monitor.recordFailedAuth('203.0.113.5', `user${i}`);
        advance(1000);
      }
      await flush();
      expect(firing(alerts, 'credential_stuffing')).toHaveLength(0);
      monitor.recordFailedAuth('203.0.113.5', 'user9'); // the tenth distinct account, at t = 9 s
      await flush();
      const [alert] = firing(alerts, 'credential_stuffing');
      expect(alert).toMatchObject({
        severity: 'high',
        sourceIp: '203.0.113.5',
        metadata: { accounts: 10, threshold: 10, windowSeconds: 300 },
      });
      // Repeating accounts already counted changes nothing; the attack goes on (one alert per crossing).
      for (let i = 0; i < 5; i++) monitor.recordFailedAuth('203.0.113.5', `user${i}`);
      await flush();
      expect(firing(alerts, 'credential_stuffing')).toHaveLength(1);
      // The oldest of the ten most recent distinct accounts (user5, failed at t = 5 s) leaves the window
      // at 305 s; the attack is over once the client stayed below for keepFiringFor (60 s), at 365 s.
      advance(296_000); // t = 305 s
      monitor.getStats();
      await flush();
      advance(59_999);
      monitor.getStats();
      await flush();
      expect(resolved(alerts, 'credential_stuffing')).toHaveLength(0);
      advance(1);
      monitor.getStats();
      await flush();
      const [end] = resolved(alerts, 'credential_stuffing');
      expect(end).toMatchObject({ id: alert!.id, sourceIp: '203.0.113.5', durationMs: 296_000 });
      expect(end!.timestamp.getTime() - alert!.startedAt.getTime()).toBe(296_000);
    });

    it('does not count the same account twice, nor accounts that left the window', async () => {
      const { monitor, alerts, advance, flush } = open();
      for (let round = 0; round < 3; round++)
        for (let i = 0; i < 9; i++) monitor.recordFailedAuth('203.0.113.5', `u${i}`);
      for (let i = 0; i < 9; i++) {
        monitor.recordFailedAuth('203.0.113.6', `v${i}`);
        advance(40_000); // 9 accounts over 360 s: never 10 inside 300 s
      }
      monitor.recordFailedAuth('203.0.113.6', 'v9');
      await flush();
      expect(firing(alerts, 'credential_stuffing')).toHaveLength(0);
    });

    it('stays quiet for an office NAT: many users mistyping a password once or twice', async () => {
      const { monitor, alerts, advance, flush } = open();
      // 60 users behind one address log in over an hour; one in six mistypes, once or twice.
      for (let user = 0; user < 60; user++) {
        if (user % 6 === 0) {
          monitor.recordFailedAuth('198.51.100.1', `employee${user}`);
          if (user % 12 === 0) monitor.recordFailedAuth('198.51.100.1', `employee${user}`);
        }
        monitor.recordSuccessfulAuth('198.51.100.1', `employee${user}`);
        advance(60_000);
      }
      await flush();
      expect(alerts).toEqual([]);
    });
  });

  describe('account brute force', () => {
    it('fires when one account fails 20 times inside the window from at least two clients', async () => {
      const { monitor, alerts, advance, flush } = open();
      for (let i = 0; i < 19; i++) {
        monitor.recordFailedAuth(`192.0.2.${i}`, 'alice'); // one failure per address: under every per-address threshold
        advance(5000);
      }
      await flush();
      expect(firing(alerts, 'account_brute_force')).toHaveLength(0);
      monitor.recordFailedAuth('192.0.2.77', 'alice');
      await flush();
      const [alert] = firing(alerts, 'account_brute_force');
      expect(alert).toMatchObject({
        severity: 'high',
        userId: 'alice',
        metadata: { count: 20, threshold: 20, minClients: 2 },
      });
      await flush();
      expect(firing(alerts, 'brute_force')).toHaveLength(0);
    });

    it('needs two distinct clients: one address alone is brute force, not a distributed attack', async () => {
      const { monitor, alerts, flush } = open({ bruteForce: { threshold: 100 } });
      for (let i = 0; i < 50; i++) monitor.recordFailedAuth('192.0.2.1', 'alice');
      await flush();
      expect(firing(alerts, 'account_brute_force')).toHaveLength(0);
      monitor.recordFailedAuth('192.0.2.2', 'alice');
      await flush();
      expect(firing(alerts, 'account_brute_force')).toHaveLength(1);
    });

    it('stays quiet for a user mistyping a password a few times from a laptop and a phone', async () => {
      const { monitor, alerts, advance, flush } = open();
      for (let i = 0; i < 4; i++) {
        monitor.recordFailedAuth(i % 2 ? '192.0.2.10' : '2001:db8:5::1', 'bob');
        advance(20_000);
      }
      monitor.recordSuccessfulAuth('192.0.2.10', 'bob');
      await flush();
      expect(alerts).toEqual([]);
    });
  });

  describe('network brute force', () => {
    it('fires when addresses rotated inside one /24 fail 30 times, each under its own threshold', async () => {
      const { monitor, alerts, flush } = open();
      for (let i = 0; i < 29; i++) monitor.recordFailedAuth(`203.0.113.${(i % 15) + 1}`); // two each
      await flush();
      expect(firing(alerts, 'network_brute_force')).toHaveLength(0);
      monitor.recordFailedAuth('203.0.113.200');
      await flush();
      const [alert] = firing(alerts, 'network_brute_force');
      expect(alert).toMatchObject({
        severity: 'high',
        metadata: { network: '203.0.113.0/24', count: 30, threshold: 30 },
      });
      await flush();
      expect(alert!.message).toContain('203.0.113.0/24');
      expect(firing(alerts, 'brute_force')).toHaveLength(0);
    });

    it('groups IPv6 clients by /48 networks', async () => {
      const { monitor, alerts, flush } = open({ bruteForce: { threshold: 5 } }); // network threshold 15
      for (let i = 0; i < 15; i++) monitor.recordFailedAuth(`2001:db8:7:${i.toString(16)}::1`);
      await flush();
      const [alert] = firing(alerts, 'network_brute_force');
      expect(alert?.metadata?.network).toBe('2001:db8:7::/48');
    });

    it('keeps networks apart and honours the configured prefix lengths', async () => {
      const { monitor, alerts, flush } = open({
        networkBruteForce: { threshold: 4, ipv4PrefixLength: 16 },
      });
      for (let i = 0; i < 4; i++) monitor.recordFailedAuth(`10.1.${i}.1`);
      for (let i = 0; i < 3; i++) monitor.recordFailedAuth(`10.2.${i}.1`);
      await flush();
      expect(firing(alerts, 'network_brute_force').map((a) => a.metadata?.network)).toEqual(['10.1.0.0/16']);
    });
  });

  describe('failed-login surge', () => {
    it('fires when the rate rises far above the learned baseline, once, and resolves when it falls back', async () => {
      const { monitor, alerts, advance, flush } = open(
        { credentialStuffing: { enabled: false }, networkBruteForce: { enabled: false } },
        1_700_000_040_000, // on a minute boundary
      );
      // An hour of ordinary traffic: 20 failures a minute from many clients.
      for (let minute = 0; minute < 60; minute++) {
        for (let i = 0; i < 20; i++) {
          monitor.recordFailedAuth(`10.${minute}.${i}.1`, `user${i}`);
          advance(3000);
        }
      }
      await flush();
      expect(alerts).toEqual([]);
      // A botnet: 400 failures a minute, every one from a new address (no per-key detector sees it).
      let n = 0;
      for (let second = 0; second < 120; second++) {
        for (let i = 0; i < 7; i++) monitor.recordFailedAuth(`172.16.${n >> 8}.${n++ & 255}`, `victim${n}`);
        advance(1000);
      }
      await flush();
      const surge = firing(alerts, 'failed_login_surge');
      await flush();
      expect(surge).toHaveLength(1);
      expect(surge[0]!.metadata?.baselinePerMinute).toBeCloseTo(20, 0);
      expect(surge[0]!.sourceIp).toBeUndefined();
      // The botnet stops: the window empties, the surge resolves without further traffic.
      advance(400_000);
      monitor.getStats();
      await flush();
      expect(resolved(alerts, 'failed_login_surge').map((a) => a.id)).toEqual([surge[0]!.id]);
    });

    it('never fires below its floor (50 a minute), nor during its warm-up', async () => {
      const { monitor, alerts, advance, flush } = open();
      for (let second = 0; second < 600; second++) {
        // 45 a minute, after a start at 0: far above a baseline of 0, but below the floor.
        if (second % 4 !== 0) monitor.recordFailedAuth(`10.0.${second >> 8}.${second & 255}`);
        advance(1000);
      }
      await flush();
      expect(firing(alerts, 'failed_login_surge')).toHaveLength(0);
    });
  });

  describe('account compromise suspected', () => {
    it('is critical when an account under a distributed attack logs in successfully', async () => {
      const { monitor, alerts, flush } = open();
      for (let i = 0; i < 20; i++) monitor.recordFailedAuth(`192.0.2.${i}`, 'carol');
      monitor.recordSuccessfulAuth('192.0.2.99', 'carol');
      await flush();
      const [alert] = firing(alerts, 'account_compromise_suspected');
      expect(alert).toMatchObject({
        severity: 'critical',
        userId: 'carol',
        sourceIp: '192.0.2.99',
        metadata: { detectors: ['account_brute_force'] },
      });
    });

    it('is raised for a login from a client that is stuffing credentials, and for a brute-forcing address', async () => {
      const { monitor, alerts, flush } = open();
      for (let i = 0; i < 10; i++) monitor.recordFailedAuth('203.0.113.9', `acct${i}`);
      monitor.recordSuccessfulAuth('203.0.113.9', 'acct42');
      for (let i = 0; i < 10; i++) monitor.recordFailedAuth('203.0.113.10');
      monitor.recordSuccessfulAuth('203.0.113.10');
      await flush();
      expect(firing(alerts, 'account_compromise_suspected').map((a) => a.metadata?.detectors)).toEqual([
        ['brute_force', 'credential_stuffing'],
        ['brute_force'],
      ]);
    });

    it('is not raised for an ordinary login, nor once the attack has left the window', async () => {
      const { monitor, alerts, advance, flush } = open();
      monitor.recordFailedAuth('192.0.2.1', 'dave');
      monitor.recordSuccessfulAuth('192.0.2.1', 'dave');
      for (let i = 0; i < 10; i++) monitor.recordFailedAuth('192.0.2.2', 'erin');
      advance(300_000);
      monitor.recordSuccessfulAuth('192.0.2.2', 'erin');
      await flush();
      expect(firing(alerts, 'account_compromise_suspected')).toHaveLength(0);
    });
  });

  describe('alert lifecycle', () => {
    it('resolves a brute-force attack when the address falls below its threshold, with the same id', async () => {
      const { monitor, alerts, advance, flush } = open({ bruteForce: { threshold: 3, windowMs: 60_000 } });
      for (let i = 0; i < 5; i++) {
        monitor.recordFailedAuth('192.0.2.50');
        advance(10_000);
      }
      // Failures at 0..40 s: the third most recent (20 s) leaves the window at 80 s; below for the
      // keep-firing time (60 s), the attack is over at 140 s, reported as ended at 80 s.
      advance(30_000); // t = 80 s
      monitor.getStats();
      await flush();
      advance(59_999);
      monitor.getStats();
      await flush();
      expect(resolved(alerts, 'brute_force')).toHaveLength(0);
      advance(1);
      monitor.getStats();
      await flush();
      const [fired] = firing(alerts, 'brute_force');
      const [ended] = resolved(alerts, 'brute_force');
      expect(ended).toMatchObject({
        id: fired!.id,
        state: 'resolved',
        durationMs: 60_000,
        sourceIp: '192.0.2.50',
      });
      await flush();
      expect(ended!.timestamp.getTime() - fired!.timestamp.getTime()).toBe(60_000);
      expect(monitor.getStats().activeAlerts.brute_force).toBe(0);
      expect(monitor.getStats().resolvedAlerts.brute_force).toBe(1);
    });

    it('fires again, with a new id, on a new crossing after a resolution', async () => {
      const { monitor, alerts, advance, flush } = open({ bruteForce: { threshold: 2, windowMs: 10_000 } });
      monitor.recordFailedAuth('192.0.2.51');
      monitor.recordFailedAuth('192.0.2.51');
      advance(80_000); // below since 10 s, for longer than the keep-firing time (60 s)
      monitor.recordFailedAuth('192.0.2.51');
      monitor.recordFailedAuth('192.0.2.51');
      await flush();
      const states = alerts.filter((a) => a.type === 'brute_force').map((a) => a.state);
      await flush();
      expect(states).toEqual(['firing', 'resolved', 'firing']);
      const ids = alerts.filter((a) => a.type === 'brute_force').map((a) => a.id);
      await flush();
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).not.toBe(ids[0]);
    });

    it('resolves one-shot attacks after a quiet period, repeated events of one attacker sharing one id', async () => {
      const { monitor, alerts, advance, flush } = open({ lifecycle: { quietPeriodMs: 60_000 } });
      monitor.recordPathTraversal('192.0.2.60', '../../etc/passwd');
      monitor.recordPathTraversal('192.0.2.61', '../x');
      advance(50_000);
      monitor.recordPathTraversal('192.0.2.60', '../../etc/shadow');
      advance(59_999); // t = 109.999 s: .61 quiet since 0 s (resolved at 60 s), .60 since 50 s
      await flush();
      expect(monitor.getStats().activeAlerts.path_traversal).toBe(1);
      advance(1);
      monitor.getStats();
      await flush();
      const pt = alerts.filter((a) => a.type === 'path_traversal');
      await flush();
      expect(pt.map((a) => [a.state, a.sourceIp, a.timestamp.getTime() - 1_700_000_000_000])).toEqual([
        ['firing', '192.0.2.60', 0],
        ['firing', '192.0.2.61', 0],
        ['firing', '192.0.2.60', 50_000],
        ['resolved', '192.0.2.61', 60_000],
        ['resolved', '192.0.2.60', 110_000],
      ]);
      await flush();
      expect(pt[0]!.id).toBe(pt[2]!.id);
      expect(pt[4]!).toMatchObject({ id: pt[0]!.id, durationMs: 110_000, metadata: { count: 2 } });
    });

    it('bounds the attacks it follows: past maxActiveAlerts the oldest is resolved early, marked', async () => {
      const { monitor, alerts, flush } = open({ lifecycle: { maxActiveAlerts: 3 } });
      for (let i = 0; i < 5; i++) monitor.recordPathTraversal(`192.0.2.${i}`, '../x');
      await flush();
      const early = resolved(alerts, 'path_traversal');
      await flush();
      expect(early.map((a) => [a.sourceIp, a.metadata?.reason])).toEqual([
        ['192.0.2.0', 'capacity'],
        ['192.0.2.1', 'capacity'],
      ]);
      await flush();
      const stats = monitor.getStats();
      await flush();
      expect(stats.activeAlerts.path_traversal).toBe(3);
      expect(stats.alertsResolvedEarly).toBe(2);
    });
  });

  describe('offenders', () => {
    it('lists the attackers active now, most severe first, then most recent', async () => {
      const { monitor, advance, flush } = open({ lifecycle: { quietPeriodMs: 60_000 } });
      for (let i = 0; i < 12; i++) monitor.recordFailedAuth('203.0.113.1', `user${i}`); // brute force + stuffing
      advance(1000);
      monitor.recordPathTraversal('203.0.113.2', '../x');
      advance(1000);
      monitor.recordCommandInjection('203.0.113.3', '; id');
      await flush();
      const list = await monitor.offenders();
      await flush();
      expect(list.map((o) => [o.key, o.kind, o.types])).toEqual([
        ['203.0.113.3', 'address', ['command_injection']],
        ['203.0.113.2', 'address', ['path_traversal']],
        ['203.0.113.1', 'address', expect.arrayContaining(['brute_force', 'credential_stuffing'])],
      ]);
      await flush();
      const first = list[2]!;
      await flush();
      expect(first.count).toBe(12);
      expect(first.firstSeen).toEqual(new Date(1_700_000_000_000));
      expect(typeof first.alertId).toBe('string');
      expect((await monitor.offenders({ limit: 1 })).map((o) => o.key)).toEqual(['203.0.113.3']);
    });

    it('lists accounts and networks, and forgets offenders whose attack resolved', async () => {
      const { monitor, advance, flush } = open();
      for (let i = 0; i < 30; i++) monitor.recordFailedAuth(`198.51.100.${i}`, 'frank');
      await flush();
      const kinds = (await monitor.offenders()).map((o) => [o.kind, o.key]);
      await flush();
      expect(kinds).toContainEqual(['account', 'frank']);
      expect(kinds).toContainEqual(['network', '198.51.100.0/24']);
      advance(361_000); // the window, then the keep-firing time
      await flush();
      expect(await monitor.offenders()).toEqual([]);
    });

    it('rejects a bad limit with a configuration error', async () => {
      const { monitor, flush } = open();
      await flush();
      expect(() => monitor.offenders({ limit: 0 })).toThrow(/limit must be an integer from 1 to 1000/);
    });
  });

  describe('privacy mode', () => {
    it('replaces every address and account name with a stable keyed pseudonym; detection is unchanged', async () => {
      const { monitor, alerts, flush } = open({ privacy: { hmacKey: 'correct horse battery staple' } });
      for (let i = 0; i < 20; i++) monitor.recordFailedAuth(`192.0.2.${i % 4}`, 'grace');
      for (let i = 0; i < 10; i++) monitor.recordFailedAuth('192.0.2.200', `acct${i}`);
      monitor.recordSuccessfulAuth('192.0.2.1', 'grace');
      monitor.recordPathTraversal('192.0.2.9', '../x', { userId: 'heidi' });
      await flush();
      const text = JSON.stringify([alerts, await monitor.offenders()]);
      for (const secret of ['192.0.2.', '198.51', 'grace', 'heidi', 'acct'])
        expect(text).not.toContain(secret);
      await flush();
      expect(new Set(alerts.map((a) => a.type))).toEqual(
        new Set([
          'account_brute_force',
          'brute_force',
          'credential_stuffing',
          'network_brute_force',
          'account_compromise_suspected',
          'path_traversal',
        ]),
      );
      await flush();
      const graceAlerts = alerts.filter(
        (a) => a.type === 'account_brute_force' || a.type === 'account_compromise_suspected',
      );
      await flush();
      expect(new Set(graceAlerts.map((a) => a.userId)).size).toBe(1);
      expect(graceAlerts[0]!.userId).toMatch(/^anon:[0-9a-f]{16}$/);
    });
  });
}
