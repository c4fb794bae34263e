// Command injection: judges one request value on its own (`detectCommandInjection`), reading it the
// way a shell would where a shell could be reading it.
// Reading the shell:
//   shell-words.ts, shell-word-flags.ts  one shell word as a shell builds it (quotes, escapes, `$@`, `^`)
//   shell-expansions.ts                  `$x`, `${x}`, `${IFS}`, variables the input assigned itself
//   shell-string-escapes.ts              `\n`-style escapes a layer removes before the shell runs
//   shell-chars.ts                       the shell scanners' character classes
//   cmd-syntax.ts                        Windows cmd grammar: FOR, IF, SET, verbs of admin tools
// Judging:
//   command-injection.ts   the detector: decodes, finds command positions and shell-only constructs
//   command-positions.ts   where a command can start, with a budget so hostile input stays linear
//   shell-command.ts       whether the text at a command position is a command a shell would run
//   command-name.ts        the command named by a word (path, extension, version suffix stripped)
//   command-words.ts       what each command name tells (distinct, also English, takes a script...)
//   shell-arguments.ts     evidence from the arguments: options, system paths, redirections
//   shell-constructs.ts    shell-only syntax anywhere: `$(`, process substitution, fork bombs...
export { detectCommandInjection } from './command-injection.js';
