// Judges a logged request target (`/path?query`) with the detectors the request guard runs on a live
// request, reading it the way the server did: the path as Express's `req.path` (still
// percent-encoded: the detectors decode every layer themselves), the query values as Express's default
// query parser (`node:querystring`: `+` is a space, `%XX` decoded, malformed escapes kept).
import { parse as parseQuery } from 'node:querystring';
import { judgeValue, type RequestJudgement } from '../http/request-value.js';

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

// Each value is judged by the request guard's own `judgeValue` (same detectors, same 64 KiB cut).
class TargetJudgement implements RequestJudgement, TargetFindings {
  traversal: string | undefined = undefined;
  injection: string | undefined = undefined;

  foundTraversal(_field: string, value: string): void {
    this.traversal = value;
  }

  foundInjection(_field: string, value: string): void {
    this.injection = value;
  }
}

// One for all targets: judging is synchronous, and `judgeTarget` copies its verdict out.
const judgement = new TargetJudgement();

function judgeTarget(target: string, maxValues: number, out: TargetFindings): void {
  judgement.traversal = undefined;
  judgement.injection = undefined;
  judgeParts(target, maxValues);
  out.traversal = judgement.traversal;
  out.injection = judgement.injection;
}

function judgeParts(target: string, maxValues: number): void {
  const question = target.indexOf('?');
  const path = question < 0 ? target : target.slice(0, question);
  judgeValue('path', path, judgement);
  if (question < 0 || question === target.length - 1 || maxValues < 2) return;
  const query = parseQuery(target.slice(question + 1), '&', '=', { maxKeys: maxValues - 1 });
  let budget = maxValues - 1;
  for (const key in query) {
    const value = query[key];
    if (typeof value === 'string') {
      if (budget-- <= 0) return;
      judgeValue(key, value, judgement);
    } else if (value !== undefined) {
      for (const item of value) {
        if (budget-- <= 0) return;
        judgeValue(key, item, judgement);
      }
    }
  }
}
