import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/service/config.js';
import { createLogger } from '../src/service/logger.js';
import { createService } from '../src/service/server.js';
import { median } from './stats.js';

/** Figures for the HTTP side; see the README's "Benchmark" section. */
export interface ServiceBench {
  metricsScrapeMs: number;
  metricsScrapeBytes: number;
  middlewareReqPerSec: { plain: number; guarded: number };
  middlewareThroughputRatio: number;
}

/** GET /metrics from a real service with 100,000 tracked addresses: median of 20 scrapes. */
async function scrape(): Promise<{ ms: number; bytes: number }> {
  const service = createService(loadConfig({ flags: { port: '0' } }), createLogger('silent'));
  const { port } = await service.listen();
  try {
    for (let i = 0; i < 100_000; i++)
      service.monitor.recordFailedAuth(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const url = `http://127.0.0.1:${port}/metrics`;
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 22; i++) {
      const start = process.hrtime.bigint();
      const body = await (await fetch(url)).text();
      if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6); // first two warm up
      bytes = body.length;
      if (!body.includes('secmon_monitored_ips 100000'))
        throw new Error('scrape did not see the tracked addresses');
    }
    return { ms: Number(median(times).toFixed(3)), bytes };
  } finally {
    await service.close(0);
  }
}

async function startApp(guarded: boolean): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolve(import.meta.dirname, 'fixtures/express-app.ts'), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_GUARDED: guarded ? '1' : '0' },
    stdio: 'ignore',
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('message', (message) => resolvePort((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench app exited early (${code})`)));
  });
  return { child, port };
}

async function load(port: number, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 16,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: '/api/items?q=spring%20sale&page=2&sort=price',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench' },
      },
      {
        method: 'POST',
        path: '/api/items',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Tom & Jerry box set',
          tags: ['dvd', 'classic'],
          note: 'gift, wrap please',
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`bench load saw ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result.requests.average;
}

/** The same app with and without secmon's middleware, alternating runs; req/s medians and their ratio. */
async function middlewareOverhead(
  log: (line: string) => void,
): Promise<Pick<ServiceBench, 'middlewareReqPerSec' | 'middlewareThroughputRatio'>> {
  const plain: number[] = [];
  const guarded: number[] = [];
  const rounds = 3;
  for (let round = 1; round <= rounds; round++) {
    for (const withGuard of [false, true]) {
      const app = await startApp(withGuard);
      try {
        await load(app.port, 1); // warm-up
        const perSecond = await load(app.port, 4);
        (withGuard ? guarded : plain).push(perSecond);
        log(
          `middleware round ${round}/${rounds}: ${withGuard ? 'guarded' : 'plain  '} ${perSecond.toFixed(0)} req/s`,
        );
      } finally {
        app.child.kill('SIGTERM');
      }
    }
  }
  const plainMedian = median(plain);
  const guardedMedian = median(guarded);
  return {
    middlewareReqPerSec: { plain: Math.round(plainMedian), guarded: Math.round(guardedMedian) },
    middlewareThroughputRatio: Number((guardedMedian / plainMedian).toFixed(3)),
  };
}

export async function benchService(log: (line: string) => void): Promise<ServiceBench> {
  const { ms, bytes } = await scrape();
  log(`/metrics with 100,000 tracked addresses: ${ms} ms (${bytes} bytes)`);
  return { metricsScrapeMs: ms, metricsScrapeBytes: bytes, ...(await middlewareOverhead(log)) };
}
