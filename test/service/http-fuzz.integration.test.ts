// Fuzzes the real `secmon serve` process with random requests — methods, paths, headers, content
// types and encodings, bodies that are valid events, random JSON or random bytes, compressed right,
// wrong, mislabelled or truncated, framed by Content-Length or chunked — and asserts it never
// answers with a 5xx, always answers, and survives. SECMON_FUZZ_CASES sets the number of cases
// (default 3,000), SECMON_FUZZ_SEED replays one run.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../support/raw-http.js';
import { INGEST_TOKEN, type RunningSecmon, startSecmon } from '../support/secmon.js';

const CASES = Number(process.env.SECMON_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.SECMON_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;

type Compression = 'gzip' | 'deflate' | 'deflate-raw' | 'br' | 'none';

interface FuzzCase {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** How the body is compressed when `mislabel` is set (it may then disagree with the header). */
  compression: Compression;
  mislabel: boolean;
  /** Cut this many bytes off the end after compressing (0: none). */
  truncate: number;
  framing: 'length' | 'short-length' | 'chunked' | 'none';
  extraHeaders: Array<[string, string]>;
  body: Buffer;
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const token = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'),
  minLength: 1,
  maxLength: 20,
});
const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('not-an-ip'), printable);

const event = fc.oneof(
  fc.record(
    { type: fc.constant('failed_auth'), ip, userId: fc.option(printable, { nil: undefined }) },
    { requiredKeys: ['type', 'ip'] },
  ),
  fc.record(
    { type: fc.constant('privileged_container'), userId: printable, ip: fc.option(ip, { nil: undefined }) },
    { requiredKeys: ['type', 'userId'] },
  ),
  fc.record({
    type: fc.constant('suspicious_container'),
    userId: printable,
    reasons: fc.array(printable, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('path_traversal'),
    ip,
    path: fc.oneof(printable, fc.constant('../../etc/passwd')),
  }),
  fc.record({
    type: fc.constant('command_injection'),
    ip,
    input: fc.oneof(printable, fc.constant('a; cat /etc/passwd')),
  }),
  fc.record({ type: fc.constantFrom('rate_limit_exceeded', 'unknown', ''), ip }),
);

const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => Buffer.from(JSON.stringify(e))) },
  {
    weight: 3,
    arbitrary: fc.array(event, { maxLength: 30 }).map((events) => Buffer.from(JSON.stringify({ events }))),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }).map((text) => Buffer.from(text, 'utf8')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from('{'),
      Buffer.from('null'),
      Buffer.from('[]'),
      Buffer.from('{"events": []}'),
      Buffer.from('\u0000'),
    ),
  },
);

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constant('POST') },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'BREW') },
  ),
  path: fc.oneof(
    { weight: 16, arbitrary: fc.constant('/v1/events') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '/metrics',
        '/healthz',
        '/readyz',
        '/',
        '/v1/events/',
        '/V1/EVENTS',
        '/v1/events?x=1&x=2',
        '/%',
        '/%c0%ae%c0%ae/',
        '/v1/events#x',
        '*',
      ),
    },
    { weight: 1, arbitrary: printable.map((text) => `/${encodeURI(text)}`) },
  ),
  authorization: fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${INGEST_TOKEN}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'Bearer',
        'Bearer ',
        `bearer  ${INGEST_TOKEN}  `,
        'Basic dXNlcjpwYXNz',
        `Bearer ${INGEST_TOKEN}x`,
      ),
    },
    { weight: 1, arbitrary: printable },
  ),
  contentType: fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined,
        'application/json; charset=utf-8',
        'application/json; charset=UTF-16',
        'application/json; charset=latin1',
        'application/json; charset=klingon',
        'application/json; charset',
        'application/cloudevents+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json, text/plain',
        ';;;',
      ),
    },
    { weight: 1, arbitrary: printable },
  ),
  contentEncoding: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom('gzip', 'deflate', 'br') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'identity',
        'x-gzip',
        'GZIP',
        'gzip, gzip',
        'compress',
        'zstd',
        'gzip;q=1',
        '',
      ),
    },
    { weight: 1, arbitrary: printable },
  ),
  // Used only when it disagrees with the header on purpose (see encode()).
  compression: fc.constantFrom<Compression>('gzip', 'deflate', 'deflate-raw', 'br', 'none'),
  mislabel: fc.boolean(),
  truncate: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }) },
  ),
  framing: fc.oneof(
    { weight: 8, arbitrary: fc.constant('length' as const) },
    { weight: 1, arbitrary: fc.constantFrom('short-length' as const, 'chunked' as const, 'none' as const) },
  ),
  extraHeaders: fc.array(fc.tuple(token, printable), { maxLength: 4 }),
  body,
});

/** Most cases compress as the header says; the rest disagree with it on purpose. */
function encode(c: FuzzCase): Buffer {
  const matching =
    c.contentEncoding === 'gzip' || c.contentEncoding === 'deflate' || c.contentEncoding === 'br';
  const compression: Compression =
    matching && c.compression !== 'none' && c.truncate === 0
      ? (c.contentEncoding as Compression)
      : c.compression;
  const compressed = {
    gzip: () => gzipSync(c.body),
    deflate: () => deflateSync(c.body),
    'deflate-raw': () => deflateRawSync(c.body),
    br: () => brotliCompressSync(c.body),
    none: () => c.body,
  }[compression]();
  return c.truncate > 0 ? compressed.subarray(0, Math.max(0, compressed.length - c.truncate)) : compressed;
}

function requestBytes(c: FuzzCase): Buffer {
  const payload = encode(c);
  const head = [`${c.method} ${c.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  if (c.authorization !== undefined) head.push(`Authorization: ${c.authorization}`);
  if (c.contentType !== undefined) head.push(`Content-Type: ${c.contentType}`);
  if (c.contentEncoding !== undefined) head.push(`Content-Encoding: ${c.contentEncoding}`);
  for (const [name, value] of c.extraHeaders) head.push(`X-Fuzz-${name}: ${value}`);
  let framed = payload;
  if (c.framing === 'length') head.push(`Content-Length: ${payload.length}`);
  else if (c.framing === 'short-length') head.push(`Content-Length: ${Math.floor(payload.length / 2)}`);
  else if (c.framing === 'chunked') {
    head.push('Transfer-Encoding: chunked');
    framed = Buffer.concat([
      payload.length > 0 ? Buffer.from(`${payload.length.toString(16)}\r\n`) : Buffer.alloc(0),
      payload,
      Buffer.from(payload.length > 0 ? '\r\n0\r\n\r\n' : '0\r\n\r\n'),
    ]);
  } else framed = Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), framed]);
}

describe(`secmon serve under ${CASES} fuzzed requests (seed ${SEED})`, () => {
  let service: RunningSecmon;

  beforeAll(async () => {
    service = await startSecmon(
      { SECMON_HEADERS_TIMEOUT_MS: '1000', SECMON_REQUEST_TIMEOUT_MS: '2000', SECMON_LOG_LEVEL: 'warn' },
      'secmon serve (fuzz)',
    );
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('never answers with a 5xx, always answers, and keeps running', async () => {
    const port = Number(new URL(service.base).port);
    const cases = fc.sample(fuzzCase, { numRuns: CASES, seed: SEED });
    const byStatus = new Map<number | undefined, number>();
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const exchange = await rawExchange(port, [requestBytes(c)], { timeoutMs: 8000 });
        byStatus.set(exchange.status, (byStatus.get(exchange.status) ?? 0) + 1);
        if (exchange.status === undefined || exchange.status >= 500) {
          bad.push(
            `${exchange.status ?? 'no answer'}: ${JSON.stringify({ ...c, body: c.body.toString('base64') })}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    console.log(
      `fuzz (seed ${SEED}): ${CASES} cases, answers ${JSON.stringify(Object.fromEntries(byStatus))}`,
    );
    expect(bad.slice(0, 5), `${bad.length} bad answers; replay with SECMON_FUZZ_SEED=${SEED}`).toEqual([]);
    expect(service.process.child.exitCode).toBeNull();
    expect((await fetch(`${service.base}/healthz`)).status).toBe(200);
    expect(service.logLines().filter((line) => line.msg === 'request failed')).toEqual([]);
    // The fuzz reached the event API and its decompression, not only the door.
    expect(byStatus.get(202) ?? 0).toBeGreaterThan(CASES / 50);
    const metrics = await service.metrics();
    expect(metrics.get('secmon_ingest_requests_rejected_total{reason="bad_encoding"}')).toBeGreaterThan(0);
  });
});
