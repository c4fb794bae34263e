// The `json` format: one event per line in the event API's schema (`POST /v1/events`), so any service
// in any language can write evidence to a file:
//   {"type":"failed_auth","ip":"203.0.113.7","userId":"alice","time":"2026-12-06T10:00:01.250Z"}
// `time` is optional: an ISO 8601 date-time WITH its zone (`Z`, `+01:00`, `+0100`), or epoch
// milliseconds (a finite number from 0 to 8.64e15, the range of a JavaScript Date); a line without it
// has no time (live sources use the time of reading). Anything else in `time` makes the line invalid
// rather than guessed. A line is validated exactly as the event API validates a body with one event;
// an invalid line is `unparsed` ({@link readJsonEvent} says why, naming the field), a blank line is
// `ignored`.
import { parseEvents, type SecurityEvent } from '../http/event-schema.js';
import { formatOptions } from './format-options.js';
import type { LineOutcome, LineParser, LogFormat, TimedEvent } from './log-format.js';
import { parseIsoTime } from './syslog-line.js';

const MAX_EPOCH_MS = 8.64e15;

/** What {@link readJsonEvent} made of a line: the event and its time, or why it is not one. */
export type JsonLine = { ok: true; event: TimedEvent } | { ok: false; error: string; field: string };

/**
 * Reads one line of the `json` format. Never throws: a line that is not JSON, not one event object,
 * or not valid in the event API's schema gives `{ ok: false }` with an error naming the field
 * (`ip must be a string`, `time must be ...`).
 */
export function readJsonEvent(line: string): JsonLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: 'line is not valid JSON', field: 'line' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'line must be a JSON object: one event', field: 'line' };
  }
  if ('events' in value) {
    return { ok: false, error: 'line must hold one event, not a batch ({"events": [...]})', field: 'events' };
  }
  const { time: given, ...fields } = value as Record<string, unknown>;
  let time: number | undefined;
  if (typeof given === 'number') {
    if (!(Number.isFinite(given) && given >= 0 && given <= MAX_EPOCH_MS)) {
      return { ok: false, error: 'time must be epoch ms from 0 to 8.64e15', field: 'time' };
    }
    time = Math.floor(given);
  } else if (typeof given === 'string') {
    time = parseIsoTime(given);
    if (time === undefined) {
      return {
        ok: false,
        error: 'time must be an ISO 8601 date-time with its zone (Z or +hh:mm)',
        field: 'time',
      };
    }
  } else if (given !== undefined) {
    return { ok: false, error: 'time must be an ISO 8601 string or epoch ms', field: 'time' };
  }
  const parsed = parseEvents(fields);
  if (!parsed.ok) return parsed;
  return { ok: true, event: { time, event: parsed.events[0] as SecurityEvent } };
}

/** The `json` format (no options). */
export const jsonFormat: LogFormat = {
  name: 'json',
  createParser: (options) => {
    formatOptions('json', options, []);
    return jsonParser;
  },
};

// Stateless, so one parser serves every stream.
const jsonParser: LineParser = {
  holdMs: 0,
  parse(line: string, out: TimedEvent[]): LineOutcome {
    if (line.trim() === '') return 'ignored';
    const read = readJsonEvent(line);
    if (!read.ok) return 'unparsed';
    out.push(read.event);
    return 'matched';
  },
};
