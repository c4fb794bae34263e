// Path traversal: judges one request value on its own (`detectPathTraversal`): parent-directory
// segments in any encoding, sensitive files and directories named as whole path segments, system
// file paths a file-inclusion probe sends, stream wrappers.
//   path-traversal.ts       the detector: decodes, scans, weighs prose
//   sensitive-path-scan.ts  one pass finding sensitive paths (and noting what the other rules need)
//   sensitive-paths.ts      what a probe reaches for: system roots, credential files, configuration
//   dot-dot-segment.ts      the parent-directory rule
//   system-file-path.ts     a value that is nothing but the path of a system log or configuration file
//   path-chars.ts           the path scanners' character classes
// The command-injection detector reuses the sensitive-path scan; the sink detectors the path classes.
export { BACKSLASH, isSlash, SLASH } from './path-chars.js';
export { detectPathTraversal } from './path-traversal.js';
export { FOUND_DOT_DOT, FOUND_SENSITIVE, scanPaths } from './sensitive-path-scan.js';
export { SEG, segmentFlags } from './sensitive-paths.js';
