import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, eventApi, type RejectReason } from '../../src/index.js';
import { serveApp } from './serve-app.js';

const TOKEN = 'test-token-0123456789';

async function setup(options: { tokens?: string[]; bodyLimitBytes?: number } = {}) {
  const monitor = new AnomalyMonitor({ bruteForce: { threshold: 3 } });
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  const rejected: RejectReason[] = [];
  const app = express();
  app.use(
    eventApi(monitor, {
      tokens: options.tokens ?? [TOKEN],
      bodyLimitBytes: options.bodyLimitBytes,
      onRejected: (r) => rejected.push(r),
    }),
  );
  const server = await serveApp(app);
  cleanups.push(server.close);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { monitor, alerts, rejected, post, url: server.url };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('POST /v1/events', () => {
  it('accepts one event and records it', async () => {
    const { post, monitor } = await setup();
    const response = await post({ type: 'failed_auth', ip: '192.0.2.1', userId: 'alice' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1 });
    expect(monitor.getStats().failedAuthAttempts).toBe(1);
  });

  it('accepts a batch of every event type and raises the alerts', async () => {
    const { post, monitor, alerts } = await setup();
    const response = await post({
      events: [
        { type: 'failed_auth', ip: '192.0.2.9' },
        { type: 'failed_auth', ip: '192.0.2.9' },
        { type: 'failed_auth', ip: '192.0.2.9' },
        { type: 'privileged_container', userId: 'ci' },
        { type: 'suspicious_container', userId: 'ci', reasons: ['hostNetwork'] },
        { type: 'path_traversal', ip: '192.0.2.2', path: '../../etc/passwd' },
        { type: 'command_injection', ip: '192.0.2.3', input: '; rm -rf /' },
        { type: 'rate_limit_exceeded', ip: '192.0.2.4' },
      ],
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 8 });
    expect(alerts.map((a) => a.type).sort()).toEqual(
      [
        'brute_force',
        'command_injection',
        'path_traversal',
        'privilege_escalation',
        'rate_limit_exceeded',
        'suspicious_container',
      ].sort(),
    );
    expect(monitor.getStats().failedAuthAttempts).toBe(3);
  });

  it('keeps every documented optional field: each reaches the alert', async () => {
    const { post, monitor, alerts } = await setup();
    const response = await post({
      events: [
        { type: 'path_traversal', ip: '192.0.2.2', path: '../../etc/passwd', userId: 'alice' },
        { type: 'command_injection', ip: '192.0.2.3', input: '; id', userId: 'bob' },
        { type: 'privileged_container', userId: 'ci', ip: '192.0.2.4' },
        { type: 'suspicious_container', userId: 'ci', reasons: ['hostPID'], ip: '[2001:db8::5]:443' },
        { type: 'successful_auth', ip: '192.0.2.6', userId: 'carol' },
        { type: 'failed_auth', ip: 'not-an-ip', userId: 'dave' },
      ],
    });
    expect(response.status).toBe(202);
    expect(alerts.map((a) => [a.type, a.sourceIp, a.userId])).toEqual([
      ['path_traversal', '192.0.2.2', 'alice'],
      ['command_injection', '192.0.2.3', 'bob'],
      ['privilege_escalation', '192.0.2.4', 'ci'],
      ['suspicious_container', '2001:db8::/64', 'ci'],
    ]);
    const stats = monitor.getStats();
    expect(stats.successfulAuths).toBe(1);
    expect(stats.unparseableAddresses).toBe(1);
  });

  it.each([
    [{ type: 'nope' }, 'type', /type must be one of failed_auth/],
    [{ type: 'failed_auth' }, 'ip', /ip is required/],
    [{ type: 'failed_auth', ip: 42 }, 'ip', /ip must be a string/],
    [{ type: 'failed_auth', ip: '1.2.3.4', usrId: 'x' }, 'usrId', /usrId is not a known field/],
    [{ type: 'path_traversal', ip: '1.2.3.4' }, 'path', /path is required/],
    [{ type: 'suspicious_container', userId: 'u', reasons: [] }, 'reasons', /reasons must hold at least 1/],
    [{ type: 'failed_auth', ip: 'x'.repeat(101) }, 'ip', /ip must be at most 100 characters/],
    [{ events: [] }, 'events', /events must hold at least 1/],
    [
      {
        events: [
          { type: 'failed_auth', ip: '1.1.1.1' },
          { type: 'command_injection', ip: '1.1.1.1' },
        ],
      },
      'events[1].input',
      /events\[1\]\.input is required/,
    ],
    [{ events: 'all' }, 'events', /events must be an array/],
    [[{ type: 'failed_auth', ip: '1.1.1.1' }], 'body', /body must be a JSON object/],
  ])('rejects %j with 400 naming %s', async (body, field, message) => {
    const { post, monitor } = await setup();
    const response = await post(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; field: string };
    expect(answer.field).toBe(field);
    expect(answer.error).toMatch(message);
    expect(monitor.getStats().failedAuthAttempts).toBe(0);
  });

  it('records nothing from a batch with one bad event', async () => {
    const { post, monitor } = await setup();
    const response = await post({ events: [{ type: 'failed_auth', ip: '192.0.2.1' }, { type: 'bogus' }] });
    expect(response.status).toBe(400);
    expect(monitor.getStats().failedAuthAttempts).toBe(0);
  });

  it('rejects more than 1,000 events with 400', async () => {
    const { post } = await setup();
    const events = Array.from({ length: 1001 }, () => ({ type: 'failed_auth', ip: '192.0.2.1' }));
    const response = await post({ events });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      field: 'events',
      error: expect.stringMatching(/at most 1000/),
    });
  });

  it('rejects malformed JSON with 400', async () => {
    const { post } = await setup();
    const response = await post('{"type": "failed_auth",');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body is not valid JSON', field: 'body' });
  });

  it('rejects a body over the limit with 413', async () => {
    const { post, rejected } = await setup({ bodyLimitBytes: 2048 });
    const response = await post({ type: 'command_injection', ip: '192.0.2.1', input: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      field: 'body',
      error: expect.stringMatching(/limit of 2048 bytes/),
    });
    expect(rejected).toEqual(['too_large']);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const { post } = await setup();
    const response = await post('type=failed_auth', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ field: 'content-type' });
  });

  it('answers 401 to a missing or wrong token and records the caller as a failed login', async () => {
    const { post, monitor, alerts, rejected } = await setup();
    const noToken = await post({ type: 'failed_auth', ip: '192.0.2.1' }, { authorization: '' });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
    for (const attempt of ['Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`]) {
      expect((await post({ type: 'failed_auth', ip: '192.0.2.1' }, { authorization: attempt })).status).toBe(
        401,
      );
    }
    expect(monitor.getStats().failedAuthAttempts).toBe(4);
    // threshold 3: the service's own door raised a brute-force alert against the caller (loopback)
    expect(alerts.map((a) => [a.type, a.sourceIp])).toEqual([['brute_force', '127.0.0.1']]);
    expect(rejected).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized']);
  });

  it('accepts any of several tokens', async () => {
    const { post } = await setup({ tokens: ['first-token-aaaaaaaa', TOKEN] });
    expect((await post({ type: 'failed_auth', ip: '192.0.2.1' })).status).toBe(202);
  });

  it('answers 503 with how to enable it when no token is configured', async () => {
    const { post } = await setup({ tokens: [] });
    const response = await post({ type: 'failed_auth', ip: '192.0.2.1' });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/SECMON_INGEST_TOKENS/) });
  });

  it('answers 405 to other methods', async () => {
    const { url } = await setup();
    const response = await fetch(`${url}/v1/events`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('never answers 5xx to random bodies', async () => {
    const { post } = await setup();
    const bodies = [
      'null',
      '1',
      '"x"',
      '[]',
      '{}',
      '{"events":null}',
      '{"events":[null]}',
      '{"type":null}',
      '{"__proto__":{"type":"failed_auth"}}',
      '\u0000',
      '{"type":"failed_auth","ip":"1.1.1.1","userId":{"$gt":""}}',
    ];
    for (const body of bodies) {
      const response = await post(body);
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
      expect(await response.json()).toHaveProperty('error');
    }
  });
});
