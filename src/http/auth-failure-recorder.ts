import type { Request, RequestHandler } from 'express';
import type { AnomalyMonitor } from '../core/monitor.js';
import { functionOption, helperOptions, listOption, monitorArgument } from './http-options.js';
import { clientIp } from './request-guard.js';

/** Options of {@link recordAuthFailures}. */
export interface AuthFailureOptions {
  /** Response statuses that count as a failed login: one status or a list. Default `[401]`. */
  statuses?: number | readonly number[];
  /** Who tried to log in, e.g. `(req) => req.body?.username`. Optional; sanitised by the monitor. */
  userId?: (req: Request) => string | undefined;
}

const KNOWN_OPTIONS = ['statuses', 'userId'];

/**
 * Express middleware that records a failed login in the monitor for every response with one of
 * `statuses` (401 by default) on the routes it is mounted on, e.g.
 * `app.use('/login', recordAuthFailures(monitor))`. The app gets brute-force detection without code
 * changes. The address is `req.ip` (honours `trust proxy`). Never affects the response. Options are
 * checked at the call: a bad value or an unknown option name throws a `TypeError` with code
 * `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION`.
 */
export function recordAuthFailures(monitor: AnomalyMonitor, options?: AuthFailureOptions): RequestHandler {
  monitorArgument('recordAuthFailures', monitor);
  const given = helperOptions('recordAuthFailures', options, KNOWN_OPTIONS);
  const statuses = new Set(
    listOption(
      'recordAuthFailures.statuses',
      given.statuses,
      [401],
      'an HTTP status code from 100 to 599',
      (status): status is number =>
        Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599,
    ),
  );
  const userIdOf = functionOption<(req: Request) => unknown>(
    'recordAuthFailures.userId',
    given.userId,
    '(req) => string | undefined',
  );
  return (req, res, next) => {
    res.once('finish', () => {
      if (!statuses.has(res.statusCode)) return;
      let userId: unknown;
      try {
        userId = userIdOf?.(req);
      } catch {
        userId = undefined; // a broken extractor must not lose the failed login
      }
      monitor.recordFailedAuth(clientIp(req), typeof userId === 'string' ? userId : undefined);
    });
    next();
  };
}
