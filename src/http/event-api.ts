import { context, defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { AnomalyMonitor } from '../core/monitor.js';
import { parseEvents, type SecurityEvent } from './event-schema.js';
import { sendError } from './json-error.js';
import { clientIp } from './request-guard.js';
import { bearerToken, SecretSet } from './tokens.js';

/** Why the event API turned a request away (a fixed set: safe as a metric label). */
export type RejectReason =
  | 'not_configured'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'too_large'
  | 'bad_request'
  | 'method_not_allowed';

/** Options of {@link eventApi}. */
export interface EventApiOptions {
  /** Bearer tokens that may post events. With none, the endpoint answers 503 saying how to enable it. */
  tokens: readonly string[];
  /** Largest accepted body, in bytes. Default 262,144 (256 KiB). */
  bodyLimitBytes?: number;
  /** Called for every rejected request (e.g. to count it). Must not throw. */
  onRejected?: (reason: RejectReason) => void;
  /** Called with the number of events of every accepted request. Must not throw. */
  onAccepted?: (events: number) => void;
}

const propagator = new W3CTraceContextPropagator();

/**
 * The event ingestion API, `POST /v1/events`, as an Express router: services in any language report
 * security events to the monitor. Needs `Authorization: Bearer <token>` (constant-time compare); a
 * missing or wrong token answers 401 and is itself recorded as a failed login from the caller's
 * address (the service watches its own door). Body: one event or `{ "events": [...] }` (1..1,000),
 * all validated before any is recorded. Answers `202 {"accepted": n}`; bad JSON or a bad field 400,
 * a body over the limit 413, a non-JSON content type 415 — each with `{ "error", "field"? }`. A W3C
 * `traceparent` header makes the caller's trace the active context while the events are recorded,
 * so alert events and exemplars link back to the caller's trace.
 */
export function eventApi(monitor: AnomalyMonitor, options: EventApiOptions): Router {
  const tokens = new SecretSet(options.tokens);
  const bodyLimitBytes = options.bodyLimitBytes ?? 262_144;
  const rejected = options.onRejected ?? (() => {});
  const accepted = options.onAccepted ?? (() => {});
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

  const authenticate: RequestHandler = (req, res, next) => {
    if (tokens.size === 0) {
      reject(
        res,
        'not_configured',
        503,
        'the event API is disabled: set SECMON_INGEST_TOKENS (or --ingest-tokens) to one or more bearer tokens',
      );
      return;
    }
    if (!tokens.matches(bearerToken(req.headers.authorization))) {
      monitor.recordFailedAuth(clientIp(req));
      res.setHeader('WWW-Authenticate', 'Bearer realm="secmon events"');
      res.setHeader('Connection', 'close'); // do not read an unauthenticated body
      reject(res, 'unauthorized', 401, 'missing or invalid bearer token', 'authorization');
      return;
    }
    next();
  };

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

  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
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
        next(error);
    }
  };

  router.post('/v1/events', authenticate, requireJson, parseJson, ingest, bodyErrors);
  router.all('/v1/events', (_req: Request, res) => {
    res.setHeader('Allow', 'POST');
    reject(res, 'method_not_allowed', 405, 'use POST to send events');
  });
  return router;
}

function recordAll(monitor: AnomalyMonitor, events: readonly SecurityEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case 'failed_auth':
        monitor.recordFailedAuth(event.ip, event.userId);
        break;
      case 'successful_auth':
        monitor.recordSuccessfulAuth(event.ip, event.userId);
        break;
      case 'privileged_container':
        monitor.recordPrivilegedContainerAttempt(event.userId, { ip: event.ip });
        break;
      case 'suspicious_container':
        monitor.recordSuspiciousContainer(event.userId, event.reasons, { ip: event.ip });
        break;
      case 'path_traversal':
        monitor.recordPathTraversal(event.ip, event.path, { userId: event.userId });
        break;
      case 'command_injection':
        monitor.recordCommandInjection(event.ip, event.input, { userId: event.userId });
        break;
      case 'rate_limit_exceeded':
        monitor.recordRateLimitExceeded(event.ip, event.userId);
        break;
    }
  }
}
