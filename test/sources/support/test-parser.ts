// A small line format for the runner's tests, independent of the real formats:
//   <ISO time | -> <fail | ok | probe | ignore> <ip> [user]
// `fail`/`ok` are failed/successful logins at the line's time; `probe` is a failed login held back
// (like sshd's) until the latest time is `holdMs` past it or the input ends, then emitted with its own
// time; `-` as the time means the line has none; anything else is unparsed.
import type { LineOutcome, LineParser, TimedEvent } from '../../../src/sources/log-format.js';

export function testParser(holdMs = 60_000): LineParser & { held(): number } {
  const held: TimedEvent[] = [];
  return {
    holdMs,
    held: () => held.length,
    parse(line: string, out: TimedEvent[]): LineOutcome {
      const [timeText, kind, ip, user] = line.split(' ');
      if (timeText === undefined || ip === undefined) return 'unparsed';
      const time = timeText === '-' ? undefined : Date.parse(timeText);
      if (time !== undefined && Number.isNaN(time)) return 'unparsed';
      const userId = user === undefined ? {} : { userId: user };
      switch (kind) {
        case 'fail':
          out.push({ time, event: { type: 'failed_auth', ip, ...userId } });
          return 'matched';
        case 'ok':
          out.push({ time, event: { type: 'successful_auth', ip, ...userId } });
          return 'matched';
        case 'probe':
          held.push({ time, event: { type: 'failed_auth', ip, ...userId } });
          return 'matched';
        case 'ignore':
          return 'ignored';
        default:
          return 'unparsed';
      }
    },
    flush(now: number | undefined, out: TimedEvent[]): void {
      while (held.length > 0 && (now === undefined || (held[0]!.time ?? 0) + holdMs <= now)) {
        out.push(held.shift()!);
      }
    },
  };
}

/** `2026-12-06T10:00:00.000Z` plus `ms`. */
export const T0 = Date.parse('2026-12-06T10:00:00.000Z');
export const at = (ms: number) => new Date(T0 + ms).toISOString();
