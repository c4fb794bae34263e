import { Redis } from 'ioredis';
import { type AnomalyMonitorOptions, clientKey, type WindowStore, windowSettings } from '../src/index.js';
import { redisStore } from '../src/redis.js';
import { findBinary } from '../test/support/processes.js';
import { startRedis } from '../test/support/redis.js';
import { median } from './stats.js';

/** Figures for the Redis store; see the README's "Benchmark" section. */
export type RedisBench =
  | {
      redisVersion: string;
      /** Every login detector on (the defaults), each failure with an account. */
      eventsPerSec: { callers1: number; callers50: number };
      latencyMicros: { callers1: Percentiles; callers50: Percentiles };
      /** The same failures with only brute force on (the other detectors' `enabled: false`). */
      bruteForceOnly: { eventsPerSec: { callers50: number }; latencyMicros: { callers50: Percentiles } };
      /** `eventsPerSec.callers50 / bruteForceOnly.eventsPerSec.callers50`, medians (goal: at least 0.8). */
      callers50Ratio: number;
      bytesPerTrackedIp: number;
      bytesPerTrackedIpAllDetectors: number;
      bytesPerTrackedAccount: number;
      activeCountRefreshMicros: number;
      pendingBytesPerOperation: number;
    }
  | { skipped: string };

interface Percentiles {
  p50: number;
  p99: number;
}

const ADDRESSES = 10_000;
const gc = (globalThis as { gc?: () => void }).gc;

function percentiles(samples: Float64Array): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!.toFixed(1));
  return { p50: at(0.5), p99: at(0.99) };
}

const BRUTE_FORCE_ONLY: AnomalyMonitorOptions = {
  credentialStuffing: { enabled: false },
  accountBruteForce: { enabled: false },
  networkBruteForce: { enabled: false },
  failedLoginSurge: { enabled: false },
};

function open(url: string, keyPrefix: string, options: AnomalyMonitorOptions = {}): WindowStore {
  return redisStore({ url, keyPrefix, logger: { info() {}, warn() {} } })(
    windowSettings({ maxTrackedIps: 1_000_000, maxTrackedAccounts: 1_000_000, ...options }, Date.now),
  );
}

/** `callers` concurrent loops, each awaiting the store's decision before its next failed login. */
async function run(store: WindowStore, callers: number, events: number) {
  const keys = Array.from({ length: ADDRESSES }, (_, i) =>
    clientKey(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 64),
  );
  const accounts = Array.from({ length: ADDRESSES }, (_, i) => `user${(i * 7919) % ADDRESSES}@example.com`);
  const latencies = new Float64Array(events);
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < events; i = next++) {
      const start = process.hrtime.bigint();
      await store.recordFailure(keys[i % ADDRESSES]!, accounts[i % ADDRESSES], Date.now());
      latencies[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: callers }, caller));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { eventsPerSec: Math.round(events / seconds), latency: percentiles(latencies) };
}

async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

export async function benchRedis(log: (line: string) => void): Promise<RedisBench> {
  // Not redisServerBinary(): that throws in CI, and a benchmark skips what it cannot measure.
  const binary = findBinary('redis-server');
  if (!binary) {
    const skipped =
      'redis-server not found on PATH: Redis figures skipped (install with apt-get install redis-server)';
    log(`warning: ${skipped}`);
    return { skipped };
  }
  const server = await startRedis(binary);
  const { url } = server;
  const admin = new Redis(url);
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))![1]!;
    const store = open(url, 'bench:');
    const bruteForce = open(url, 'bench-bf:', BRUTE_FORCE_ONLY);
    await Promise.all([store.ready(), bruteForce.ready()]);
    // Warm-up: scripts loaded, JIT warm, 10,000 addresses and accounts tracked in each.
    await run(store, 50, 20_000);
    await run(bruteForce, 50, 20_000);

    type Run = Awaited<ReturnType<typeof run>>;
    const results: Record<'callers1' | 'callers50' | 'bruteForce50', Run[]> = {
      callers1: [],
      callers50: [],
      bruteForce50: [],
    };
    for (let round = 1; round <= 5; round++) {
      results.callers1.push(await run(store, 1, 10_000));
      // Alternated, so both see the same load from whatever else runs on the machine.
      results.callers50.push(await run(store, 50, 50_000));
      results.bruteForce50.push(await run(bruteForce, 50, 50_000));
      log(
        `redis run ${round}/5: 1 caller ${results.callers1.at(-1)!.eventsPerSec} events/s, 50 callers ${results.callers50.at(-1)!.eventsPerSec} events/s (brute force only: ${results.bruteForce50.at(-1)!.eventsPerSec})`,
      );
    }
    const pick = (runs: Run[]) => {
      const eventsPerSec = median(runs.map((r) => r.eventsPerSec));
      return runs.find((r) => r.eventsPerSec === eventsPerSec)!;
    };
    const one = pick(results.callers1);
    const fifty = pick(results.callers50);
    const fiftyBruteForce = pick(results.bruteForce50);
    await Promise.all([store.close(), bruteForce.close()]);

    // Redis memory per tracked address (brute force only; then every detector) and per tracked
    // account (account brute force only): 100,000 of them, one failed login each.
    await admin.flushall();
    const tracked = 100_000;
    const perItem = async (
      prefix: string,
      options: AnomalyMonitorOptions,
      failure: (j: number) => [string, string | undefined],
    ) => {
      const measured = open(url, prefix, options);
      await measured.ready();
      const before = await usedMemory(admin);
      for (let i = 0; i < tracked; i += 1000) {
        const batch: Array<Promise<unknown> | object> = [];
        for (let j = i; j < i + 1000; j++) {
          const [ip, account] = failure(j);
          batch.push(measured.recordFailure(clientKey(ip, 64), account, Date.now()));
        }
        await Promise.all(batch);
      }
      const bytes = Math.round(((await usedMemory(admin)) - before) / tracked);
      return { measured, bytes };
    };
    const address = (base: number, j: number) => `${base}.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`;
    const { measured: memoryStore, bytes: bytesPerTrackedIp } = await perItem(
      'mem:',
      BRUTE_FORCE_ONLY,
      (j) => [address(11, j), undefined],
    );
    // The cluster-wide monitored-IP count with those 100,000 tracked: one script call (no SCAN).
    const refreshes: number[] = [];
    for (let i = 0; i < 21; i++) {
      const start = process.hrtime.bigint();
      await memoryStore.refresh();
      refreshes.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    if (memoryStore.activeCount(Date.now()) !== tracked)
      throw new Error('refresh did not count every address');

    // Node memory held per operation in flight (what maxPending bounds): 10,000 sent at once.
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const inFlight: Array<Promise<unknown> | object> = [];
    for (let i = 0; i < 10_000; i++)
      inFlight.push(memoryStore.recordFailure(clientKey('12.0.0.1', 64), undefined, Date.now()));
    const pendingBytesPerOperation = Math.round((process.memoryUsage().heapUsed - heapBefore) / 10_000);
    await Promise.all(inFlight);
    await memoryStore.close();

    // Each measured on an emptied Redis, so each includes its own growth of Redis's key table.
    await admin.flushall();
    const allDetectors = await perItem('mem-all:', {}, (j) => [address(13, j), `user-${j}@example.com`]);
    await allDetectors.measured.close();
    await admin.flushall();
    const accountsOnly = await perItem(
      'mem-acct:',
      { ...BRUTE_FORCE_ONLY, accountBruteForce: { enabled: true } },
      (j) => ['14.0.0.1', `account-${j}@example.com`],
    );
    await accountsOnly.measured.close();

    return {
      redisVersion,
      eventsPerSec: { callers1: one.eventsPerSec, callers50: fifty.eventsPerSec },
      latencyMicros: { callers1: one.latency, callers50: fifty.latency },
      bruteForceOnly: {
        eventsPerSec: { callers50: fiftyBruteForce.eventsPerSec },
        latencyMicros: { callers50: fiftyBruteForce.latency },
      },
      callers50Ratio: Number((fifty.eventsPerSec / fiftyBruteForce.eventsPerSec).toFixed(3)),
      bytesPerTrackedIp,
      bytesPerTrackedIpAllDetectors: allDetectors.bytes,
      bytesPerTrackedAccount: accountsOnly.bytes,
      activeCountRefreshMicros: Number(median(refreshes).toFixed(1)),
      pendingBytesPerOperation,
    };
  } finally {
    admin.disconnect();
    await server.stop();
  }
}
