// The HTTP server of the real `secmon serve` process, attacked the way a reliability tester does:
// corrupt compressed bodies, protocol errors, garbage after a good request, idle and slow clients,
// more sockets than the connection limit.
import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/processes.js';
import { busySocket, eventsHead, openIdleSockets, rawExchange, statuses } from '../support/raw-http.js';
import { INGEST_TOKEN, parseMetrics, type RunningSecmon, startSecmon } from '../support/secmon.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const run = promisify(execFile);
const EVENT = JSON.stringify({ type: 'failed_auth', ip: '203.0.113.50', userId: 'root' });

const portOf = (service: RunningSecmon) => Number(new URL(service.base).port);

describe('secmon serve answers bad HTTP like a good HTTP server', () => {
  let service: RunningSecmon;
  let port: number;

  beforeAll(async () => {
    service = await startSecmon(
      { SECMON_HEADERS_TIMEOUT_MS: '1000', SECMON_REQUEST_TIMEOUT_MS: '2000' },
      'secmon serve (http edges)',
    );
    port = portOf(service);
  });

  afterAll(async () => {
    await service?.stop();
  });

  const postEncoded = (body: Buffer, encoding: string) =>
    fetch(`${service.base}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${INGEST_TOKEN}`,
        'content-type': 'application/json',
        'content-encoding': encoding,
      },
      body,
    });

  it('accepts gzip, deflate and br bodies', async () => {
    for (const [encoding, body] of [
      ['gzip', gzipSync(EVENT)],
      ['deflate', deflateSync(EVENT)],
      ['br', brotliCompressSync(EVENT)],
    ] as const) {
      const response = await postEncoded(body, encoding);
      expect(response.status, encoding).toBe(202);
    }
  });

  it('answers a corrupt, truncated or mislabelled compressed body with 400 and counts it', async () => {
    const gzip = gzipSync(EVENT);
    const cases: Array<[string, Buffer, string]> = [
      ['not gzip at all', Buffer.from(EVENT), 'gzip'],
      ['truncated gzip', gzip.subarray(0, gzip.length - 9), 'gzip'],
      ['gzip labelled deflate', gzip, 'deflate'],
      ['deflate labelled gzip', deflateSync(EVENT), 'gzip'],
      ['random bytes as br', Buffer.from('0b8180e6a1d9fe2b7f3c', 'hex'), 'br'],
      [
        'gzip with a corrupt middle',
        Buffer.concat([gzip.subarray(0, 12), Buffer.alloc(8, 0xff), gzip.subarray(20)]),
        'gzip',
      ],
    ];
    const before = (await service.metrics()).get(
      'secmon_ingest_requests_rejected_total{reason="bad_encoding"}',
    );
    expect(before).toBe(0);
    for (const [name, body, encoding] of cases) {
      const response = await postEncoded(body, encoding);
      expect(response.status, name).toBe(400);
      const answer = (await response.json()) as { error: string; field: string };
      expect(answer.field, name).toBe('content-encoding');
      expect(answer.error, name).toMatch(new RegExp(`^body is not valid ${encoding} data: `));
    }
    const metrics = await service.metrics();
    expect(metrics.get('secmon_ingest_requests_rejected_total{reason="bad_encoding"}')).toBe(cases.length);
    expect(service.logLines().filter((line) => line.msg === 'request failed')).toEqual([]);
  });

  it('answers oversized headers with 431, a malformed request with 400, and counts both', async () => {
    const big = await rawExchange(port, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]);
    expect(big.status).toBe(431);
    expect(big.text).toContain('{"error":"request headers exceed 16384 bytes"}');
    const malformed = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost x\r\n\r\n']);
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('{"error":"malformed HTTP request"}');
    const metrics = await service.metrics();
    expect(metrics.get('secmon_http_protocol_errors_total{reason="headers_too_large"}')).toBe(1);
    expect(metrics.get('secmon_http_protocol_errors_total{reason="malformed"}')).toBe(1);
  });

  it('closes an idle connection with 408 within a second of the headers timeout', async () => {
    const idle = await rawExchange(port, [], { timeoutMs: 10_000 });
    expect(idle.closedByServer).toBe(true);
    expect(idle.status).toBe(408);
    expect(idle.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(idle.elapsedMs).toBeLessThan(4000); // Node checks every 30 s by default
  });

  it('closes a slow body with 408 within a second of the request timeout', async () => {
    const slow = await rawExchange(port, [eventsHead(INGEST_TOKEN, EVENT.length), EVENT.slice(0, 5)], {
      timeoutMs: 10_000,
    });
    expect(slow.closedByServer).toBe(true);
    expect(slow.status).toBe(408);
    expect(slow.elapsedMs).toBeLessThan(5000);
    expect((await service.metrics()).get('secmon_http_protocol_errors_total{reason="timeout"}')).toBe(2);
  });

  it('never answers a recorded request with an error, even with garbage after it', async () => {
    const before = (await service.metrics()).get('secmon_ingest_events_total')!;
    const exchange = await rawExchange(port, [
      `${eventsHead(INGEST_TOKEN, EVENT.length)}${EVENT}GARBAGE NOT HTTP\r\n\r\n`,
    ]);
    expect(statuses(exchange.text)).toEqual([202]);
    expect(exchange.text).toContain('{"accepted":1}');
    expect(exchange.closedByServer).toBe(true);
    expect((await service.metrics()).get('secmon_ingest_events_total')).toBe(before + 1);
  });
});

describe('secmon serve bounds its connections', () => {
  let service: RunningSecmon;
  let port: number;
  const LIMIT = 60;
  // Fewer descriptors than the idle sockets below: without a limit, accept() fails and nobody gets in.
  const FILE_LIMIT = 128;

  beforeAll(async () => {
    service = await startSecmon(
      { SECMON_MAX_CONNECTIONS: String(LIMIT) },
      'secmon serve (connection limit)',
      {
        fileLimit: FILE_LIMIT,
      },
    );
    port = portOf(service);
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('keeps answering /healthz with more idle sockets open than it has file descriptors', async () => {
    const idle = await openIdleSockets(port, FILE_LIMIT + 72);
    try {
      // Each probe on a connection of its own: under a flood an idle keep-alive connection is fair game.
      const get = (path: string) =>
        rawExchange(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      const health = await get('/healthz');
      expect(health.status).toBe(200);
      expect(health.text).toContain('{"status":"ok"}');
      const scrape = await get('/metrics');
      expect(scrape.status).toBe(200);
      const metrics = parseMetrics(scrape.text.slice(scrape.text.indexOf('\r\n\r\n') + 4));
      expect(metrics.get('secmon_http_connections_limit')).toBe(LIMIT);
      expect(metrics.get('secmon_http_connections_open')).toBeLessThanOrEqual(LIMIT);
      expect(metrics.get('secmon_http_connections_evicted_total')).toBeGreaterThan(FILE_LIMIT - LIMIT);
      expect(metrics.get('secmon_http_connections_refused_total')).toBe(0);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  it('refuses a new connection with 503 when every open one is busy, and counts it', async () => {
    // A scrape made while the busy connections are still being closed may itself be refused (and
    // counted): those are counted here too.
    let scrapesRefused = 0;
    const scrape = async () => {
      const answer = await rawExchange(port, [
        'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);
      if (answer.status === 503) scrapesRefused++;
      return parseMetrics(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4));
    };
    // Start from no other connection (the flood above is gone), then fill every slot with a request
    // the server has read and is waiting on: none may be closed to make room.
    await waitFor(
      'the flood to be closed',
      async () => (await scrape()).get('secmon_http_connections_open') === 1,
    );
    const busy: Socket[] = [];
    try {
      for (let i = 0; i < LIMIT; i++) busy.push(await busySocket(port, INGEST_TOKEN));
      const refused = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(refused.status).toBe(503);
      expect(refused.text).toContain('{"error":"too many connections: retry shortly"}');
    } finally {
      for (const socket of busy) socket.destroy();
    }
    const metrics = await waitFor('the busy connections to be closed', async () => {
      const now = await scrape();
      return now.get('secmon_http_connections_open') === 1 ? now : undefined;
    });
    expect(metrics.get('secmon_http_connections_refused_total')).toBe(1 + scrapesRefused);
  });
});

describe('secmon serve start-up errors', () => {
  let blocker: Server;
  let blockedPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
    blockedPort = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolveClose) => blocker.close(resolveClose));
  });

  it('exits 2 with one line naming the port when it is already in use', async () => {
    const failure = await run(process.execPath, [cli, 'serve'], {
      env: { ...process.env, SECMON_PORT: String(blockedPort), SECMON_LOG_LEVEL: 'info' },
    }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      `secmon: port ${blockedPort} on 127.0.0.1 is already in use (SECMON_PORT, --port): stop the other process or choose another port\n`,
    );
    expect(failure.stdout).not.toMatch(/"level":"fatal"/);
  });

  it.each([
    ['SECMON_METRICS_TOKEN', ' , '],
    ['SECMON_METRICS_BASIC_AUTH', 'prometheus:'],
    ['SECMON_INGEST_TOKENS', 'a token with spaces 0123456789'],
  ])('exits 2 naming %s when it holds a blank or unusable secret', async (name, value) => {
    const failure = await run(process.execPath, [cli, 'serve', '--port', '0'], {
      env: { ...process.env, [name]: value },
    }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(new RegExp(`^secmon: ${name} \\(--[a-z-]+\\) must be comma-separated`));
    expect(failure.stdout).not.toMatch(/secmon listening/);
  });
});
