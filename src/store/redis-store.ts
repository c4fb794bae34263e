import { Redis } from 'ioredis';
import type { ClientKey } from '../core/client-address.js';
import { MemoryStore } from '../core/memory-store.js';
import { settleWithin } from '../core/settle-within.js';
import {
  type DetectorDecision,
  type FailureDecision,
  type FailureOutcome,
  type FallbackReason,
  LOGIN_DETECTORS,
  type LoginDetector,
  type LoginSubject,
  type StoreStats,
  type SubjectActivity,
  type WindowSettings,
  type WindowStore,
  type WindowStoreFactory,
} from '../core/store.js';
import {
  accountMember,
  clientMember,
  type DetectorArgs,
  detectorArgs,
  networkMember,
} from './redis-members.js';
import {
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-options.js';
import {
  ACTIVE_COUNT_SCRIPT,
  FAILURE_SCRIPT,
  PRIVILEGED_SCRIPT,
  QUERY_SCRIPT,
  RATE_LIMITED_SCRIPT,
} from './redis-scripts.js';

type Reply = Array<number | string>;

// The scripts, as ioredis commands (EVALSHA, falling back to EVAL after a Redis restart). The names
// carry a version so two secmon versions sharing one client cannot run each other's scripts.
interface ScriptCommands {
  secmonFailure3(...args: Array<string | number | Buffer>): Promise<Reply>;
  secmonQuery1(...args: Array<string | number | Buffer>): Promise<number | string | Reply>;
  secmonRateLimited2(...args: Array<string | number>): Promise<number[]>;
  secmonActiveCount3(...args: Array<string | number>): Promise<number[]>;
  secmonPrivileged1(...args: Array<string | number>): Promise<number>;
}

// The Lua scripts' "none" for a time (-Infinity does not survive a Redis reply).
const LUA_NEVER = -1e300;
// Where each detector's answer is in the failure script's reply (see FAILURE_SCRIPT): decision,
// count and suppressed from the first index, the end of its episode at the second.
const REPLY_AT = [
  [0, 5],
  [6, 9],
  [10, 13],
  [15, 18],
  [20, 23],
] as const;

const RESOLVED = Promise.resolve();

/**
 * A store that keeps window state in Redis, shared by every replica that uses the same Redis and
 * key prefix: one atomic Lua script call decides each failed login for every login detector (brute
 * force, credential stuffing, account and network brute force, the surge), so an attack spread
 * across replicas crosses each threshold at the same total as against one process, and exactly one
 * replica raises each alert. Successful logins, the lifecycle and offenders() ask Redis too. Decisions arrive as promises that never reject. While Redis cannot take an operation
 * (down, timed out, an error reply, or `maxPending` operations already in flight), the event is
 * decided in this process's memory under the outage policy and counted in `stats().fallbacks`.
 */
class RedisWindowStore implements WindowStore {
  private readonly client: Redis & ScriptCommands;
  private readonly ownsClient: boolean;
  private readonly local: MemoryStore;
  private readonly lruKey: string;
  private readonly privilegedKey: string;
  private readonly clientKeyPrefix: string;
  /** The client key prefix as Lua sees it: with the ioredis client's own `keyPrefix`, if any. */
  private readonly scriptClientPrefix: string;
  /** The detectors' key prefix as Lua sees it (with the client's own `keyPrefix`). */
  private readonly scriptPrefix: string;
  private readonly detectors: DetectorArgs;
  private readonly ttlMs: number;
  private readonly privilegedTtlMs: number;

  private state: 'starting' | 'up' | 'down' = 'starting';
  private closed = false;
  private pending = 0;
  private waiters: Array<() => void> = [];
  private readonly fallbacks = { unavailable: 0, overloaded: 0 };
  private fallbacksAtDown = 0;
  private downSince = 0;
  private evictedShared = 0;
  private evictedAccountsShared = 0;
  private evictedNetworksShared = 0;
  private activeShared = 0;
  private activeAccountsShared = 0;
  private activeAt = Number.NEGATIVE_INFINITY;
  private lastLocalNow = Number.NEGATIVE_INFINITY;
  private latestNow = Number.NEGATIVE_INFINITY; // the latest time an operation carried
  private readonly readyPromise: Promise<void>;
  private resolveReady: () => void = () => {};
  private readonly waitTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly listeners: Array<[string, (error?: Error) => void]>;

  constructor(
    private readonly settings: WindowSettings,
    private readonly options: ResolvedRedisStoreOptions,
  ) {
    this.ownsClient = options.client === undefined;
    this.client = (options.client ?? createClient(options)) as Redis & ScriptCommands;
    defineScripts(this.client);
    // While Redis is unreachable, events are decided here. fail-closed: every failure is over a
    // threshold of 1, so each address alerts on its first failure, then once per re-alert interval.
    this.local = new MemoryStore({
      ...settings,
      threshold: options.outagePolicy === 'fail-closed' ? 1 : settings.threshold,
    });
    const prefix = options.keyPrefix;
    this.lruKey = `${prefix}lru`;
    this.privilegedKey = `${prefix}priv`;
    this.clientKeyPrefix = `${prefix}c:`;
    this.scriptPrefix = `${this.client.options.keyPrefix ?? ''}${prefix}`;
    this.scriptClientPrefix = `${this.scriptPrefix}c:`;
    this.detectors = detectorArgs(settings, options.minKeyTtlMs);
    this.ttlMs = Math.max(settings.windowMs + settings.keepFiringForMs, options.minKeyTtlMs);
    this.privilegedTtlMs = Math.max(settings.privilegedAlertIntervalMs, options.minKeyTtlMs);

    this.readyPromise = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
    this.listeners = [
      ['ready', () => this.markUp()],
      ['close', () => this.markDown('connection closed')],
      ['error', (error?: Error) => this.markDown(error)],
    ];
    for (const [event, listener] of this.listeners) this.client.on(event, listener);
    if (this.client.status === 'ready') {
      this.markUp();
    } else {
      this.waitTimer = setTimeout(() => this.giveUpWaiting(), options.connectWaitMs);
      this.waitTimer.unref();
    }
    this.refreshTimer = setInterval(() => {
      if (performance.now() - this.activeAt >= options.activeCountRefreshMs) void this.refresh();
    }, options.activeCountRefreshMs);
    this.refreshTimer.unref();
  }

  get evicted(): number {
    return this.evictedShared + this.local.evicted;
  }

  recordFailure(key: ClientKey, account: string | undefined, now: number): Promise<FailureOutcome> {
    if (now > this.latestNow) this.latestNow = now;
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(this.failureLocally(key, account, now, refused));
    this.begin();
    const member = clientMember(key, this.settings);
    const detectors = this.detectors;
    const { windowMs, maxTrackedIps, threshold, realertIntervalMs, keepFiringForMs } = this.settings;
    return this.client
      .secmonFailure3(
        this.lruKey,
        this.clientKeyPrefix + member,
        now,
        windowMs,
        maxTrackedIps,
        this.ttlMs,
        member,
        this.scriptClientPrefix,
        threshold,
        realertIntervalMs,
        keepFiringForMs,
        this.scriptPrefix,
        account === undefined || (detectors.stuffing.length === 0 && detectors.accounts.length === 0)
          ? ''
          : accountMember(account, this.settings),
        detectors.networks.length === 0 ? '' : networkMember(key, this.settings),
        detectors.stuffing,
        detectors.accounts,
        detectors.networks,
        detectors.surge,
      )
      .then(
        (reply): FailureOutcome => {
          this.answered(reply[3] as number, reply[4] as number);
          this.evictedAccountsShared += reply[14] as number;
          this.evictedNetworksShared += reply[19] as number;
          return {
            decisions: REPLY_AT.map(([at, until]) => decisionOf(reply, at, until)),
            surgeBaseline: Number(reply[24]),
          };
        },
        (error: unknown) => {
          this.failed(error);
          return this.failureLocally(key, account, now, 'unavailable');
        },
      );
  }

  recordSuccess(key: ClientKey, account: string | undefined, now: number): Promise<number> {
    return this.query(
      'success',
      'brute_force',
      { key, account },
      now,
      (over) => Number(over),
      () => this.local.recordSuccess(key, account, this.localNow(now)),
    );
  }

  overUntil(detector: LoginDetector, subject: LoginSubject, now: number): Promise<number> {
    return this.query('until', detector, subject, now, timeOf, () =>
      this.local.overUntil(detector, subject, this.localNow(now)),
    );
  }

  activity(detector: LoginDetector, subject: LoginSubject, now: number): Promise<SubjectActivity> {
    return this.query(
      'activity',
      detector,
      subject,
      now,
      (reply) => {
        const [count, lastSeen] = reply as [number, string];
        return { count, lastSeen: timeOf(lastSeen) };
      },
      () => this.local.activity(detector, subject, this.localNow(now)),
    );
  }

  activeAccounts(now: number): number {
    return this.state === 'up' ? this.activeAccountsShared : this.local.activeAccounts(this.localNow(now));
  }

  get evictedAccounts(): number {
    return this.evictedAccountsShared + this.local.evictedAccounts;
  }

  get evictedNetworks(): number {
    return this.evictedNetworksShared + this.local.evictedNetworks;
  }

  recordRateLimited(key: ClientKey, now: number): Promise<boolean> {
    if (now > this.latestNow) this.latestNow = now;
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(this.rateLimitedLocally(key, now, refused));
    this.begin();
    const member = clientMember(key, this.settings);
    const { windowMs, maxTrackedIps, realertIntervalMs, keepFiringForMs } = this.settings;
    return this.client
      .secmonRateLimited2(
        this.lruKey,
        this.clientKeyPrefix + member,
        now,
        windowMs + keepFiringForMs, // how long an idle client is kept
        maxTrackedIps,
        this.ttlMs,
        member,
        this.scriptClientPrefix,
        realertIntervalMs,
        windowMs,
      )
      .then(
        (reply) => {
          this.answered(reply[1]!, reply[2]!);
          return reply[0] === 1;
        },
        (error: unknown) => {
          this.failed(error);
          return this.rateLimitedLocally(key, now, 'unavailable');
        },
      );
  }

  claimPrivilegedAlert(now: number): Promise<boolean> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(this.privilegedLocally(now, refused));
    this.begin();
    return this.client
      .secmonPrivileged1(
        this.privilegedKey,
        now,
        this.settings.privilegedAlertIntervalMs,
        this.privilegedTtlMs,
      )
      .then(
        (due) => {
          this.end();
          this.markUp();
          return due === 1;
        },
        (error: unknown) => {
          this.failed(error);
          return this.privilegedLocally(now, 'unavailable');
        },
      );
  }

  activeCount(now: number): number {
    return this.state === 'up' ? this.activeShared : this.local.activeCount(this.localNow(now));
  }

  stats(): StoreStats {
    return {
      backend: 'redis',
      shared: true,
      up: this.state === 'up',
      fallbacks: { ...this.fallbacks },
    };
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  settled(): Promise<void> {
    if (this.pending === 0) return RESOLVED;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  refresh(): Promise<void> {
    if (this.refusal() !== undefined) return RESOLVED;
    this.begin();
    return this.client
      .secmonActiveCount3(
        this.lruKey,
        Math.max(this.settings.now(), this.latestNow),
        this.settings.windowMs,
        this.scriptClientPrefix,
        this.settings.keepFiringForMs,
        `${this.scriptPrefix}alru`,
        this.detectors.accountWindow,
      )
      .then(
        ([clients, accounts]) => {
          this.activeAccountsShared = accounts!;
          this.answered(0, clients!);
        },
        (error: unknown) => this.failed(error),
      );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.resolveReady();
    // Operations in flight end within the command timeout; do not wait longer than that for them.
    await settleWithin([this.settled()], this.options.commandTimeoutMs + 1000);
    for (const [event, listener] of this.listeners) this.client.off(event, listener);
    if (this.ownsClient) {
      if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
      this.client.disconnect();
    }
  }

  /**
   * Asks the query script about a subject; answers from this process's memory when Redis cannot
   * take it (reads are not counted as fallbacks: they decide nothing).
   */
  private query<T>(
    what: 'success' | 'until' | 'activity',
    detector: LoginDetector,
    subject: LoginSubject,
    now: number,
    parse: (reply: number | string | Reply) => T,
    locally: () => T,
  ): Promise<T> {
    if (now > this.latestNow) this.latestNow = now;
    if (this.refusal() !== undefined) return Promise.resolve(locally());
    this.begin();
    const { key, account } = subject;
    const detectors = this.detectors;
    const member = key === undefined ? '' : clientMember(key, this.settings);
    return this.client
      .secmonQuery1(
        this.clientKeyPrefix + member,
        what,
        LOGIN_DETECTORS.indexOf(detector),
        now,
        this.scriptPrefix,
        member,
        // The script reads only the asked detector's subject (all of them for 'success'): the
        // account's and the network's names (hashes) are made only when it will.
        account === undefined || !(what === 'success' || detector === 'account_brute_force')
          ? ''
          : accountMember(account, this.settings),
        key === undefined ||
          detectors.networks.length === 0 ||
          !(what === 'success' || detector === 'network_brute_force')
          ? ''
          : networkMember(key, this.settings),
        this.settings.threshold,
        this.settings.windowMs,
        this.settings.keepFiringForMs,
        detectors.stuffing,
        detectors.accounts,
        detectors.networks,
        detectors.surge,
      )
      .then(
        (reply) => {
          this.end();
          this.markUp();
          return parse(reply);
        },
        (error: unknown) => {
          this.failed(error);
          return locally();
        },
      );
  }

  /** Why an operation cannot go to Redis now, or undefined when it can. */
  private refusal(): FallbackReason | undefined {
    if (this.closed) return 'unavailable';
    if (this.client.status !== 'ready') {
      // Only the first refusal of an outage is logged: no message is built for the rest.
      if (this.state === 'up') this.markDown(`connection ${this.client.status}`);
      return 'unavailable';
    }
    if (this.pending >= this.options.maxPending) return 'overloaded';
    return undefined;
  }

  private begin(): void {
    this.pending++;
  }

  private end(): void {
    this.pending--;
    if (this.pending === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private answered(evicted: number, active: number): void {
    this.end();
    this.markUp();
    this.evictedShared += evicted;
    this.activeShared = active;
    this.activeAt = performance.now();
  }

  private failed(error: unknown): void {
    this.end();
    this.markDown(error);
  }

  private failureLocally(
    key: ClientKey,
    account: string | undefined,
    now: number,
    reason: FallbackReason,
  ): FailureOutcome {
    this.fallbacks[reason]++;
    const outcome = copyOutcome(this.local.recordFailure(key, account, this.localNow(now)));
    outcome.degraded = this.options.outagePolicy;
    return outcome;
  }

  private rateLimitedLocally(key: ClientKey, now: number, reason: FallbackReason): boolean {
    this.fallbacks[reason]++;
    return this.local.recordRateLimited(key, this.localNow(now));
  }

  private privilegedLocally(now: number, reason: FallbackReason): boolean {
    this.fallbacks[reason]++;
    return this.local.claimPrivilegedAlert(this.localNow(now));
  }

  // Local decisions can come late (after a timeout), so their times are clamped to never decrease.
  private localNow(now: number): number {
    if (now > this.lastLocalNow) this.lastLocalNow = now;
    return this.lastLocalNow;
  }

  private markUp(): void {
    if (this.state === 'up' || this.closed) return;
    const previous = this.state;
    this.state = 'up';
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.resolveReady();
    const details = { store: 'redis', keyPrefix: this.options.keyPrefix };
    if (previous === 'starting') {
      this.options.logger.info(details, 'shared store connected');
      return;
    }
    this.options.logger.info(
      {
        ...details,
        downForMs: Date.now() - this.downSince,
        decidedLocally: this.totalFallbacks() - this.fallbacksAtDown,
      },
      'shared store available again: counting in Redis',
    );
  }

  private markDown(cause: unknown): void {
    if (this.state !== 'up' || this.closed) return;
    this.enterDown(cause);
  }

  private giveUpWaiting(): void {
    if (this.state === 'starting' && !this.closed) this.enterDown('not reachable at start');
    this.resolveReady();
  }

  private enterDown(cause: unknown): void {
    this.state = 'down';
    this.downSince = Date.now();
    this.fallbacksAtDown = this.totalFallbacks();
    const policy = this.options.outagePolicy;
    this.options.logger.warn(
      { store: 'redis', policy, cause: describeCause(cause) },
      policy === 'fail-closed'
        ? 'shared store unavailable: fail-closed, every failed login counts as over the threshold until it returns'
        : "shared store unavailable: counting in this replica's memory until it returns",
    );
  }

  private totalFallbacks(): number {
    return this.fallbacks.unavailable + this.fallbacks.overloaded;
  }
}

/**
 * The Redis store: window state and alert intervals shared by every replica using the same Redis
 * and `keyPrefix`, so an attack spread across replicas is counted once and alerted by exactly one
 * of them, for every login detector; the monitored-IP and account counts are cluster-wide too. Pass it to the monitor:
 * `new AnomalyMonitor({ store: redisStore({ url: 'redis://127.0.0.1:6379' }) })`, and call
 * `monitor.close()` on shutdown. Keys expire by themselves (TTL = the window) and the number of
 * tracked clients is capped at `maxTrackedIps` cluster-wide. Throws a `TypeError` naming the option
 * for bad options (see {@link RedisStoreOptions}).
 */
export function redisStore(options: RedisStoreOptions): WindowStoreFactory {
  const resolved = resolveRedisStoreOptions(options);
  return (settings) => new RedisWindowStore(settings, resolved);
}

function createClient(options: ResolvedRedisStoreOptions): Redis {
  return new Redis(options.url!, {
    // Never queue or retry behind the caller's back: a command that cannot be sent or answered now
    // fails at once (or after the timeout) and the event is decided locally; memory stays bounded.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 2000),
    // Reconnect for ever, quickly: at most a second between attempts.
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
    connectionName: 'secmon',
    disableClientInfo: true,
  });
}

function defineScripts(client: Redis): void {
  if (typeof (client as Partial<ScriptCommands>).secmonFailure3 === 'function') return;
  client.defineCommand('secmonFailure3', { numberOfKeys: 2, lua: FAILURE_SCRIPT });
  client.defineCommand('secmonQuery1', { numberOfKeys: 1, lua: QUERY_SCRIPT });
  client.defineCommand('secmonRateLimited2', { numberOfKeys: 2, lua: RATE_LIMITED_SCRIPT });
  client.defineCommand('secmonActiveCount3', { numberOfKeys: 1, lua: ACTIVE_COUNT_SCRIPT });
  client.defineCommand('secmonPrivileged1', { numberOfKeys: 1, lua: PRIVILEGED_SCRIPT });
}

// The memory store reuses its outcome object; an answer that crosses an await needs its own.
function copyOutcome(outcome: FailureOutcome): FailureOutcome {
  return {
    decisions: outcome.decisions.map((decision) => ({ ...decision })),
    surgeBaseline: outcome.surgeBaseline,
  };
}

/** One detector's decision from the failure script's reply. */
function decisionOf(reply: Reply, at: number, untilAt: number): DetectorDecision {
  const until = reply[untilAt] as number;
  return {
    decision: reply[at] as FailureDecision,
    count: reply[at + 1] as number,
    suppressed: reply[at + 2] as number,
    overUntil: until < 0 ? Number.NEGATIVE_INFINITY : until,
  };
}

/** A time from a script's text reply: -Infinity for the scripts' "none". */
function timeOf(text: number | string | Reply): number {
  const time = Number(text);
  return time <= LUA_NEVER ? Number.NEGATIVE_INFINITY : time;
}

function describeCause(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
