// Reading the parts of an sshd message that matter (address, port, user), for sshd.ts. sshd writes
// the client's own words into its lines (the user name, a disconnect reason), so each reader anchors
// on what sshd writes after them, or reads left to right where the client's text comes last.
import { looksLikeAddress } from './format-options.js';

/** Where the current message's address, port and user are: set by the readers below. */
export interface Fields {
  ip: string;
  port: string;
  user: string;
  /** readTrailingEndpoint: length of the ` IP port P...` tail, to cut the user name before it. */
  tail: number;
}

// `[invalid user ]U from IP[ port P[ ...]]` from `at` (after `Failed <method> for `, `Accepted
// <method> for `, or `Invalid user `). The user is attacker-chosen and may hold spaces or ` from `:
// the address is after the LAST ` from `, as sshd writes nothing the client controls after it.
export function readFrom(text: string, at: number, f: Fields, userOnly = false): boolean {
  const from = text.lastIndexOf(' from ', text.length);
  if (from < at - 1) return false;
  let userStart = at;
  if (!userOnly && text.startsWith('invalid user ', at)) userStart += 13;
  f.user = userStart <= from ? text.slice(userStart, from) : '';
  const ipStart = from + 6;
  let ipEnd = text.indexOf(' ', ipStart);
  if (ipEnd < 0) ipEnd = text.length;
  f.ip = text.slice(ipStart, ipEnd);
  f.port = text.startsWith(' port ', ipEnd) ? digitsAt(text, ipEnd + 6) : '';
  return looksLikeAddress(f.ip);
}

// `U from IP[ port P] not allowed because ...` at `at`. The user is an existing account (sshd checks
// AllowUsers and the like only for those), so it has no spaces: read left to right.
export function readNotAllowed(text: string, at: number, f: Fields): boolean {
  const from = text.indexOf(' from ', at);
  if (from <= at) return false;
  const ipStart = from + 6;
  const ipEnd = text.indexOf(' ', ipStart);
  if (ipEnd < 0) return false;
  f.user = text.slice(at, from);
  f.ip = text.slice(ipStart, ipEnd);
  let end = ipEnd;
  f.port = '';
  if (text.startsWith(' port ', ipEnd)) {
    f.port = digitsAt(text, ipEnd + 6);
    end = ipEnd + 6 + f.port.length;
  }
  return text.startsWith(' not allowed because ', end) && looksLikeAddress(f.ip);
}

// `IP port P...` at `at` (Received disconnect, Timeout before authentication): read left to right,
// as what follows (a disconnect reason) is the client's.
export function readEndpoint(text: string, at: number, f: Fields): boolean {
  const ipEnd = text.indexOf(' ', at);
  if (ipEnd < 0 || !text.startsWith(' port ', ipEnd)) return false;
  f.ip = text.slice(at, ipEnd);
  f.port = digitsAt(text, ipEnd + 6);
  f.user = '';
  return looksLikeAddress(f.ip);
}

// `... IP port P[ [preauth]]` at the end of the text.
export function readTrailingEndpoint(text: string, at: number, f: Fields): boolean {
  let end = text.length;
  if (text.endsWith(' [preauth]')) end -= 10;
  const portAt = text.lastIndexOf(' port ', end);
  if (portAt < at) return false;
  const port = digitsAt(text, portAt + 6);
  if (port.length === 0 || portAt + 6 + port.length !== end) return false;
  const ipStart = text.lastIndexOf(' ', portAt - 1) + 1;
  if (ipStart < at) return false;
  f.ip = text.slice(ipStart, portAt);
  f.port = port;
  f.user = '';
  f.tail = text.length - ipStart + 1;
  return looksLikeAddress(f.ip);
}

function digitsAt(text: string, at: number): string {
  let end = at;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
  return text.slice(at, end);
}
