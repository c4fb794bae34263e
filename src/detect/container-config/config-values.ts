// Reading untrusted configuration values safely: property access that never throws (getters,
// proxies), bounded key lists, and the small value shapes container specs use.

/** Most keys read from one object. */
const MAX_KEYS = 1_000;
/** Longest path (`spec.containers[0]...`) kept in a finding. */
export const MAX_PATH_LENGTH = 160;

/** `Privileged`, `cap_add`, `host-network` → `privileged`, `capadd`, `hostnetwork`. */
export function normalizeKey(key: string): string {
  return key.length > 128 ? '' : key.toLowerCase().replace(/[_-]/g, '');
}

export function joinPath(path: string, key: string): string {
  if (path.length > MAX_PATH_LENGTH) return path;
  const shown = key.length > 48 ? `${key.slice(0, 48)}…` : key;
  return path === '' ? shown : `${path}.${shown}`;
}

// Array.isArray throws for a revoked proxy; such a value is treated as neither array nor record.
export function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false;
  }
}

export function ownKeys(value: object): string[] {
  try {
    const keys = Object.keys(value);
    return keys.length > MAX_KEYS ? keys.slice(0, MAX_KEYS) : keys;
  } catch {
    return [];
  }
}

export function read(value: object, key: string | number): unknown {
  try {
    return (value as Record<string | number, unknown>)[key];
  } catch {
    return undefined;
  }
}

// A property by normalised name (`Source`, `source`, `SOURCE`).
export function readKey(value: object, normalized: string): unknown {
  for (const name of ownKeys(value)) if (normalizeKey(name) === normalized) return read(value, name);
  return undefined;
}

export function safeLength(value: unknown): number {
  if (!isArray(value)) return 0;
  try {
    const length = value.length;
    return Number.isInteger(length) && length > 0 ? length : 0;
  } catch {
    return 0;
  }
}

export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

export function lowerString(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim().toLowerCase() : undefined;
}

export function isUnconfined(value: unknown): boolean {
  if (typeof value === 'string') return value.trim().toLowerCase() === 'unconfined';
  if (isRecord(value)) return lowerString(readKey(value, 'type')) === 'unconfined';
  return false;
}

export function isRootUser(value: unknown): boolean {
  if (value === 0) return true;
  if (typeof value !== 'string') return false;
  const user = value.trim().toLowerCase().split(':')[0];
  return user === 'root' || user === '0';
}

// `"/var/run/docker.sock:/var/run/docker.sock:ro"` → the host side.
export function bindSource(bind: string): string | undefined {
  const text = bind.trim();
  if (text.startsWith('\\\\')) return text.split(/:(?=[\\/A-Za-z])/)[0]; // a Windows named pipe
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(0, colon);
}

// `"type=bind,source=/etc,target=/etc,readonly"` → the value of the first of `names` present.
export function mountOption(option: string, names: readonly string[]): string | undefined {
  for (const part of option.split(',').slice(0, 32)) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim().toLowerCase();
    if (names.includes(name)) return part.slice(equals + 1).trim();
  }
  return undefined;
}
