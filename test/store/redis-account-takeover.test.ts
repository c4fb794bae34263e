// The account-takeover scenarios against the Redis store (one replica; test/service and
// test/store/redis-replicas.test.ts spread them over several): the same alerts, counts and
// resolutions as with the memory store.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { redisStore } from '../../src/redis.js';
import { accountTakeoverScenarios } from '../core/account-takeover-scenarios.js';
import { monitorWithClock } from '../core/helpers.js';
import { connectedClient, redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const binary = redisServerBinary();

describe.skipIf(!binary)('account takeover with the Redis store (real redis-server)', () => {
  let server: TestRedis;
  let client: Redis;
  let stores = 0;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    server = await startRedis(binary!);
    client = await connectedClient(server.url);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  accountTakeoverScenarios((options = {}, start) => {
    const store = redisStore({
      client,
      keyPrefix: `ato:${++stores}:`,
      minKeyTtlMs: 600_000, // the injected clock does not follow Redis's own
      logger: { info() {}, warn() {} },
    });
    const clocked = monitorWithClock({ ...options, store }, start);
    opened.push(clocked.monitor);
    return {
      ...clocked,
      async flush() {
        await clocked.monitor.settled();
        // Resolutions wait for the store's answer about each attack: let those land too.
        await clocked.monitor.settled();
      },
    };
  });
});
