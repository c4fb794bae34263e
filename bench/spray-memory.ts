// Peak memory under address spraying, measured in a child process each (the peak resident set size
// is a whole-process figure): `npm run bench` forks this file once per address family.
//
//   node --import tsx bench/spray-memory.ts ipv6|ipv4 COUNT
//
// prints {"peakGrowthMb": n, "tracked": n}: the peak RSS over the run minus the RSS before it, with
// the default cap (maxTrackedIps 100,000). Addresses are made one at a time, as requests bring them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AnomalyMonitor } from '../src/index.js';

/** Peak RSS growth (MB) while a monitor with default options takes one failed login per address. */
export function sprayPeakGrowthMb(family: 'ipv4' | 'ipv6', count: number): number {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, family, String(count)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`spray child failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout) as { peakGrowthMb: number; tracked: number };
  return result.peakGrowthMb;
}

// The peak RSS of this process image: Linux's VmHWM. Not `resourceUsage().maxRSS`: Linux carries it
// over from before exec, so a child forked by a big bench process starts with its parent's size.
function highWaterRss(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined; // not Linux: the sampled RSS
  }
}

function address(family: string, i: number): string {
  return family === 'ipv6'
    ? `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1` // a new /64 every time
    : `${10 + ((i >>> 24) & 0x7f)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [family = 'ipv4', countText = '0'] = process.argv.slice(2);
  const count = Number(countText);
  const monitor = new AnomalyMonitor();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let sampled = before;
  for (let i = 0; i < count; i++) {
    monitor.recordFailedAuth(address(family, i));
    if ((i & 0xffff) === 0) sampled = Math.max(sampled, process.memoryUsage.rss());
  }
  const peak = Math.max(sampled, highWaterRss() ?? 0);
  const tracked = monitor.getStats().monitoredIps;
  process.stdout.write(
    `${JSON.stringify({ peakGrowthMb: Number(((peak - before) / 2 ** 20).toFixed(1)), tracked })}\n`,
  );
}
