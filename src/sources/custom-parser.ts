// The parser of a custom format (custom-format.ts checks and compiles the definition): the first
// pattern that matches a line makes its event from the named groups.
import type { EVENT_TYPES, SecurityEvent } from '../http/event-schema.js';
import { looksLikeAddress, userIdOf } from './format-options.js';
import type { LineOutcome, LineParser, TimedEvent } from './log-format.js';
import type { TimeReader } from './time-format.js';

type EventType = (typeof EVENT_TYPES)[number];

/** One compiled pattern: a match is an `event` (or the type its `type` group names). */
export interface CompiledPattern {
  regex: RegExp;
  event: EventType | undefined;
}

/** Matches lines against `patterns`; a line longer than `maxLineLength` is `unparsed` unread. */
export class CustomParser implements LineParser {
  readonly holdMs = 0;

  constructor(
    private readonly patterns: readonly CompiledPattern[],
    private readonly maxLineLength: number,
    private readonly readTime: TimeReader,
  ) {}

  parse(line: string, out: TimedEvent[]): LineOutcome {
    if (line.length > this.maxLineLength) return 'unparsed';
    for (const { regex, event } of this.patterns) {
      const match = regex.exec(line);
      if (match === null) continue;
      const groups = match.groups ?? {};
      let time: number | undefined;
      if (groups.time !== undefined) {
        time = this.readTime(groups.time);
        if (time === undefined) return 'unparsed';
      }
      const type = event ?? (groups.type as EventType);
      const built = buildEvent(type, groups);
      if (built === undefined) return 'unparsed';
      out.push({ time, event: built });
      return 'matched';
    }
    return 'ignored';
  }
}

// The event of a match; undefined when a field it needs is missing or not valid (an address that is
// not one, an unknown `type`).
function buildEvent(type: EventType, groups: Record<string, string | undefined>): SecurityEvent | undefined {
  const ip = groups.ip ?? groups.host;
  if (ip !== undefined && !looksLikeAddress(ip)) return undefined;
  const userId = groups.user === undefined ? undefined : userIdOf(groups.user);
  switch (type) {
    case 'failed_auth':
    case 'successful_auth':
    case 'rate_limit_exceeded':
      if (ip === undefined) return undefined;
      return userId === undefined ? { type, ip } : { type, ip, userId };
    case 'path_traversal': {
      const path = groups.path;
      if (ip === undefined || !path) return undefined;
      return userId === undefined ? { type, ip, path } : { type, ip, path, userId };
    }
    case 'command_injection': {
      const input = groups.input;
      if (ip === undefined || !input) return undefined;
      return userId === undefined ? { type, ip, input } : { type, ip, input, userId };
    }
    case 'privileged_container':
      if (userId === undefined) return undefined;
      return ip === undefined ? { type, userId } : { type, userId, ip };
    case 'suspicious_container': {
      const reason = groups.reason;
      if (userId === undefined || !reason) return undefined;
      const reasons = [reason.length > 1024 ? reason.slice(0, 1024) : reason];
      return ip === undefined ? { type, userId, reasons } : { type, userId, reasons, ip };
    }
    default:
      return undefined;
  }
}
