import { printable } from '../core/sanitize.js';
import type { FindingKind } from '../detect/text/index.js';

/** The stable code of {@link SecmonBlockedError}. */
export const BLOCKED_CODE = 'SECMON_ERR_BLOCKED';

/**
 * What a guarded shell command or file call throws (or hands to its callback, rejects its promise
 * with, emits on its stream) in `block` mode when a request input injected into it: the command
 * never ran, the file was never touched. `status` and `statusCode` are 403, so Express's own error
 * handling answers 403; the message names the attack and the sink, never the input.
 */
export class SecmonBlockedError extends Error {
  /** Always `SECMON_ERR_BLOCKED`. */
  readonly code = BLOCKED_CODE;
  readonly status = 403;
  readonly statusCode = 403;
  /** `command_injection` or `path_traversal`. */
  readonly kind: FindingKind;
  /** Where it was caught: `child_process.exec`, `fs.readFile`, `fs.promises.open`... */
  readonly sink: string;
  /** The detector rule that fired (`command-separator`, `parent-escape`...). */
  readonly rule: string;
  /** The request field the input came from (`query.host`), when known; escaped and bounded. */
  readonly field: string | undefined;

  constructor(kind: FindingKind, sink: string, rule: string, field: string | undefined) {
    const what = kind === 'command_injection' ? 'command injection' : 'path traversal';
    super(`secmon blocked a ${what} at ${sink} (rule ${rule})`);
    this.name = 'SecmonBlockedError';
    this.kind = kind;
    this.sink = sink;
    this.rule = rule;
    // Field names come from the request (query and body keys): bound and escape them before they
    // are echoed anywhere.
    this.field = field === undefined ? undefined : printable(field);
  }
}
