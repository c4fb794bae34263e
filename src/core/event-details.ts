/**
 * Optional details of a path traversal or command injection event, the last argument of
 * `recordPathTraversal` / `recordCommandInjection`. Every field reaches the alert (and so the log
 * line and the OpenTelemetry event), truncated and escaped like any other request-derived text.
 */
export interface AttackDetails {
  /** The account the request was made as: the alert's `userId`. */
  userId?: string;
  /**
   * Where the input was caught when a sink guard caught it (`child_process.exec`, `fs.readFile`, ...):
   * the alert's `metadata.sink`, counted in `getStats().sinkFindings`.
   */
  sink?: string;
}

/** Optional details of a container event, the last argument of the container `record*` calls. */
export interface ContainerDetails {
  /** The client address the request came from: the alert's `sourceIp` (normalised like every address). */
  ip?: string;
}

/** Kinds of sink a finding was caught at: a shell command (`command`) or a file path (`file`). */
export const SINK_KINDS = ['command', 'file'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/**
 * `details` when it is an object, else undefined: the details come from callers' code and, through
 * the event API, from requests, so a wrong type is bad data (ignored), not bad configuration.
 */
export function detailsOf<T extends object>(details: T | undefined): Partial<T> | undefined {
  return typeof details === 'object' && details !== null ? details : undefined;
}

/** A string detail, or undefined when it is missing or not a string. */
export function textDetail(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
