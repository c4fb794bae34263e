import type { Alert, AlertHandler } from './alert.js';

/**
 * Delivers each alert to every subscriber, in subscription order. A handler that throws or whose
 * promise rejects is counted and otherwise ignored: alert delivery never throws into the code that
 * recorded the event. Subscribing during delivery takes effect from the next alert.
 */
export class AlertDispatcher {
  /** Handlers that threw or rejected. */
  errors = 0;
  private handlers: readonly AlertHandler[] = [];
  private readonly countRejection = (): void => {
    this.errors++;
  };

  subscribe(handler: AlertHandler): () => void {
    if (typeof handler !== 'function') throw new TypeError('onAlert(handler): handler must be a function');
    // Copy on write, so a handler that unsubscribes while alerts are being delivered is safe.
    this.handlers = [...this.handlers, handler];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = this.handlers.indexOf(handler);
      if (at >= 0) this.handlers = [...this.handlers.slice(0, at), ...this.handlers.slice(at + 1)];
    };
  }

  dispatch(alert: Alert): void {
    for (const handler of this.handlers) {
      try {
        const result = handler(alert);
        if (result != null && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, this.countRejection);
        }
      } catch {
        this.errors++;
      }
    }
  }
}
