// Raw TCP clients for tests of the HTTP server itself: bytes no HTTP client library would send,
// slow or idle clients, and many sockets at once. Loopback only; every socket is bounded in time.
import { connect, type Socket } from 'node:net';

/** What came back on one connection. */
export interface RawExchange {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The status code of the first response, or undefined when none came. */
  status: number | undefined;
  /** ms from connecting until the server closed the connection (or `timeoutMs` passed). */
  elapsedMs: number;
  /** True when the server closed the connection before `timeoutMs`. */
  closedByServer: boolean;
}

/** The status code of every response in `text`, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

/**
 * Connects to 127.0.0.1:`port`, writes `chunks` (with `gapMs` between them), and collects what the
 * server sends until it closes the connection or `timeoutMs` passes.
 */
export function rawExchange(
  port: number,
  chunks: Array<string | Buffer>,
  { timeoutMs = 5000, gapMs = 0 }: { timeoutMs?: number; gapMs?: number } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => {
      closedByServer = true;
      socket.end();
    });
    socket.on('error', () => {
      closedByServer = true;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('latin1');
      resolve({ text, status: statuses(text)[0], elapsedMs: Date.now() - started, closedByServer });
    });
    socket.on('connect', async () => {
      for (const [index, chunk] of chunks.entries()) {
        if (index > 0 && gapMs > 0) await new Promise((wait) => setTimeout(wait, gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** Opens `count` connections that send nothing; resolves when all are connected. */
export async function openIdleSockets(port: number, count: number): Promise<Socket[]> {
  return await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => {}); // an evicted socket is reset: expected
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
}

/** A request head for the event API with a valid token, a JSON content type and a body length. */
export function eventsHead(token: string, contentLength: number, extra = ''): string {
  return (
    'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${contentLength}\r\n${extra}\r\n`
  );
}

/**
 * A connection with a request in flight: an event API request whose body never comes. Resolves once
 * the server has read the request (it answers `Expect: 100-continue`), so it is known to be busy.
 */
export function busySocket(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not read the request within 5 s'));
    }, 5000);
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(eventsHead(token, 100, 'Expect: 100-continue\r\n')));
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      if (chunk.toString('latin1').startsWith('HTTP/1.1 100 ')) resolve(socket);
      else reject(new Error(`expected 100 Continue, got ${chunk.toString('latin1').slice(0, 40)}`));
    });
    socket.once('close', () => reject(new Error('closed before the request was read')));
  });
}
