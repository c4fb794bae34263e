// Sink detection: judges a request input where it is used, not on its own. Given the command about to
// run in a shell or the path about to be opened, and one input of the request, it asks whether the
// input occurs there and changed what the command or path means. Precise where the request-level
// detectors can only judge a value's shape: `Tom & Jerry` quoted into a command or `/etc/hostname`
// joined under a base directory is harmless at the sink.
//   injected-command.ts  detectInjectedCommand: the input read as the shell reads the command
//   command-reading.ts   what each character of a command is to the shell (roles, depth, words)
//   sh-reading.ts        /bin/sh's tokenising; cmd-reading.ts: cmd.exe's
//   simple-commands.ts   the words of one simple command: program name, redirections, scripts
//   nested-shells.ts     `sh -c '...'`, `cmd /c ...`: scripts a second shell reads again
//   unquote.ts           such a script as the inner shell receives it
//   traversed-path.ts    detectTraversedPath: `..` that climbs out, absolute inputs into system roots
//   path-shape.ts        a path resolved into root and segments; sensitive-roots.ts: where not to go
//   occurrences.ts       where the input occurs (linear whatever the strings), sliding minimum
export type { ShellKind } from './command-reading.js';
export { detectInjectedCommand, type InjectedCommandOptions } from './injected-command.js';
export { detectTraversedPath } from './traversed-path.js';
