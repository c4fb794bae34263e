// secmon's Express middleware against both supported Express majors. vitest.config.ts runs every
// test in test/http twice: as is (Express 5) and with `express` resolved to Express 4 (the
// `express4` dev dependency), for the app and for secmon's own imports alike, as in an Express 4 app
// that installed secmon. These cases check that the switch happened and what differs between them.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import express from 'express';
import expressManifest from 'express/package.json' with { type: 'json' };
import semver from 'semver';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor, eventApi, requestGuard } from '../../src/index.js';
import { serveApp } from './serve-app.js';

const root = resolve(import.meta.dirname, '../..');
const major = process.env.SECMON_EXPRESS_MAJOR;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe(`Express ${major}`, () => {
  it('is the Express these tests run on, and inside the peer range secmon declares', async () => {
    expect(major).toMatch(/^[45]$/);
    expect(semver.major(expressManifest.version)).toBe(Number(major));
    const manifest = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies?.express).toBeUndefined();
    expect(semver.satisfies(expressManifest.version, manifest.peerDependencies.express)).toBe(true);
  });

  it('has the request guard find an attack in a nested query value (qs objects in 4, flat keys in 5)', async () => {
    const monitor = new AnomalyMonitor();
    const alerts: Alert[] = [];
    monitor.onAlert((alert) => {
      alerts.push(alert);
    });
    const app = express();
    app.use(requestGuard(monitor, { mode: 'block' }));
    app.use((_req, res) => {
      res.json({ ok: true });
    });
    const server = await serveApp(app);
    cleanups.push(server.close);
    const response = await fetch(`${server.url}/download?file[name]=..%2F..%2Fetc%2Fpasswd`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { field: string };
    expect(body.field).toBe(major === '4' ? 'query.file.name' : 'query.file[name]');
    expect(alerts.map((alert) => alert.type)).toEqual(['path_traversal']);
  });

  it("mounts the event API router in this major's app", async () => {
    const monitor = new AnomalyMonitor();
    const app = express();
    app.use(eventApi(monitor, { tokens: ['a-long-enough-ingest-token'] })); // serves POST /v1/events
    const server = await serveApp(app);
    cleanups.push(server.close);
    const response = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer a-long-enough-ingest-token', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'path_traversal', ip: '192.0.2.7', path: '../../etc/passwd' }),
    });
    expect(response.status).toBe(202);
    expect(monitor.getStats().pathTraversalAttempts).toBe(1);
  });
});
