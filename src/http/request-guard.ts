import type { NextFunction, Request, RequestHandler } from 'express';
import { badOptionError, integerIn, oneOf } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { booleanOption } from '../core/option-readers.js';
import type { Finding } from '../detect/text/index.js';
import { addExpressInputs } from '../guard/express-inputs.js';
import { RequestContext, runInRequest, sinkGuardActive } from '../guard/request-context.js';
import { helperOptions, listOption, monitorArgument } from './http-options.js';
import { sendError } from './json-error.js';
import { judgeValue, type RequestJudgement } from './request-value.js';

/** Options of {@link requestGuard}. */
export interface RequestGuardOptions {
  /** `record` (default): record findings in the monitor and let the request through. `block`: also answer 400. */
  mode?: 'record' | 'block';
  /**
   * Request headers whose values are inspected: one name or a list (any case). Default `user-agent`,
   * `referer`, `x-forwarded-host`.
   */
  headers?: string | readonly string[];
  /** Inspect string values of `req.body` (parsed by `express.json()`/`urlencoded()` before the guard). Default true. */
  inspectBody?: boolean;
  /** Most values inspected per request; the rest are skipped (bounds the work). 1..100,000; default 256. */
  maxValues?: number;
}

const MODES = ['record', 'block'] as const;
const KNOWN_OPTIONS = ['mode', 'headers', 'inspectBody', 'maxValues'];
const DEFAULT_HEADERS = ['user-agent', 'referer', 'x-forwarded-host'];
// RFC 9110 field-name characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_DEPTH = 8;

/**
 * Express middleware that inspects the URL path, query values, selected headers and JSON/form body
 * string values with secmon's detectors, and records what it finds in the monitor
 * (`recordPathTraversal`, `recordCommandInjection`; at most one of each per request) with the
 * client address from `req.ip` — so Express's `trust proxy` setting is the one switch for
 * `X-Forwarded-For`. In `block` mode a finding is answered with 400 and a JSON error naming the
 * field (`query.file`), without echoing the input. Work per request is bounded by `maxValues`.
 * When a sink guard (`secmon/guard`) is installed, the rest of the request runs with its inputs
 * (route parameters, query, body strings, cookies and the inspected headers) available to it.
 * Options are checked at the call: a bad value or an unknown option name throws a `TypeError` with
 * code `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION` (with a "did you mean" for a typo).
 */
export function requestGuard(monitor: AnomalyMonitor, options?: RequestGuardOptions): RequestHandler {
  monitorArgument('requestGuard', monitor);
  const given = helperOptions('requestGuard', options, KNOWN_OPTIONS);
  const mode = oneOf('requestGuard.mode', given.mode, MODES, 'record');
  const headers = listOption(
    'requestGuard.headers',
    given.headers,
    DEFAULT_HEADERS,
    'a header name',
    (name): name is string => typeof name === 'string' && HEADER_NAME.test(name),
  ).map((name) => name.toLowerCase());
  const inspectBody = booleanOption('requestGuard.inspectBody', given.inspectBody, true);
  const maxValues = integerIn('requestGuard.maxValues', given.maxValues, 256, 1, 100_000);

  return (req, res, next) => {
    const scan = new Scan(maxValues);
    scan.value('path', req.path);
    scan.walk('query', req.query, 0);
    for (const name of headers) {
      const value = req.headers[name];
      if (value !== undefined) scan.walk(`headers.${name}`, value, 0);
    }
    if (inspectBody && req.body !== undefined && req.body !== null) scan.walk('body', req.body, 0);

    if (scan.traversal === undefined && scan.injection === undefined) {
      proceed(req, headers, next);
      return;
    }
    const ip = clientIp(req);
    if (scan.traversal) monitor.recordPathTraversal(ip, scan.traversal.value);
    if (scan.injection) monitor.recordCommandInjection(ip, scan.injection.value);
    if (mode === 'block') {
      const first = (scan.injection ?? scan.traversal)!;
      const what = first.finding.kind === 'command_injection' ? 'command injection' : 'path traversal';
      sendError(res, 400, `request rejected: ${what} detected in ${first.field}`, first.field);
      return;
    }
    proceed(req, headers, next);
  };
}

// With a sink guard installed, the rest of the request runs with its inputs at hand (route
// parameters, query, body, cookies, the inspected headers), read when a guarded call first needs them.
function proceed(req: Request, headers: readonly string[], next: NextFunction): void {
  if (!sinkGuardActive()) {
    next();
    return;
  }
  const context = new RequestContext(clientIp(req), undefined, (add) => addExpressInputs(req, headers, add));
  runInRequest(context, next);
}

/**
 * The client address as Express sees it (`req.ip`, honouring `trust proxy`), falling back to the
 * socket's address; `''` when neither is known (the monitor counts that as unparseable). Throws a
 * `SECMON_ERR_BAD_OPTION` `TypeError` when `req` is not a request.
 */
export function clientIp(req: Request): string {
  if (typeof req !== 'object' || req === null)
    throw badOptionError('clientIp(req)', 'an Express request', req);
  return req.ip ?? req.socket?.remoteAddress ?? '';
}

interface Hit {
  field: string;
  value: string;
  finding: Finding;
}

class Scan implements RequestJudgement {
  traversal: Hit | undefined;
  injection: Hit | undefined;
  private budget: number;

  constructor(maxValues: number) {
    this.budget = maxValues;
  }

  walk(field: string, value: unknown, depth: number): void {
    if (this.budget <= 0 || depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      this.value(field, value);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length && this.budget > 0; i++)
        this.walk(`${field}[${i}]`, value[i], depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        if (this.budget <= 0) return;
        this.walk(`${field}.${key}`, (value as Record<string, unknown>)[key], depth + 1);
      }
    }
  }

  value(field: string, raw: string): void {
    if (this.budget <= 0 || raw.length === 0) return;
    this.budget--;
    judgeValue(field, raw, this);
  }

  foundTraversal(field: string, value: string, finding: Finding): void {
    this.traversal = { field: fieldName(field), value, finding };
  }

  foundInjection(field: string, value: string, finding: Finding): void {
    this.injection = { field: fieldName(field), value, finding };
  }
}

// Field names come from the request (query and body keys): bound and escape them before they are
// echoed in an error.
function fieldName(field: string): string {
  const short = field.length > 100 ? `${field.slice(0, 100)}…` : field;
  return short.replace(/[^\x20-\x7e]/g, '?');
}
