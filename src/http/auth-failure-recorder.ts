import type { Request, RequestHandler } from 'express';
import type { AnomalyMonitor } from '../core/monitor.js';
import { clientIp } from './request-guard.js';

/** Options of {@link recordAuthFailures}. */
export interface AuthFailureOptions {
  /** Response statuses that count as a failed login. Default `[401]`. */
  statuses?: readonly number[];
  /** Who tried to log in, e.g. `(req) => req.body?.username`. Optional; sanitised by the monitor. */
  userId?: (req: Request) => string | undefined;
}

/**
 * Express middleware that records a failed login in the monitor for every response with one of
 * `statuses` (401 by default) on the routes it is mounted on, e.g.
 * `app.use('/login', recordAuthFailures(monitor))`. The app gets brute-force detection without code
 * changes. The address is `req.ip` (honours `trust proxy`). Never affects the response.
 */
export function recordAuthFailures(
  monitor: AnomalyMonitor,
  options: AuthFailureOptions = {},
): RequestHandler {
  const statuses = new Set(options.statuses ?? [401]);
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new TypeError(
        `statuses must hold HTTP status codes from 100 to 599 (got ${JSON.stringify(status)})`,
      );
    }
  }
  const userIdOf = options.userId;
  if (userIdOf !== undefined && typeof userIdOf !== 'function') {
    throw new TypeError('userId must be a function (req) => string | undefined');
  }
  return (req, res, next) => {
    res.once('finish', () => {
      if (!statuses.has(res.statusCode)) return;
      let userId: string | undefined;
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
