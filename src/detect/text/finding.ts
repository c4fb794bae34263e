import { sanitizeText } from '../../core/sanitize.js';

/** The kinds of input attack the detectors recognise (named like the alert types they feed). */
export type FindingKind = 'path_traversal' | 'command_injection';

/**
 * What a detector found: which rule fired and a short excerpt of the input around the match,
 * already truncated and escaped (never the whole input), safe for logs, events and alerts.
 */
export interface Finding {
  kind: FindingKind;
  /** Stable id of the rule that fired, e.g. `dot-dot-segment`. */
  rule: string;
  /** At most ~64 characters of the input around the match, control characters escaped. */
  excerpt: string;
}

const EXCERPT_RADIUS = 24;
// Longest stretch of the match itself kept in an excerpt (the rest of the budget is context).
const MATCH_KEEP = 16;

/** Builds a finding with an escaped excerpt of `input` around `[start, end)`. */
export function finding(kind: FindingKind, rule: string, input: string, start: number, end: number): Finding {
  const from = Math.max(0, start - EXCERPT_RADIUS);
  const to = Math.min(input.length, Math.max(Math.min(end, start + MATCH_KEEP), start + 1) + EXCERPT_RADIUS);
  const excerpt = `${from > 0 ? '…' : ''}${sanitizeText(input.slice(from, to), 64)}${to < input.length ? '…' : ''}`;
  return { kind, rule, excerpt };
}
