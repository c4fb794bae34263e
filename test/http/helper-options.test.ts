import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnomalyMonitor,
  clientIp,
  eventApi,
  metricsHandler,
  recordAuthFailures,
  registerPrometheusMetrics,
  requestGuard,
} from '../../src/index.js';
import { serveApp } from './serve-app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const monitor = new AnomalyMonitor();
const registry = registerPrometheusMetrics(monitor);

/** The error `call` throws (fails the test when it throws nothing). */
function thrown(call: () => unknown): Error & { code?: string } {
  try {
    call();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}

describe('HTTP helpers validate their options like the core does', () => {
  it.each([
    [
      'requestGuard mode "log"',
      () => requestGuard(monitor, { mode: 'log' as never }),
      'SECMON_ERR_BAD_OPTION',
      /^requestGuard\.mode must be one of "record", "block" \(got "log"\)/,
    ],
    [
      'requestGuard mode "blok"',
      () => requestGuard(monitor, { mode: 'blok' as never }),
      'SECMON_ERR_BAD_OPTION',
      /\(got "blok"\); did you mean "block"\?/,
    ],
    [
      'requestGuard { mdoe }',
      () => requestGuard(monitor, { mdoe: 'block' } as never),
      'SECMON_ERR_UNKNOWN_OPTION',
      /^requestGuard\.mdoe is not a known option; did you mean requestGuard\.mode\? \(known: mode, headers, inspectBody, maxValues\)/,
    ],
    [
      'requestGuard headers with a space',
      () => requestGuard(monitor, { headers: ['user agent'] }),
      'SECMON_ERR_BAD_OPTION',
      /^requestGuard\.headers\[0\] must be a header name \(got "user agent"\)/,
    ],
    [
      'requestGuard headers []',
      () => requestGuard(monitor, { headers: [] }),
      'SECMON_ERR_BAD_OPTION',
      /^requestGuard\.headers must be a header name, or a non-empty array of them/,
    ],
    [
      'requestGuard inspectBody "no"',
      () => requestGuard(monitor, { inspectBody: 'no' as never }),
      'SECMON_ERR_BAD_OPTION',
      /^requestGuard\.inspectBody must be true or false \(got "no"\)/,
    ],
    [
      'requestGuard maxValues 0',
      () => requestGuard(monitor, { maxValues: 0 }),
      'SECMON_ERR_BAD_OPTION',
      /^requestGuard\.maxValues must be an integer from 1 to 100000 \(got 0\)/,
    ],
    [
      'requestGuard options "block"',
      () => requestGuard(monitor, 'block' as never),
      'SECMON_ERR_BAD_OPTION',
      /^the options of requestGuard must be an object \(got "block"\)/,
    ],
    [
      'requestGuard without a monitor',
      () => requestGuard(undefined as never),
      'SECMON_ERR_BAD_OPTION',
      /^the monitor passed to requestGuard must be an AnomalyMonitor/,
    ],
    [
      'recordAuthFailures statuses "401"',
      () => recordAuthFailures(monitor, { statuses: '401' as never }),
      'SECMON_ERR_BAD_OPTION',
      /^recordAuthFailures\.statuses must be an HTTP status code from 100 to 599 \(got "401"\)/,
    ],
    [
      'recordAuthFailures statuses [401, 99]',
      () => recordAuthFailures(monitor, { statuses: [401, 99] }),
      'SECMON_ERR_BAD_OPTION',
      /^recordAuthFailures\.statuses\[1\] must be an HTTP status code/,
    ],
    [
      'recordAuthFailures { status }',
      () => recordAuthFailures(monitor, { status: 401 } as never),
      'SECMON_ERR_UNKNOWN_OPTION',
      /did you mean recordAuthFailures\.statuses\?/,
    ],
    [
      'recordAuthFailures userId "name"',
      () => recordAuthFailures(monitor, { userId: 'name' as never }),
      'SECMON_ERR_BAD_OPTION',
      /^recordAuthFailures\.userId must be a function \(req\) => string \| undefined \(got "name"\)/,
    ],
    [
      'recordAuthFailures without a monitor',
      () => recordAuthFailures({} as never),
      'SECMON_ERR_BAD_OPTION',
      /^the monitor passed to recordAuthFailures must be an AnomalyMonitor \(new AnomalyMonitor\(\)\) \(got an object\)/,
    ],
    [
      'eventApi {}',
      () => eventApi(monitor, {} as never),
      'SECMON_ERR_BAD_OPTION',
      /^eventApi\.tokens must be a bearer token or an array of them/,
    ],
    [
      'eventApi no options',
      () => eventApi(monitor, undefined as never),
      'SECMON_ERR_BAD_OPTION',
      /^eventApi\.tokens must be/,
    ],
    [
      'eventApi { token }',
      () => eventApi(monitor, { token: 'x' } as never),
      'SECMON_ERR_UNKNOWN_OPTION',
      /did you mean eventApi\.tokens\?/,
    ],
    [
      'eventApi bodyLimitBytes -1',
      () => eventApi(monitor, { tokens: ['t0123456789'], bodyLimitBytes: -1 }),
      'SECMON_ERR_BAD_OPTION',
      /^eventApi\.bodyLimitBytes must be an integer from 1024 to 16777216 \(got -1\)/,
    ],
    [
      'eventApi onRejected 1',
      () => eventApi(monitor, { tokens: [], onRejected: 1 as never }),
      'SECMON_ERR_BAD_OPTION',
      /^eventApi\.onRejected must be a function/,
    ],
    [
      'metricsHandler {}',
      () => metricsHandler({} as never),
      'SECMON_ERR_BAD_OPTION',
      /^metricsHandler\.registry must be a prom-client Registry/,
    ],
    [
      'metricsHandler { registy }',
      () => metricsHandler({ registry, registy: registry } as never),
      'SECMON_ERR_UNKNOWN_OPTION',
      /did you mean metricsHandler\.registry\?/,
    ],
    [
      'metricsHandler basicAuth 42',
      () => metricsHandler({ registry, basicAuth: 42 as never }),
      'SECMON_ERR_BAD_OPTION',
      /^metricsHandler\.basicAuth must be a basic-auth pair or an array of them \(got 42\)/,
    ],
    [
      'clientIp(undefined)',
      () => clientIp(undefined as never),
      'SECMON_ERR_BAD_OPTION',
      /^clientIp\(req\) must be an Express request \(got undefined\)/,
    ],
  ])('%s throws a TypeError with a code and a message naming the option', (_name, call, code, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('#errors]');
  });

  it('takes one string where a list is natural, as the README writes it', async () => {
    const app = express();
    app.use(express.json());
    app.get('/metrics', metricsHandler({ registry, basicAuth: 'prometheus:scrape-secret' }));
    app.get('/token-metrics', metricsHandler({ registry, bearerTokens: 'scrape-token-123' }));
    const login = new AnomalyMonitor({ bruteForce: { threshold: 2 } });
    app.use('/login', recordAuthFailures(login, { statuses: 403 }));
    app.post('/login', (_req, res) => {
      res.status(403).end();
    });
    app.use(requestGuard(login, { mode: 'block', headers: 'X-Debug' }));
    app.get('/echo', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(eventApi(login, { tokens: 'ingest-token-0123456789' }));
    const server = await serveApp(app);
    cleanups.push(server.close);

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const basic = `Basic ${Buffer.from('prometheus:scrape-secret').toString('base64')}`;
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: basic } })).status).toBe(200);
    expect((await fetch(`${server.url}/token-metrics`)).status).toBe(401);
    const bearer = { authorization: 'Bearer scrape-token-123' };
    expect((await fetch(`${server.url}/token-metrics`, { headers: bearer })).status).toBe(200);

    await fetch(`${server.url}/login`, { method: 'POST' });
    expect(login.getStats().failedAuthAttempts).toBe(1);
    const blocked = await fetch(`${server.url}/echo`, { headers: { 'x-debug': '; cat /etc/passwd' } });
    expect(blocked.status).toBe(400);
    const events = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer ingest-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'failed_auth', ip: '192.0.2.1' }),
    });
    expect(events.status).toBe(202);
    expect(login.getStats().failedAuthAttempts).toBe(2);
  });
});

describe('secrets fail closed', () => {
  it.each([
    [
      'bearerTokens: [""]',
      { bearerTokens: [''] },
      /^metricsHandler\.bearerTokens\[0\] must be a non-empty token .* \(got an empty string\)/,
    ],
    [
      'bearerTokens: ["  "]',
      { bearerTokens: ['  '] },
      /^metricsHandler\.bearerTokens\[0\] .*\(got a blank string\)/,
    ],
    [
      'bearerTokens: [undefined] (an unset variable)',
      { bearerTokens: [undefined] },
      /^metricsHandler\.bearerTokens\[0\] .*\(an unset environment variable\?\) \(got undefined\)/,
    ],
    [
      'bearerTokens: ["ok-token", ""]',
      { bearerTokens: ['ok-token', ''] },
      /^metricsHandler\.bearerTokens\[1\]/,
    ],
    [
      'bearerTokens: "" (one string)',
      { bearerTokens: '' },
      /^metricsHandler\.bearerTokens must be a non-empty token/,
    ],
    [
      'basicAuth: [":"]',
      { basicAuth: [':'] },
      /^metricsHandler\.basicAuth\[0\] must be a "user:password" pair/,
    ],
    ['basicAuth: [" : "]', { basicAuth: [' : '] }, /^metricsHandler\.basicAuth\[0\]/],
    ['basicAuth: ["user:"]', { basicAuth: ['user:'] }, /^metricsHandler\.basicAuth\[0\]/],
    ['basicAuth: ["password-only"]', { basicAuth: ['password-only'] }, /^metricsHandler\.basicAuth\[0\]/],
  ])('metricsHandler refuses %s instead of leaving /metrics open', (_name, secrets, message) => {
    const error = thrown(() => metricsHandler({ registry, ...(secrets as object) }));
    expect(error.code).toBe('SECMON_ERR_BAD_OPTION');
    expect(error.message).toMatch(message);
  });

  it('refuses a token that can never be sent in a header, without printing it', () => {
    for (const token of ['hunter2 secret', 'tab\there', 'geheim-lösung']) {
      const error = thrown(() => eventApi(monitor, { tokens: [token] }));
      expect(error.code).toBe('SECMON_ERR_BAD_OPTION');
      expect(error.message).toMatch(
        /^eventApi\.tokens\[0\] must be a non-empty token of visible ASCII characters/,
      );
      expect(error.message).toContain(`a ${token.length}-character string, not shown`);
      expect(error.message).not.toContain(token.slice(0, 4));
    }
  });

  it('still serves an open /metrics when no protection is asked for', async () => {
    const app = express();
    app.get('/metrics', metricsHandler({ registry, bearerTokens: [] }));
    const server = await serveApp(app);
    cleanups.push(server.close);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });
});
