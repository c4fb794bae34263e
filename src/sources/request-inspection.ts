// Judges a logged request target (`/path?query`) with the detectors the request guard runs on a live
// request, reading it the way the server did: the path as Express's `req.path` (still
// percent-encoded: the detectors decode every layer themselves), the query values as Express's default
// query parser (`node:querystring`: `+` is a space, `%XX` decoded, malformed escapes kept).
import { parse as parseQuery } from 'node:querystring';
import { detectCommandInjection } from '../detect/command-injection/index.js';
import { detectPathTraversal } from '../detect/path-traversal/index.js';

// As the request guard: longer values are judged by their first 64 KiB (the detectors are linear).
const MAX_VALUE_LENGTH = 65_536;
// Access logs repeat their targets (`/`, `/static/app.js`, `/api/items?page=2`): verdicts on targets up
// to this length are remembered, up to CACHE_ENTRIES of them (the cache is emptied when full), so
// memory stays under ~4 MB. The detectors are pure functions of the value, so a cached verdict is the
// same verdict.
const CACHED_TARGET_LENGTH = 512;
const CACHE_ENTRIES = 4096;

/** What {@link inspectTarget} found: the first value of each kind, `undefined` when none. */
export interface TargetFindings {
  traversal: string | undefined;
  injection: string | undefined;
}

/**
 * Runs the path-traversal and command-injection detectors on the path and on at most `maxValues` - 1
 * query values of `target`; fills `out` with the first value each one flagged (at most one of each
 * per request, as the request guard records). Never throws.
 */
export function inspectTarget(target: string, maxValues: number, out: TargetFindings): void {
  if (target.length > CACHED_TARGET_LENGTH) {
    judgeTarget(target, maxValues, out);
    return;
  }
  const cached = verdicts.get(target);
  if (cached !== undefined && cached.maxValues === maxValues) {
    out.traversal = cached.traversal;
    out.injection = cached.injection;
    return;
  }
  judgeTarget(target, maxValues, out);
  if (verdicts.size >= CACHE_ENTRIES) verdicts.clear();
  verdicts.set(target, { maxValues, traversal: out.traversal, injection: out.injection });
}

const verdicts = new Map<string, TargetFindings & { maxValues: number }>();

function judgeTarget(target: string, maxValues: number, out: TargetFindings): void {
  out.traversal = undefined;
  out.injection = undefined;
  const question = target.indexOf('?');
  const path = question < 0 ? target : target.slice(0, question);
  judge(path, out);
  if (question < 0 || question === target.length - 1 || maxValues < 2) return;
  const query = parseQuery(target.slice(question + 1), '&', '=', { maxKeys: maxValues - 1 });
  let budget = maxValues - 1;
  for (const key in query) {
    const value = query[key];
    if (typeof value === 'string') {
      if (budget-- <= 0) return;
      judge(value, out);
    } else if (value !== undefined) {
      for (const item of value) {
        if (budget-- <= 0) return;
        judge(item, out);
      }
    }
  }
}

function judge(raw: string, out: TargetFindings): void {
  if (raw.length === 0) return;
  const value = raw.length > MAX_VALUE_LENGTH ? raw.slice(0, MAX_VALUE_LENGTH) : raw;
  if (out.traversal === undefined && detectPathTraversal(value)) out.traversal = value;
  if (out.injection === undefined && detectCommandInjection(value)) out.injection = value;
}
