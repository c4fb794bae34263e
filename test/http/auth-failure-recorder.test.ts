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
  app.get('/login', (_req, res) => {
    res.status(200).send('<form method="post">');
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

  it('records a 2xx answer to a login POST as a successful login, for the account it names', async () => {
    const { login, monitor, url } = await loginApp({ userId: (req) => req.body?.username });
    expect((await login('correct horse')).status).toBe(200);
    expect((await fetch(`${url}/login`)).status).toBe(200); // the login page is no login
    await new Promise((resolve) => setImmediate(resolve));
    const stats = monitor.getStats();
    expect(stats.successfulAuths).toBe(1);
    expect(stats.failedAuthAttempts).toBe(0);
  });

  it('raises account_compromise_suspected when a login succeeds in the middle of a brute force', async () => {
    const { login, alerts } = await loginApp({ userId: (req) => req.body?.username });
    for (let i = 0; i < 3; i++) expect((await login('guess')).status).toBe(401);
    expect((await login('correct horse')).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(alerts.map((a) => [a.type, a.severity, a.state, a.sourceIp, a.userId])).toEqual([
      ['brute_force', 'high', 'firing', '127.0.0.1', 'alice'],
      ['account_compromise_suspected', 'critical', 'firing', '127.0.0.1', 'alice'],
    ]);
  });

  it('records no success with recordSuccesses: false', async () => {
    const { login, monitor, alerts } = await loginApp({ recordSuccesses: false });
    for (let i = 0; i < 3; i++) await login('guess');
    expect((await login('correct horse')).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(monitor.getStats().successfulAuths).toBe(0);
    expect(alerts.map((a) => a.type)).toEqual(['brute_force']);
  });

  it('takes the statuses and methods of a form login that redirects on success', async () => {
    const monitor = new AnomalyMonitor();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(
      '/session',
      recordAuthFailures(monitor, {
        statuses: [200], // the form comes back with an error message
        successStatuses: [303],
        successMethods: ['put', 'POST'],
        userId: (req) => req.body?.user,
      }),
    );
    app.post('/session', (req, res) => {
      if (req.body.password === 'right') res.redirect(303, '/home');
      else res.status(200).send('wrong password');
    });
    app.put('/session', (_req, res) => {
      res.redirect(303, '/home');
    });
    app.get('/session', (_req, res) => {
      res.redirect(303, '/home'); // already logged in: not a login
    });
    const server = await serveApp(app);
    cleanups.push(server.close);
    const post = (password: string) =>
      fetch(`${server.url}/session`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `user=bob&password=${password}`,
      });
    expect((await post('wrong')).status).toBe(200);
    expect((await post('right')).status).toBe(303);
    expect((await fetch(`${server.url}/session`, { method: 'PUT', redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${server.url}/session`, { redirect: 'manual' })).status).toBe(303);
    await new Promise((resolve) => setImmediate(resolve));
    const stats = monitor.getStats();
    expect(stats.failedAuthAttempts).toBe(1);
    expect(stats.successfulAuths).toBe(2);
  });

  it('rejects invalid options at construction', () => {
    expect(() => recordAuthFailures(new AnomalyMonitor(), { statuses: [99] })).toThrow(
      /recordAuthFailures\.statuses\[0\] must be an HTTP status code from 100 to 599 \(got 99\)/,
    );
    expect(() => recordAuthFailures(new AnomalyMonitor(), { userId: 'name' as never })).toThrow(
      /recordAuthFailures\.userId must be a function/,
    );
    const monitor = new AnomalyMonitor();
    expect(() => recordAuthFailures(monitor, { recordSuccess: true } as never)).toThrow(
      /recordAuthFailures\.recordSuccess is not a known option; did you mean recordAuthFailures\.recordSuccesses\?/,
    );
    expect(() => recordAuthFailures(monitor, { recordSuccesses: 'yes' as never })).toThrow(
      /recordAuthFailures\.recordSuccesses must be true or false \(got "yes"\)/,
    );
    expect(() => recordAuthFailures(monitor, { successStatuses: [200, 600] })).toThrow(
      /recordAuthFailures\.successStatuses\[1\] must be an HTTP status code from 100 to 599 \(got 600\)/,
    );
    expect(() => recordAuthFailures(monitor, { statuses: [401, 200], successStatuses: 200 })).toThrow(
      /recordAuthFailures\.successStatuses must be statuses that are not also failure statuses \(recordAuthFailures\.statuses\) \(got 200\)/,
    );
    expect(() => recordAuthFailures(monitor, { successMethods: [] })).toThrow(
      /recordAuthFailures\.successMethods must be an HTTP method name such as "POST", or a non-empty array of them/,
    );
    expect(() => recordAuthFailures(monitor, { successMethods: ['POST', 'PO ST'] })).toThrow(
      /recordAuthFailures\.successMethods\[1\] must be an HTTP method name such as "POST" \(got "PO ST"\)/,
    );
  });
});
