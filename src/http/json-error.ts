import type { Response } from 'express';

/**
 * Answers with secmon's error shape: `{ "error": "...", "field": "..." }` (`field` only when one
 * input field is to blame). Every 4xx the HTTP layer sends goes through here.
 */
export function sendError(res: Response, status: number, error: string, field?: string): void {
  res.status(status).json(field === undefined ? { error } : { error, field });
}
