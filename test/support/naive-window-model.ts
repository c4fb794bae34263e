/**
 * The obvious, slow model of brute-force detection: every failure time is kept per address and
 * counted by scanning. The monitor keeps only `threshold` times per address in a ring and an LRU
 * list; over random event sequences both must raise the same alerts and report the same counts.
 */
export class NaiveModel {
  private readonly clients = new Map<
    string,
    {
      times: number[];
      lastSeen: number;
      inEpisode: boolean;
      /** When the current (or last) episode ends: its `threshold`-th most recent failure leaves the window. */
      until: number;
      episode: number;
      lastAlert: number;
      suppressed: number;
    }
  >();
  suppressedTotal = 0;
  evicted = 0;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly realertMs: number,
    private readonly cap: number,
    private readonly keepFiringMs = 0,
  ) {}

  failure(ip: string, now: number): { count: number; suppressed: number } | undefined {
    this.expire(now);
    let client = this.clients.get(ip);
    if (client) {
      this.clients.delete(ip); // re-insert: Map order is our recency order
    } else {
      if (this.clients.size === this.cap) {
        const oldest = this.clients.keys().next().value as string;
        this.clients.delete(oldest);
        this.evicted++;
      }
      client = {
        times: [],
        lastSeen: now,
        inEpisode: false,
        until: -Infinity,
        episode: 0,
        lastAlert: -Infinity,
        suppressed: 0,
      };
    }
    this.clients.set(ip, client);
    client.lastSeen = now;
    client.times.push(now);
    const inWindow = client.times.filter((t) => t > now - this.windowMs);
    if (inWindow.length < this.threshold) return undefined;
    const until = inWindow.sort((a, b) => b - a)[this.threshold - 1]! + this.windowMs;
    // An episode whose count dipped below the threshold more than keepFiringMs before this failure is
    // over: this is a new crossing.
    const ended = client.until + this.keepFiringMs <= now;
    client.until = until;
    if (!client.inEpisode || ended) {
      client.inEpisode = true;
      client.episode = this.threshold;
    } else {
      client.episode++;
      if (now - client.lastAlert < this.realertMs) {
        client.suppressed++;
        this.suppressedTotal++;
        return undefined;
      }
    }
    const result = { count: client.episode, suppressed: client.suppressed };
    client.lastAlert = now;
    client.suppressed = 0;
    return result;
  }

  active(now: number): number {
    this.expire(now);
    return [...this.clients.values()].filter((client) => client.lastSeen > now - this.windowMs).length;
  }

  // A client is kept for the window and the keep-firing time: until then coming back over may
  // continue its episode.
  private expire(now: number): void {
    for (const [ip, client] of this.clients) {
      if (client.lastSeen <= now - this.windowMs - this.keepFiringMs) this.clients.delete(ip);
    }
  }
}
