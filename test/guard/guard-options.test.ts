import { describe, expect, it } from 'vitest';
import { guardSinks } from '../../src/guard.js';
import { AnomalyMonitor } from '../../src/index.js';

function errorOf(run: () => unknown): { code?: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

describe('guardSinks options', () => {
  const monitor = new AnomalyMonitor();

  it.each([
    [
      { mode: 'blok' },
      'SECMON_ERR_BAD_OPTION',
      /^guardSinks\.mode must be one of "record", "block" \(got "blok"\); did you mean "block"\?/,
    ],
    [{ mode: 3 }, 'SECMON_ERR_BAD_OPTION', /^guardSinks\.mode must be one of "record", "block" \(got 3\) \[/],
    [{ sinks: [] }, 'SECMON_ERR_BAD_OPTION', /^guardSinks\.sinks must be a non-empty array/],
    [
      { sinks: 'file' },
      'SECMON_ERR_BAD_OPTION',
      /^guardSinks\.sinks must be a non-empty array .*\(got "file"\)/,
    ],
    [
      { sinks: ['command', 'files'] },
      'SECMON_ERR_BAD_OPTION',
      /^guardSinks\.sinks\[1\] must be one of "command", "file" \(got "files"\); did you mean "file"\?/,
    ],
    [
      { mdoe: 'block' },
      'SECMON_ERR_UNKNOWN_OPTION',
      /^guardSinks\.mdoe is not a known option; did you mean guardSinks\.mode\? \(known: mode, sinks\)/,
    ],
    [{ sink: ['file'] }, 'SECMON_ERR_UNKNOWN_OPTION', /did you mean guardSinks\.sinks\?/],
    ['block', 'SECMON_ERR_BAD_OPTION', /^the options of guardSinks must be an object/],
  ])('rejects %j naming the option (%s)', (options, code, message) => {
    const error = errorOf(() => guardSinks(monitor, options as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('rejects something that is not a monitor', () => {
    const error = errorOf(() => guardSinks({} as never));
    expect(error.code).toBe('SECMON_ERR_BAD_OPTION');
    expect(error.message).toMatch(/^the monitor passed to guardSinks must be an AnomalyMonitor/);
  });

  it('accepts the defaults and each mode and sink list, and unwraps', () => {
    for (const options of [
      undefined,
      {},
      { mode: 'block' as const },
      { sinks: ['command' as const] },
      { sinks: ['file' as const] },
    ]) {
      const unwrap = guardSinks(monitor, options);
      expect(unwrap.stats()).toEqual({
        checked: 0,
        findings: 0,
        blocked: 0,
        detectionErrors: 0,
        inputsDropped: 0,
      });
      unwrap();
      unwrap(); // twice is harmless
    }
  });
});
