import { Redis } from 'ioredis';
import { type ClientKey, formatClientKey } from '../core/client-address.js';
import { MemoryStore } from '../core/memory-store.js';
import { settleWithin } from '../core/settle-within.js';
import type {
  FailureDecision,
  FailureOutcome,
  FallbackReason,
  LoginDetector,
  LoginSubject,
  StoreStats,
  SubjectActivity,
  WindowSettings,
  WindowStore,
  WindowStoreFactory,
} from '../core/store.js';
import {
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-options.js';
import {
  ACTIVE_COUNT_SCRIPT,
  FAILURE_SCRIPT,
  PRIVILEGED_SCRIPT,
  RATE_LIMITED_SCRIPT,
} from './redis-scripts.js';

type Reply = number[];

// The scripts, as ioredis commands (EVALSHA, falling back to EVAL after a Redis restart). The names
// carry a version so two secmon versions sharing one client cannot run each other's scripts.
interface ScriptCommands {
  secmonFailure2(...args: Array<string | number>): Promise<Reply>;
  secmonRateLimited2(...args: Array<string | number>): Promise<Reply>;
  secmonActiveCount2(...args: Array<string | number>): Promise<number>;
  secmonPrivileged1(...args: Array<string | number>): Promise<number>;
}

const RESOLVED = Promise.resolve();

/**
 * A store that keeps window state in Redis, shared by every replica that uses the same Redis and
 * key prefix: atomic Lua scripts decide each event, so an attack spread across replicas crosses
 * the threshold at the same total as against one process, and exactly one replica raises each
 * alert. Decisions arrive as promises that never reject. While Redis cannot take an operation
 * (down, timed out, an error reply, or `maxPending` operations already in flight), the event is
 * decided in this process's memory under the outage policy and counted in `stats().fallbacks`.
 */
class RedisWindowStore implements WindowStore {
  private readonly client: Redis & ScriptCommands;
  private readonly ownsClient: boolean;
  private readonly local: MemoryStore;
  // Interim: the account-takeover detectors are decided in this replica's memory, not yet in Redis.
  private readonly replicaDetectors: MemoryStore;
  private readonly lruKey: string;
  private readonly privilegedKey: string;
  private readonly clientKeyPrefix: string;
  /** The client key prefix as Lua sees it: with the ioredis client's own `keyPrefix`, if any. */
  private readonly scriptClientPrefix: string;
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
  private activeShared = 0;
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
    this.replicaDetectors = new MemoryStore(settings);
    const prefix = options.keyPrefix;
    this.lruKey = `${prefix}lru`;
    this.privilegedKey = `${prefix}priv`;
    this.clientKeyPrefix = `${prefix}c:`;
    this.scriptClientPrefix = `${this.client.options.keyPrefix ?? ''}${this.clientKeyPrefix}`;
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
    const member = memberOf(key);
    const { windowMs, maxTrackedIps, threshold, realertIntervalMs, keepFiringForMs } = this.settings;
    return this.client
      .secmonFailure2(
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
      )
      .then(
        (reply): FailureOutcome => {
          this.answered(reply[3]!, reply[4]!);
          // Brute force is decided on the shared state; the account-takeover detectors are decided
          // in this replica's memory for now.
          const outcome = copyOutcome(this.replicaDetectors.recordFailure(key, account, this.localNow(now)));
          outcome.decisions[0] = {
            decision: reply[0] as FailureDecision,
            count: reply[1]!,
            suppressed: reply[2]!,
            overUntil: reply[5]! < 0 ? Number.NEGATIVE_INFINITY : reply[5]!,
          };
          return outcome;
        },
        (error: unknown) => {
          this.failed(error);
          return this.failureLocally(key, account, now, 'unavailable');
        },
      );
  }

  recordSuccess(key: ClientKey, account: string | undefined, now: number): Promise<number> {
    return Promise.resolve(this.replicaDetectors.recordSuccess(key, account, this.localNow(now)));
  }

  overUntil(detector: LoginDetector, subject: LoginSubject, now: number): Promise<number> {
    if (detector !== 'brute_force' || subject.key === undefined || this.refusal() !== undefined) {
      return Promise.resolve(this.replicaDetectors.overUntil(detector, subject, this.localNow(now)));
    }
    return this.client.hget(this.clientKeyPrefix + memberOf(subject.key), 'u').then(
      (until) => (until === null ? Number.NEGATIVE_INFINITY : Number(until)),
      () => this.replicaDetectors.overUntil(detector, subject, this.localNow(now)),
    );
  }

  activity(detector: LoginDetector, subject: LoginSubject, now: number): SubjectActivity {
    return this.replicaDetectors.activity(detector, subject, this.localNow(now));
  }

  activeAccounts(now: number): number {
    return this.replicaDetectors.activeAccounts(this.localNow(now));
  }

  get evictedAccounts(): number {
    return this.replicaDetectors.evictedAccounts;
  }

  get evictedNetworks(): number {
    return this.replicaDetectors.evictedNetworks;
  }

  recordRateLimited(key: ClientKey, now: number): Promise<boolean> {
    if (now > this.latestNow) this.latestNow = now;
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(this.rateLimitedLocally(key, now, refused));
    this.begin();
    const member = memberOf(key);
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
      .secmonActiveCount2(
        this.lruKey,
        Math.max(this.settings.now(), this.latestNow),
        this.settings.windowMs,
        this.scriptClientPrefix,
        this.settings.keepFiringForMs,
      )
      .then(
        (count) => this.answered(0, count),
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
 * of them; the monitored-IP count is cluster-wide too. Pass it to the monitor:
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
  if (typeof (client as Partial<ScriptCommands>).secmonFailure2 === 'function') return;
  client.defineCommand('secmonFailure2', { numberOfKeys: 2, lua: FAILURE_SCRIPT });
  client.defineCommand('secmonRateLimited2', { numberOfKeys: 2, lua: RATE_LIMITED_SCRIPT });
  client.defineCommand('secmonActiveCount2', { numberOfKeys: 1, lua: ACTIVE_COUNT_SCRIPT });
  client.defineCommand('secmonPrivileged1', { numberOfKeys: 1, lua: PRIVILEGED_SCRIPT });
}

// The memory store reuses its outcome object; an answer that crosses an await needs its own.
function copyOutcome(outcome: FailureOutcome): FailureOutcome {
  return {
    decisions: outcome.decisions.map((decision) => ({ ...decision })),
    surgeBaseline: outcome.surgeBaseline,
  };
}

/** The client's name in Redis keys: the address or IPv6 prefix as text, or `unparseable`. */
function memberOf(key: ClientKey): string {
  return typeof key === 'number' ? formatClientKey(key)! : key;
}

function describeCause(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
