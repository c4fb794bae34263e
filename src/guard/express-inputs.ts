// The inputs of an Express request, for the sink guard: route parameters, query values, body strings
// (parsed by express.json()/urlencoded()), cookies and the headers the request guard inspects. Read
// when a sink is first reached, so route parameters are those of the route that reached it.

import type { Request } from 'express';
import type { AddInput } from './request-context.js';

// Nesting followed into query and body objects.
const MAX_DEPTH = 8;
// Keys read from one object or array (the context bounds what it keeps; this bounds the walk).
const MAX_KEYS = 1024;
// Cookie headers longer than this are not parsed (browsers send at most a few KiB).
const MAX_COOKIE_HEADER = 16_384;

/** Adds every input of `req` to a request context, field names included (`query.host`). */
export function addExpressInputs(req: Request, headers: readonly string[], add: AddInput): void {
  walk(req.params, 'params', 0, add);
  walk(req.query, 'query', 0, add);
  if (req.body !== undefined && req.body !== null) walk(req.body, 'body', 0, add);
  const cookies = (req as { cookies?: unknown }).cookies;
  if (typeof cookies === 'object' && cookies !== null) walk(cookies, 'cookies', 0, add);
  else addCookieHeader(req.headers.cookie, add);
  for (const name of headers) {
    const value = req.headers[name];
    if (value !== undefined) walk(value, `headers.${name}`, 0, add);
  }
}

function walk(value: unknown, field: string, depth: number, add: AddInput): void {
  if (typeof value === 'string') {
    add(value, field);
    return;
  }
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const count = Math.min(value.length, MAX_KEYS);
    for (let i = 0; i < count; i++) walk(value[i], `${field}[${i}]`, depth + 1, add);
    return;
  }
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++keys > MAX_KEYS) return;
    // Keys are input too (`?;id=1`).
    add(key, field);
    walk((value as Record<string, unknown>)[key], `${field}.${key}`, depth + 1, add);
  }
}

// `a=1; b=2` without cookie-parser: values percent-decoded when they decode.
function addCookieHeader(header: string | undefined, add: AddInput): void {
  if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    add(decodeCookie(raw), `cookies.${name}`);
  }
}

function decodeCookie(raw: string): string {
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}
