// Runs one program to its end and measures it the same way for every tool: wall-clock seconds from
// spawn to exit, and peak resident memory (the kernel's high-water mark, VmHWM, read from /proc
// while it runs). Output goes to files, never into this process's memory. A program still running at
// the deadline is killed (its whole process group), so the bench never leaves one behind.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** What a measured run took. */
export interface Measured {
  seconds: number;
  /** Peak RSS in MB (null where /proc is not available). */
  peakRssMb: number | null;
  /**
   * CPU seconds (user + system) it used, sampled from /proc up to 50 ms before it ended (null
   * without /proc). On a busy machine it says more than wall time: it does not count waiting for a core.
   */
  cpuSeconds: number | null;
  exitCode: number | null;
}

// Programs are started in process groups of their own (so a whole tree can be killed): stop them
// when the bench ends, also when it is interrupted.
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) killGroup(pid);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of live) killGroup(pid);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function highWaterMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/PID/stat, after the command name). */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Runs `command args` with stdout to `stdoutFile` and stderr to `stderrFile` (or nowhere), stdin
 * from `stdinFile` (or nothing). Rejects when it cannot start or outlives `timeoutMs`.
 */
export async function measure(
  command: string,
  args: string[],
  files: { stdoutFile?: string; stderrFile?: string; stdinFile?: string; cwd?: string },
  timeoutMs: number,
): Promise<Measured> {
  const stdin = files.stdinFile ? openSync(files.stdinFile, 'r') : 'ignore';
  const stdout = files.stdoutFile ? openSync(files.stdoutFile, 'w') : 'ignore';
  const stderr = files.stderrFile ? openSync(files.stderrFile, 'w') : 'ignore';
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: [stdin, stdout, stderr], detached: true, cwd: files.cwd });
  for (const fd of [stdin, stdout, stderr]) if (typeof fd === 'number') closeSync(fd);
  const pid = child.pid;
  if (pid !== undefined) live.add(pid);
  let peak: number | undefined;
  let cpu: number | undefined;
  const sample = () => {
    if (pid === undefined) return;
    const now = highWaterMb(pid);
    if (now !== undefined) peak = Math.max(peak ?? 0, now);
    cpu = cpuSecondsOf(pid) ?? cpu;
  };
  const sampler = setInterval(sample, 50);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (pid !== undefined) killGroup(pid);
        reject(new Error(`${command} still running after ${timeoutMs / 1000} s: killed`));
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      seconds,
      peakRssMb: peak === undefined ? null : Math.round(peak),
      cpuSeconds: cpu === undefined ? null : Number(cpu.toFixed(2)),
      exitCode,
    };
  } finally {
    clearInterval(sampler);
    if (pid !== undefined) {
      killGroup(pid); // anything the program left running in its group
      live.delete(pid);
    }
  }
}

/** The absolute path of a program on PATH, or undefined (the test helpers' lookup). */
export { findBinary as which } from '../../test/support/processes.js';
