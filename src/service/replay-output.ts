// What `secmon replay` prints: each alert as a JSON line (`--json`) or a table row, and a last line
// with the summary as JSON in both modes (scripts read it; people read the table above it).
import type { Alert } from '../core/alert.js';
import { sanitizeText } from '../core/sanitize.js';
import type { ReplayResult } from '../sources/replay-runner.js';

/** One alert as one line of JSON, the alert as the library gives it (dates as ISO 8601 text). */
export function alertJsonLine(alert: Alert): string {
  return `${JSON.stringify(alert)}\n`;
}

// Column widths of the table. Alerts stream out as the log is read, so widths are fixed rather than
// fitted to the rows; longer values are cut (the JSON output has them whole).
const COLUMNS = [
  ['TIME (UTC)', 19],
  ['STATE', 8],
  ['TYPE', 28], // account_compromise_suspected
  ['SEVERITY', 8],
  ['CLIENT', 24],
  ['USER', 16],
  ['COUNT', 5],
] as const;

/** The table's heading line. */
export function alertTableHeader(): string {
  return row(COLUMNS.map(([title]) => title));
}

/**
 * One alert as a table row: log time (UTC, to the second), state, type, severity, client address,
 * account and count (the detector's count: failed logins in the window; for a resolved alert, the
 * attack's events). Values are escaped and cut
 * so a hostile account name cannot move the cursor or break the columns.
 */
export function alertTableRow(alert: Alert): string {
  const count = alert.metadata?.count;
  return row([
    alert.timestamp.toISOString().slice(0, 19).replace('T', ' '),
    alert.state,
    alert.type,
    alert.severity,
    alert.sourceIp ?? '-',
    alert.userId ?? '-',
    typeof count === 'number' ? String(count) : '-',
  ]);
}

function row(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < COLUMNS.length; i++) {
    const width = COLUMNS[i]![1];
    const text = sanitizeText(cells[i]!);
    const cell = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    line += i === COLUMNS.length - 1 ? cell.padStart(width) : `${cell.padEnd(width)}  `;
  }
  return `${line}\n`;
}

/** The summary line: `{"summary": {...}}`, counts of lines by outcome, events and alerts by type. */
export function summaryLine(result: ReplayResult, files: number): string {
  const summary = {
    files,
    lines: result.lines,
    matched: result.matched,
    ignored: result.ignored,
    unparsed: result.unparsed,
    tooLong: result.tooLong,
    events: result.events,
    late: result.late,
    untimed: result.untimed,
    alerts: result.alerts,
    resolved: result.resolved,
    active: result.active,
    from: result.firstTime === undefined ? null : new Date(result.firstTime).toISOString(),
    to: result.lastTime === undefined ? null : new Date(result.lastTime).toISOString(),
    errors: result.errors,
    interrupted: result.interrupted,
  };
  return `${JSON.stringify({ summary })}\n`;
}
