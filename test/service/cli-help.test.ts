import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const run = promisify(execFile);
const WIDTH = 80; // commander's width when the output is not a terminal

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * Lines that break a sentence early: a line followed by a continuation of the same paragraph (same
 * indentation, not a new option or list item) whose first word would still have fitted on it.
 */
function earlyBreaks(text: string): string[] {
  const lines = text.split('\n');
  const found: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1]!;
    if (line.trim() === '' || next.trim() === '' || indentOf(line) !== indentOf(next)) continue;
    if (indentOf(next) === 2 || next.trimStart().startsWith('-')) continue; // a new item
    const firstWord = next.trimStart().split(' ')[0]!;
    if (line.length + 1 + firstWord.length <= WIDTH) found.push(`${line}⏎${next}`);
  }
  return found;
}

describe('secmon --help', () => {
  it.each([[[]], [['serve']], [['replay']], [['demo']], [['offenders']]])(
    '%j: fits 80 columns and breaks lines only where the next word does not fit',
    async (command) => {
      const { stdout } = await run(process.execPath, [cli, ...command, '--help']);
      const tooLong = stdout.split('\n').filter((line) => line.length > WIDTH);
      expect(tooLong).toEqual([]);
      expect(earlyBreaks(stdout)).toEqual([]);
    },
  );

  it('keeps each setting with its environment variable and default under the flag', async () => {
    const { stdout } = await run(process.execPath, [cli, 'serve', '--help']);
    expect(stdout).toMatch(
      / {2}--port <value>\n {6}TCP port to listen on \(0 picks a free one\) \[env SECMON_PORT, default 9870\]\n/,
    );
    expect(stdout.replace(/\n\s*/g, ' ')).toContain(
      'Every flag can also be set with its environment variable; flags win. Standard OTEL_* variables (e.g. OTEL_EXPORTER_OTLP_ENDPOINT) enable OTLP export of alert events and metrics.',
    );
  });
});
