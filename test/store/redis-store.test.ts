import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT,
  type Alert,
  AnomalyMonitor,
  type AnomalyMonitorOptions,
  clientKey,
  type FailureOutcome,
  registerPrometheusMetrics,
  type WindowSettings,
  type WindowStore,
  windowSettings,
} from '../../src/index.js';
import { redisStore } from '../../src/redis.js';
import { redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const T0 = 1_700_000_000_000;
const quiet = { info() {}, warn() {} };

describe('redisStore options', () => {
  it.each([
    [{}, /store\.url must be given, or store\.client, but not both/],
    [{ url: 'http://localhost:6379' }, /store\.url must be a redis:\/\/ or rediss:\/\/ URL/],
    [
      { url: 'redis://:hunter2@localhost:6379', keyPrefix: 'has space' },
      /store\.keyPrefix must be 1 to 100 printable/,
    ],
    [
      { url: 'redis://localhost', outagePolicy: 'ignore' },
      /store\.outagePolicy must be one of fallback, fail-closed \(got "ignore"\)/,
    ],
    [{ url: 'redis://localhost', maxPending: 0 }, /store\.maxPending must be an integer from 1 to 1000000/],
    [{ url: 'redis://localhost', commandTimeoutMs: 1.5 }, /store\.commandTimeoutMs must be an integer/],
    [{ url: 'redis://localhost', keyprefix: 'x' }, /store\.keyprefix is not a known option/],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => redisStore(options as never)).toThrow(message);
  });

  it('never shows a password in an error', () => {
    let error: unknown;
    try {
      redisStore({ url: 'redis://user:hunter2@', client: {} as never });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as { code?: string }).code).toBe('SECMON_ERR_BAD_OPTION');
  });
});

const binary = redisServerBinary();

describe.skipIf(!binary)('Redis store (real redis-server)', () => {
  let server: TestRedis;
  let admin: Redis;
  let prefixes = 0;
  const toClose: Array<{ close(): Promise<void> }> = [];
  const nextPrefix = () => `rs${++prefixes}:`;

  beforeAll(async () => {
    server = await startRedis(binary!);
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.all(toClose.splice(0).map((item) => item.close()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  /** A store as one replica opens it: its own connection to the shared server. */
  function replica(keyPrefix: string, settings: Partial<WindowSettings> = {}, extra = {}): WindowStore {
    const store = redisStore({ url: server.url, keyPrefix, logger: quiet, ...extra })({
      ...windowSettings(undefined, () => T0),
      ...settings,
    });
    toClose.push(store);
    return store;
  }

  function monitorOn(keyPrefix: string, options: Omit<AnomalyMonitorOptions, 'store'> = {}, extra = {}) {
    const monitor = new AnomalyMonitor({
      ...options,
      store: redisStore({ url: server.url, keyPrefix, logger: quiet, ...extra }),
    });
    toClose.push(monitor);
    const alerts: Alert[] = [];
    monitor.onAlert((alert) => {
      alerts.push(alert);
    });
    return { monitor, alerts };
  }

  it('names every key with the prefix and gives each a TTL of the window and the keep-firing time', async () => {
    const prefix = nextPrefix();
    const store = replica(prefix, { windowMs: 120_000, privilegedAlertIntervalMs: 30_000 });
    await store.ready();
    await store.recordFailure(clientKey('192.0.2.1', 64), undefined, T0);
    await store.recordRateLimited(clientKey('2001:db8::1', 64), T0);
    await store.claimPrivilegedAlert(T0);
    const keys = (await admin.keys('*')).filter((key) => key.startsWith(prefix)).sort();
    expect(keys).toEqual([
      `${prefix}c:192.0.2.1`,
      `${prefix}c:2001:db8::/64`,
      `${prefix}lru`,
      `${prefix}n:192.0.2.0/24`,
      `${prefix}nlru`,
      `${prefix}priv`,
      `${prefix}surge`,
    ]);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      // The window and the keep-firing time (60 s by default), which a client is kept for (the
      // network detector keeps its own default window, 5 minutes); the surge's baseline lives 8
      // half-lives (8 hours by default).
      const network = key.includes(`${prefix}n`);
      const most = key.endsWith('priv')
        ? 30_000
        : key.endsWith('surge')
          ? 8 * 3_600_000
          : network
            ? 360_000
            : 180_000;
      expect(ttl, key).toBeLessThanOrEqual(most);
    }
  });

  it('keeps one hash per address bounded by the threshold, however fast it attacks', async () => {
    const prefix = nextPrefix();
    const store = replica(prefix, { threshold: 10 });
    await store.ready();
    const key = clientKey('192.0.2.7', 64);
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.recordFailure(key, undefined, T0 + i)));
    expect(await admin.hlen(`${prefix}c:192.0.2.7`)).toBeLessThanOrEqual(10 + 8);
    expect(await admin.hlen(`${prefix}c:192.0.2.7`)).toBeGreaterThanOrEqual(10);
  });

  it('caps the tracked addresses at maxTrackedIps under IP spraying, evicting the least recently active', async () => {
    const prefix = nextPrefix();
    const store = replica(prefix, { maxTrackedIps: 50 });
    await store.ready();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.recordFailure(clientKey(`10.0.${i >> 8}.${i & 255}`, 64), undefined, T0 + i),
      ),
    );
    expect(await admin.zcard(`${prefix}lru`)).toBe(50);
    const clientKeys = (await admin.keys(`${prefix}c:*`)).sort();
    expect(clientKeys).toHaveLength(50);
    expect(clientKeys).toContain(`${prefix}c:10.0.0.199`);
    expect(clientKeys).not.toContain(`${prefix}c:10.0.0.0`);
    expect(store.evicted).toBe(150);
  });

  it('caps tracked accounts and networks cluster-wide under spraying, evicting the least recently active', async () => {
    const prefix = nextPrefix();
    const [a, b] = [
      replica(prefix, { maxTrackedAccounts: 50, threshold: 1000 }),
      replica(prefix, { maxTrackedAccounts: 50, threshold: 1000 }),
    ];
    await Promise.all([a.ready(), b.ready()]);
    // 200 accounts from 200 addresses in 200 /24s, alternating replicas; then one hot account.
    for (let i = 0; i < 200; i++) {
      const store = i % 2 ? a : b;
      await store.recordFailure(clientKey(`10.${i}.0.1`, 64), `sprayed${i}`, T0 + i);
    }
    expect(await admin.zcard(`${prefix}alru`)).toBe(50);
    expect(await admin.keys(`${prefix}a:*`)).toHaveLength(50);
    expect(a.evictedAccounts + b.evictedAccounts).toBe(150);
    // networks: default cap 25,000, all 200 kept; stuffing: one per address.
    expect(await admin.zcard(`${prefix}nlru`)).toBe(200);
    expect(a.evictedNetworks + b.evictedNetworks).toBe(0);
    const hot = clientKey('10.250.0.1', 64);
    await Promise.all(Array.from({ length: 500 }, (_, i) => a.recordFailure(hot, 'hot', T0 + 1000 + i)));
    // Bounded by its thresholds (20 failure times, 2 addresses), however fast it is attacked.
    const sizes = await Promise.all((await admin.keys(`${prefix}a:*`)).map((name) => admin.strlen(name)));
    expect(sizes).toHaveLength(50); // the hot account evicted the least recently active one
    expect(Math.max(...sizes)).toBeLessThan(200);
    await b.refresh();
    expect(b.activeAccounts(T0 + 1500)).toBe(50);
  });

  it('lets exactly one of several replicas raise the alert of a crossing, however the failures interleave', async () => {
    const prefix = nextPrefix();
    const replicas = [replica(prefix), replica(prefix), replica(prefix)];
    await Promise.all(replicas.map((store) => store.ready()));
    const key = clientKey('203.0.113.50', 64);
    // 30 failures fired at once, round-robin: the scripts serialise them on the server.
    const outcomes = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) => replicas[i % 3]!.recordFailure(key, undefined, T0 + i) as Promise<FailureOutcome>,
      ),
    );
    const alerts = outcomes.filter((outcome) => outcome.decisions[0]!.decision === ALERT);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.decisions[0]).toMatchObject({ count: 10, suppressed: 0 });
    expect(outcomes.filter((outcome) => outcome.decisions[0]!.decision === 2)).toHaveLength(20);
  });

  it('shares the privilege-escalation interval, rate-limit intervals and the monitored-IP count', async () => {
    const prefix = nextPrefix();
    const [a, b] = [replica(prefix), replica(prefix)];
    await Promise.all([a.ready(), b.ready()]);
    expect(await Promise.all([a.claimPrivilegedAlert(T0), b.claimPrivilegedAlert(T0 + 1)])).toEqual([
      true,
      false,
    ]);
    const key = clientKey('192.0.2.80', 64);
    expect([await b.recordRateLimited(key, T0), await a.recordRateLimited(key, T0 + 1)]).toEqual([
      true,
      false,
    ]);
    await a.recordFailure(clientKey('192.0.2.81', 64), undefined, T0 + 2);
    await a.recordFailure(clientKey('192.0.2.82', 64), undefined, T0 + 3);
    await b.refresh();
    expect(b.activeCount(T0 + 3)).toBe(3);
    expect(a.stats()).toMatchObject({ backend: 'redis', shared: true, up: true });
  });

  it('keeps deployments with different prefixes apart on one Redis', async () => {
    const [blue, green] = [replica(nextPrefix(), { threshold: 2 }), replica(nextPrefix(), { threshold: 2 })];
    await Promise.all([blue.ready(), green.ready()]);
    const key = clientKey('192.0.2.90', 64);
    await blue.recordFailure(key, undefined, T0);
    expect(((await green.recordFailure(key, undefined, T0)) as FailureOutcome).decisions[0]!.decision).toBe(
      0,
    );
    expect(((await blue.recordFailure(key, undefined, T0)) as FailureOutcome).decisions[0]!.decision).toBe(
      ALERT,
    );
  });

  it('absorbs clock differences between replicas: a late clock does not make an address look idle', async () => {
    const prefix = nextPrefix();
    const settings = { threshold: 3, windowMs: 100, realertIntervalMs: 100 };
    const [ahead, behind] = [replica(prefix, settings), replica(prefix, settings)];
    await Promise.all([ahead.ready(), behind.ready()]);
    const key = clientKey('192.0.2.91', 64);
    const decide = async (store: WindowStore, now: number) =>
      ((await store.recordFailure(key, undefined, now)) as FailureOutcome).decisions[0]!.decision;
    // Three failures within a few ms of real time; the second replica's clock is 95 ms late. Taken
    // at face value, its time would make the address look idle for the window at the third failure.
    expect(await decide(ahead, T0 + 100)).toBe(0);
    expect(await decide(behind, T0 + 5)).toBe(0);
    expect(await decide(ahead, T0 + 106)).toBe(ALERT);
  });

  it('honours the keyPrefix of a client the caller owns, and leaves that client open', async () => {
    const client = new Redis(server.url, {
      keyPrefix: 'app:',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const prefix = nextPrefix();
    const store = redisStore({ client, keyPrefix: prefix, logger: quiet })(
      windowSettings({ bruteForce: { threshold: 2 }, maxTrackedIps: 1 }, () => T0),
    );
    await store.recordFailure(clientKey('192.0.2.1', 64), undefined, T0);
    await store.recordFailure(clientKey('192.0.2.2', 64), undefined, T0 + 1); // evicts .1: the script deletes app:<prefix>c:192.0.2.1
    expect((await admin.keys(`app:${prefix}*`)).sort()).toEqual([
      `app:${prefix}c:192.0.2.2`,
      `app:${prefix}lru`,
      `app:${prefix}n:192.0.2.0/24`,
      `app:${prefix}nlru`,
      `app:${prefix}surge`,
    ]);
    await store.close();
    expect(client.status).toBe('ready');
    client.disconnect();
  });

  it('bounds operations in flight: past maxPending, events are decided locally and counted', async () => {
    const { monitor, alerts } = monitorOn(nextPrefix(), { bruteForce: { threshold: 5 } }, { maxPending: 4 });
    await monitor.ready();
    for (let i = 0; i < 50; i++) monitor.recordFailedAuth('198.51.100.20');
    await monitor.settled();
    const stats = monitor.getStats();
    expect(stats.store.fallbacks).toEqual({ unavailable: 0, overloaded: 46 });
    expect(stats.store.up).toBe(true);
    // Four went to Redis (below its threshold of 5); 46 were counted here and crossed locally.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.metadata).toMatchObject({ count: 5, degraded: 'fallback' });
    expect(alerts[0]!.message).toMatch(/\(decided without the shared store: fallback\)$/);
    expect(stats.suppressedByType.brute_force).toBe(41);
  });

  it('exposes the cluster-wide monitored-IP and account counts and the store health on /metrics, saying so in HELP', async () => {
    const prefix = nextPrefix();
    const [a, b] = [monitorOn(prefix), monitorOn(prefix)];
    await Promise.all([a.monitor.ready(), b.monitor.ready()]);
    a.monitor.recordFailedAuth('192.0.2.100', 'kim');
    b.monitor.recordFailedAuth('192.0.2.101', 'lee');
    b.monitor.recordRateLimitExceeded('192.0.2.102');
    await Promise.all([a.monitor.settled(), b.monitor.settled()]);
    await a.monitor.settled(); // a refresh after b's events have surely landed
    const text = await registerPrometheusMetrics(a.monitor).metrics();
    expect(text).toMatch(/^# HELP secmon_monitored_ips .*cluster-wide/m);
    expect(text).toMatch(/^secmon_monitored_ips 3$/m);
    expect(text).toMatch(/^# HELP secmon_monitored_accounts .*cluster-wide/m);
    expect(text).toMatch(/^secmon_monitored_accounts 2$/m);
    expect(text).toMatch(/^secmon_failed_auth_total 1$/m); // counters stay per replica
    expect(text).toMatch(/^secmon_store_up 1$/m);
    expect(text).toMatch(/^secmon_store_fallback_total\{reason="unavailable"\} 0$/m);
  });

  describe('trace context', () => {
    const contextManager = new AsyncLocalStorageContextManager();
    beforeAll(() => {
      context.setGlobalContextManager(contextManager.enable());
    });
    afterAll(() => {
      context.disable();
    });

    it('raises alerts when Redis answers, in the context of the caller: exemplars carry its trace', async () => {
      const { monitor, alerts } = monitorOn(nextPrefix(), { bruteForce: { threshold: 2 } });
      await monitor.ready();
      const registry = new Registry();
      registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
      registerPrometheusMetrics(monitor, { registry });
      const tracer = new BasicTracerProvider().getTracer('test');
      const span = tracer.startSpan('POST /login');
      const seenInHandler: Array<string | undefined> = [];
      monitor.onAlert(() => {
        seenInHandler.push(trace.getActiveSpan()?.spanContext().traceId);
      });
      context.with(trace.setSpan(context.active(), span), () => {
        monitor.recordFailedAuth('192.0.2.60');
        monitor.recordFailedAuth('192.0.2.60');
      });
      span.end();
      expect(alerts).toHaveLength(0); // not yet: Redis has not answered
      await monitor.settled();
      expect(alerts).toHaveLength(1);
      const { traceId, spanId } = span.spanContext();
      expect(seenInHandler).toEqual([traceId]);
      expect(await registry.metrics()).toMatch(
        new RegExp(
          `^secmon_alerts_total\\{type="brute_force",severity="high"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} 1 \\d+(\\.\\d+)?$`,
          'm',
        ),
      );
    });
  });
});
