import { context, defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Router,
} from 'express';
import { integerIn } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { printable } from '../core/sanitize.js';
import { parseEvents, type SecurityEvent } from './event-schema.js';
import { functionOption, helperOptions, monitorArgument } from './http-options.js';
import { sendError } from './json-error.js';
import { recordEvent } from './record-events.js';
import { requiredTokensOption } from './secrets.js';
import { bearerGate, SecretSet } from './tokens.js';

/** Why the event API turned a request away (a fixed set: safe as a metric label). */
export type RejectReason =
  | 'not_configured'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'too_large'
  | 'bad_request'
  | 'bad_encoding'
  | 'method_not_allowed';

/** Every {@link RejectReason}, for metrics that show each one from the start. */
export const REJECT_REASONS: readonly RejectReason[] = Object.freeze([
  'not_configured',
  'unauthorized',
  'unsupported_media_type',
  'too_large',
  'bad_request',
  'bad_encoding',
  'method_not_allowed',
]);

/** Options of {@link eventApi}. */
export interface EventApiOptions {
  /**
   * Bearer tokens that may post events: one token or a list, each a non-empty token of visible
   * ASCII characters. Required; an empty list turns the endpoint off (it answers 503 saying how to
   * enable it).
   */
  tokens: string | readonly string[];
  /** Largest accepted body, in bytes (after decompression). 1,024..16,777,216; default 262,144 (256 KiB). */
  bodyLimitBytes?: number;
  /** Called for every rejected request (e.g. to count it). Must not throw. */
  onRejected?: (reason: RejectReason) => void;
  /** Called with the number of events of every accepted request. Must not throw. */
  onAccepted?: (events: number) => void;
}

const KNOWN_OPTIONS = ['tokens', 'bodyLimitBytes', 'onRejected', 'onAccepted'];
const propagator = new W3CTraceContextPropagator();

/**
 * The event ingestion API, `POST /v1/events`, as an Express router: services in any language report
 * security events to the monitor. Needs `Authorization: Bearer <token>` (constant-time compare); a
 * missing or wrong token answers 401 and is itself recorded as a failed login from the caller's
 * address (the service watches its own door). Body: one event or `{ "events": [...] }` (1..1,000),
 * all validated before any is recorded. Answers `202 {"accepted": n}`; bad JSON or a bad field 400,
 * a body over the limit 413, a non-JSON content type 415 — each with `{ "error", "field"? }`. A
 * gzip, deflate or br body is decompressed; one that does not decompress answers 400 (`bad_encoding`).
 * A W3C `traceparent` header makes the caller's trace the active context while the events are
 * recorded, so alert events and exemplars link back to the caller's trace. Options are checked at
 * the call (`TypeError`, code `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION`); a missing
 * `tokens` option or an empty or blank token throws rather than leaving anything open.
 */
export function eventApi(monitor: AnomalyMonitor, options: EventApiOptions): Router {
  monitorArgument('eventApi', monitor);
  const given = helperOptions('eventApi', options, KNOWN_OPTIONS);
  const tokens = new SecretSet(requiredTokensOption('eventApi.tokens', given.tokens));
  const bodyLimitBytes = integerIn(
    'eventApi.bodyLimitBytes',
    given.bodyLimitBytes,
    262_144,
    1024,
    16 * 1024 * 1024,
  );
  const rejected =
    functionOption<(reason: RejectReason) => void>(
      'eventApi.onRejected',
      given.onRejected,
      '(reason) => void',
    ) ?? (() => {});
  const accepted =
    functionOption<(events: number) => void>('eventApi.onAccepted', given.onAccepted, '(events) => void') ??
    (() => {});
  const router = express.Router();

  const reject = (
    res: express.Response,
    reason: RejectReason,
    status: number,
    error: string,
    field?: string,
  ) => {
    rejected(reason);
    sendError(res, status, error, field);
  };

  const authenticate = bearerGate({
    tokens,
    disabled:
      'the event API is disabled: set SECMON_INGEST_TOKENS (or --ingest-tokens) to one or more bearer tokens',
    realm: 'secmon events',
    monitor,
    closeOnUnauthorized: true,
    onRejected: rejected,
  });

  const requireJson: RequestHandler = (req, res, next) => {
    if (req.is(['application/json', 'application/*+json']) === false || !req.headers['content-type']) {
      res.setHeader('Connection', 'close');
      reject(res, 'unsupported_media_type', 415, 'Content-Type must be application/json', 'content-type');
      return;
    }
    next();
  };

  const parseJson = express.json({
    limit: bodyLimitBytes,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });

  const ingest: RequestHandler = (req, res) => {
    const parsed = parseEvents(req.body);
    if (!parsed.ok) {
      reject(res, 'bad_request', 400, parsed.error, parsed.field);
      return;
    }
    const callerContext = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    context.with(callerContext, recordAll, undefined, monitor, parsed.events);
    accepted(parsed.events.length);
    res.status(202).json({ accepted: parsed.events.length });
  };

  const bodyErrors: ErrorRequestHandler = (error, req, res, next) => {
    const type = (error as { type?: string }).type;
    switch (type) {
      case 'entity.too.large':
        res.setHeader('Connection', 'close');
        reject(res, 'too_large', 413, `body exceeds the limit of ${bodyLimitBytes} bytes`, 'body');
        return;
      case 'entity.parse.failed':
        reject(res, 'bad_request', 400, 'body is not valid JSON', 'body');
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        reject(res, 'unsupported_media_type', 415, 'body must be UTF-8 JSON', 'content-type');
        return;
      case 'request.aborted':
      case 'request.size.invalid':
        reject(res, 'bad_request', 400, 'body was cut short', 'body');
        return;
      default:
        rejectOtherBodyError(error, req, res, next);
    }
  };

  // A body the decompressor refuses (gzip that is not gzip, a truncated stream, deflate labelled
  // gzip, bad br) reaches here as a 400 from body-parser with zlib's error: the client's fault,
  // never a 5xx. Any other 4xx body-parser raises is answered with its status too.
  const rejectOtherBodyError = (error: unknown, req: Request, res: express.Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status > 499) {
      next(error);
      return;
    }
    if (isDecompressionError(error)) {
      // zlib's messages are fixed texts ("incorrect header check"); the header is the client's.
      const encoding = printable(String(req.headers['content-encoding'] ?? ''), 40, '');
      const why = printable(String((error as { message?: unknown }).message ?? ''), 100, '');
      reject(res, 'bad_encoding', 400, `body is not valid ${encoding} data: ${why}`, 'content-encoding');
      return;
    }
    reject(res, 'bad_request', status, 'request body could not be read', 'body');
  };

  router.post('/v1/events', authenticate, requireJson, parseJson, ingest, bodyErrors);
  router.all('/v1/events', (_req: Request, res) => {
    res.setHeader('Allow', 'POST');
    reject(res, 'method_not_allowed', 405, 'use POST to send events');
  });
  return router;
}

// zlib's errors carry a `Z_*` code (Z_DATA_ERROR, Z_BUF_ERROR) or an `ERR_BROTLI_*`/`ERR__ERROR_*` one.
function isDecompressionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(Z_|ERR_BROTLI|ERR__ERROR|ERR_ZLIB|ERR_ZSTD)/.test(code);
}

function recordAll(monitor: AnomalyMonitor, events: readonly SecurityEvent[]): void {
  for (const event of events) recordEvent(monitor, event);
}
