import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SecmonBlockedError, sinkGuardErrorHandler } from '../../src/guard.js';
import { serveApp } from '../http/serve-app.js';

const closes: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closes.splice(0)) await close();
});

async function appThrowing(error: unknown, own = true) {
  const app = express();
  app.get('/', () => {
    throw error;
  });
  app.get('/late', (_req, res, next) => {
    res.status(200).write('partial');
    next(error);
  });
  if (own) app.use(sinkGuardErrorHandler());
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'handled by the app' });
  });
  const server = await serveApp(app);
  closes.push(server.close);
  return server.url;
}

describe('sinkGuardErrorHandler', () => {
  it('answers a blocked call with a JSON 403 naming the field, never the input', async () => {
    const url = await appThrowing(
      new SecmonBlockedError('command_injection', 'child_process.exec', 'pipe', 'query.host'),
    );
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'request blocked: command injection detected',
      field: 'query.host',
    });
  });

  it('escapes and bounds a field name that came from the request', async () => {
    const error = new SecmonBlockedError(
      'path_traversal',
      'fs.readFile',
      'parent-escape',
      `query.${'\u001b'.repeat(3)}${'k'.repeat(200)}`,
    );
    const url = await appThrowing(error);
    const body = (await (await fetch(url)).json()) as { error: string; field: string };
    expect(body.error).toBe('request blocked: path traversal detected');
    expect(body.field).toMatch(/^query\.\?\?\?k+…$/);
    expect(body.field.length).toBeLessThanOrEqual(101);
  });

  it("passes other errors on to the app's handler", async () => {
    const url = await appThrowing(new Error('boom'));
    expect((await fetch(url)).status).toBe(500);
  });

  it('without it, Express answers 403 from the error status', async () => {
    const app = express();
    app.get('/', () => {
      throw new SecmonBlockedError('command_injection', 'child_process.exec', 'pipe', undefined);
    });
    const server = await serveApp(app);
    closes.push(server.close);
    const response = await fetch(server.url);
    expect(response.status).toBe(403);
  });
});
