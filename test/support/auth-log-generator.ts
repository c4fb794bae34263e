// A synthetic Debian auth.log with exact ground truth, for the replay property test and the bench.
//
// Actors of known kinds (brute forcers, bursts, low-and-slow attackers just under and just over the
// threshold, user enumerators, publickey probers, a botnet, users who mistype, scanners, cron) write
// realistic multi-line sshd sessions, interleaved, with timestamps that never go back. The truth is
// computed from the attempts actually written (see sshd-sessions.ts for what counts): the addresses
// that make `threshold` attempts less than `windowSec` apart. Times are whole seconds as the log shows
// them, so the boundary is exact for anyone reading the log: `threshold` attempts spanning
// `windowSec - 1` seconds are in the truth, spanning `windowSec` are not; both cases are generated.
import { type Actor, type ActorLine, actorOf, mergeActors, WindowTruth } from './log-timeline.js';
import { SeededRandom } from './seeded-random.js';
import {
  loginSession,
  noiseLines,
  passwordSession,
  SINGLE_ATTEMPTS,
  SshdHost,
  scannerConnection,
  singleAttempt,
} from './sshd-sessions.js';
import { uniqueAddresses } from './unique-addresses.js';

/** The kinds of actor in a generated auth.log. */
export const SSHD_ACTOR_KINDS = [
  'brute',
  'burst',
  'slowUnder',
  'slowOver',
  'enumerator',
  'keyProber',
  'botnet',
  'mistyper',
  'user',
  'scanner',
  'noise',
] as const;
export type SshdActorKind = (typeof SSHD_ACTOR_KINDS)[number];

/** Actors of each kind in a finite log (the property test's default: ~1,000 lines). */
export const DEFAULT_SSHD_ACTORS: Readonly<Record<SshdActorKind, number>> = {
  brute: 3,
  burst: 3,
  slowUnder: 3,
  slowOver: 3,
  enumerator: 2,
  keyProber: 2,
  botnet: 1,
  mistyper: 3,
  user: 2,
  scanner: 2,
  noise: 10,
};

/** Relative weights of the kinds in a streamed (bench) log. */
export const STREAM_SSHD_WEIGHTS: Readonly<Record<SshdActorKind, number>> = {
  brute: 8,
  burst: 6,
  slowUnder: 4,
  slowOver: 4,
  enumerator: 5,
  keyProber: 5,
  botnet: 3,
  mistyper: 8,
  user: 10,
  scanner: 12,
  noise: 35,
};

export interface SshdLogOptions {
  seed: number;
  /** Attempts that make an attacker (the replay's --threshold). */
  threshold: number;
  /** The sliding window in seconds (the replay's --window). */
  windowSec: number;
  /**
   * Epoch seconds of the first actor's start. Default 2026-01-12 00:00 UTC: far from a year end and
   * from daylight-saving changes in every zone, so a parser's local-time reading keeps the differences.
   */
  startSec?: number;
  /** Share of attacker and user addresses that are IPv6 (each in a /64 of its own). Default 0.15. */
  ipv6Share?: number;
  host?: string;
}

export interface FiniteSshdLogOptions extends SshdLogOptions {
  /** Actors of each kind (default {@link DEFAULT_SSHD_ACTORS}); they start uniformly over `durationSec`. */
  actors?: Partial<Record<SshdActorKind, number>>;
  /** Default 3 windows. */
  durationSec?: number;
}

export interface StreamSshdLogOptions extends SshdLogOptions {
  /** Stop starting actors once this many lines are written (those in progress still finish). */
  lines: number;
  weights?: Partial<Record<SshdActorKind, number>>;
  /** Mean seconds between actor starts (Poisson arrivals). Default 2. */
  meanGapSec?: number;
}

/** A generated log and what is true about it. */
export interface SshdLog {
  truth: WindowTruth;
  /** The kind of actor behind each address (attackers, users and scanners alike). */
  kindOf: Map<string, SshdActorKind>;
}

const ROOT_OR_INVALID = [
  'admin',
  'test',
  'user',
  'oracle',
  'postgres',
  'git',
  'ftpuser',
  'pi',
  'guest',
  'ubnt',
  'hadoop',
  'support',
];
const REAL_USERS = ['alice', 'bob', 'carol', 'deploy'];

/** Builds actors of each kind; every actor's lines lie at or after the start it is given. */
class ActorFactory {
  readonly kindOf = new Map<string, SshdActorKind>();
  private readonly addresses: () => string;

  constructor(
    private readonly rng: SeededRandom,
    private readonly host: SshdHost,
    private readonly threshold: number,
    private readonly windowSec: number,
    ipv6Share: number,
  ) {
    this.addresses = uniqueAddresses(rng, ipv6Share);
  }

  build(kind: SshdActorKind, start: number): Actor {
    const lines: ActorLine[] = [];
    const ip = kind === 'noise' || kind === 'botnet' ? '' : this.address(kind);
    switch (kind) {
      case 'brute':
        this.brute(ip, start, lines);
        break;
      case 'burst':
        this.burst(ip, start, lines);
        break;
      case 'slowUnder':
        this.slow(ip, start, lines, false);
        break;
      case 'slowOver':
        this.slow(ip, start, lines, true);
        break;
      case 'enumerator':
      case 'keyProber':
        this.prober(ip, start, lines, kind === 'enumerator' ? 'invalidProbe' : 'keyProbe');
        break;
      case 'botnet':
        this.botnet(start, lines);
        break;
      case 'mistyper':
        this.mistyper(ip, start, lines);
        break;
      case 'user':
        lines.push(...loginSession(this.host, ip, this.rng.pick(REAL_USERS), 'publickey', 0, start));
        break;
      case 'scanner': {
        let t = start;
        for (let i = this.rng.int(1, 8); i > 0; i--, t += this.rng.int(0, 5))
          lines.push(...scannerConnection(this.host, ip, t));
        break;
      }
      case 'noise':
        lines.push(...noiseLines(this.host, start));
        break;
    }
    return actorOf(start, lines);
  }

  private address(kind: SshdActorKind): string {
    const ip = this.addresses();
    this.kindOf.set(ip, kind);
    return ip;
  }

  private attackUser(invalid: boolean): string {
    return invalid ? this.rng.pick(ROOT_OR_INVALID) : 'root';
  }

  /** Several connections at once, each trying 1 to 6 passwords 2-4 s apart, until T attempts (N..4N). */
  private brute(ip: string, start: number, lines: ActorLine[]): void {
    const rng = this.rng;
    const chains = rng.int(1, 3);
    const total = rng.int(this.threshold, 4 * this.threshold);
    for (let chain = 0; chain < chains; chain++) {
      let remaining = Math.ceil(total / chains);
      let t = start + rng.int(0, 3);
      while (remaining > 0) {
        const tries = Math.min(rng.int(1, 6), remaining);
        const invalid = rng.chance(0.6);
        const session = passwordSession(this.host, ip, this.attackUser(invalid), invalid, tries, t);
        lines.push(...session.lines);
        remaining -= tries;
        t = session.end + rng.int(0, 4);
      }
    }
  }

  /** N-3 to N+3 one-attempt connections within 2N seconds. */
  private burst(ip: string, start: number, lines: ActorLine[]): void {
    const rng = this.rng;
    const size = rng.int(Math.max(1, this.threshold - 3), this.threshold + 3);
    const span = rng.int(0, 2 * this.threshold);
    for (let i = 0; i < size; i++) this.oneAttempt(ip, start + 2 + rng.int(0, span), lines);
  }

  /**
   * N to 3N one-attempt connections whose every N consecutive attempts span exactly `windowSec`
   * (gaps repeat with period N-1 and sum to the window): just not an attack. 30% of them get gaps
   * widened at random (still not one). `over`: one gap is one second shorter, so the N attempts
   * around it span `windowSec - 1`: just an attack.
   */
  private slow(ip: string, start: number, lines: ActorLine[], over: boolean): void {
    const rng = this.rng;
    const n = this.threshold;
    const count = rng.int(n, 3 * n);
    if (n === 1) {
      for (let i = 0; i < count; i++) this.oneAttempt(ip, start + 2 + i * this.windowSec, lines);
      return;
    }
    const base = Math.floor(this.windowSec / (n - 1));
    const period = Array.from(
      { length: n - 1 },
      (_, i) => base + (i < this.windowSec - base * (n - 1) ? 1 : 0),
    );
    shuffle(rng, period);
    const gaps = Array.from({ length: count - 1 }, (_, i) => period[i % (n - 1)]!);
    if (over) {
      const shortened = gaps.map((gap, i) => (gap > 0 ? i : -1)).filter((i) => i >= 0);
      gaps[rng.pick(shortened)]! -= 1;
    } else if (rng.chance(0.3)) {
      for (let i = 0; i < gaps.length; i++) if (rng.chance(0.3)) gaps[i]! += rng.int(1, 5);
    }
    let at = start + 2;
    this.oneAttempt(ip, at, lines);
    for (const gap of gaps) {
      at += gap;
      this.oneAttempt(ip, at, lines);
    }
  }

  /** N-2 to 2N probes of one kind, 1 to 2W/N seconds apart (some an attack, some not). */
  private prober(ip: string, start: number, lines: ActorLine[], kind: 'invalidProbe' | 'keyProbe'): void {
    const rng = this.rng;
    const n = this.threshold;
    const maxGap = Math.max(1, Math.ceil((2 * this.windowSec) / n));
    let at = start + 2;
    for (let i = rng.int(Math.max(1, n - 2), 2 * n); i > 0; i--, at += rng.int(1, maxGap)) {
      const invalid = kind === 'invalidProbe';
      lines.push(...singleAttempt(this.host, ip, this.attackUser(invalid), kind, at));
    }
  }

  /** 5 to 30 addresses, each making fewer than N attempts over up to four windows. */
  private botnet(start: number, lines: ActorLine[]): void {
    const rng = this.rng;
    const span = rng.int(60, 4 * this.windowSec);
    for (let bots = rng.int(5, 30); bots > 0; bots--) {
      const ip = this.address('botnet');
      for (let i = rng.int(1, Math.max(1, Math.min(3, this.threshold - 1))); i > 0; i--)
        this.oneAttempt(ip, start + 2 + rng.int(0, span), lines);
    }
  }

  /** A real user who logs in 1 to 3 times, mistyping the password 0 to 2 times first. */
  private mistyper(ip: string, start: number, lines: ActorLine[]): void {
    const rng = this.rng;
    const user = rng.pick(REAL_USERS);
    for (let visits = rng.int(1, 3); visits > 0; visits--)
      lines.push(
        ...loginSession(
          this.host,
          ip,
          user,
          'password',
          rng.int(0, 2),
          start + rng.int(0, 4 * this.windowSec),
        ),
      );
  }

  private oneAttempt(ip: string, at: number, lines: ActorLine[]): void {
    const kind = this.rng.pick(SINGLE_ATTEMPTS);
    const invalid = kind === 'invalidPassword' || kind === 'invalidProbe';
    lines.push(...singleAttempt(this.host, ip, this.attackUser(invalid), kind, at));
  }
}

function shuffle<T>(rng: SeededRandom, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

const DEFAULT_START_SEC = Date.UTC(2026, 0, 12) / 1000;

function setup(options: SshdLogOptions) {
  if (!Number.isInteger(options.threshold) || options.threshold < 1)
    throw new TypeError('threshold must be an integer >= 1');
  if (!Number.isInteger(options.windowSec) || options.windowSec < 1)
    throw new TypeError('windowSec must be an integer >= 1');
  const rng = new SeededRandom(options.seed);
  const host = new SshdHost(rng, options.host);
  const factory = new ActorFactory(
    rng,
    host,
    options.threshold,
    options.windowSec,
    options.ipv6Share ?? 0.15,
  );
  const truth = new WindowTruth(options.threshold, options.windowSec);
  return { rng, factory, truth, start: options.startSec ?? DEFAULT_START_SEC };
}

/** A finite auth.log in memory: its lines and its truth. */
export function generateSshdLog(options: FiniteSshdLogOptions): SshdLog & { lines: string[] } {
  const { rng, factory, truth, start } = setup(options);
  const duration = options.durationSec ?? 3 * options.windowSec;
  const counts = { ...DEFAULT_SSHD_ACTORS, ...options.actors };
  const plan: Array<{ kind: SshdActorKind; at: number }> = [];
  for (const kind of SSHD_ACTOR_KINDS)
    for (let i = 0; i < counts[kind]; i++) plan.push({ kind, at: start + rng.int(0, duration) });
  plan.sort((x, y) => x.at - y.at);
  let next = 0;
  const lines = [
    ...mergeActors(() => {
      const entry = plan[next++];
      return entry && factory.build(entry.kind, entry.at);
    }, truth),
  ];
  return { lines, truth, kindOf: factory.kindOf };
}

/**
 * An endless-looking auth.log, streamed: yields lines until about `options.lines` (actors in progress
 * when the count is reached finish, so the log holds no half session). Memory holds the actors in
 * progress and the truth's per-address state, not the log.
 */
export function streamSshdLog(options: StreamSshdLogOptions): SshdLog & { lines: Iterable<string> } {
  const { rng, factory, truth, start } = setup(options);
  const weights = { ...STREAM_SSHD_WEIGHTS, ...options.weights };
  const total = SSHD_ACTOR_KINDS.reduce((sum, kind) => sum + weights[kind], 0);
  const meanGap = options.meanGapSec ?? 2;
  let at = start;
  let written = 0;
  const nextActor = (): Actor | undefined => {
    if (written >= options.lines) return undefined;
    at += Math.round(rng.exponential(meanGap));
    let pick = rng.float() * total;
    let kind: SshdActorKind = 'noise';
    for (const candidate of SSHD_ACTOR_KINDS) {
      pick -= weights[candidate];
      if (pick < 0) {
        kind = candidate;
        break;
      }
    }
    return factory.build(kind, at);
  };
  const lines = (function* () {
    for (const line of mergeActors(nextActor, truth)) {
      written++;
      yield line;
    }
  })();
  return { lines, truth, kindOf: factory.kindOf };
}
