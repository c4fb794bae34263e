// One request value judged the same way wherever it comes from: a live request (the request guard)
// or a request target read from an access log (log sources), so both give the same verdicts.
import { detectCommandInjection } from '../detect/command-injection/index.js';
import { detectPathTraversal } from '../detect/path-traversal/index.js';
import type { Finding } from '../detect/text/index.js';

/** Longer values are judged by their first 64 KiB: the detectors are linear, this bounds a request. */
export const MAX_VALUE_LENGTH = 65_536;

/**
 * What {@link judgeValue} found so far in one request: it runs a detector only while its slot is
 * still `undefined` (the first value of each kind is the one recorded), and reports a finding
 * through the matching method, with the value as judged (cut to {@link MAX_VALUE_LENGTH}).
 */
export interface RequestJudgement {
  readonly traversal: unknown;
  readonly injection: unknown;
  foundTraversal(field: string, value: string, finding: Finding): void;
  foundInjection(field: string, value: string, finding: Finding): void;
}

/**
 * Runs the path-traversal, then the command-injection detector on `raw` (on its first 64 KiB) as
 * `judgement` still wants them. `field` is passed through to the `found` methods. An empty value is
 * not judged.
 */
export function judgeValue(field: string, raw: string, judgement: RequestJudgement): void {
  if (raw.length === 0) return;
  const value = raw.length > MAX_VALUE_LENGTH ? raw.slice(0, MAX_VALUE_LENGTH) : raw;
  if (judgement.traversal === undefined) {
    const finding = detectPathTraversal(value);
    if (finding) judgement.foundTraversal(field, value, finding);
  }
  if (judgement.injection === undefined) {
    const finding = detectCommandInjection(value);
    if (finding) judgement.foundInjection(field, value, finding);
  }
}
