// The last match of a detector: one shared record, so scanning allocates nothing until it reports.
// Detectors are synchronous; each reads it right after its scan returns true.

/** Rule and position (in the decoded input) of the last match. */
export const hit = { rule: '', start: 0, end: 0 };

/** Records a match and returns true, so scanners can `return report(...)`. */
export function report(rule: string, start: number, end: number): true {
  hit.rule = rule;
  hit.start = start;
  hit.end = end;
  return true;
}
