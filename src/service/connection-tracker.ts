import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the tracker counts, read by the service's metrics and its final log line. */
export interface ConnectionCounts {
  /** Connections open now. */
  open: number;
  /** New connections refused at the limit because every open one was busy with a request. */
  refused: number;
  /** Idle connections closed to make room for a new one at the limit. */
  evicted: number;
}

interface ConnectionState {
  /** Requests whose response has not closed yet, in arrival order. */
  readonly inFlight: Set<IncomingMessage>;
  /** Close the connection once the requests in flight are answered (the client sent garbage after them). */
  closeWhenAnswered: boolean;
}

const REFUSED_RESPONSE = (() => {
  const body = '{"error":"too many connections: retry shortly"}';
  return (
    'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n' +
    `Connection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  );
})();

/**
 * Bounds the connections of an HTTP server and remembers which ones have requests in flight.
 *
 * At `limit` open connections a new one is admitted by closing the least recently active connection
 * that has no request in flight (an idle keep-alive connection, or one still trickling its headers:
 * a slowloris attacker cannot hold the door); only when every open connection is busy is the new one
 * refused with a 503. So a flood of idle sockets never keeps `/healthz` or Prometheus out. Refused and
 * evicted connections are counted.
 */
export class ConnectionTracker {
  readonly counts: ConnectionCounts = { open: 0, refused: 0, evicted: 0 };
  // Insertion order is activity order: a connection is moved to the end on every request, so the
  // first idle one found is the least recently active.
  private readonly connections = new Map<Socket, ConnectionState>();

  constructor(private readonly limit: number) {}

  /** Call on the server's `connection` event. */
  onConnection(socket: Socket): void {
    if (this.connections.size >= this.limit && !this.evictIdle()) {
      this.counts.refused++;
      socket.end(REFUSED_RESPONSE);
      socket.destroySoon();
      return;
    }
    this.connections.set(socket, { inFlight: new Set(), closeWhenAnswered: false });
    this.counts.open = this.connections.size;
    socket.once('close', () => {
      this.connections.delete(socket);
      this.counts.open = this.connections.size;
    });
  }

  /**
   * Call first for every request. False for a request on a refused connection (the caller drops it);
   * otherwise the request is tracked until its response closes.
   */
  onRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const socket = req.socket;
    const state = this.connections.get(socket);
    if (state === undefined) {
      socket.destroy();
      return false;
    }
    state.inFlight.add(req);
    this.touch(socket, state);
    res.once('close', () => {
      state.inFlight.delete(req);
      if (state.closeWhenAnswered && state.inFlight.size === 0) socket.destroySoon();
      else if (this.connections.has(socket)) this.touch(socket, state);
    });
    return true;
  }

  /**
   * True when a request on this connection was fully received and is still being answered: it may
   * have been recorded already, so no error response may be written in front of its answer.
   */
  hasAnswerPending(socket: Socket): boolean {
    const state = this.connections.get(socket);
    if (state === undefined) return false;
    for (const req of state.inFlight) if (req.complete) return true;
    return false;
  }

  /** Closes the connection once its requests in flight are answered. */
  closeWhenAnswered(socket: Socket): void {
    const state = this.connections.get(socket);
    if (state === undefined || state.inFlight.size === 0) socket.destroy();
    else state.closeWhenAnswered = true;
  }

  private touch(socket: Socket, state: ConnectionState): void {
    this.connections.delete(socket);
    this.connections.set(socket, state);
  }

  private evictIdle(): boolean {
    for (const [socket, state] of this.connections) {
      if (state.inFlight.size > 0) continue;
      this.connections.delete(socket);
      this.counts.open = this.connections.size;
      this.counts.evicted++;
      socket.destroy();
      return true;
    }
    return false;
  }
}
