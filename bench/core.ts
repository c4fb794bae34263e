import { AnomalyMonitor, type AnomalyMonitorOptions } from '../src/index.js';
import { sprayPeakGrowthMb } from './spray-memory.js';
import { median } from './stats.js';

/** ns per failed login for the three traffic shapes. */
export interface ShapeFigures {
  spray: number;
  hot: number;
  mixed: number;
}

/** Figures for the core monitor; see the README's "Benchmark" section for what each one measures. */
export interface CoreBench {
  /** Every detector on (the defaults), failed logins without user ids. */
  sprayNsPerEvent: number;
  hotNsPerEvent: number;
  mixedNsPerEvent: number;
  /** The same shapes with only brute force on (the account-takeover detectors disabled). */
  bruteForceOnlyNsPerEvent: ShapeFigures;
  /** The same shapes, every detector on, each failed login with a user id (1,000 accounts). */
  withUserIdsNsPerEvent: ShapeFigures;
  /** Every detector on vs brute force only, per shape, from this run (issue goal: at most 2). */
  allDetectorsRatio: ShapeFigures;
  bytesPerTrackedIp: number;
  /** Heap and ArrayBuffers per account tracked by account brute force (100,000 accounts). */
  bytesPerTrackedAccount: number;
  getStatsMicros: number;
  /** Peak RSS growth while 2,000,000 distinct IPv6 /64s each send one failed login (default cap). */
  sprayIpv6PeakGrowthMb: number;
  /** Peak RSS growth while 10,000,000 distinct IPv4 addresses each send one failed login (default cap). */
  sprayIpv4PeakGrowthMb: number;
  /** ns per failed login from a new IPv6 /64 each time (parsing, eviction), default cap. */
  sprayIpv6NsPerEvent: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

const BRUTE_FORCE_ONLY: AnomalyMonitorOptions = {
  credentialStuffing: { enabled: false },
  accountBruteForce: { enabled: false },
  networkBruteForce: { enabled: false },
  failedLoginSurge: { enabled: false },
  accountCompromise: { enabled: false },
};

function ipv4(n: number): string {
  return `${10 + ((n >>> 24) & 0x7f)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function nsPerEvent(events: number, run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / events;
}

const SPRAY = Array.from({ length: 1_000_000 }, (_, i) => ipv4(i));
const MIXED = Array.from({ length: 10_000 }, (_, i) => ipv4(i * 7919));
const USERS = Array.from({ length: 1000 }, (_, i) => `user${i}@example.com`);

/**
 * One run of the three shapes: spray (1,000,000 distinct IPv4 addresses, one failed login each, default
 * cap: constant eviction), hot (one address, 100,000 failed logins inside the window: alerts once,
 * then suppresses) and mixed (10,000 addresses, 1,000,000 failed logins round-robin).
 */
function shapes(options: AnomalyMonitorOptions | undefined, withUsers: boolean): ShapeFigures {
  const user = (i: number) => (withUsers ? USERS[i % USERS.length] : undefined);
  let monitor = new AnomalyMonitor(options);
  const spray = nsPerEvent(SPRAY.length, () => {
    for (let i = 0; i < SPRAY.length; i++) monitor.recordFailedAuth(SPRAY[i]!, user(i));
  });
  monitor = new AnomalyMonitor(options);
  const hot = nsPerEvent(100_000, () => {
    for (let i = 0; i < 100_000; i++) monitor.recordFailedAuth('203.0.113.7', user(0));
  });
  monitor = new AnomalyMonitor(options);
  const mixed = nsPerEvent(1_000_000, () => {
    for (let i = 0; i < 1_000_000; i++) monitor.recordFailedAuth(MIXED[i % MIXED.length]!, user(i));
  });
  return { spray, hot, mixed };
}

/** 500,000 distinct IPv6 /64s, one failed login each, default cap: constant eviction. */
function sprayIpv6(): number {
  const addresses = Array.from(
    { length: 500_000 },
    (_, i) => `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`,
  );
  const monitor = new AnomalyMonitor();
  return nsPerEvent(addresses.length, () => {
    for (const address of addresses) monitor.recordFailedAuth(address);
  });
}

function usedBytes(): number {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Heap plus ArrayBuffers after GC, per tracked address, with 100,000 addresses tracked. */
function memoryAndStats(): { bytesPerTrackedIp: number; getStatsMicros: number } {
  const tracked = 100_000;
  const before = usedBytes();
  const monitor = new AnomalyMonitor();
  for (let i = 0; i < tracked; i++) monitor.recordFailedAuth(ipv4(i * 13));
  const after = usedBytes();
  const stats = monitor.getStats();
  if (stats.monitoredIps !== tracked)
    throw new Error(`expected ${tracked} tracked, got ${stats.monitoredIps}`);
  const calls = 10_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) monitor.getStats();
  const getStatsMicros = Number(process.hrtime.bigint() - start) / calls / 1000;
  return { bytesPerTrackedIp: Math.round((after - before) / tracked), getStatsMicros };
}

/** Heap plus ArrayBuffers after GC, per account, with 100,000 accounts tracked (one failed login each, one address). */
function bytesPerTrackedAccount(): number {
  const tracked = 100_000;
  const names = Array.from({ length: tracked }, (_, i) => `account-${i}@example.com`);
  const before = usedBytes();
  const monitor = new AnomalyMonitor({ credentialStuffing: { enabled: false } });
  for (const name of names) monitor.recordFailedAuth('203.0.113.8', name);
  const after = usedBytes();
  if (monitor.getStats().monitoredAccounts !== tracked) throw new Error('expected every account tracked');
  return Math.round((after - before) / tracked);
}

export function benchCore(log: (line: string) => void): CoreBench {
  if (!gc) log('warning: run node with --expose-gc for a stable memory figure');
  const runs = 3;
  const all: ShapeFigures[] = [];
  const bruteForceOnly: ShapeFigures[] = [];
  const withUsers: ShapeFigures[] = [];
  const sprays6: number[] = [];
  // Interleaved, so that the ratios compare runs made under the same machine load.
  for (let run = 1; run <= runs; run++) {
    bruteForceOnly.push(shapes(BRUTE_FORCE_ONLY, false));
    all.push(shapes(undefined, false));
    withUsers.push(shapes(undefined, true));
    sprays6.push(sprayIpv6());
    const [b, a, u] = [bruteForceOnly.at(-1)!, all.at(-1)!, withUsers.at(-1)!];
    log(
      `core run ${run}/${runs} (ns/event spray/hot/mixed): brute force only ${fmt(b)}, all detectors ${fmt(a)}, with user ids ${fmt(u)}`,
    );
  }
  const medians = (figures: ShapeFigures[]): ShapeFigures => ({
    spray: Math.round(median(figures.map((f) => f.spray))),
    hot: Math.round(median(figures.map((f) => f.hot))),
    mixed: Math.round(median(figures.map((f) => f.mixed))),
  });
  const allMedian = medians(all);
  const bfMedian = medians(bruteForceOnly);
  const { bytesPerTrackedIp, getStatsMicros } = memoryAndStats();
  const perAccount = bytesPerTrackedAccount();
  const sprayIpv6PeakGrowthMb = sprayPeakGrowthMb('ipv6', 2_000_000);
  const sprayIpv4PeakGrowthMb = sprayPeakGrowthMb('ipv4', 10_000_000);
  log(
    `core spray memory: IPv6 2M /64s +${sprayIpv6PeakGrowthMb} MB, IPv4 10M +${sprayIpv4PeakGrowthMb} MB peak RSS`,
  );
  const ratio = (shape: keyof ShapeFigures) => Number((allMedian[shape] / bfMedian[shape]).toFixed(2));
  return {
    sprayNsPerEvent: allMedian.spray,
    hotNsPerEvent: allMedian.hot,
    mixedNsPerEvent: allMedian.mixed,
    bruteForceOnlyNsPerEvent: bfMedian,
    withUserIdsNsPerEvent: medians(withUsers),
    allDetectorsRatio: { spray: ratio('spray'), hot: ratio('hot'), mixed: ratio('mixed') },
    bytesPerTrackedIp,
    bytesPerTrackedAccount: perAccount,
    getStatsMicros: Number(getStatsMicros.toFixed(3)),
    sprayIpv6PeakGrowthMb,
    sprayIpv4PeakGrowthMb,
    sprayIpv6NsPerEvent: Math.round(median(sprays6)),
  };
}

function fmt(figures: ShapeFigures): string {
  return `${figures.spray.toFixed(0)}/${figures.hot.toFixed(0)}/${figures.mixed.toFixed(0)}`;
}
