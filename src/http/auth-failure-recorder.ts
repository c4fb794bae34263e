import type { Request, RequestHandler } from 'express';
import { badOptionError } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { booleanOption } from '../core/option-readers.js';
import { functionOption, helperOptions, listOption, monitorArgument } from './http-options.js';
import { clientIp } from './request-guard.js';

/** Options of {@link recordAuthFailures}. */
export interface AuthFailureOptions {
  /** Response statuses that count as a failed login: one status or a list. Default `[401]`. */
  statuses?: number | readonly number[];
  /** Who tried to log in, e.g. `(req) => req.body?.username`. Optional; sanitised by the monitor. */
  userId?: (req: Request) => string | undefined;
  /**
   * Also record successful logins (`recordSuccessfulAuth`), which is what lets secmon raise
   * `account_compromise_suspected` when a login succeeds in the middle of an attack. Default true.
   */
  recordSuccesses?: boolean;
  /**
   * Response statuses that count as a successful login: one status or a list. Default: every 2xx
   * not in `statuses`. A form login that redirects on success and re-renders the form with 200 on
   * failure wants `{ statuses: [200], successStatuses: [302, 303] }`.
   */
  successStatuses?: number | readonly number[];
  /**
   * Request methods whose success is a login: one method or a list. Default `['POST']`: the login
   * page itself (`GET /login` answering 200) is not a login.
   */
  successMethods?: string | readonly string[];
}

const KNOWN_OPTIONS = ['statuses', 'userId', 'recordSuccesses', 'successStatuses', 'successMethods'];
const STATUS_RULE = 'an HTTP status code from 100 to 599';
const isStatus = (status: unknown): status is number =>
  Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599;
const isMethod = (method: unknown): method is string =>
  typeof method === 'string' && /^[A-Za-z]+$/.test(method);

/**
 * Express middleware that watches the answers of the login routes it is mounted on, e.g.
 * `app.use('/login', recordAuthFailures(monitor, { userId: (req) => req.body?.username }))`: every
 * response with one of `statuses` (401 by default) is recorded as a failed login, and every
 * successful one (a 2xx to a POST by default) as a successful login, for the account `userId`
 * names. The app gets brute-force, credential-stuffing and account-takeover detection without code
 * changes. The address is `req.ip` (honours `trust proxy`). Never affects the response; a throwing
 * `userId` extractor records the event without an account. Options are checked at the call: a bad
 * value or an unknown option name throws a `TypeError` with code `SECMON_ERR_BAD_OPTION` or
 * `SECMON_ERR_UNKNOWN_OPTION`.
 */
export function recordAuthFailures(monitor: AnomalyMonitor, options?: AuthFailureOptions): RequestHandler {
  monitorArgument('recordAuthFailures', monitor);
  const given = helperOptions('recordAuthFailures', options, KNOWN_OPTIONS);
  const failures = new Set(
    listOption('recordAuthFailures.statuses', given.statuses, [401], STATUS_RULE, isStatus),
  );
  const userIdOf = functionOption<(req: Request) => unknown>(
    'recordAuthFailures.userId',
    given.userId,
    '(req) => string | undefined',
  );
  const recordSuccesses = booleanOption('recordAuthFailures.recordSuccesses', given.recordSuccesses, true);
  const successes =
    given.successStatuses === undefined
      ? undefined
      : new Set(
          listOption('recordAuthFailures.successStatuses', given.successStatuses, [], STATUS_RULE, isStatus),
        );
  for (const status of successes ?? []) {
    if (failures.has(status)) {
      throw badOptionError(
        'recordAuthFailures.successStatuses',
        'statuses that are not also failure statuses (recordAuthFailures.statuses)',
        status,
      );
    }
  }
  const methods = new Set(
    listOption(
      'recordAuthFailures.successMethods',
      given.successMethods,
      ['POST'],
      'an HTTP method name such as "POST"',
      isMethod,
    ).map((method) => method.toUpperCase()),
  );

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
