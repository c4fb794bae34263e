// The top-level directories an absolute path from a request must not reach: system configuration,
// kernel and process state, devices, other users' homes, logs and spools, the Windows system and
// profile directories. A request that names one of them as an absolute path has no business there.

import { WordTable, wordEntries } from '../text/index.js';
import { type PathShape, ROOT } from './path-shape.js';

const POSIX_ROOTS = new WordTable(
  wordEntries('etc proc sys dev root home var boot run private users library system', true),
);
const WINDOWS_ROOTS = new WordTable(
  wordEntries('windows winnt users programdata inetpub boot.ini pagefile.sys', true),
);
// Names with spaces cannot come from wordEntries.
for (const name of [
  'program files',
  'program files (x86)',
  'documents and settings',
  'system volume information',
]) {
  WINDOWS_ROOTS.set(name, true);
}

/** Whether the first segment of the rooted `shape` is a sensitive top-level directory. */
export function inSensitiveRoot(shape: PathShape): boolean {
  if (shape.count === 0) return false;
  const start = shape.starts[0]!;
  const end = shape.ends[0]!;
  if (shape.root === ROOT.DRIVE) return WINDOWS_ROOTS.lookupText(shape.text, start, end) === true;
  if (shape.root !== ROOT.SLASH) return false;
  return (
    POSIX_ROOTS.lookupText(shape.text, start, end) === true ||
    WINDOWS_ROOTS.lookupText(shape.text, start, end) === true
  );
}

/**
 * How many leading segments of `shape` name a home directory (`/root`: 1; `/home/ann`,
 * `/Users/ann`, `C:\Users\ann`: 2), or 0.
 */
export function homeDirectoryLength(shape: PathShape): number {
  if (shape.count === 0 || shape.root === ROOT.NONE || shape.root === ROOT.UNC) return 0;
  const { text } = shape;
  const start = shape.starts[0]!;
  const end = shape.ends[0]!;
  if (end - start > 5) return 0;
  const first = text.slice(start, end).toLowerCase();
  if (first === 'root' && shape.root === ROOT.SLASH) return 1;
  return (first === 'home' || first === 'users') && shape.count >= 2 ? 2 : 0;
}
