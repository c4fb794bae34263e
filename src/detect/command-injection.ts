import { type Finding, finding } from './finding.js';

// A shell metacharacter sequence followed by something that looks like a command word.
const SHELL_SEQUENCE = /(?:;|\|\|?|&&|\$\(|`)\s*[a-z][\w.-]*/i;

/**
 * Detects a command injection attempt in one input value. Returns a {@link Finding} or null.
 * Never throws; linear time.
 */
export function detectCommandInjection(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  const match = SHELL_SEQUENCE.exec(input);
  return match
    ? finding('command_injection', 'shell-metacharacter', input, match.index, match.index + match[0].length)
    : null;
}
