import { AnomalyMonitor } from '../src/index.js';
import { sprayPeakGrowthMb } from './spray-memory.js';
import { median } from './stats.js';

/** Figures for the core monitor; see the README's "Benchmark" section for what each one measures. */
export interface CoreBench {
  sprayNsPerEvent: number;
  hotNsPerEvent: number;
  mixedNsPerEvent: number;
  bytesPerTrackedIp: number;
  getStatsMicros: number;
  /** Peak RSS growth while 2,000,000 distinct IPv6 /64s each send one failed login (default cap). */
  sprayIpv6PeakGrowthMb: number;
  /** Peak RSS growth while 10,000,000 distinct IPv4 addresses each send one failed login (default cap). */
  sprayIpv4PeakGrowthMb: number;
  /** ns per failed login from a new IPv6 /64 each time (parsing, eviction), default cap. */
  sprayIpv6NsPerEvent: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function ipv4(n: number): string {
  return `${10 + ((n >>> 24) & 0x7f)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function nsPerEvent(events: number, run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / events;
}

/** 1,000,000 distinct IPv4 addresses, one failed login each, default cap (100,000): constant eviction. */
function spray(): number {
  const addresses = Array.from({ length: 1_000_000 }, (_, i) => ipv4(i));
  const monitor = new AnomalyMonitor();
  return nsPerEvent(addresses.length, () => {
    for (const address of addresses) monitor.recordFailedAuth(address);
  });
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

/** One address, 100,000 failed logins inside the window (alerts once, then suppresses). */
function hot(): number {
  const monitor = new AnomalyMonitor();
  const events = 100_000;
  return nsPerEvent(events, () => {
    for (let i = 0; i < events; i++) monitor.recordFailedAuth('203.0.113.7');
  });
}

/** 10,000 addresses, 1,000,000 failed logins round-robin. */
function mixed(): number {
  const addresses = Array.from({ length: 10_000 }, (_, i) => ipv4(i * 7919));
  const monitor = new AnomalyMonitor();
  const events = 1_000_000;
  return nsPerEvent(events, () => {
    for (let i = 0; i < events; i++) monitor.recordFailedAuth(addresses[i % addresses.length]!);
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

export function benchCore(log: (line: string) => void): CoreBench {
  if (!gc) log('warning: run node with --expose-gc for a stable memory figure');
  const runs = 3;
  const sprays: number[] = [];
  const sprays6: number[] = [];
  const hots: number[] = [];
  const mixeds: number[] = [];
  for (let run = 1; run <= runs; run++) {
    sprays.push(spray());
    sprays6.push(sprayIpv6());
    hots.push(hot());
    mixeds.push(mixed());
    log(
      `core run ${run}/${runs}: spray ${sprays.at(-1)!.toFixed(0)} ns, hot ${hots.at(-1)!.toFixed(0)} ns, mixed ${mixeds.at(-1)!.toFixed(0)} ns`,
    );
  }
  const { bytesPerTrackedIp, getStatsMicros } = memoryAndStats();
  const sprayIpv6PeakGrowthMb = sprayPeakGrowthMb('ipv6', 2_000_000);
  const sprayIpv4PeakGrowthMb = sprayPeakGrowthMb('ipv4', 10_000_000);
  log(
    `core spray memory: IPv6 2M /64s +${sprayIpv6PeakGrowthMb} MB, IPv4 10M +${sprayIpv4PeakGrowthMb} MB peak RSS`,
  );
  return {
    sprayNsPerEvent: Math.round(median(sprays)),
    hotNsPerEvent: Math.round(median(hots)),
    mixedNsPerEvent: Math.round(median(mixeds)),
    bytesPerTrackedIp,
    getStatsMicros: Number(getStatsMicros.toFixed(3)),
    sprayIpv6PeakGrowthMb,
    sprayIpv4PeakGrowthMb,
    sprayIpv6NsPerEvent: Math.round(median(sprays6)),
  };
}
