// `secmon offenders`: reads GET /v1/offenders from a running service and prints it for people.
import { sanitizeText } from '../core/sanitize.js';
import type { OffenderJson } from '../http/offenders-api.js';

/** Options of {@link fetchOffenders}. */
export interface FetchOffendersOptions {
  /** Base URL of a running secmon service, e.g. `http://127.0.0.1:9870`. */
  url: string;
  /** One of the service's offenders tokens (`SECMON_OFFENDERS_TOKENS`). */
  token: string;
  /** Most entries, 1..1,000; the service's default (100) when absent. */
  limit?: number;
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
}

/**
 * Fetches the current offenders from a running service. Rejects with one line a person can act on:
 * the service cannot be reached (naming the URL), refuses the token (401), has the API disabled
 * (503), or answers something else (its own error message).
 */
export async function fetchOffenders(options: FetchOffendersOptions): Promise<OffenderJson[]> {
  const url = new URL('/v1/offenders', options.url);
  if (options.limit !== undefined) url.searchParams.set('limit', String(options.limit));
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new Error(`cannot reach ${url.origin}: ${networkProblem(error)}`);
  }
  const body = (await response.json().catch(() => undefined)) as
    | { offenders?: unknown; error?: unknown }
    | undefined;
  const said = typeof body?.error === 'string' ? `: ${sanitizeText(body.error)}` : '';
  switch (response.status) {
    case 200:
      if (!Array.isArray(body?.offenders))
        throw new Error(`${url.href} did not answer with an offenders list`);
      return body.offenders as OffenderJson[];
    case 401:
      throw new Error(
        `${url.origin} refused the token (401): pass one of its SECMON_OFFENDERS_TOKENS with --token`,
      );
    case 503:
      throw new Error(
        `the offenders API of ${url.origin} is disabled (503): start the service with SECMON_OFFENDERS_TOKENS (or --offenders-tokens) set`,
      );
    case 404:
      throw new Error(`${url.origin} has no ${url.pathname} (404): is it a secmon service?`);
    default:
      throw new Error(`${url.origin} answered ${response.status}${said}`);
  }
}

function networkProblem(error: unknown): string {
  const { name, cause } = error as { name?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return 'no answer in time';
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is `secmon serve` running there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return cause?.message ?? (error as Error).message;
  }
}

// The widest a key is shown: accounts can be long; the JSON output has them whole.
const MAX_KEY_WIDTH = 40;

/**
 * The offenders as a table for a terminal: key, kind, alert types, count, first and last seen (UTC,
 * to the second) and the alert id, one line each, in the order the service gave (most severe, then
 * most recent, first). Every value is escaped and long keys are cut, so a hostile account name cannot
 * move the cursor or break the columns.
 */
export function formatOffenders(offenders: readonly OffenderJson[]): string {
  if (offenders.length === 0) return 'no active offenders\n';
  const rows = offenders.map((offender) => [
    cut(sanitizeText(String(offender.key)), MAX_KEY_WIDTH),
    sanitizeText(String(offender.kind)),
    sanitizeText((Array.isArray(offender.types) ? offender.types : []).join(',')),
    String(Number(offender.count)),
    when(offender.firstSeen),
    when(offender.lastSeen),
    sanitizeText(String(offender.alertId)),
  ]);
  const header = ['KEY', 'KIND', 'TYPES', 'COUNT', 'FIRST SEEN (UTC)', 'LAST SEEN (UTC)', 'ALERT ID'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 3 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** `2026-03-01 12:00:05` from an ISO date; the text itself (escaped) when it is no date. */
function when(iso: unknown): string {
  const time = Date.parse(String(iso));
  if (Number.isNaN(time)) return sanitizeText(String(iso));
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}
