// What a blocked call returns in place of the real thing, reporting the error the way the real call
// reports a failure to start: a child process that never started, a stream that fails. An error is
// only emitted on them when someone listens for it: an unheard 'error' would crash the process, and
// an attacker must not be able to crash the application by being blocked.

import { ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';

/** A child process that never started: `error` (if listened for), then `close` with no exit code. */
export function blockedChild(error: Error): ChildProcess {
  const child = new ChildProcess();
  const stdin = new Writable({ write: discard });
  const stdout = Readable.from([]);
  const stderr = Readable.from([]);
  Object.assign(child, { stdin, stdout, stderr, stdio: [stdin, stdout, stderr, null, null] });
  process.nextTick(() => {
    if (child.listenerCount('error') > 0) child.emit('error', error);
    child.emit('close', null, null);
  });
  return child;
}

/** A readable stream that fails with `error` (if listened for) before yielding anything. */
export function blockedReadable(error: Error): Readable {
  const stream = new Readable({ read() {} });
  failSoon(stream, error);
  return stream;
}

/** A writable stream that fails with `error` (if listened for); what is written goes nowhere. */
export function blockedWritable(error: Error): Writable {
  const stream = new Writable({ write: discard });
  failSoon(stream, error);
  return stream;
}

/** What `exec` and `execFile` hand their callback as output: an empty string, or Buffer by `encoding`. */
export function emptyOutput(options: unknown): string | Buffer {
  const encoding = (options as { encoding?: unknown } | undefined)?.encoding;
  return encoding === 'buffer' || encoding === null ? Buffer.alloc(0) : '';
}

function failSoon(stream: Readable | Writable, error: Error): void {
  process.nextTick(() => {
    stream.destroy(stream.listenerCount('error') > 0 ? error : undefined);
  });
}

function discard(_chunk: unknown, _encoding: unknown, done: () => void): void {
  done();
}
