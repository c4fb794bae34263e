import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/service/config.js';

function rejection(inputs: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig(inputs);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('source settings', () => {
  it('reads FORMAT:PATH and NAME=FORMAT:PATH from the variable (comma-separated) and the repeated flag', () => {
    const fromEnv = loadConfig({
      env: {
        SECMON_SOURCES: 'json:/var/log/app.json, web=json:relative/web.log',
        SECMON_STATE_DIR: '/var/lib/secmon',
      },
    });
    expect(fromEnv.sources).toEqual({
      list: [
        { name: 'json:/var/log/app.json', format: 'json', path: '/var/log/app.json' },
        { name: 'web', format: 'json', path: resolve('relative/web.log') },
      ],
      customFormats: [],
      fromStart: false,
      stateDir: '/var/lib/secmon',
      pollIntervalMs: 500,
      maxLineBytes: 65_536,
    });
    // A repeated flag keeps each value whole: a path may hold a comma.
    const fromFlags = loadConfig({
      env: { SECMON_SOURCES: 'json:/ignored' },
      flags: {
        sources: ['json:/logs/a,b.log', 'b=json:/logs/b.log'],
        fromStart: 'true',
        sourcePollMs: '100',
      },
    });
    expect(fromFlags.sources.list.map((s) => s.path)).toEqual(['/logs/a,b.log', '/logs/b.log']);
    expect(fromFlags.sources).toMatchObject({ fromStart: true, pollIntervalMs: 100 });
  });

  it.each([
    [
      { SECMON_SOURCES: 'jsn:/var/log/a' },
      /SECMON_SOURCES \(--source\) names the format "jsn", which is not one of sshd, nginx, apache, json \(custom formats come from SECMON_FORMATS_FILE\); did you mean json\?/,
    ],
    [
      { SECMON_SOURCES: '/var/log/auth.log' },
      /must be FORMAT:PATH or NAME=FORMAT:PATH \(formats: sshd, nginx, apache, json, or one of SECMON_FORMATS_FILE\)/,
    ],
    [{ SECMON_SOURCES: 'json:' }, /must be FORMAT:PATH/],
    [{ SECMON_SOURCES: 'bad name=json:/a' }, /the name "bad name": a source name must be 1 to 64 letters/],
    [{ SECMON_SOURCES: 'a=json:/x,a=json:/y' }, /item 2 \("a=json:\/y"\) repeats the source name "a"/],
    [
      { SECMON_SOURCES: 'json:/x,b=json:/x' },
      /reads \/x again \(already source "json:\/x"\): every line would count twice/,
    ],
    [
      { SECMON_SOURCES: 'json:/x', SECMON_SOURCE_POLL_MS: '1' },
      /SECMON_SOURCE_POLL_MS \(--source-poll-ms\) must be an integer from 10 to 60000/,
    ],
    [
      { SECMON_SOURCES: 'json:/x', SECMON_FROM_START: 'yes' },
      /SECMON_FROM_START \(--from-start\) must be true or false/,
    ],
    [
      { SECMON_STATE_DIR: '/var/lib/secmon' },
      /SECMON_STATE_DIR \(--state-dir\) needs SECMON_SOURCES \(--source\) to be set/,
    ],
  ])('refuses %j naming the setting', (env, message) => {
    const error = rejection({ env });
    expect(error.message).toMatch(message);
    expect(error.code).toBe('SECMON_ERR_BAD_SETTING');
  });

  it('reads custom formats from SECMON_FORMATS_FILE, and names the file when it is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secmon-formats-'));
    const file = join(dir, 'formats.yml');
    writeFileSync(
      file,
      [
        'formats:',
        '  myapp:',
        '    patterns:',
        '      - event: failed_auth',
        "        pattern: '^login failed for (?<user>\\S+) from <HOST>$'",
      ].join('\n'),
    );
    const config = loadConfig({
      env: { SECMON_SOURCES: 'app=myapp:/var/log/myapp.log', SECMON_FORMATS_FILE: file },
    });
    expect(config.sources.customFormats.map((format) => format.name)).toEqual(['myapp']);
    expect(
      rejection({ env: { SECMON_SOURCES: 'app=myap:/var/log/myapp.log', SECMON_FORMATS_FILE: file } })
        .message,
    ).toMatch(/not one of sshd, nginx, apache, json, myapp; did you mean myapp\?/);
    writeFileSync(file, 'formats: [');
    expect(rejection({ env: { SECMON_SOURCES: 'json:/x', SECMON_FORMATS_FILE: file } }).message).toMatch(
      /^SECMON_FORMATS_FILE \(--formats-file\): .*formats\.yml/,
    );
  });
});
