import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, recordAuthFailures } from '../../src/index.js';
import { serveApp } from './serve-app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function loginApp(options: Parameters<typeof recordAuthFailures>[1] = {}) {
  const monitor = new AnomalyMonitor({ bruteForce: { threshold: 3 } });
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  const app = express();
  app.use(express.json());
  app.use('/login', recordAuthFailures(monitor, options));
  app.post('/login', (req, res) => {
    const ok = req.body?.password === 'correct horse';
    res.status(ok ? 200 : 401).json({ ok });
  });
  app.get('/private', (_req, res) => {
    res.status(401).end();
  });
  app.post('/locked', (_req, res) => {
    res.status(403).end();
  });
  const server = await serveApp(app);
  cleanups.push(server.close);
  const login = (password: string, username = 'alice') =>
    fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  return { monitor, alerts, url: server.url, login };
}

describe('auth failure recorder', () => {
  it('records a failed login for every 401 on its routes and raises brute force at the threshold', async () => {
    const { login, alerts, monitor } = await loginApp({ userId: (req) => req.body?.username });
    expect((await login('correct horse')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login('guess')).status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    expect(monitor.getStats().failedAuthAttempts).toBe(3);
    expect(alerts.map((a) => [a.type, a.sourceIp, a.userId])).toEqual([
      ['brute_force', '127.0.0.1', 'alice'],
    ]);
  });

  it('ignores 401s on routes it is not mounted on', async () => {
    const { url, monitor } = await loginApp();
    await fetch(`${url}/private`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(monitor.getStats().failedAuthAttempts).toBe(0);
  });

  it('counts the statuses it is told to count', async () => {
    const { monitor, url } = await loginApp();
    const monitor2 = new AnomalyMonitor();
    const app = express();
    app.use(recordAuthFailures(monitor2, { statuses: [401, 403] }));
    app.post('/locked', (_req, res) => {
      res.status(403).end();
    });
    const server = await serveApp(app);
    cleanups.push(server.close);
    await fetch(`${server.url}/locked`, { method: 'POST' });
    await fetch(`${url}/locked`, { method: 'POST' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(monitor2.getStats().failedAuthAttempts).toBe(1);
    expect(monitor.getStats().failedAuthAttempts).toBe(0);
  });

  it('still records the failure when the userId extractor throws', async () => {
    const { login, monitor } = await loginApp({
      userId: () => {
        throw new Error('bug');
      },
    });
    expect((await login('nope')).status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    expect(monitor.getStats().failedAuthAttempts).toBe(1);
  });

  it('rejects invalid options at construction', () => {
    expect(() => recordAuthFailures(new AnomalyMonitor(), { statuses: [99] })).toThrow(
      /recordAuthFailures\.statuses\[0\] must be an HTTP status code from 100 to 599 \(got 99\)/,
    );
    expect(() => recordAuthFailures(new AnomalyMonitor(), { userId: 'name' as never })).toThrow(
      /recordAuthFailures\.userId must be a function/,
    );
  });
});
