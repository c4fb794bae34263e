// The formats live sources can read until the format registry (`formats.ts`) lands: one event per
// line in the event API's schema. Replaced by that registry when it is merged.
import { parseEvents } from '../http/event-schema.js';
import type { LineParser, LogFormat, TimedEvent } from './log-format.js';

const jsonLines: LogFormat = {
  name: 'json',
  createParser(): LineParser {
    return {
      holdMs: 0,
      parse(line: string, out: TimedEvent[]) {
        if (line.trim() === '') return 'ignored';
        let body: unknown;
        try {
          body = JSON.parse(line);
        } catch {
          return 'unparsed';
        }
        const parsed = parseEvents(body);
        if (!parsed.ok) return 'unparsed';
        for (const event of parsed.events) out.push({ time: undefined, event });
        return 'matched';
      },
    };
  },
};

/** Formats by name. */
export const FORMATS: ReadonlyMap<string, LogFormat> = new Map([[jsonLines.name, jsonLines]]);
