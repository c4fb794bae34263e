// The text of an option given on a command line or in a variable, and the errors it may cause.

/** The value of `NAME=VALUE` text: its JSON if it parses, else the text itself. */
export function optionValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `… [SECMON_ERR_BAD_OPTION, see https://…]` is for library users; a command line error is shorter. */
export function withoutDocsLink(message: string): string {
  return message.replace(/ \[SECMON_ERR_[A-Z_]+, see [^\]]+\]$/, '');
}
