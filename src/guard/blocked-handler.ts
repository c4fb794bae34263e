import type { ErrorRequestHandler } from 'express';
import { sendError } from '../http/json-error.js';
import { SecmonBlockedError } from './blocked-error.js';

/**
 * Express error-handling middleware for apps with error handlers of their own: answers a
 * {@link SecmonBlockedError} with `403 {"error": "request blocked: command injection detected",
 * "field": "query.host"}` (`field` when known; the input itself is never echoed) and passes every
 * other error on. Mount it before your own error handlers: `app.use(sinkGuardErrorHandler())`.
 * Without it, Express's default handler answers such an error 403 from its `status`.
 */
export function sinkGuardErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (!(error instanceof SecmonBlockedError) || res.headersSent) {
      next(error);
      return;
    }
    const what = error.kind === 'command_injection' ? 'command injection' : 'path traversal';
    sendError(res, 403, `request blocked: ${what} detected`, error.field);
  };
}
