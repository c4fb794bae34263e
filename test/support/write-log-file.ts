// Writes a generated log to a file in 1 MB chunks, so a log of any length is written in flat memory.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes `lines` (each followed by a newline) to `path`; returns the lines and bytes written. */
export function writeLogFile(path: string, lines: Iterable<string>): { lines: number; bytes: number } {
  const fd = openSync(path, 'w');
  let chunk = '';
  let count = 0;
  let bytes = 0;
  try {
    for (const line of lines) {
      chunk += `${line}\n`;
      count++;
      if (chunk.length >= 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) bytes += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return { lines: count, bytes };
}
