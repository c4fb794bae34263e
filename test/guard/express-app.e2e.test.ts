// A real Express app with the vulnerable routes sink guards exist for, served on loopback, attacked
// over HTTP: in block mode the injected command never runs and the secret is never opened; in record
// mode the same requests go through and are alerted, each alert naming the sink.
import { exec, execSync } from 'node:child_process';
import fs, { constants, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { quote } from 'shell-quote';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardSinks, type SinkGuard, sinkGuardErrorHandler } from '../../src/guard.js';
import {
  type Alert,
  AnomalyMonitor,
  metricsHandler,
  registerPrometheusMetrics,
  requestGuard,
} from '../../src/index.js';
import { serveApp } from '../http/serve-app.js';
import { requireBinaries } from '../support/processes.js';

const binaries = requireBinaries(
  { ping: ['ping'], mkfifo: ['mkfifo'] },
  'apt-get install -y iputils-ping coreutils',
);

const work = mkdtempSync(path.join(tmpdir(), 'secmon-app-'));
const base = path.join(work, 'public');
const marker = path.join(work, 'pwned');
const secret = path.join(work, 'private', 'secret.txt');
const pipe = path.join(work, 'private', 'pipe');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function vulnerableApp(monitor: AnomalyMonitor) {
  const app = express();
  app.use(requestGuard(monitor)); // record mode: the request-level view, and the request's inputs for the sink guard
  app.get('/ping', (req, res, next) => {
    exec(`ping -c 1 -W 2 ${req.query.host}`, (error, stdout) => {
      if (error) return next(error);
      res.type('text').send(stdout);
    });
  });
  app.get('/file', (req, res, next) => {
    fs.readFile(path.join(base, String(req.query.file)), 'utf8', (error, text) => {
      if (error) return next(error);
      res.type('text').send(text);
    });
  });
  app.get('/files/:name', async (req, res) => {
    res.type('text').send(await readFile(path.join(base, req.params.name), 'utf8'));
  });
  app.get('/theme', (req, res) => {
    const theme = /(?:^|;\s*)theme=([^;]*)/.exec(req.headers.cookie ?? '')?.[1] ?? 'light';
    res.type('text').send(fs.readFileSync(path.join(base, decodeURIComponent(theme)), 'utf8'));
  });
  // Quoted properly: harmless at the sink, whatever the request-level detector thinks of it.
  app.get('/echo', (req, res) => {
    res.type('text').send(execSync(`echo ${quote([String(req.query.message)])}`).toString());
  });
  app.get('/metrics', metricsHandler({ registry: registerPrometheusMetrics(monitor) }));
  app.use(sinkGuardErrorHandler());
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  return app;
}

async function start(mode: 'record' | 'block') {
  const monitor = new AnomalyMonitor();
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  const guard = guardSinks(monitor, { mode });
  const server = await serveApp(vulnerableApp(monitor));
  return { alerts, guard, server };
}

const atSinks = (alerts: Alert[]) =>
  alerts.filter((a) => a.metadata?.sink !== undefined).map((a) => [a.type, a.sourceIp, a.metadata?.sink]);

describe.skipIf(binaries === undefined)('an Express app behind the sink guard', () => {
  beforeEach(() => {
    rmSync(path.join(work, 'private'), { recursive: true, force: true });
    fs.mkdirSync(base, { recursive: true });
    fs.mkdirSync(path.dirname(secret), { recursive: true });
    writeFileSync(path.join(base, 'report.txt'), 'quarterly report');
    writeFileSync(path.join(base, 'dark'), 'dark theme');
    writeFileSync(secret, 'TOP-SECRET');
    rmSync(marker, { force: true });
  });

  describe('block mode', () => {
    let app: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      app = await start('block');
    });
    afterAll(async () => {
      await app.server.close();
      app.guard();
    });
    const get = (url: string, init?: RequestInit) => fetch(`${app.server.url}${url}`, init);

    it('answers an injected command 403 and never runs it', async () => {
      const response = await get(`/ping?host=${encodeURIComponent(`127.0.0.1; touch ${marker}`)}`);
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({
        error: 'request blocked: command injection detected',
        field: 'query.host',
      });
      expect(body).not.toContain('touch');
      expect(existsSync(marker)).toBe(false);
    });

    it('answers a traversal 403 without reading the secret, from a query value, a route parameter or a cookie', async () => {
      for (const [url, init, field] of [
        ['/file?file=..%2Fprivate%2Fsecret.txt', undefined, 'query.file'],
        ['/files/..%2Fprivate%2Fsecret.txt', undefined, 'params.name'],
        ['/theme', { headers: { cookie: 'theme=..%2Fprivate%2Fsecret.txt' } }, 'cookies.theme'],
      ] as const) {
        const response = await get(url, init);
        expect(response.status, url).toBe(403);
        const body = await response.text();
        expect(JSON.parse(body).field).toBe(field);
        expect(body).not.toContain('TOP-SECRET');
      }
    });

    it('never opens the file: a pipe nobody reads stays without a reader', async () => {
      execSync(`${binaries!.mkfifo} ${quote([pipe])}`);
      const response = await get('/file?file=..%2Fprivate%2Fpipe');
      expect(response.status).toBe(403);
      // Opening a pipe for writing without blocking fails with ENXIO while no reader has it open: had
      // the app's readFile opened it, it would still be waiting there.
      expect(() => openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(
        expect.objectContaining({ code: 'ENXIO' }),
      );
    });

    it('serves benign requests, including a value only the request-level detector frowns upon', async () => {
      const ping = await get('/ping?host=127.0.0.1');
      expect(ping.status).toBe(200);
      expect(await ping.text()).toContain('1 packets transmitted');
      expect(await (await get('/file?file=report.txt')).text()).toBe('quarterly report');
      expect(await (await get('/files/report.txt')).text()).toBe('quarterly report');
      expect(await (await get('/theme', { headers: { cookie: 'theme=dark' } })).text()).toBe('dark theme');
      const message = 'cat ./coverage/lcov.info | coveralls';
      const echo = await get(`/echo?message=${encodeURIComponent(message)}`);
      expect(echo.status).toBe(200);
      expect(await echo.text()).toBe(`${message}\n`);
      // The request-level guard recorded it (no sink); the sink guard let it run.
      expect(app.alerts.at(-1)).toMatchObject({ type: 'command_injection', metadata: { input: message } });
      expect(app.alerts.at(-1)?.metadata?.sink).toBeUndefined();
    });

    it('alerts carry the sink, and /metrics counts them by sink kind', async () => {
      expect(atSinks(app.alerts)).toEqual([
        ['command_injection', '127.0.0.1', 'child_process.exec'],
        ['path_traversal', '127.0.0.1', 'fs.readFile'],
        ['path_traversal', '127.0.0.1', 'fs.promises.readFile'],
        ['path_traversal', '127.0.0.1', 'fs.readFileSync'],
        ['path_traversal', '127.0.0.1', 'fs.readFile'],
      ]);
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toContain('secmon_sink_findings_total{sink_kind="command"} 1');
      expect(metrics).toContain('secmon_sink_findings_total{sink_kind="file"} 4');
      expect(app.guard.stats()).toMatchObject({ blocked: 5, findings: 5, detectionErrors: 0 });
    });
  });

  describe('record mode', () => {
    let app: Awaited<ReturnType<typeof start>>;
    let guard: SinkGuard;
    beforeAll(async () => {
      app = await start('record');
      guard = app.guard;
    });
    afterAll(async () => {
      await app.server.close();
      guard();
    });
    const get = (url: string) => fetch(`${app.server.url}${url}`);

    it('lets the attacks through, and alerts on each at its sink', async () => {
      const ping = await get(`/ping?host=${encodeURIComponent(`127.0.0.1; touch ${marker}`)}`);
      expect(ping.status).toBe(200);
      expect(existsSync(marker)).toBe(true);
      const file = await get('/file?file=..%2Fprivate%2Fsecret.txt');
      expect(await file.text()).toBe('TOP-SECRET');
      expect(atSinks(app.alerts)).toEqual([
        ['command_injection', '127.0.0.1', 'child_process.exec'],
        ['path_traversal', '127.0.0.1', 'fs.readFile'],
      ]);
      expect(guard.stats()).toMatchObject({ blocked: 0, findings: 2 });
    });
  });
});
