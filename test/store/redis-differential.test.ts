// The Redis store against the memory store, event by event: the same random failed logins, successful
// logins, clock advances and questions go to both, and every answer must be the same, for every login
// detector (brute force, credential stuffing, account and network brute force, the surge), including
// the caps' evictions. The memory store is the specification (its own tests compare it with naive
// models); this proves the Lua port decides exactly as it does.
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT,
  type AnomalyMonitorOptions,
  clientKey,
  type FailureOutcome,
  LOGIN_DETECTORS,
  memoryStore,
  REALERT,
  SUPPRESSED,
  type WindowStore,
  windowSettings,
} from '../../src/index.js';
import { redisStore } from '../../src/redis.js';
import { connectedClient, redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const T0 = 1_700_000_000_000;
const binary = redisServerBinary();

// Two IPv4 /24s (three addresses each), two IPv6 /64s in one /48, an address of another /48, and the
// unparseable key: every kind of client and network takes part.
const CLIENTS = [
  '192.0.2.1',
  '192.0.2.2',
  '192.0.2.3',
  '198.51.100.1',
  '198.51.100.2',
  '::ffff:198.51.100.3',
  '2001:db8:1:1::1',
  '2001:db8:1:2::1',
  '2001:db8:2:1::1',
  'garbage',
];
const ACCOUNTS = [undefined, 'alice', 'bob', 'carol', 'dave', 'erin'];

type Step =
  | { kind: 'failure'; client: number; account: number; dt: number }
  | { kind: 'success'; client: number; account: number; dt: number }
  | { kind: 'query'; client: number; account: number; detector: number; dt: number };

/** What a failure decided, as plain data, keeping only the fields the decision defines. */
function decided(outcome: FailureOutcome) {
  return outcome.decisions.map((d, i) => {
    if (d.decision === ALERT || d.decision === REALERT) {
      return {
        decision: d.decision,
        count: d.count,
        suppressed: d.suppressed,
        overUntil: d.overUntil,
        ...(i === 4 ? { baseline: outcome.surgeBaseline } : {}),
      };
    }
    if (d.decision === SUPPRESSED) {
      // The surge does not move its end on a suppressed failure (the memory store leaves it stale).
      return i === 4
        ? { decision: d.decision, count: d.count }
        : { decision: d.decision, count: d.count, overUntil: d.overUntil };
    }
    return { decision: d.decision };
  });
}

async function run(store: WindowStore, step: Step, now: number): Promise<unknown> {
  const key = clientKey(CLIENTS[step.client], 64);
  const account = ACCOUNTS[step.account];
  if (step.kind === 'failure') return decided(await store.recordFailure(key, account, now));
  if (step.kind === 'success') return store.recordSuccess(key, account, now);
  const detector = LOGIN_DETECTORS[step.detector]!;
  const subject = { key, account };
  return [await store.overUntil(detector, subject, now), await store.activity(detector, subject, now)];
}

const steps = (maxDt: fc.Arbitrary<number>) =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('failure' as const),
          client: fc.nat(CLIENTS.length - 1),
          account: fc.nat(ACCOUNTS.length - 1),
          dt: maxDt,
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('success' as const),
          client: fc.nat(CLIENTS.length - 1),
          account: fc.nat(ACCOUNTS.length - 1),
          dt: maxDt,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('query' as const),
          client: fc.nat(CLIENTS.length - 1),
          account: fc.nat(ACCOUNTS.length - 1),
          detector: fc.nat(LOGIN_DETECTORS.length - 1),
          dt: maxDt,
        }),
      },
    ),
    { minLength: 10, maxLength: 150, size: 'max' },
  );

describe.skipIf(!binary)('Redis store = memory store, event by event (real redis-server)', () => {
  let server: TestRedis;
  let client: Redis;
  let stores = 0;

  beforeAll(async () => {
    server = await startRedis(binary!);
    client = await connectedClient(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  async function compare(options: AnomalyMonitorOptions, sequence: Step[]) {
    const settings = windowSettings(options, () => T0);
    const memory = memoryStore()(settings);
    const redis = redisStore({
      client,
      keyPrefix: `diff:${++stores}:`,
      minKeyTtlMs: 600_000,
      logger: { info() {}, warn() {} },
    })(settings);
    try {
      let now = T0;
      for (const [i, step] of sequence.entries()) {
        now += step.dt;
        const expected = await run(memory, step, now);
        const actual = await run(redis, step, now);
        expect(actual, `step ${i} at +${now - T0} ms: ${JSON.stringify(step)}`).toEqual(expected);
      }
      expect([redis.evicted, redis.evictedAccounts, redis.evictedNetworks]).toEqual([
        memory.evicted,
        memory.evictedAccounts,
        memory.evictedNetworks,
      ]);
      await redis.refresh();
      expect([redis.activeCount(now), redis.activeAccounts(now)]).toEqual([
        memory.activeCount(now),
        memory.activeAccounts(now),
      ]);
      expect(redis.stats().fallbacks).toEqual({ unavailable: 0, overloaded: 0 });
    } finally {
      await redis.close();
    }
  }

  it('decides every threshold detector as the memory store does, caps and evictions included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          threshold: fc.integer({ min: 1, max: 5 }),
          windowMs: fc.integer({ min: 1, max: 20 }).map((n) => n * 5),
          realertIntervalMs: fc.integer({ min: 0, max: 12 }).map((n) => n * 5),
          keepFiringForMs: fc.integer({ min: 0, max: 12 }).map((n) => n * 5),
          maxTrackedIps: fc.integer({ min: 1, max: 8 }),
          maxTrackedAccounts: fc.integer({ min: 1, max: 5 }),
          accounts: fc.integer({ min: 2, max: 4 }),
          accountThreshold: fc.integer({ min: 1, max: 6 }),
          accountClients: fc.integer({ min: 2, max: 3 }),
          networkThreshold: fc.integer({ min: 1, max: 8 }),
          networkClients: fc.integer({ min: 2, max: 3 }),
          networkCap: fc.integer({ min: 1, max: 4 }),
          otherWindowMs: fc.integer({ min: 1, max: 20 }).map((n) => n * 5),
        }),
        steps(fc.integer({ min: 0, max: 8 }).map((n) => n * 5)),
        async (c, sequence) => {
          await compare(
            {
              bruteForce: {
                threshold: c.threshold,
                windowMs: c.windowMs,
                realertIntervalMs: c.realertIntervalMs,
              },
              maxTrackedIps: c.maxTrackedIps,
              maxTrackedAccounts: c.maxTrackedAccounts,
              lifecycle: { keepFiringForMs: c.keepFiringForMs },
              credentialStuffing: { accounts: c.accounts, windowMs: c.otherWindowMs },
              accountBruteForce: { threshold: c.accountThreshold, minClients: c.accountClients },
              networkBruteForce: {
                threshold: c.networkThreshold,
                minClients: c.networkClients,
                maxTracked: c.networkCap,
                windowMs: c.otherWindowMs,
              },
              failedLoginSurge: { enabled: false },
            },
            sequence,
          );
        },
      ),
      { numRuns: 120 },
    );
  });

  it('decides the failed-login surge as the memory store does, over minutes of learned baseline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          minPerMinute: fc.integer({ min: 1, max: 6 }),
          factor: fc.constantFrom(1.5, 2, 3),
          halfLifeMs: fc.constantFrom(60_000, 90_000, 300_000),
          windowMs: fc.constantFrom(10_000, 25_000, 60_000),
          realertIntervalMs: fc.constantFrom(0, 5_000, 30_000),
          keepFiringForMs: fc.constantFrom(0, 10_000, 60_000),
        }),
        steps(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 150_000 }))),
        async (c, sequence) => {
          await compare(
            {
              bruteForce: { realertIntervalMs: c.realertIntervalMs },
              lifecycle: { keepFiringForMs: c.keepFiringForMs },
              failedLoginSurge: {
                minPerMinute: c.minPerMinute,
                factor: c.factor,
                halfLifeMs: c.halfLifeMs,
                windowMs: c.windowMs,
              },
            },
            sequence,
          );
        },
      ),
      { numRuns: 80 },
    );
  });
});
