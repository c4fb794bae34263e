// The check a guarded call makes before it runs: each input of the current request against the
// command or path about to be used. A finding is recorded in the monitor (once per input, attack kind
// and request) and, in block mode, becomes the error that stops the call. A failure inside the check
// lets the call run (fail open), counted and warned about once.

import { fileURLToPath } from 'node:url';
import type { AnomalyMonitor } from '../core/monitor.js';
import { detectInjectedCommand, detectTraversedPath, type ShellKind } from '../detect/sink/index.js';
import type { FindingKind } from '../detect/text/index.js';
import { SecmonBlockedError } from './blocked-error.js';
import type { RequestContext, RequestInput } from './request-context.js';

/** Counters of one installed sink guard. */
export interface SinkGuardStats {
  /** Guarded calls made while serving a request, and checked. */
  checked: number;
  /** Checks that found an injection (recorded in the monitor once per input, kind and request). */
  findings: number;
  /** Calls stopped in `block` mode. */
  blocked: number;
  /** Checks that failed inside secmon and let the call run unchecked (a warning is emitted once). */
  detectionErrors: number;
  /** Request inputs not checked because a request carried more than the bounds keep. */
  inputsDropped: number;
}

/** The monitor calls a sink guard makes. */
export type SinkMonitor = Pick<AnomalyMonitor, 'recordCommandInjection' | 'recordPathTraversal'>;

/** Checks calls against request inputs for one installed guard. */
export class SinkChecker {
  readonly stats: SinkGuardStats = {
    checked: 0,
    findings: 0,
    blocked: 0,
    detectionErrors: 0,
    inputsDropped: 0,
  };
  private warned = false;

  constructor(
    private readonly monitor: SinkMonitor,
    private readonly block: boolean,
  ) {}

  /** Checks a shell command; returns the error to stop the call with, if it is to be stopped. */
  command(
    request: RequestContext,
    sink: string,
    command: unknown,
    shell: ShellKind,
  ): SecmonBlockedError | undefined {
    if (typeof command !== 'string') return undefined;
    try {
      const inputs = this.inputsOf(request);
      for (let i = 0; i < inputs.length; i++) {
        const found = detectInjectedCommand(command, inputs[i]!.value, { shell });
        if (found) return this.found(request, 'command_injection', sink, inputs[i]!, found.rule, command);
      }
    } catch (error) {
      this.failed(error);
    }
    return undefined;
  }

  /** Checks a file path (string, Buffer or file: URL); returns the error to stop the call with, if any. */
  path(request: RequestContext, sink: string, target: unknown): SecmonBlockedError | undefined {
    try {
      const path = pathText(target);
      if (path === undefined) return undefined;
      const inputs = this.inputsOf(request);
      for (let i = 0; i < inputs.length; i++) {
        const found = detectTraversedPath(path, inputs[i]!.value);
        if (found) return this.found(request, 'path_traversal', sink, inputs[i]!, found.rule, path);
      }
    } catch (error) {
      this.failed(error);
    }
    return undefined;
  }

  private inputsOf(request: RequestContext): readonly RequestInput[] {
    this.stats.checked++;
    const inputs = request.values();
    this.stats.inputsDropped += request.takeDropped();
    return inputs;
  }

  private found(
    request: RequestContext,
    kind: FindingKind,
    sink: string,
    input: RequestInput,
    rule: string,
    target: string,
  ): SecmonBlockedError | undefined {
    this.stats.findings++;
    if (request.firstFinding(kind, input.value)) {
      const details = { sink, userId: request.userId };
      // The alert shows the input injected into a command (the command may hold the application's
      // secrets), and the path a traversal was about to open.
      if (kind === 'command_injection') this.monitor.recordCommandInjection(request.ip, input.value, details);
      else this.monitor.recordPathTraversal(request.ip, target, details);
    }
    if (!this.block) return undefined;
    this.stats.blocked++;
    return new SecmonBlockedError(kind, sink, rule, input.field);
  }

  private failed(error: unknown): void {
    this.stats.detectionErrors++;
    if (this.warned) return;
    this.warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `secmon sink guard: a check failed and the call ran unchecked (${reason.slice(0, 200)}); later failures are only counted`,
      { code: 'SECMON_SINK_GUARD_ERROR' },
    );
  }
}

// What a file system call's path argument names: a string, a Buffer (as UTF-8) or a file: URL;
// undefined for a file descriptor or handle.
function pathText(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (target instanceof Uint8Array)
    return Buffer.from(target.buffer, target.byteOffset, target.byteLength).toString();
  if (target instanceof URL) return target.protocol === 'file:' ? urlPath(target) : undefined;
  return undefined;
}

// A file: URL the platform cannot open (a remote host on POSIX) is the file system's error to report.
function urlPath(url: URL): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
