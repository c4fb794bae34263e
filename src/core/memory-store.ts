import type { ClientKey } from './client-address.js';
import { ClientWindows } from './client-windows.js';
import {
  accountOther,
  clientOther,
  KeyRef,
  readAccountKey,
  readClientKey,
  readNetworkKey,
} from './key-ref.js';
import {
  type DetectorDecision,
  type FailureOutcome,
  LOGIN_DETECTORS,
  type LoginDetector,
  type LoginSubject,
  NO_ALERT,
  type StoreStats,
  type SubjectActivity,
  type WindowSettings,
  type WindowStore,
  type WindowStoreFactory,
} from './store.js';
import { SurgeMeter } from './surge-meter.js';
import { ThresholdTable, takeoverTables } from './threshold-table.js';

const RESOLVED = Promise.resolve();
const BRUTE_FORCE = 0;
const STUFFING = 1;
const ACCOUNT = 2;
const NETWORK = 3;
const SURGE = 4;

/**
 * The default store: state in this process's memory, in bounded tables (see {@link ThresholdTable}):
 * one per login detector (clients, clients' accounts, accounts, networks) and the surge meter.
 * Every call answers synchronously and allocates nothing on the failed-login path (the outcome object
 * is reused); nothing is shared with other processes.
 */
export class MemoryStore implements WindowStore {
  private readonly clients: ClientWindows;
  private readonly stuffing: ThresholdTable | undefined;
  private readonly accounts: ThresholdTable | undefined;
  private readonly networks: ThresholdTable | undefined;
  private readonly surge: SurgeMeter | undefined;
  private readonly outcome: FailureOutcome;
  private readonly client = new KeyRef();
  private readonly network = new KeyRef();
  private readonly account = new KeyRef();
  private lastPrivilegedAlertAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: WindowSettings) {
    const fs = settings.failedLoginSurge;
    this.clients = new ClientWindows({
      threshold: settings.threshold,
      distinct: 0,
      windowMs: settings.windowMs,
      realertIntervalMs: settings.realertIntervalMs,
      keepFiringForMs: settings.keepFiringForMs,
      capacity: settings.maxTrackedIps,
    });
    const tables = takeoverTables(settings);
    if (tables.stuffing) this.stuffing = new ThresholdTable(tables.stuffing);
    if (tables.accounts) this.accounts = new ThresholdTable(tables.accounts);
    if (tables.networks) this.networks = new ThresholdTable(tables.networks);
    if (fs.enabled) {
      this.surge = new SurgeMeter({
        ...fs,
        realertIntervalMs: settings.realertIntervalMs,
        keepFiringForMs: settings.keepFiringForMs,
      });
    }
    const decisions: DetectorDecision[] = LOGIN_DETECTORS.map(() => ({
      decision: NO_ALERT,
      count: 0,
      suppressed: 0,
      overUntil: Number.NEGATIVE_INFINITY,
    }));
    this.outcome = { decisions, surgeBaseline: 0 };
  }

  get evicted(): number {
    return this.clients.evicted;
  }

  get evictedAccounts(): number {
    return this.accounts?.evicted ?? 0;
  }

  get evictedNetworks(): number {
    return this.networks?.evicted ?? 0;
  }

  recordFailure(key: ClientKey, account: string | undefined, now: number): FailureOutcome {
    const decisions = this.outcome.decisions;
    const client = this.client;
    readClientKey(key, client);
    const clients = this.clients;
    tableDecision(
      decisions[BRUTE_FORCE]!,
      clients,
      clients.record(client.kind, client.int, client.words, Number.NaN, now),
    );

    const hasAccount = account !== undefined;
    if (hasAccount) readAccountKey(account, this.account);
    const stuffing = this.stuffing;
    if (stuffing !== undefined && hasAccount) {
      const decision = stuffing.record(
        client.kind,
        client.int,
        client.words,
        accountOther(this.account),
        now,
      );
      tableDecision(decisions[STUFFING]!, stuffing, decision);
    } else decisions[STUFFING]!.decision = NO_ALERT;

    const accounts = this.accounts;
    if (accounts !== undefined && hasAccount) {
      const ref = this.account;
      tableDecision(
        decisions[ACCOUNT]!,
        accounts,
        accounts.record(ref.kind, ref.int, ref.words, clientOther(client), now),
      );
    } else decisions[ACCOUNT]!.decision = NO_ALERT;

    const networks = this.networks;
    if (networks !== undefined && this.readNetwork()) {
      const ref = this.network;
      tableDecision(
        decisions[NETWORK]!,
        networks,
        networks.record(ref.kind, ref.int, ref.words, clientOther(client), now),
      );
    } else decisions[NETWORK]!.decision = NO_ALERT;

    const surge = this.surge;
    if (surge !== undefined) {
      tableDecision(decisions[SURGE]!, surge, surge.record(now));
      this.outcome.surgeBaseline = surge.lastBaseline;
    } else decisions[SURGE]!.decision = NO_ALERT;
    return this.outcome;
  }

  recordSuccess(key: ClientKey, account: string | undefined, now: number): number {
    // Each subject's key is read once, for every table that counts it.
    const client = this.client;
    readClientKey(key, client);
    let over = 0;
    if (this.clients.overUntilOf(client.kind, client.int, client.words, now) > now) over |= 1 << BRUTE_FORCE;
    const stuffing = this.stuffing;
    if (stuffing !== undefined && stuffing.overUntilOf(client.kind, client.int, client.words, now) > now)
      over |= 1 << STUFFING;
    const accounts = this.accounts;
    if (accounts !== undefined && account !== undefined) {
      const ref = this.account;
      readAccountKey(account, ref);
      if (accounts.overUntilOf(ref.kind, ref.int, ref.words, now) > now) over |= 1 << ACCOUNT;
    }
    const networks = this.networks;
    if (networks !== undefined && this.readNetwork()) {
      const ref = this.network;
      if (networks.overUntilOf(ref.kind, ref.int, ref.words, now) > now) over |= 1 << NETWORK;
    }
    return over;
  }

  overUntil(detector: LoginDetector, subject: LoginSubject, now: number): number {
    if (detector === 'failed_login_surge') return this.surge?.overUntil(now) ?? Number.NEGATIVE_INFINITY;
    const table = this.tableFor(detector, subject);
    if (table === undefined) return Number.NEGATIVE_INFINITY;
    const ref = this.refFor(detector);
    return table.overUntilOf(ref.kind, ref.int, ref.words, now);
  }

  activity(detector: LoginDetector, subject: LoginSubject, now: number): SubjectActivity {
    if (detector === 'failed_login_surge') {
      return { count: this.surge?.count(now) ?? 0, lastSeen: Number.NEGATIVE_INFINITY };
    }
    const table = this.tableFor(detector, subject);
    if (table === undefined) return { count: 0, lastSeen: Number.NEGATIVE_INFINITY };
    const ref = this.refFor(detector);
    return {
      count: table.attackCount(ref.kind, ref.int, ref.words, now),
      lastSeen: table.lastSeenOf(ref.kind, ref.int, ref.words, now),
    };
  }

  recordRateLimited(key: ClientKey, now: number): boolean {
    const client = this.client;
    readClientKey(key, client);
    return this.clients.recordRateLimited(client.kind, client.int, client.words, now);
  }

  claimPrivilegedAlert(now: number): boolean {
    if (now - this.lastPrivilegedAlertAt < this.settings.privilegedAlertIntervalMs) return false;
    this.lastPrivilegedAlertAt = now;
    return true;
  }

  activeCount(now: number): number {
    return this.clients.activeCount(now);
  }

  activeAccounts(now: number): number {
    return this.accounts?.activeCount(now) ?? 0;
  }

  stats(): StoreStats {
    return { backend: 'memory', shared: false, up: true, fallbacks: { unavailable: 0, overloaded: 0 } };
  }

  ready(): Promise<void> {
    return RESOLVED;
  }

  settled(): Promise<void> {
    return RESOLVED;
  }

  refresh(): Promise<void> {
    return RESOLVED;
  }

  close(): Promise<void> {
    return RESOLVED;
  }

  private readNetwork(): boolean {
    const { ipv4PrefixLength, ipv6PrefixLength } = this.settings.networkBruteForce;
    return readNetworkKey(this.client, ipv4PrefixLength, ipv6PrefixLength, this.network);
  }

  // The table of a detector, with the subject's key read into the ref `refFor` returns; undefined
  // when the detector is off or the subject has nothing it counts.
  private tableFor(detector: LoginDetector, subject: LoginSubject): ThresholdTable | undefined {
    if (detector === 'account_brute_force') {
      if (this.accounts === undefined || subject.account === undefined) return undefined;
      readAccountKey(subject.account, this.account);
      return this.accounts;
    }
    if (subject.key === undefined) return undefined;
    readClientKey(subject.key, this.client);
    if (detector === 'brute_force') return this.clients;
    if (detector === 'credential_stuffing') return this.stuffing;
    return this.networks !== undefined && this.readNetwork() ? this.networks : undefined;
  }

  private refFor(detector: LoginDetector): KeyRef {
    if (detector === 'account_brute_force') return this.account;
    return detector === 'network_brute_force' ? this.network : this.client;
  }
}

function tableDecision(
  target: DetectorDecision,
  table: Pick<ThresholdTable, 'lastCount' | 'lastSuppressed' | 'lastOverUntil'>,
  decision: DetectorDecision['decision'],
): void {
  target.decision = decision;
  if (decision === NO_ALERT) return;
  target.count = table.lastCount;
  target.suppressed = table.lastSuppressed;
  target.overUntil = table.lastOverUntil;
}

/**
 * The in-memory store (the default): per-process state, synchronous, bounded by `maxTrackedIps` and
 * `maxTrackedAccounts`. Pass it as `new AnomalyMonitor({ store: memoryStore() })` to be explicit;
 * omitting `store` is the same.
 */
export function memoryStore(): WindowStoreFactory {
  return (settings) => new MemoryStore(settings);
}
