// A real OTLP/HTTP receiver for integration tests: a node:http server on 127.0.0.1 that accepts
// POST /v1/logs and /v1/metrics in http/protobuf or http/json, decodes them, and keeps a normalised
// copy of what it received. It can also play a collector that accepts connections and never answers.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(join(import.meta.dirname, 'otlp-subset.proto'), 'utf8')).root;
const LogsRequest = root.lookupType('otlp.ExportLogsServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue };

export interface ReceivedLogRecord {
  eventName: string;
  severityNumber: number;
  severityText: string;
  body: AttributeValue | undefined;
  timeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  /** Hex, or '' when the record carries no trace context. */
  traceId: string;
  spanId: string;
  scope: string;
}

export interface ReceivedPoint {
  attributes: Record<string, AttributeValue>;
  value: number;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  description: string;
  kind: 'sum' | 'gauge';
  monotonic: boolean;
  points: ReceivedPoint[];
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: IncomingMessage['headers'];
  resource: Record<string, AttributeValue>;
  logs: ReceivedLogRecord[];
  metrics: ReceivedMetric[];
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:43123 (for OTEL_EXPORTER_OTLP_ENDPOINT). */
  url: string;
  requests: ReceivedRequest[];
  /** Requests that arrived (also those never answered). */
  arrived(): number;
  /** Decoding errors; a passing test expects none. */
  errors: string[];
  logs(): ReceivedLogRecord[];
  /** The metrics of the most recent metrics request. */
  latestMetrics(): ReceivedMetric[] | undefined;
  close(): Promise<void>;
}

/**
 * Starts a receiver on a free loopback port. With `answer: 'never'` it reads each request and never
 * responds (a hanging collector); `close()` then destroys the open connections.
 */
export async function startOtlpReceiver(options: { answer?: 'ok' | 'never' } = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const errors: string[] = [];
  let arrived = 0;
  const server = createServer((req, res) => {
    arrived++;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 16 * 1024 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      if (options.answer === 'never') return;
      handle(req, Buffer.concat(chunks), res, requests, errors);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('receiver has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    errors,
    arrived: () => arrived,
    logs: () => requests.flatMap((request) => request.logs),
    latestMetrics: () => requests.filter((request) => request.path === '/v1/metrics').at(-1)?.metrics,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(
  req: IncomingMessage,
  raw: Buffer,
  res: ServerResponse,
  requests: ReceivedRequest[],
  errors: string[],
): void {
  const path = req.url ?? '';
  const contentType = String(req.headers['content-type'] ?? '');
  const json = contentType.startsWith('application/json');
  try {
    if (req.method !== 'POST' || (path !== '/v1/logs' && path !== '/v1/metrics')) {
      res.writeHead(404).end();
      return;
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const message = json
      ? JSON.parse(body.toString('utf8'))
      : (path === '/v1/logs' ? LogsRequest : MetricsRequest).toObject(
          (path === '/v1/logs' ? LogsRequest : MetricsRequest).decode(body),
          { longs: String, defaults: false, arrays: true },
        );
    requests.push(normalise(path, contentType, req.headers, message));
    if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  } catch (error) {
    errors.push(`${path} ${contentType}: ${error instanceof Error ? error.message : String(error)}`);
    res.writeHead(400).end();
  }
}

// Both decodings are brought to one shape: camelCase field names (protobufjs does that for the
// protobuf side), 64-bit integers as strings or numbers become numbers/bigints, bytes become hex.
// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP messages are untyped here
type Decoded = any;

function normalise(
  path: string,
  contentType: string,
  headers: IncomingMessage['headers'],
  message: Decoded,
): ReceivedRequest {
  const request: ReceivedRequest = { path, contentType, headers, resource: {}, logs: [], metrics: [] };
  for (const resourceLogs of message.resourceLogs ?? []) {
    request.resource = attributes(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        request.logs.push({
          eventName: record.eventName ?? '',
          severityNumber: Number(record.severityNumber ?? 0),
          severityText: record.severityText ?? '',
          body: record.body === undefined ? undefined : anyValue(record.body),
          timeUnixNano: BigInt(record.timeUnixNano ?? 0),
          attributes: attributes(record.attributes),
          traceId: hex(record.traceId),
          spanId: hex(record.spanId),
          scope: scopeLogs.scope?.name ?? '',
        });
      }
    }
  }
  for (const resourceMetrics of message.resourceMetrics ?? []) {
    request.resource = attributes(resourceMetrics.resource?.attributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        const data = metric.sum ?? metric.gauge;
        if (data === undefined) continue;
        request.metrics.push({
          name: metric.name,
          unit: metric.unit ?? '',
          description: metric.description ?? '',
          kind: metric.sum !== undefined ? 'sum' : 'gauge',
          monotonic: metric.sum?.isMonotonic === true,
          points: (data.dataPoints ?? []).map((point: Decoded) => ({
            attributes: attributes(point.attributes),
            value: Number(point.asInt ?? point.asDouble ?? 0),
          })),
        });
      }
    }
  }
  return request;
}

function attributes(list: Decoded[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) out[key] = anyValue(value ?? {});
  return out;
}

function anyValue(value: Decoded): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attributes(value.kvlistValue.values);
  return '';
}

function hex(value: Decoded): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.toLowerCase(); // OTLP/JSON carries ids as hex
  return Buffer.from(value).toString('hex');
}
