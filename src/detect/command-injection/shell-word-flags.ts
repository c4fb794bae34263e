// What reading a shell word found (see readWord in shell-words.ts), as bit flags.

/** What the last {@link readWord} found. */
export const W = {
  QUOTE_SPLIT: 1 << 0, // quotes inside a word, or empty quotes next to other characters
  WHOLE_QUOTED: 1 << 1, // the word is exactly one quoted string
  BACKSLASH: 1 << 2, // a backslash escaping a letter (`c\at`)
  NOISE: 1 << 3, // something that expands to nothing: `$@`, `$()`, `` `` ``, `^`, an unset variable
  EXPANDED: 1 << 4, // a variable this input assigned was expanded into the word
  VARIABLE: 1 << 5, // some `$` expansion was in the word
  SUBST: 1 << 6, // the word runs into a command substitution (`$(...)`, backticks)
  GLOB: 1 << 7, // `*`, `?` or a `[...]` class
  ASSIGN: 1 << 8, // `NAME=value`
  DOUBLE_EQ: 1 << 9, // `==` (a cmd comparison)
  PERCENT_VAR: 1 << 10, // a cmd variable: `%PATH%`, `%1`, `%~1`, `%%a`
  CAPITALIZED: 1 << 11, // starts with one upper-case letter, the rest lower-case
  IFS: 1 << 12, // `$IFS` / `${IFS}` ended the word
  ARITHMETIC: 1 << 13, // `$((` or `$[` follows
  OVERFLOW: 1 << 14, // longer than WORD_MAX
  BRACKET_CHAR: 1 << 15, // a one-character class `[x]` (an obfuscated plain character)
  UPPER: 1 << 16, // contains an upper-case letter
  SLASH_SWITCH: 1 << 17, // read in Windows path mode (backslashes are separators)
  NAMED_VARIABLE: 1 << 18, // a named variable (`$HOME`, `${x}`), not a special parameter (`$5`, `$@`)
} as const;
