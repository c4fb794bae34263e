import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AnomalyMonitor } from '../core/monitor.js';
import { sendError } from './json-error.js';
import { clientIp } from './request-guard.js';

/**
 * Holds secrets (bearer tokens, basic-auth credentials) and checks a presented value against all of
 * them in constant time: values are compared as SHA-256 digests (equal length whatever was sent), and
 * every secret is compared, so neither the length nor the position of a match leaks through timing.
 * The secrets must already be validated (see `secretListOption`): every one of them is kept.
 */
export class SecretSet {
  private readonly digests: Buffer[];

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  matches(presented: string | undefined): boolean {
    const candidate = digest(presented ?? '');
    let matched = false;
    for (const known of this.digests) {
      // No early exit: always compare against every secret.
      if (timingSafeEqual(candidate, known)) matched = true;
    }
    return matched && presented !== undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
  return match?.[1];
}

/** The `user:password` of an `Authorization: Basic <base64>` header, or undefined. */
export function basicCredentials(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(authorization);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}

/** Why {@link bearerGate} turned a request away. */
export type BearerRejection = 'not_configured' | 'unauthorized';

/** What {@link bearerGate} checks and answers with. */
export interface BearerGateOptions {
  /** The accepted tokens; with none, every request answers 503 with `disabled`. */
  tokens: SecretSet;
  /** The 503 message: which setting enables the endpoint. */
  disabled: string;
  /** The realm of a 401's `WWW-Authenticate: Bearer realm="…"`. */
  realm: string;
  /** Told of each request without a valid token, as a failed login from the caller. */
  monitor: AnomalyMonitor;
  /** Answer a 401 with `Connection: close`, so that an unauthenticated body is not read. */
  closeOnUnauthorized?: boolean;
  /** Told why a request was turned away, just before the answer is sent. */
  onRejected?: (reason: BearerRejection) => void;
}

/**
 * Middleware that lets through only requests with `Authorization: Bearer <token>` of one of
 * `tokens`: with no token configured it answers 503 (`disabled`), and a missing or wrong token
 * answers 401 `missing or invalid bearer token` (field `authorization`) and is recorded as a failed
 * login from the caller.
 */
export function bearerGate(options: BearerGateOptions): RequestHandler {
  const { tokens, disabled, realm, monitor, closeOnUnauthorized = false, onRejected } = options;
  return (req, res, next) => {
    if (tokens.size === 0) {
      onRejected?.('not_configured');
      sendError(res, 503, disabled);
      return;
    }
    if (!tokens.matches(bearerToken(req.headers.authorization))) {
      monitor.recordFailedAuth(clientIp(req));
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm}"`);
      if (closeOnUnauthorized) res.setHeader('Connection', 'close'); // do not read an unauthenticated body
      onRejected?.('unauthorized');
      sendError(res, 401, 'missing or invalid bearer token', 'authorization');
      return;
    }
    next();
  };
}
