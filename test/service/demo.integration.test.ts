import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { INGEST_TOKEN, type RunningSecmon, startSecmon } from '../support/secmon.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
const run = promisify(execFile);

interface Summary {
  eventsSent: number;
  alerts: Record<string, number>;
  metrics: Record<string, number>;
}

describe('secmon demo', () => {
  let service: RunningSecmon;
  let port: string;

  beforeAll(async () => {
    service = await startSecmon({}, 'secmon serve (demo target)');
    port = new URL(service.base).port;
  });

  afterAll(async () => {
    await service?.stop();
  });

  /** Runs the demo with the environment `secmon serve` was started with (no --target). */
  const demo = async () => {
    const env = { ...process.env, SECMON_PORT: port, SECMON_INGEST_TOKENS: INGEST_TOKEN };
    const { stdout } = await run(process.execPath, [cli, 'demo', '--json'], { env });
    return JSON.parse(stdout) as Summary;
  };

  it("finds the service on SECMON_PORT and reports this run's alerts, not the service's running total", async () => {
    const first = await demo();
    expect(first.alerts.command_injection).toBe(4);
    expect(first.alerts.path_traversal).toBe(4);
    expect(first.metrics.secmon_failed_auth_total).toBe(80);
    const second = await demo();
    // Every injection and traversal alerts again; the service's own counter is now twice as high.
    expect(second.alerts.command_injection).toBe(4);
    expect(second.alerts.path_traversal).toBe(4);
    expect(second.metrics.secmon_failed_auth_total).toBe(80);
    expect(
      (await service.metrics()).get('secmon_alerts_total{type="command_injection",severity="critical"}'),
    ).toBe(8);
  });

  it('says which URL it could not reach and why', async () => {
    const closed = String(await freePort());
    const failure = await run(process.execPath, [cli, 'demo', '--token', INGEST_TOKEN], {
      env: { ...process.env, SECMON_PORT: closed },
    }).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe(
      `secmon demo: cannot reach http://127.0.0.1:${closed}/metrics (ECONNREFUSED): is secmon serve running there? (set --target, or SECMON_PORT)\n`,
    );
  });
});
