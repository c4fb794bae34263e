import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, type AnomalyMonitorOptions, offendersApi } from '../../src/index.js';
import { serveApp } from './serve-app.js';

const TOKEN = 'offenders-reader-token-0123';
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A monitor on a hand-driven clock behind the offenders API, on a free loopback port. */
async function offendersApp(tokens: string[] = [TOKEN], options: AnomalyMonitorOptions = {}) {
  const clock = { t: T0 };
  const monitor = new AnomalyMonitor({ ...options, now: () => clock.t });
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  const app = express();
  app.use(offendersApi(monitor, { tokens }));
  const server = await serveApp(app);
  cleanups.push(async () => {
    await server.close();
    await monitor.close();
  });
  const get = (query = '', init: RequestInit = {}) =>
    fetch(`${server.url}/v1/offenders${query}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      ...init,
    });
  return { monitor, alerts, clock, get, url: server.url };
}

describe('GET /v1/offenders', () => {
  it('lists who is attacking now, most severe first, with ISO dates and the alert id to look up', async () => {
    const { monitor, alerts, clock, get } = await offendersApp();
    // 12 accounts from one address: brute force and credential stuffing, one offender.
    for (let i = 0; i < 12; i++) {
      monitor.recordFailedAuth('203.0.113.7', `user${i}`);
      clock.t += 1000;
    }
    clock.t += 5000;
    monitor.recordCommandInjection('198.51.100.9', 'x; cat /etc/passwd');

    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { offenders: Array<Record<string, unknown>> };
    const injection = alerts.find((alert) => alert.type === 'command_injection')!;
    const bruteForce = alerts.find((alert) => alert.type === 'brute_force')!;
    const stuffing = alerts.find((alert) => alert.type === 'credential_stuffing')!;
    expect(body).toEqual({
      offenders: [
        {
          key: '198.51.100.9',
          kind: 'address',
          types: ['command_injection'],
          count: 1,
          firstSeen: '2026-03-01T12:00:17.000Z',
          lastSeen: '2026-03-01T12:00:17.000Z',
          alertId: injection.id,
        },
        {
          key: '203.0.113.7',
          kind: 'address',
          types: ['brute_force', 'credential_stuffing'],
          count: 12,
          firstSeen: '2026-03-01T12:00:09.000Z', // the 10th failure crossed both thresholds
          lastSeen: '2026-03-01T12:00:11.000Z',
          alertId: expect.stringMatching(new RegExp(`^(${bruteForce.id}|${stuffing.id})$`)),
        },
      ],
    });
    // The same list the library gives, dates as ISO strings.
    const library = await monitor.offenders();
    expect(body.offenders).toEqual(
      library.map((offender) => ({
        ...offender,
        firstSeen: offender.firstSeen.toISOString(),
        lastSeen: offender.lastSeen.toISOString(),
      })),
    );
  });

  it('honours ?limit= and forgets an offender once its attack resolved', async () => {
    const { monitor, clock, get } = await offendersApp([TOKEN], { lifecycle: { quietPeriodMs: 60_000 } });
    for (let i = 1; i <= 5; i++) monitor.recordPathTraversal(`192.0.2.${i}`, '../../etc/passwd');
    const two = (await (await get('?limit=2')).json()) as { offenders: Array<{ key: string }> };
    expect(two.offenders.map((offender) => offender.key)).toHaveLength(2);
    const all = (await (await get('?limit=1000')).json()) as { offenders: unknown[] };
    expect(all.offenders).toHaveLength(5);
    clock.t += 60_000;
    expect(await (await get()).json()).toEqual({ offenders: [] });
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=1001', 'limit'],
    ['?limit=-1', 'limit'],
    ['?limit=1.5', 'limit'],
    ['?limit=ten', 'limit'],
    ['?limit=', 'limit'],
    ['?limit=1&limit=2', 'limit'],
    ['?limit[a]=1', 'limit'],
    ['?limit=99999999999999999999', 'limit'],
    ['?since=yesterday', 'since'],
  ])('answers %s with 400 naming the field', async (query, field) => {
    const { get } = await offendersApp();
    const response = await get(query);
    // Express 5 reads `limit[a]` as a parameter of that name; either way it is named, never a 5xx.
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; field: string };
    if (query === '?limit[a]=1') expect(['limit', 'limit[a]']).toContain(body.field);
    else expect(body.field).toBe(field);
    if (body.field === 'limit') expect(body.error).toBe('limit must be an integer from 1 to 1000');
    else expect(body.error).toBe('unknown query parameter');
  });

  it('is never open by default: without a token it answers 503 saying how to enable it', async () => {
    const { monitor, get } = await offendersApp([]);
    monitor.recordCommandInjection('198.51.100.9', '; id');
    const response = await get();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error:
        'the offenders API is disabled: set SECMON_OFFENDERS_TOKENS (or --offenders-tokens) to one or more bearer tokens',
    });
  });

  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer not-the-token'],
    ['an ingest-style basic credential', 'Basic dXNlcjpwYXNz'],
  ])('answers %s with 401 and records it as a failed login from the caller', async (_, authorization) => {
    const { monitor, get } = await offendersApp();
    const response = await get('', { headers: authorization ? { authorization } : {} });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="secmon offenders"');
    expect(await response.json()).toEqual({
      error: 'missing or invalid bearer token',
      field: 'authorization',
    });
    expect(monitor.getStats().failedAuthAttempts).toBe(1);
  });

  it('answers other methods with 405 and the methods it allows', async () => {
    const { url } = await offendersApp();
    const response = await fetch(`${url}/v1/offenders`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: 'use GET to read the offenders' });
  });

  it('shows pseudonyms, never addresses or accounts, in privacy mode', async () => {
    const { monitor, get } = await offendersApp([TOKEN], {
      privacy: { hmacKey: 'offenders-api-test-key-0123456789' },
    });
    for (let i = 0; i < 35; i++) monitor.recordFailedAuth(`198.51.100.${i}`, 'ceo@example.com');
    const text = await (await get()).text();
    expect(text).toMatch(/"key":"anon:[0-9a-f]{16}"/);
    expect(text).toContain('"kind":"account"');
    expect(text).toContain('"kind":"network"');
    expect(text).not.toContain('198.51.100');
    expect(text).not.toContain('ceo@example.com');
  });
});
