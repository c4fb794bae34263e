// Loads a custom-format file (YAML, or JSON when its name ends in .json): see custom-format.ts for
// what it holds. Read once, at start-up; every problem is an error naming the file.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { badOptionError } from '../core/errors.js';
import { customFormats } from './custom-format.js';
import { FORMAT_NAMES } from './formats.js';
import type { LogFormat } from './log-format.js';

// A format file is a few patterns; a larger one is a wrong path (a log given as the config).
const MAX_FILE_BYTES = 1 << 20;

/**
 * The formats defined in file `path`. Throws a `SECMON_ERR_BAD_OPTION` `TypeError` naming the file
 * when it cannot be read or parsed, and errors naming the format and pattern when a definition is
 * wrong (see `customFormats`).
 */
export function loadCustomFormats(path: string): LogFormat[] {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) throw new Error(`${bytes.length} bytes, more than ${MAX_FILE_BYTES}`);
    text = bytes.toString('utf8');
  } catch (error) {
    throw badOptionError(
      `the custom format file ${path}`,
      `a readable file of at most 1 MiB (${(error as Error).message})`,
      path,
    );
  }
  let config: unknown;
  try {
    config = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const kind = path.endsWith('.json') ? 'JSON' : 'YAML';
    throw badOptionError(
      `the custom format file ${path}`,
      `valid ${kind} (${(error as Error).message.split('\n')[0]})`,
      path,
    );
  }
  return customFormats(config, path, FORMAT_NAMES);
}
