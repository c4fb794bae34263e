import { describe, expect, it } from 'vitest';
import { detectCommandInjection, detectInjectedCommand } from '../../../src/index.js';
import { CMD_ATTACKS, CMD_BENIGN, COMMAND_ATTACKS, COMMAND_BENIGN } from './command-pairs.js';

describe('detectInjectedCommand: attacks caught where they reach the shell', () => {
  it.each(COMMAND_ATTACKS)('%j with input %j: %s', (command, input, rule) => {
    const found = detectInjectedCommand(command, input);
    expect(found?.rule).toBe(rule);
    expect(found?.kind).toBe('command_injection');
  });

  it.each(CMD_ATTACKS)('cmd.exe: %j with input %j: %s', (command, input, rule) => {
    expect(detectInjectedCommand(command, input, { shell: 'cmd' })?.rule).toBe(rule);
  });
});

describe('detectInjectedCommand: benign pairs pass', () => {
  it.each(COMMAND_BENIGN)('%j with input %j', (command, input) => {
    expect(detectInjectedCommand(command, input)).toBeNull();
  });

  it.each(CMD_BENIGN)('cmd.exe: %j with input %j', (command, input) => {
    expect(detectInjectedCommand(command, input, { shell: 'cmd' })).toBeNull();
  });
});

describe('detectInjectedCommand: values the request-level detector flags that are harmless at the sink', () => {
  it.each([
    // A commit message quoted into git: the pipe is text.
    ["git commit -m 'cat ./coverage/lcov.info | coveralls'", 'cat ./coverage/lcov.info | coveralls'],
    ["grep -r -- 'Tom & Jerry; ls' docs", 'Tom & Jerry; ls'],
    ['echo "foo;whoami"', 'foo;whoami'],
    ['echo "$(date) ; id" > /dev/null', ' ; id'],
    ["printf '%s' '; cat /etc/passwd'", '; cat /etc/passwd'],
    ["convert 'in.png' -resize 10x10 'out; rm -rf /.png'", 'out; rm -rf /.png'],
    ["echo '`whoami`'", '`whoami`'],
    ["echo '$(id)'", '$(id)'],
    ['ping -c 1 "127.0.0.1|id"', '127.0.0.1|id'],
  ])('%j with input %j', (command, input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
    expect(detectInjectedCommand(command, input)).toBeNull();
  });

  it('the same value unquoted is a finding', () => {
    expect(detectInjectedCommand('ping -c 1 127.0.0.1|id', '127.0.0.1|id')?.rule).toBe('pipe');
    expect(
      detectInjectedCommand(
        'echo cat ./coverage/lcov.info | coveralls',
        'cat ./coverage/lcov.info | coveralls',
      )?.rule,
    ).toBe('pipe');
  });
});

describe('detectInjectedCommand: explaining the finding', () => {
  it('the excerpt shows the command around the offending token, escaped', () => {
    const found = detectInjectedCommand('ping -c 1 8.8.8.8\nid', '8.8.8.8\nid');
    expect(found).toEqual({
      kind: 'command_injection',
      rule: 'command-separator',
      excerpt: 'ping -c 1 8.8.8.8\\nid',
    });
  });

  it('a long command is cut around the token', () => {
    const command = `convert ${'a'.repeat(200)}.png x; id ${'b'.repeat(200)}`;
    const found = detectInjectedCommand(command, 'x; id');
    expect(found?.rule).toBe('command-separator');
    expect(found?.excerpt).toContain('x; id');
    expect(found?.excerpt.length).toBeLessThanOrEqual(80);
  });

  it('reads the nested script of sh -c with its own shell', () => {
    expect(detectInjectedCommand("sh -c 'ping -c 1 x; id'", 'x; id')?.rule).toBe('command-separator');
    expect(detectInjectedCommand(`sh -c 'ping -c 1 '"'"'x; id'"'"''`, 'x; id')).toBeNull();
    expect(detectInjectedCommand('cmd /c "ping x & calc"', 'x & calc')?.rule).toBe('command-separator');
  });

  it('tries the input decoded, for an application that decodes it once more', () => {
    expect(detectInjectedCommand('ping -c 1 x;id', 'x%3Bid')?.rule).toBe('command-separator');
    expect(detectInjectedCommand('ping -c 1 x；id', 'x；id')?.rule).toBeUndefined(); // full-width: text to sh
  });
});

describe('detectInjectedCommand: bad arguments', () => {
  it('returns null for non-strings and for inputs that cannot inject', () => {
    expect(detectInjectedCommand(undefined as unknown as string, 'x; id')).toBeNull();
    expect(detectInjectedCommand('ls; id', 42 as unknown as string)).toBeNull();
    expect(detectInjectedCommand('ls ;', ';')).toBeNull();
    expect(detectInjectedCommand('ls \n\n', '\n\n')).toBeNull();
    expect(detectInjectedCommand('ls', '')).toBeNull();
    expect(detectInjectedCommand('ls', 'longer than the command')).toBeNull();
  });

  it('an unknown shell option reads as sh', () => {
    expect(detectInjectedCommand("echo 'a & b'", 'a & b', { shell: 'zsh' as 'sh' })).toBeNull();
  });
});
