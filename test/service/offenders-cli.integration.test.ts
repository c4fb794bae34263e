// `secmon offenders` against the real service: the table, --json, --limit, where the URL and token
// come from, and the one-line errors a person gets when something is wrong.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const TOKEN = 'offenders-token-0123456789';
const STUFFER = '203.0.113.50';

/** Runs `secmon offenders ...args`; resolves with the exit code and output, never rejects. */
async function offenders(args: string[], env: Record<string, string> = {}) {
  // Nothing from the test runner's environment decides where the command goes.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SECMON_')),
  ) as Record<string, string>;
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'offenders', ...args], {
      env: { ...base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('secmon offenders', () => {
  let service: RunningSecmon;

  beforeAll(async () => {
    service = await startSecmon(
      { SECMON_OFFENDERS_TOKENS: `${TOKEN},another-token-0123456789` },
      'secmon (offenders)',
    );
    const status = await service.post([
      // Credential stuffing: 12 accounts from one address, then one of the logins works.
      ...Array.from({ length: 12 }, (_, i) => ({ type: 'failed_auth', ip: STUFFER, userId: `user${i}` })),
      { type: 'successful_auth', ip: STUFFER, userId: 'user12' },
      { type: 'path_traversal', ip: '198.51.100.4', path: '../../etc/passwd' },
    ]);
    expect(status).toBe(202);
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('prints who is attacking now as a table, most severe first', async () => {
    const result = await offenders(['--url', service.base, '--token', TOKEN]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^KEY\s+KIND\s+TYPES\s+COUNT\s+FIRST SEEN \(UTC\)\s+LAST SEEN \(UTC\)\s+ALERT ID$/,
    );
    expect(lines).toHaveLength(3);
    // The stuffer has the critical compromise: first. The traversal (high) after it.
    expect(lines[1]).toMatch(
      new RegExp(
        `^${STUFFER.replaceAll('.', '\\.')}\\s+address\\s+account_compromise_suspected,(brute_force,credential_stuffing|credential_stuffing,brute_force)\\s+12\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s`,
      ),
    );
    expect(lines[2]).toMatch(/^198\.51\.100\.4\s+address\s+path_traversal\s+1\s/);
  });

  it("prints the service's JSON with --json, and bounds the list with --limit", async () => {
    const json = await offenders(['--url', service.base, '--token', TOKEN, '--json']);
    expect(json.code).toBe(0);
    const direct = await (
      await fetch(`${service.base}/v1/offenders`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json();
    expect(JSON.parse(json.stdout)).toEqual(direct);
    const one = await offenders(['--url', service.base, '--token', TOKEN, '--limit', '1', '--json']);
    expect(JSON.parse(one.stdout).offenders.map((o: { key: string }) => o.key)).toEqual([STUFFER]);
  });

  it('finds the service on SECMON_PORT and takes the token from SECMON_OFFENDERS_TOKENS', async () => {
    const port = new URL(service.base).port;
    const result = await offenders(['--limit', '5'], {
      SECMON_PORT: port,
      SECMON_OFFENDERS_TOKENS: `${TOKEN},another-token-0123456789`,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(STUFFER);
  });

  it('says in one line that the token was refused (401)', async () => {
    const result = await offenders(['--url', service.base, '--token', 'not-a-token']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `secmon offenders: ${service.base} refused the token (401): pass one of its SECMON_OFFENDERS_TOKENS with --token\n`,
    );
  });

  it('says in one line that nothing listens at the URL, naming it', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await offenders(['--url', url, '--token', TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `secmon offenders: cannot reach ${url}: connection refused (is \`secmon serve\` running there?)\n`,
    );
  });

  it('says how to enable the API when the service has no offenders token (503)', async () => {
    const closed = await startSecmon({}, 'secmon (no offenders token)');
    try {
      const result = await offenders(['--url', closed.base, '--token', TOKEN]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `secmon offenders: the offenders API of ${closed.base} is disabled (503): start the service with SECMON_OFFENDERS_TOKENS (or --offenders-tokens) set\n`,
      );
    } finally {
      await closed.stop();
    }
  });

  it.each([
    [['--limit', '0'], /--limit must be an integer from 1 to 1000 \(got "0"\)/],
    [['--limit', 'all'], /--limit must be an integer from 1 to 1000 \(got "all"\)/],
    [['--url', 'ftp://127.0.0.1:9870'], /--url must be an http\(s\) URL \(got "ftp:\/\/127\.0\.0\.1:9870"\)/],
  ])('exits 2 on a bad flag %j, naming it', async (args, message) => {
    const result = await offenders([...args, '--token', TOKEN]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('exits 2 without a token, saying where to get one', async () => {
    const result = await offenders(['--url', service.base]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/offenders needs --token: one of the service's SECMON_OFFENDERS_TOKENS/);
  });
});
