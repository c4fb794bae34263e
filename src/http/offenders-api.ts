import express, { type RequestHandler, type Router } from 'express';
import type { AnomalyMonitor } from '../core/monitor.js';
import {
  DEFAULT_OFFENDERS_LIMIT,
  MAX_OFFENDERS_LIMIT,
  type Offender,
  parseOffendersLimit,
} from '../core/offenders.js';
import { printable } from '../core/sanitize.js';
import { helperOptions, monitorArgument } from './http-options.js';
import { sendError } from './json-error.js';
import { requiredTokensOption } from './secrets.js';
import { bearerGate, SecretSet } from './tokens.js';

/** Options of {@link offendersApi}. */
export interface OffendersApiOptions {
  /**
   * Bearer tokens that may read the offenders list: one token or a list, each a non-empty token of
   * visible ASCII characters. Required; an empty list turns the endpoint off (it answers 503 saying
   * how to enable it): the list names attackers and the accounts they attack, so it is never open.
   */
  tokens: string | readonly string[];
}

/** One entry of `GET /v1/offenders`: an {@link Offender} with its dates as ISO 8601 strings. */
export interface OffenderJson {
  key: string;
  kind: Offender['kind'];
  types: Offender['types'];
  count: number;
  firstSeen: string;
  lastSeen: string;
  alertId: string;
}

const LIMIT_RULE = `an integer from 1 to ${MAX_OFFENDERS_LIMIT}`;
const KNOWN_OPTIONS = ['tokens'];

/**
 * `GET /v1/offenders` as an Express router: who is attacking right now, from `monitor.offenders()`.
 * Needs `Authorization: Bearer <token>` (constant-time compare); with no token configured it answers
 * 503 naming the setting that enables it, and a missing or wrong token answers 401 and is recorded as
 * a failed login from the caller (like the event API). `?limit=` (1..1,000, default 100) bounds the
 * list; any other query parameter, or a bad limit, answers 400 `{ "error", "field" }`. Answers
 * `200 { "offenders": [ { key, kind, types, count, firstSeen, lastSeen, alertId } ] }`, most severe
 * then most recent first, dates as ISO 8601, never cached. Options are checked at the call
 * (`TypeError`, code `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION`); a missing `tokens`
 * option or an empty or blank token throws rather than leaving anything open.
 */
export function offendersApi(monitor: AnomalyMonitor, options: OffendersApiOptions): Router {
  monitorArgument('offendersApi', monitor);
  const given = helperOptions('offendersApi', options, KNOWN_OPTIONS);
  const tokens = new SecretSet(requiredTokensOption('offendersApi.tokens', given.tokens));
  const router = express.Router();

  const authenticate = bearerGate({
    tokens,
    disabled:
      'the offenders API is disabled: set SECMON_OFFENDERS_TOKENS (or --offenders-tokens) to one or more bearer tokens',
    realm: 'secmon offenders',
    monitor,
  });

  const list: RequestHandler = async (req, res, next) => {
    const query = readQuery(req.query);
    if ('error' in query) {
      sendError(res, 400, query.error, query.field);
      return;
    }
    try {
      const offenders = await monitor.offenders({ limit: query.limit });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ offenders: offenders.map(toJson) });
    } catch (error) {
      next(error);
    }
  };

  router.get('/v1/offenders', authenticate, list);
  router.all('/v1/offenders', (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD');
    sendError(res, 405, 'use GET to read the offenders');
  });
  return router;
}

/** The limit asked for, or what is wrong with the query and which parameter is to blame. */
function readQuery(query: unknown): { limit: number } | { error: string; field: string } {
  let limit = DEFAULT_OFFENDERS_LIMIT;
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    // The name comes from the request. A cut one has always ended in `?` here (the `…` it was given
    // was escaped with the rest), so that is its mark.
    if (name !== 'limit') return { error: 'unknown query parameter', field: printable(name, 100, '?') };
    // One plain value: Express 4 turns `limit[a]=1` into an object, and both majors a repeated one into an array.
    const asked = parseOffendersLimit(value);
    if (asked === undefined) return { error: `limit must be ${LIMIT_RULE}`, field: 'limit' };
    limit = asked;
  }
  return { limit };
}

function toJson(offender: Offender): OffenderJson {
  return {
    key: offender.key,
    kind: offender.kind,
    types: offender.types,
    count: offender.count,
    firstSeen: offender.firstSeen.toISOString(),
    lastSeen: offender.lastSeen.toISOString(),
    alertId: offender.alertId,
  };
}
