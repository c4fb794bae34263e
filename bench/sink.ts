// The sink guard's cost: request throughput of a route that runs a shell command and one that reads a
// file, with and without the guard (alternating runs in one process tree); the cost a wrapper adds to
// a call made outside any request; and ns per call of the two sink detectors.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { guardSinks, withRequestInputs } from '../src/guard.js';
import { AnomalyMonitor, detectInjectedCommand, detectTraversedPath } from '../src/index.js';
import { median } from './stats.js';

/** Figures for the sink guard; see the README's "Benchmark" section. */
export interface SinkBench {
  /** Median req/s of the two apps loaded side by side (5 runs of 4 s), and the median ratio guarded / unguarded. */
  execRoute: { reqPerSec: { unguarded: number; guarded: number }; ratio: number };
  fileRoute: { reqPerSec: { unguarded: number; guarded: number }; ratio: number };
  /** ns per fs.statSync: unwrapped, wrapped outside a request, wrapped in a request with 8 inputs (alternating batches). */
  wrapperNsPerCall: { unwrapped: number; outsideRequest: number; inRequest8Inputs: number };
  /** ns per call of each detector: an input that does not occur, a benign one that does, an attack. */
  detectorNsPerCall: {
    injectedCommand: { absent: number; benign: number; attack: number };
    traversedPath: { absent: number; benign: number; attack: number };
  };
}

async function startApp(guarded: boolean): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolve(import.meta.dirname, 'fixtures/sink-app.ts'), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SINK_GUARD: guarded ? '1' : '0' },
    stdio: 'ignore',
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('message', (message) => resolvePort((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench app exited early (${code})`)));
  });
  return { child, port };
}

async function load(port: number, path: string, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`bench load on ${path} saw ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result.requests.average;
}

const ROUNDS = 5;

// Both apps at once, loaded at the same time for the same seconds, ROUNDS times: on a shared machine
// whatever else runs slows both alike, so their ratio holds where back-to-back runs drift.
async function route(
  log: (line: string) => void,
  path: string,
  connections: number,
): Promise<SinkBench['execRoute']> {
  const runs = { unguarded: [] as number[], guarded: [] as number[], ratios: [] as number[] };
  const [unguardedApp, guardedApp] = await Promise.all([startApp(false), startApp(true)]);
  try {
    const both = (seconds: number) =>
      Promise.all([
        load(unguardedApp.port, path, seconds, connections),
        load(guardedApp.port, path, seconds, connections),
      ]);
    await both(1); // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      const [unguarded, guarded] = await both(4);
      runs.unguarded.push(unguarded);
      runs.guarded.push(guarded);
      runs.ratios.push(guarded / unguarded);
      log(
        `sink ${path} round ${round}/${ROUNDS}: unguarded ${unguarded.toFixed(0)}, guarded ${guarded.toFixed(0)} req/s`,
      );
    }
  } finally {
    unguardedApp.child.kill('SIGTERM');
    guardedApp.child.kill('SIGTERM');
  }
  return {
    reqPerSec: { unguarded: Math.round(median(runs.unguarded)), guarded: Math.round(median(runs.guarded)) },
    ratio: Number(median(runs.ratios).toFixed(3)),
  };
}

// ns per call of `run`, the median of 7 timed batches after a warm-up batch.
function nsPerCall(calls: number, run: () => void): number {
  const times: number[] = [];
  for (let batch = 0; batch < 8; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) run();
    if (batch > 0) times.push(Number(process.hrtime.bigint() - start) / calls);
  }
  return Number(median(times).toFixed(1));
}

// fs.statSync of this file: the function as Node has it, wrapped outside a request, and wrapped in a
// request with 8 inputs, timed in alternating batches so the machine's drift hits all three alike.
function wrapperCost(): SinkBench['wrapperNsPerCall'] {
  const file = resolve(import.meta.dirname, 'sink.ts');
  const original = fs.statSync;
  const guard = guardSinks(new AnomalyMonitor(), { mode: 'block' });
  try {
    const wrapped = fs.statSync;
    const inputs = [
      'spring sale',
      '2',
      'price',
      'Mozilla/5.0 (X11; Linux x86_64)',
      'en-GB',
      'dark',
      'a1b2c3',
      'report.txt',
    ];
    const runs = {
      unwrapped: [] as number[],
      outsideRequest: [] as number[],
      inRequest8Inputs: [] as number[],
    };
    const batch = (stat: typeof fs.statSync) => {
      const calls = 20_000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) stat(file);
      return Number(process.hrtime.bigint() - start) / calls;
    };
    for (let round = 0; round < 12; round++) {
      const times = {
        unwrapped: batch(original),
        outsideRequest: batch(wrapped),
        inRequest8Inputs: withRequestInputs({ ip: '192.0.2.1', inputs }, () => batch(wrapped)),
      };
      if (round < 2) continue; // warm-up
      for (const key of Object.keys(runs) as (keyof typeof runs)[]) runs[key].push(times[key]);
    }
    return {
      unwrapped: Number(median(runs.unwrapped).toFixed(1)),
      outsideRequest: Number(median(runs.outsideRequest).toFixed(1)),
      inRequest8Inputs: Number(median(runs.inRequest8Inputs).toFixed(1)),
    };
  } finally {
    guard();
  }
}

function detectorCost(): SinkBench['detectorNsPerCall'] {
  const command =
    "convert /srv/uploads/in-4821.png -resize 800x600 -quality 85 '/srv/thumbs/spring sale.png'";
  const path = '/srv/app/public/downloads/2024/reports/quarterly-report-q3.pdf';
  return {
    injectedCommand: {
      absent: nsPerCall(200_000, () => detectInjectedCommand(command, 'Mozilla/5.0 (X11)')),
      benign: nsPerCall(100_000, () => detectInjectedCommand(command, 'spring sale')),
      attack: nsPerCall(100_000, () => detectInjectedCommand(`ping -c 1 127.0.0.1; id`, '127.0.0.1; id')),
    },
    traversedPath: {
      absent: nsPerCall(200_000, () => detectTraversedPath(path, 'spring sale')),
      benign: nsPerCall(100_000, () => detectTraversedPath(path, 'quarterly-report-q3.pdf')),
      attack: nsPerCall(100_000, () =>
        detectTraversedPath('/srv/app/public/../../../etc/passwd', '../../../etc/passwd'),
      ),
    },
  };
}

export async function benchSink(log: (line: string) => void): Promise<SinkBench> {
  const detectorNsPerCall = detectorCost();
  log(`sink detectors: ${JSON.stringify(detectorNsPerCall)}`);
  const wrapperNsPerCall = wrapperCost();
  log(`sink wrappers (fs.statSync): ${JSON.stringify(wrapperNsPerCall)}`);
  const execRoute = await route(log, '/exec?host=127.0.0.1', 4);
  const fileRoute = await route(log, '/file?name=report.txt', 16);
  return { execRoute, fileRoute, wrapperNsPerCall, detectorNsPerCall };
}
