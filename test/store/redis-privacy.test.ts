// Privacy mode with the Redis store: the state shared in Redis names clients, networks and accounts
// by keyed hashes, so no address, network or account name leaves the process, and detection is the
// same as without privacy mode.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/index.js';
import { redisStore } from '../../src/redis.js';
import { monitorWithClock } from '../core/helpers.js';
import { connectedClient, redisServerBinary, startRedis, type TestRedis } from '../support/redis.js';

const binary = redisServerBinary();
const PERSONAL = ['203.0.113', '2001:db8', 'alice', 'victim', 'user-'];

/** Every key under `prefix` and everything it holds, as text (binary values as latin1). */
async function everything(client: Redis, prefix: string): Promise<string> {
  const keys = await client.keys(`${prefix}*`);
  const parts: string[] = [];
  for (const key of keys) {
    parts.push(key);
    const type = await client.type(key);
    if (type === 'string') parts.push(((await client.getBuffer(key)) ?? Buffer.alloc(0)).toString('latin1'));
    else if (type === 'hash') {
      for (const [field, value] of Object.entries(await client.hgetallBuffer(key)))
        parts.push(field, value.toString('latin1'));
    } else if (type === 'zset') parts.push(...(await client.zrange(key, 0, -1)));
    else if (type === 'set') parts.push(...(await client.smembers(key)));
    else if (type === 'list') parts.push(...(await client.lrange(key, 0, -1)));
    else parts.push(`<${type}>`);
  }
  return parts.join('\n');
}

describe.skipIf(!binary)('privacy mode with the Redis store (real redis-server)', () => {
  let server: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedis(binary!);
    client = await connectedClient(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  async function attack(prefix: string, privacy: boolean): Promise<{ alerts: Alert[]; held: string }> {
    const store = redisStore({
      client,
      keyPrefix: prefix,
      minKeyTtlMs: 600_000,
      logger: { info() {}, warn() {} },
    });
    const { monitor, advance } = monitorWithClock(
      privacy ? { store, privacy: { hmacKey: 'a test key of 24 chars!' } } : { store },
      Date.UTC(2026, 11, 7, 10),
    );
    const alerts: Alert[] = [];
    monitor.onAlert((alert) => {
      alerts.push(alert);
    });
    // Brute force from one address, credential stuffing, a network rotating addresses, IPv6 too,
    // and a successful login in the middle of it all.
    for (let i = 0; i < 12; i++) monitor.recordFailedAuth('203.0.113.77', 'alice');
    for (let i = 0; i < 12; i++) monitor.recordFailedAuth('203.0.113.78', `user-${i}`);
    for (let i = 0; i < 40; i++) monitor.recordFailedAuth(`203.0.113.${100 + i}`, 'victim');
    for (let i = 0; i < 12; i++) monitor.recordFailedAuth('2001:db8:1:2::7', 'alice');
    monitor.recordSuccessfulAuth('203.0.113.77', 'alice');
    await monitor.settled();
    expect(monitor.getStats().store.fallbacks).toEqual({ unavailable: 0, overloaded: 0 });
    advance(1000);
    await monitor.offenders();
    await monitor.settled();
    const held = await everything(client, prefix);
    await monitor.close();
    return { alerts, held };
  }

  it('Redis holds no address, network or account name; the same attacks are detected', async () => {
    const plain = await attack('plain:', false);
    const private_ = await attack('private:', true);
    // Without privacy mode the addresses are there: the search below can find them.
    expect(plain.held).toContain('203.0.113.77');
    expect(private_.held.length).toBeGreaterThan(0);
    for (const value of PERSONAL) expect(private_.held, value).not.toContain(value);
    const kinds = (alerts: Alert[]) =>
      alerts
        .filter((alert) => alert.state === 'firing')
        .map((alert) => alert.type)
        .sort();
    expect(kinds(private_.alerts)).toEqual(kinds(plain.alerts));
    expect(kinds(plain.alerts)).toEqual(
      expect.arrayContaining([
        'brute_force',
        'credential_stuffing',
        'account_brute_force',
        'network_brute_force',
        'account_compromise_suspected',
      ]),
    );
  });
});
