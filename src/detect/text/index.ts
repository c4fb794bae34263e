// Shared text helpers of every detector: ASCII character tests, lookup tables of short words and
// ASCII case folding, whether a match sits in prose, the record of the last match, and the `Finding`
// a detector returns (with its escaped excerpt).
//   ascii.ts       isDigit, isAsciiLetter, hexValue
//   word-table.ts  WordTable (allocation-free word lookups), lowerCode, startsWith
//   prose.ts       proseAround: a sensitive path or command mentioned in a sentence
//   match.ts       hit / report: the last match, shared so scanning allocates nothing
//   finding.ts     Finding and finding(): what a detector returns
export { hexValue, isAsciiLetter, isDigit } from './ascii.js';
export { type Finding, type FindingKind, finding } from './finding.js';
export { hit, report } from './match.js';
export { CLOSER, OPENER, proseAround } from './prose.js';
export { lowerCode, startsWith, WordTable, wordEntries } from './word-table.js';
