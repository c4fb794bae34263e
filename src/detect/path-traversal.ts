import { type Finding, finding } from './finding.js';

const DOT_DOT_SEGMENT = /(?:^|[\\/])\.\.(?:[\\/]|$)/;

/**
 * Detects a path traversal attempt in one input value (a path, a query value, a header...).
 * Returns a {@link Finding} or null. Never throws; linear time.
 */
export function detectPathTraversal(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  const text = safeDecode(input);
  const match = DOT_DOT_SEGMENT.exec(text);
  return match
    ? finding('path_traversal', 'dot-dot-segment', text, match.index, match.index + match[0].length)
    : null;
}

function safeDecode(input: string): string {
  try {
    return decodeURIComponent(input);
  } catch {
    return input;
  }
}
