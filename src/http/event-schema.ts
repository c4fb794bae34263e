import { z } from 'zod';

/** The event types `POST /v1/events` accepts. */
export const EVENT_TYPES = [
  'failed_auth',
  'successful_auth',
  'privileged_container',
  'suspicious_container',
  'path_traversal',
  'command_injection',
  'rate_limit_exceeded',
] as const;

/** Most events in one request. */
export const MAX_EVENTS_PER_REQUEST = 1000;

// Bounds for single fields. Longer path/input values are accepted up to this size and truncated by
// the monitor; an address or user id this long is a client bug and is rejected.
const ip = z.string().min(1).max(100);
const userId = z.string().min(1).max(256);
const text = z.string().min(1).max(65_536);
const reasons = z.array(z.string().min(1).max(1024)).min(1).max(64);

const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('failed_auth'), ip, userId: userId.optional() }),
  z.strictObject({ type: z.literal('successful_auth'), ip, userId: userId.optional() }),
  z.strictObject({ type: z.literal('privileged_container'), userId, ip: ip.optional() }),
  z.strictObject({ type: z.literal('suspicious_container'), userId, reasons, ip: ip.optional() }),
  z.strictObject({ type: z.literal('path_traversal'), ip, path: text, userId: userId.optional() }),
  z.strictObject({ type: z.literal('command_injection'), ip, input: text, userId: userId.optional() }),
  z.strictObject({ type: z.literal('rate_limit_exceeded'), ip, userId: userId.optional() }),
]);

const batchSchema = z.strictObject({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) });

/** One validated event. */
export type SecurityEvent = z.infer<typeof eventSchema>;

/** The result of {@link parseEvents}: the events, or an error naming the field to blame. */
export type ParsedEvents =
  | { ok: true; events: SecurityEvent[] }
  | { ok: false; error: string; field: string };

/**
 * Validates a request body: one event, or `{ "events": [ ... ] }` with 1 to 1,000 events. Either all
 * events are valid or none is returned, so a 400 never records half a batch. The error names the
 * first bad field (`events[3].ip`) and says what is accepted.
 */
export function parseEvents(body: unknown): ParsedEvents {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object: one event or {"events": [...]}', field: 'body' };
  }
  const batch = 'events' in body;
  // reportInput: tells a missing field (input undefined) from one of the wrong type.
  const result = batch
    ? batchSchema.safeParse(body, { reportInput: true })
    : eventSchema.safeParse(body, { reportInput: true });
  if (result.success)
    return {
      ok: true,
      events: batch ? (result.data as { events: SecurityEvent[] }).events : [result.data as SecurityEvent],
    };
  const issue = result.error.issues[0]!;
  return describeIssue(issue);
}

function describeIssue(issue: z.core.$ZodIssue): { ok: false; error: string; field: string } {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = fieldPath([...path, issue.keys[0] ?? '']);
    return { ok: false, field, error: `${field} is not a known field` };
  }
  const field = fieldPath(path) || 'body';
  switch (issue.code) {
    case 'invalid_union':
      return { ok: false, field, error: `${field} must be one of ${EVENT_TYPES.join(', ')}` };
    case 'invalid_type':
      return {
        ok: false,
        field,
        error:
          issue.input === undefined ? `${field} is required` : `${field} must be ${article(issue.expected)}`,
      };
    case 'too_small':
      return {
        ok: false,
        field,
        error:
          issue.origin === 'array'
            ? `${field} must hold at least ${issue.minimum} item(s)`
            : `${field} must not be empty`,
      };
    case 'too_big':
      return {
        ok: false,
        field,
        error:
          issue.origin === 'array'
            ? `${field} must hold at most ${issue.maximum} item(s)`
            : `${field} must be at most ${issue.maximum} characters`,
      };
    default:
      return { ok: false, field, error: `${field}: ${issue.message}` };
  }
}

// ["events", 3, "ip"] -> "events[3].ip"; keys come from the request, so they are bounded and escaped.
function fieldPath(path: readonly string[]): string {
  let out = '';
  for (const part of path) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  const bounded = out.length > 100 ? `${out.slice(0, 100)}…` : out;
  return bounded.replace(/[^\x20-\x7e…]/g, '?');
}

function article(expected: string): string {
  return expected === 'array' || expected === 'object' ? `an ${expected}` : `a ${expected}`;
}
