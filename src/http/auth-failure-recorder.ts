import type { Request, RequestHandler } from 'express';
import { unknownOptionError } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { clientIp } from './request-guard.js';

/** Options of {@link recordAuthFailures}. */
export interface AuthFailureOptions {
  /** Response statuses that count as a failed login. Default `[401]`. */
  statuses?: readonly number[];
  /** Who tried to log in, e.g. `(req) => req.body?.username`. Optional; sanitised by the monitor. */
  userId?: (req: Request) => string | undefined;
  /**
   * Also record successful logins (`recordSuccessfulAuth`), which is what lets secmon raise
   * `account_compromise_suspected` when a login succeeds in the middle of an attack. Default true.
   */
  recordSuccesses?: boolean;
  /**
   * Response statuses that count as a successful login. Default: every 2xx. A form login that
   * redirects on success and re-renders the form with 200 on failure wants `[302, 303]` here (and its
   * failure status in `statuses`).
   */
  successStatuses?: readonly number[];
  /**
   * Request methods whose success is a login. Default `['POST']`: the login page itself (`GET /login`
   * answering 200) is not a login.
   */
  successMethods?: readonly string[];
}

const OPTION_NAMES = ['statuses', 'userId', 'recordSuccesses', 'successStatuses', 'successMethods'];

/**
 * Express middleware that watches the answers of the login routes it is mounted on, e.g.
 * `app.use('/login', recordAuthFailures(monitor, { userId: (req) => req.body?.username }))`: every
 * response with one of `statuses` (401 by default) is recorded as a failed login, and every
 * successful one (a 2xx to a POST by default) as a successful login, for the account `userId`
 * names. The app gets brute-force, credential-stuffing and account-takeover detection without code
 * changes. The address is `req.ip` (honours `trust proxy`). Never affects the response; a throwing
 * `userId` extractor records the event without an account. Bad options throw a `TypeError` naming
 * the option, at construction.
 */
export function recordAuthFailures(
  monitor: AnomalyMonitor,
  options: AuthFailureOptions = {},
): RequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object (got ${JSON.stringify(options)})`);
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name)) throw unknownOptionError(name, OPTION_NAMES);
  }
  const failures = statusSet('statuses', options.statuses ?? [401]);
  const recordSuccesses = options.recordSuccesses ?? true;
  if (typeof recordSuccesses !== 'boolean') {
    throw new TypeError(`recordSuccesses must be true or false (got ${JSON.stringify(recordSuccesses)})`);
  }
  const successes =
    options.successStatuses === undefined ? undefined : statusSet('successStatuses', options.successStatuses);
  for (const status of successes ?? []) {
    if (failures.has(status)) {
      throw new TypeError(`successStatuses and statuses must not share a status (both have ${status})`);
    }
  }
  const methods = methodSet(options.successMethods ?? ['POST']);
  const userIdOf = options.userId;
  if (userIdOf !== undefined && typeof userIdOf !== 'function') {
    throw new TypeError('userId must be a function (req) => string | undefined');
  }

  const accountOf = (req: Request): string | undefined => {
    try {
      const userId = userIdOf?.(req);
      return typeof userId === 'string' ? userId : undefined;
    } catch {
      return undefined; // a broken extractor must not lose the event
    }
  };
  const isSuccess = (status: number): boolean =>
    successes === undefined ? status >= 200 && status <= 299 && !failures.has(status) : successes.has(status);

  return (req, res, next) => {
    res.once('finish', () => {
      const status = res.statusCode;
      if (failures.has(status)) monitor.recordFailedAuth(clientIp(req), accountOf(req));
      else if (recordSuccesses && methods.has(req.method) && isSuccess(status)) {
        monitor.recordSuccessfulAuth(clientIp(req), accountOf(req));
      }
    });
    next();
  };
}

function statusSet(name: string, statuses: unknown): Set<number> {
  if (!Array.isArray(statuses)) {
    throw new TypeError(`${name} must be an array of HTTP status codes (got ${JSON.stringify(statuses)})`);
  }
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new TypeError(
        `${name} must hold HTTP status codes from 100 to 599 (got ${JSON.stringify(status)})`,
      );
    }
  }
  return new Set(statuses as number[]);
}

function methodSet(methods: unknown): Set<string> {
  if (!Array.isArray(methods) || methods.length === 0) {
    throw new TypeError(
      `successMethods must be a non-empty array of HTTP methods (got ${JSON.stringify(methods)})`,
    );
  }
  for (const method of methods) {
    if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
      throw new TypeError(
        `successMethods must hold HTTP method names such as "POST" (got ${JSON.stringify(method)})`,
      );
    }
  }
  return new Set((methods as string[]).map((method) => method.toUpperCase()));
}
