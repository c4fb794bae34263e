import express from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnomalyMonitor,
  type MetricsHandlerOptions,
  metricsHandler,
  registerPrometheusMetrics,
} from '../../src/index.js';
import { serveApp } from './serve-app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function metricsApp({
  openMetrics,
  ...options
}: Omit<MetricsHandlerOptions, 'registry'> & { openMetrics?: boolean } = {}) {
  const monitor = new AnomalyMonitor();
  const registry = registerPrometheusMetrics(monitor);
  let openMetricsRegistry: Registry | undefined;
  if (openMetrics) {
    openMetricsRegistry = new Registry();
    openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    registerPrometheusMetrics(monitor, { registry: openMetricsRegistry });
  }
  const app = express();
  app.get(
    '/metrics',
    metricsHandler(
      openMetricsRegistry ? { ...options, registry, openMetricsRegistry } : { ...options, registry },
    ),
  );
  const server = await serveApp(app);
  cleanups.push(server.close);
  return { monitor, url: `${server.url}/metrics` };
}

describe('/metrics handler', () => {
  it('serves the Prometheus text format', async () => {
    const { url, monitor } = await metricsApp();
    monitor.recordFailedAuth('192.0.2.1');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toMatch(/^secmon_failed_auth_total 1$/m);
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const { url } = await metricsApp({ openMetrics: true });
    const response = await fetch(url, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const text = await response.text();
    expect(text).toMatch(/^secmon_failed_auth_total 0$/m);
    expect(text).toMatch(/^# TYPE secmon_failed_auth counter$/m);
    expect(text.endsWith('# EOF\n')).toBe(true);
    // and the plain format still has its _total names afterwards
    const plain = await (await fetch(url)).text();
    expect(plain).toMatch(/^# TYPE secmon_failed_auth_total counter$/m);
  });

  it('requires the bearer token when one is configured', async () => {
    const { url } = await metricsApp({ bearerTokens: ['scrape-secret-123'] });
    const denied = await fetch(url);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await denied.json()).toHaveProperty('error');
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer scrape-secret-123' } })).status).toBe(200);
  });

  it('accepts basic auth when configured', async () => {
    const { url } = await metricsApp({ basicAuth: ['prom:s3cret'] });
    const basic = (credentials: string) => ({
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    });
    expect((await fetch(url)).headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await fetch(url, { headers: basic('prom:wrong') })).status).toBe(401);
    expect((await fetch(url, { headers: basic('prom:s3cret') })).status).toBe(200);
  });
});
