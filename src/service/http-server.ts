import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ConnectionTracker } from './connection-tracker.js';

/** Why a request never reached the app (a fixed set: safe as a metric label). */
export type ProtocolErrorReason = 'headers_too_large' | 'timeout' | 'malformed';

/** Every {@link ProtocolErrorReason}, for metrics that show each one from the start. */
export const PROTOCOL_ERROR_REASONS: readonly ProtocolErrorReason[] = Object.freeze([
  'headers_too_large',
  'timeout',
  'malformed',
]);

/** Limits of the HTTP server (from the service configuration). */
export interface HttpServerLimits {
  /** Most open connections; see {@link ConnectionTracker}. */
  maxConnections: number;
  /** A request's headers must arrive within this many ms (from the connection or the previous request). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this many ms. */
  requestTimeoutMs: number;
}

/** An HTTP server with its connection tracker and protocol-error counts. */
export interface SecmonHttpServer {
  readonly server: Server;
  readonly connections: ConnectionTracker;
  readonly protocolErrors: Record<ProtocolErrorReason, number>;
}

const KEEP_ALIVE_TIMEOUT_MS = 5000;
const MAX_HEADER_BYTES = 16_384;

const ANSWERS: Record<ProtocolErrorReason, { status: string; error: string }> = {
  headers_too_large: {
    status: '431 Request Header Fields Too Large',
    error: `request headers exceed ${MAX_HEADER_BYTES} bytes`,
  },
  timeout: { status: '408 Request Timeout', error: 'request not received in time' },
  malformed: { status: '400 Bad Request', error: 'malformed HTTP request' },
};

/**
 * Creates the service's HTTP server around `app`: bounded connections (idle ones make room for new
 * ones), header and request timeouts enforced within a second of expiring (Node checks every 30 s
 * by default), and protocol errors answered as a good server does — oversized headers 431, a
 * request not received in time 408, anything unparseable 400, each with a JSON body and counted.
 * A request that was fully received is never answered with an error: when garbage follows it on
 * the same connection, its own answer is sent first and the connection is then closed.
 */
export function createHttpServer(app: RequestListener, limits: HttpServerLimits): SecmonHttpServer {
  const connections = new ConnectionTracker(limits.maxConnections);
  const protocolErrors = Object.fromEntries(PROTOCOL_ERROR_REASONS.map((r) => [r, 0])) as Record<
    ProtocolErrorReason,
    number
  >;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (connections.onRequest(req, res)) app(req, res);
    },
  );
  server.on('connection', (socket: Socket) => connections.onConnection(socket));

  // Node emits clientError again for every further chunk once a connection's parser has failed:
  // answer (and count) only the first.
  const failed = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (failed.has(socket)) return;
    failed.add(socket);
    const reason = reasonOf(error.code);
    if (reason === undefined || !socket.writable) {
      socket.destroy(); // the client went away (ECONNRESET, EPIPE): nobody to answer
      return;
    }
    protocolErrors[reason]++;
    if (connections.hasAnswerPending(socket)) {
      connections.closeWhenAnswered(socket);
      return;
    }
    const { status, error: message } = ANSWERS[reason];
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    socket.destroySoon();
  });
  return { server, connections, protocolErrors };
}

function reasonOf(code: string | undefined): ProtocolErrorReason | undefined {
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout';
  if (code === undefined || code.startsWith('HPE_')) return 'malformed';
  return undefined;
}
