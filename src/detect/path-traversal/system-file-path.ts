// Absolute paths to system logs, configuration and runtime files, when the whole value is such a path:
// what local-file-inclusion probes send without any `../` (`/var/adm/messages`,
// `/usr/local/apache/logs/access_log`, `C:\inetpub\wwwroot\global.asa`, `c:/WINDOWS/setupact.log`).
// Only a value that is nothing but a path counts: a file-inclusion sink opens the whole value, while a
// sentence that mentions a log file opens nothing. Judged by how system files are named and where
// they live, not by a list of payloads.
import { isAsciiLetter, lowerCode, report, startsWith, WordTable, wordEntries } from '../text/index.js';
import { BACKSLASH, isSlash, SLASH } from './path-chars.js';

// Longer values are not paths a probe sends; they are not looked at (this rule only).
const MAX_LENGTH = 512;
// Spaces a path may hold (`C:\Program Files\Apache Group\...`); more make it prose.
const MAX_SPACES = 6;
const MAX_SEGMENTS = 32;

enum Root {
  /** Unix directories holding system data: a log or configuration file below them is a probe. */
  UNIX_SYSTEM = 1,
  /** Windows system directories: a log or configuration file below them is a probe. */
  WINDOWS_SYSTEM = 2,
  /** Web-server roots: server-side code or configuration below them is a probe. */
  WEB_SERVER = 3,
  /** Windows program directories: a log or configuration file of server software is a probe. */
  WINDOWS_PROGRAMS = 4,
}

const roots = new WordTable<Root>([
  ...wordEntries('var usr opt srv', Root.UNIX_SYSTEM),
  ...wordEntries('windows winnt system32 syswow64', Root.WINDOWS_SYSTEM),
  ...wordEntries('inetpub xampp wamp wamp64 appserv', Root.WEB_SERVER),
  ...['program files', 'program files (x86)', 'programdata'].map(
    (name) => [name, Root.WINDOWS_PROGRAMS] as const,
  ),
]);

// Directories that hold logs: a log file below one is a probe wherever the path starts.
const logDirectories = new WordTable(wordEntries('log logs adm', true));

// Extensions of logs, configuration, credentials and runtime state.
const systemExtensions = new WordTable(
  wordEntries('log conf cnf cfg ini pid pdb db err passwd pwd properties config sqlite mdf myd', true),
);

// Unix accounting and system log files named without an extension.
const systemFileNames = new WordTable(
  wordEntries(
    'messages syslog secure maillog wtmp wtmpx utmp utmpx btmp lastlog pacct qacct vmcore sulog',
    true,
  ),
);

// What a log run together with `log` records (`xferlog`, `sulog`, `bootlog`); `blog` or `catalog` is
// no log.
const logKinds = new WordTable(
  wordEntries(
    'access error err xfer boot login acu su sys last debug audit auth kern mail cron event ftp secure daemon install',
    true,
  ),
);

// Server-side code and configuration a web-server root holds (`global.asa`, `web.config`).
const serverExtensions = new WordTable(wordEntries('asa asax asp aspx php config inc', true));

// Server software whose directory holds the logs, configuration and data a probe reads (`Apache Group`,
// `Apache Software Foundation`, `MySQL`, `FileZilla Server`), matched as a prefix of a directory name.
const SERVER_SOFTWARE = [
  'apache',
  'mysql',
  'mariadb',
  'php',
  'tomcat',
  'nginx',
  'lighttpd',
  'lsws',
  'filezilla',
  'postgres',
  'pgsql',
  'microsoft sql server',
  'mssql',
  'xampp',
  'samba',
  'webmin',
];

// Configuration some server software keeps as markup (`FileZilla Server.xml`).
const markupExtensions = new WordTable(wordEntries('xml', true));

// Characters a file path a probe sends does not hold: query strings, markup, shell and JSON syntax.
const NOT_IN_PATH = new Uint8Array(0x10000);
for (const c of '?#&=;|<>"\'`{}[]*$!,') NOT_IN_PATH[c.charCodeAt(0)] = 1;

// Where each segment of the value being judged starts and ends (reused: the rule allocates nothing).
const starts = new Int32Array(MAX_SEGMENTS);
const ends = new Int32Array(MAX_SEGMENTS);

/**
 * Whether the whole of `text` (decoded) is an absolute path to a system log, configuration or runtime
 * file, or to server-side code under a web-server root. Reports the match as `system-file`.
 */
export function systemFilePath(text: string): boolean {
  const length = text.length;
  if (length < 4 || length > MAX_LENGTH) return false;
  // `\\10.0.0.1\share\shell.php`: server-side code from a share, a remote include on Windows.
  if (text.charCodeAt(0) === BACKSLASH && text.charCodeAt(1) === BACKSLASH) {
    const count = splitSegments(text, 2);
    const last = count - 1;
    return count >= 3 && extensionIn(serverExtensions, text, starts[last]!, ends[last]!) && found(last);
  }
  let i = 0;
  if (isSlash(text.charCodeAt(0)) && isDrive(text, 1)) i = 1; // `/C:/inetpub/...`
  const drive = isDrive(text, i);
  if (drive) i += 2;
  else if (!isSlash(text.charCodeAt(i))) return false;
  // Most absolute values are URL paths under no system root whose last segment names no log or
  // configuration: two short looks rule them out before the path is split.
  let lastEnd = length;
  while (lastEnd > i && isSlash(text.charCodeAt(lastEnd - 1))) lastEnd--;
  let lastStart = lastEnd;
  while (lastStart > i && !isSlash(text.charCodeAt(lastStart - 1))) lastStart--;
  let rootStart = i;
  while (rootStart < length && isSlash(text.charCodeAt(rootStart))) rootStart++;
  let rootEnd = rootStart;
  while (rootEnd < length && !isSlash(text.charCodeAt(rootEnd))) rootEnd++;
  const root = roots.lookupText(text, rootStart, rootEnd);
  const systemFile = isSystemFileName(text, lastStart, lastEnd);
  const markup = extensionIn(markupExtensions, text, lastStart, lastEnd); // `FileZilla Server.xml`
  if (root === undefined && !systemFile && !markup) return false;
  const count = splitSegments(text, i);
  if (count <= 0) return false;
  const last = count - 1;
  const systemName = count > 1 && systemFile;
  // `/windows/...` alone may be a URL path; with a drive letter or a backslash it is a Windows path.
  const windows = drive || text.indexOf('\\') >= 0;
  switch (root) {
    case Root.UNIX_SYSTEM:
      return !drive && (systemName || someSegment(logDirectories, text, 1, last)) && found(last);
    case Root.WINDOWS_SYSTEM:
      return windows && systemName && found(last);
    case Root.WEB_SERVER:
      return (
        windows &&
        count > 1 &&
        (systemName ||
          extensionIn(serverExtensions, text, lastStart, lastEnd) ||
          (markup && someServerSoftware(text, 1, last))) &&
        found(last)
      );
    case Root.WINDOWS_PROGRAMS:
      return (systemName || markup) && someServerSoftware(text, 1, last) && found(last);
    default:
      // `/MySQL/data/mysql.err`, `c:/xampp/FileZillaFTP/FileZilla Server.xml`: files of server software.
      if ((systemName || markup) && someServerSoftware(text, 0, last)) return found(last);
      // `/logs/pure-ftpd.log`, `/www/logs/thttpd_log`: a log file in a log directory.
      return isLogName(text, lastStart, lastEnd) && someSegment(logDirectories, text, 0, last) && found(last);
  }
}

// Fills `starts`/`ends` with the segments of the path from `i`; returns their count, or -1 when the
// value holds a character no path holds, too many spaces or too many segments.
function splitSegments(text: string, i: number): number {
  const length = text.length;
  let count = 0;
  let spaces = 0;
  let segmentStart = -1;
  for (; i <= length; i++) {
    const c = i < length ? text.charCodeAt(i) : SLASH;
    if (c === SLASH || c === BACKSLASH) {
      if (segmentStart >= 0) {
        if (count === MAX_SEGMENTS) return -1;
        starts[count] = segmentStart;
        ends[count++] = i;
        segmentStart = -1;
      }
      continue;
    }
    if (c < 0x20 || NOT_IN_PATH[c] === 1 || (c === 0x20 && ++spaces > MAX_SPACES)) return -1;
    if (segmentStart < 0) segmentStart = i;
  }
  return count;
}

function found(last: number): true {
  return report('system-file', starts[0]!, ends[last]!);
}

/** `C:` followed by a slash or a name (`c:WINDOWS`): a drive letter at `i`. */
function isDrive(text: string, i: number): boolean {
  return isAsciiLetter(text.charCodeAt(i)) && text.charCodeAt(i + 1) === 0x3a;
}

function someSegment(table: WordTable<boolean>, text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (table.lookupText(text, starts[k]!, ends[k]!) === true) return true;
  return false;
}

function someServerSoftware(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    for (const name of SERVER_SOFTWARE) if (startsWith(text, starts[k]!, ends[k]!, name)) return true;
  }
  return false;
}

// A log, configuration, credential or runtime file, by its extension or its name.
function isSystemFileName(text: string, start: number, end: number): boolean {
  return (
    extensionIn(systemExtensions, text, start, end) ||
    systemFileNames.lookupText(text, start, end) === true ||
    isLogName(text, start, end)
  );
}

// Whether an extension of the name `text[start..end)` is in `table`: the last one, or one before it
// (`httpd.conf.php`, `lighttpd.conf.new`, `smb.conf.user`: a configuration file renamed or rendered).
function extensionIn(table: WordTable<boolean>, text: string, start: number, end: number): boolean {
  let partEnd = end;
  for (let dot = end - 1; dot > start; dot--) {
    if (text.charCodeAt(dot) !== 0x2e) continue;
    if (partEnd - dot - 1 <= 10 && table.lookupText(text, dot + 1, partEnd) === true) return true;
    partEnd = dot;
  }
  return false;
}

// `access_log`, `error.log`, `lpd-errs`, `xferlog`, `logs`: a name that is or ends in `log` or `err`
// (plural too) after a separator, or a kind of log run together with `log`.
function isLogName(text: string, start: number, end: number): boolean {
  let k = end;
  if (lowerCode(text.charCodeAt(k - 1)) === 0x73) k--; // a plural `s`
  if (k - start < 3) return false;
  const log = startsWith(text, k - 3, k, 'log');
  if (!log && !startsWith(text, k - 3, k, 'err')) return false;
  const prefixEnd = k - 3;
  if (prefixEnd === start) return log;
  const separator = text.charCodeAt(prefixEnd - 1);
  if (separator === 0x5f || separator === 0x2d || separator === 0x2e) return true;
  return log && logKinds.lookupText(text, start, prefixEnd) === true;
}
