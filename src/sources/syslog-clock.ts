// Turns a syslog (RFC 3164) timestamp, which has neither a year nor a zone, into epoch ms. The zone is
// the local one (or UTC); the year is guessed once from the clock and then carried along the log, so a
// log that runs from December into January gets both years right.

const DAY_MS = 86_400_000;
// A first line further ahead of the clock than this is from last year (a December log read in January).
// Two days leave room for the writer's zone being ahead of ours.
const FUTURE_SLACK_MS = 2 * DAY_MS;
// A month this far from the previous line's month has crossed a new year.
const YEAR_TURN_MONTHS = 6;

/** How a {@link SyslogClock} resolves times without a year or zone. */
export interface SyslogClockOptions {
  /** The year of the first line. Default: the current year of `now()`, or the last one if the line would lie in the future. */
  year?: number;
  /** The clock for that guess, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** `local` (default): the process's time zone (`TZ`). `UTC`: timestamps are UTC. */
  timeZone?: 'local' | 'UTC';
}

/** Resolves year-less syslog timestamps along one log (state: the current year and the last month seen). */
export class SyslogClock {
  private year: number | undefined;
  private lastMonth = -1;
  private readonly utc: boolean;
  private readonly now: () => number;
  // Epoch ms of the start of the last hour resolved: lines of one log share hours, and computing a
  // local time (Date with fields) is the slow part.
  private hourKey = -1;
  private hourStart = 0;

  constructor(options: SyslogClockOptions = {}) {
    this.year = options.year;
    this.now = options.now ?? Date.now;
    this.utc = options.timeZone === 'UTC';
  }

  /** Epoch ms of `month` (0-11) `day` `hour:minute:second` in the log's year. */
  resolve(month: number, day: number, hour: number, minute: number, second: number): number {
    let year = this.year;
    if (year === undefined || this.lastMonth < 0) {
      if (year === undefined) {
        const now = this.now();
        year = this.utc ? new Date(now).getUTCFullYear() : new Date(now).getFullYear();
        if (this.epoch(year, month, day, hour, minute, second) > now + FUTURE_SLACK_MS) year--;
      }
      this.year = year;
      this.lastMonth = month;
    } else if (this.lastMonth - month >= YEAR_TURN_MONTHS) {
      // January after December: the next year.
      year = ++this.year!;
      this.lastMonth = month;
    } else if (month - this.lastMonth >= YEAR_TURN_MONTHS) {
      // A late December line among January ones (writers interleaved around midnight): last year's,
      // and the log stays in the new year.
      year--;
    } else {
      this.lastMonth = month;
    }
    return this.epoch(year, month, day, hour, minute, second);
  }

  /** Epoch ms of the given fields (`month` 0-11) in this clock's zone. */
  epoch(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const key = ((year * 12 + month) * 32 + day) * 24 + hour;
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourStart = this.utc
        ? Date.UTC(year, month, day, hour)
        : new Date(year, month, day, hour, 0, 0, 0).getTime();
    }
    return this.hourStart + minute * 60_000 + second * 1000;
  }
}
