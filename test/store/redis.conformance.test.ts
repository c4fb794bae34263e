import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { redisStore } from '../../src/redis.js';
import { connectedClient, redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';
import { storeConformance } from './conformance.js';

const binary = redisServerBinary();

describe.skipIf(!binary)('Redis store conformance (real redis-server)', () => {
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

  // Every store gets its own key prefix on the one server: no state leaks between cases. Keys
  // outlive the test (minKeyTtlMs), since the injected clock does not follow Redis's own.
  storeConformance('redis', () => ({
    factory: () =>
      redisStore({
        client,
        keyPrefix: `conformance:${++stores}:`,
        minKeyTtlMs: 600_000,
        logger: { info() {}, warn() {} },
      }),
    propertyRuns: 150,
  }));
});
