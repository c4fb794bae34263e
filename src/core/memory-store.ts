import { ClientWindows } from './client-windows.js';
import type { StoreStats, WindowSettings, WindowStore, WindowStoreFactory } from './store.js';

const RESOLVED = Promise.resolve();

/**
 * The default store: state in this process's memory, in the bounded {@link ClientWindows} table.
 * Every call answers synchronously and allocates nothing; nothing is shared with other processes.
 */
export class MemoryStore extends ClientWindows implements WindowStore {
  private readonly privilegedAlertIntervalMs: number;
  private lastPrivilegedAlertAt = Number.NEGATIVE_INFINITY;

  constructor(settings: WindowSettings) {
    super(settings.threshold, settings.windowMs, settings.realertIntervalMs, settings.maxTrackedIps);
    this.privilegedAlertIntervalMs = settings.privilegedAlertIntervalMs;
  }

  claimPrivilegedAlert(now: number): boolean {
    if (now - this.lastPrivilegedAlertAt < this.privilegedAlertIntervalMs) return false;
    this.lastPrivilegedAlertAt = now;
    return true;
  }

  stats(): StoreStats {
    return { backend: 'memory', shared: false, up: true, fallbacks: { unavailable: 0, overloaded: 0 } };
  }

  ready(): Promise<void> {
    return RESOLVED;
  }

  settled(): Promise<void> {
    return RESOLVED;
  }

  refresh(): Promise<void> {
    return RESOLVED;
  }

  close(): Promise<void> {
    return RESOLVED;
  }
}

/**
 * The in-memory store (the default): per-process state, synchronous, bounded by `maxTrackedIps`.
 * Pass it as `new AnomalyMonitor({ store: memoryStore() })` to be explicit; omitting `store` is the same.
 */
export function memoryStore(): WindowStoreFactory {
  return (settings) => new MemoryStore(settings);
}
