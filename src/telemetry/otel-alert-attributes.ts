import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { ATTR_CLIENT_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { Alert } from '../core/alert.js';
import { sanitizeText } from '../core/sanitize.js';

// `user.id` is still an incubating semantic convention. OpenTelemetry asks libraries to copy incubating
// names rather than import them from `@opentelemetry/semantic-conventions/incubating`, which may change
// in a minor release. `client.address` is stable and imported.
const ATTR_USER_ID = 'user.id';

/** Prefix of every secmon-specific attribute on an alert event. */
export const ALERT_ATTRIBUTE_PREFIX = 'secmon.alert.';

/** Most characters of one attribute value (strings, each array item, JSON-encoded objects). */
export const MAX_ATTRIBUTE_CHARS = 1024;
/** Most metadata entries carried by one event; the rest are counted in `secmon.alert.metadata_dropped`. */
export const MAX_METADATA_ENTRIES = 32;
/** Most items kept from a string-array metadata value. */
const MAX_ARRAY_ITEMS = 64;

const ATTR_ALERT_TYPE = 'secmon.alert.type';
const ATTR_ALERT_SEVERITY = 'secmon.alert.severity';
const ATTR_ALERT_ID = 'secmon.alert.id';
const ATTR_ALERT_STATE = 'secmon.alert.state';
const ATTR_ALERT_DURATION = 'secmon.alert.duration_ms';
const ATTR_METADATA_DROPPED = 'secmon.alert.metadata_dropped';

const MAX_KEY_LENGTH = 64;
const SAFE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// Budget of the bounded JSON encoder: how deep it descends and how many values it visits at most.
const MAX_JSON_DEPTH = 4;
const MAX_JSON_NODES = 256;

/**
 * The attributes of a `secmon.alert` event: `client.address` and `user.id` when the alert has them,
 * `secmon.alert.type`, `secmon.alert.severity`, `secmon.alert.id` (shared by every alert of one
 * attack), `secmon.alert.state` (`firing` or `resolved`), `secmon.alert.duration_ms` on a resolved
 * alert, and each metadata entry under `secmon.alert.<key>`. Metadata strings, numbers, booleans and string arrays are kept as they are
 * (bounded); anything else is JSON-encoded with a bounded encoder (depth, size, cycles, throwing
 * getters and BigInts are all handled). Metadata can never overwrite the type, severity or id.
 * Never throws.
 */
export function alertAttributes(alert: Alert, id: string = String(alert.id)): LogAttributes {
  const attributes: LogAttributes = {};
  if (alert.sourceIp !== undefined) attributes[ATTR_CLIENT_ADDRESS] = boundedText(alert.sourceIp);
  if (alert.userId !== undefined) attributes[ATTR_USER_ID] = boundedText(alert.userId);
  const metadata = alert.metadata;
  if (metadata !== null && typeof metadata === 'object') {
    let kept = 0;
    let dropped = 0;
    for (const key in metadata) {
      if (!Object.hasOwn(metadata, key)) continue;
      const name = kept < MAX_METADATA_ENTRIES ? attributeName(key) : '';
      if (name === '') {
        dropped++;
        continue;
      }
      const value = attributeValue(readProperty(metadata, key));
      if (value === undefined) continue;
      attributes[name] = value;
      kept++;
    }
    if (dropped > 0) attributes[ATTR_METADATA_DROPPED] = dropped;
  }
  // Written last so that no metadata key can replace them.
  attributes[ATTR_ALERT_TYPE] = String(alert.type);
  attributes[ATTR_ALERT_SEVERITY] = String(alert.severity);
  attributes[ATTR_ALERT_ID] = id;
  attributes[ATTR_ALERT_STATE] = alert.state === 'resolved' ? 'resolved' : 'firing';
  if (alert.state === 'resolved' && typeof alert.durationMs === 'number') {
    attributes[ATTR_ALERT_DURATION] = alert.durationMs;
  }
  return attributes;
}

// Metadata keys come from a small fixed set in practice; their attribute names are computed once.
// Bounded, so that an alert source with ever-new keys cannot grow it.
const attributeNames = new Map<string, string>();
const MAX_CACHED_NAMES = 256;

/** `secmon.alert.<key>`, or '' when the key is too long or has characters outside [A-Za-z0-9_.-]. */
function attributeName(key: string): string {
  let name = attributeNames.get(key);
  if (name === undefined) {
    name = key.length <= MAX_KEY_LENGTH && SAFE_KEY.test(key) ? ALERT_ATTRIBUTE_PREFIX + key : '';
    if (attributeNames.size < MAX_CACHED_NAMES) attributeNames.set(key, name);
  }
  return name;
}

function attributeValue(value: unknown): AnyValue | undefined {
  switch (typeof value) {
    case 'string':
      return boundedText(value);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return boundedText(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return undefined;
  if (isStringArray(value)) {
    const kept = value.length > MAX_ARRAY_ITEMS ? value.slice(0, MAX_ARRAY_ITEMS) : value.slice();
    for (let i = 0; i < kept.length; i++) kept[i] = boundedText(kept[i]!);
    if (value.length > MAX_ARRAY_ITEMS) kept.push(`…[+${value.length - MAX_ARRAY_ITEMS} more]`);
    return kept;
  }
  return boundedJson(value);
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  const n = Math.min(value.length, MAX_ARRAY_ITEMS);
  for (let i = 0; i < n; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

// Already-sanitized text (everything the monitor puts in an alert) comes back unchanged and unallocated.
function boundedText(value: string): string {
  return sanitizeText(value, MAX_ATTRIBUTE_CHARS);
}

function readProperty(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return '[unreadable]';
  }
}

const STOP = Symbol('stop');

/**
 * JSON-encodes `value` doing a bounded amount of work: at most MAX_JSON_NODES values, MAX_JSON_DEPTH
 * levels, MAX_ATTRIBUTE_CHARS output characters (then cut and marked). Cycles become "[Circular]",
 * BigInts strings, getters that throw "[unreadable]"; `toJSON` methods are not called. The result is
 * escaped like any other hostile text.
 */
function boundedJson(value: unknown): string {
  const parts: string[] = [];
  let length = 0;
  let nodes = 0;
  const path: object[] = [];
  const write = (text: string): void => {
    parts.push(text);
    length += text.length;
    if (length > MAX_ATTRIBUTE_CHARS) throw STOP;
  };
  const visit = (item: unknown, depth: number): void => {
    if (++nodes > MAX_JSON_NODES) throw STOP;
    switch (typeof item) {
      case 'string':
        write(JSON.stringify(item.length > MAX_ATTRIBUTE_CHARS ? item.slice(0, MAX_ATTRIBUTE_CHARS) : item));
        return;
      case 'number':
        write(Number.isFinite(item) ? String(item) : JSON.stringify(String(item)));
        return;
      case 'boolean':
        write(item ? 'true' : 'false');
        return;
      case 'bigint':
        write(JSON.stringify(item.toString()));
        return;
      case 'undefined':
      case 'function':
      case 'symbol':
        write('null');
        return;
    }
    if (item === null) {
      write('null');
      return;
    }
    const object = item as object;
    if (path.includes(object)) {
      write('"[Circular]"');
      return;
    }
    if (object instanceof Date) {
      write(Number.isNaN(object.getTime()) ? 'null' : JSON.stringify(object.toISOString()));
      return;
    }
    if (depth >= MAX_JSON_DEPTH) {
      write(Array.isArray(object) ? '"[Array]"' : '"[Object]"');
      return;
    }
    path.push(object);
    if (Array.isArray(object)) {
      write('[');
      for (let i = 0; i < object.length; i++) {
        if (i > 0) write(',');
        visit(readProperty(object, String(i)), depth + 1);
      }
      write(']');
    } else {
      write('{');
      let first = true;
      for (const key in object) {
        if (!Object.hasOwn(object, key)) continue;
        if (!first) write(',');
        first = false;
        write(`${JSON.stringify(key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key)}:`);
        visit(readProperty(object, key), depth + 1);
      }
      write('}');
    }
    path.pop();
  };
  let cut = false;
  try {
    visit(value, 0);
  } catch (error) {
    if (error !== STOP) return '"[unserializable]"';
    cut = true;
  }
  const json = parts.join('');
  if (!cut) return sanitizeText(json, MAX_ATTRIBUTE_CHARS);
  return `${sanitizeText(json.slice(0, MAX_ATTRIBUTE_CHARS), MAX_ATTRIBUTE_CHARS)}…[truncated]`;
}
