import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
// Inside the repository (git-ignored) so the consumer resolves secmon's own dependencies from the
// repository's node_modules, exactly as it would from its own after `npm install secmon`.
const consumer = join(root, '.tmp', 'packed-consumer');

describe('the packed package', () => {
  let files: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm test`, which builds first');
    await rm(consumer, { recursive: true, force: true });
    await mkdir(join(consumer, 'node_modules', 'secmon'), { recursive: true });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', consumer], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed!.files.map((file) => file.path);
    await run('tar', [
      '-xzf',
      join(consumer, packed!.filename),
      '-C',
      join(consumer, 'node_modules', 'secmon'),
      '--strip-components=1',
    ]);
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
  }, 120_000);

  afterAll(async () => {
    await rm(consumer, { recursive: true, force: true });
  });

  it('ships only what a user needs', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
    const unexpected = files.filter(
      (file) => !/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(files.some((file) => file.includes('.tsbuildinfo'))).toBe(false);
  });

  it('imports from a plain ESM project and raises an alert', async () => {
    const script = `
      import { AnomalyMonitor } from 'secmon';
      const monitor = new AnomalyMonitor({ bruteForce: { threshold: 2 } });
      const alerts = [];
      monitor.onAlert((alert) => { alerts.push(alert.type); });
      monitor.recordFailedAuth('192.0.2.1');
      monitor.recordFailedAuth('192.0.2.1:4444');
      const { redisStore } = await import('secmon/redis');
      const quiet = { info() {}, warn() {} };
      const shared = new AnomalyMonitor({
        bruteForce: { threshold: 2 },
        store: redisStore({ url: 'redis://127.0.0.1:1', connectWaitMs: 0, logger: quiet }),
      });
      const degraded = [];
      shared.onAlert((alert) => { degraded.push(alert.metadata.degraded); });
      await shared.ready();
      shared.recordFailedAuth('192.0.2.9');
      shared.recordFailedAuth('192.0.2.9');
      await shared.settled();
      await shared.close();
      console.log(JSON.stringify({ alerts, monitored: monitor.getStats().monitoredIps, degraded }));
    `;
    await writeFile(join(consumer, 'consumer.mjs'), script);
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer });
    // secmon/redis loads from the package; with no Redis there, the store decides under its policy.
    expect(JSON.parse(stdout)).toEqual({ alerts: ['brute_force'], monitored: 1, degraded: ['fallback'] });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    const source = `
      import { AnomalyMonitor, type Alert, type MonitorStats } from 'secmon';
      import { type OtelExport, startOtelExport } from 'secmon/otel';
      import { type OutagePolicy, redisStore } from 'secmon/redis';
      import { guardSinks, type SinkGuard, SecmonBlockedError, withRequestInputs } from 'secmon/guard';
      const monitor = new AnomalyMonitor({ maxTrackedIps: 10 });
      const guard: SinkGuard = guardSinks(monitor, { mode: 'block', sinks: ['command'] });
      const blocked: number = guard.stats().blocked;
      withRequestInputs({ ip: '192.0.2.1', inputs: ['x'] }, () => blocked);
      void (new SecmonBlockedError('command_injection', 'child_process.exec', 'pipe', undefined).status satisfies 403);
      guard();
      // @ts-expect-error mode is 'record' or 'block'
      guardSinks(monitor, { mode: 'deny' });
      monitor.onAlert((alert: Alert) => { const severity: 'low' | 'medium' | 'high' | 'critical' = alert.severity; void severity; });
      const stats: MonitorStats = monitor.getStats();
      const n: number = stats.monitoredIps;
      const otel: OtelExport = startOtelExport(monitor, { env: {}, maxQueueSize: 100, onError: (e: Error) => void e });
      void otel.shutdown(1000);
      const policy: OutagePolicy = 'fail-closed';
      const shared = new AnomalyMonitor({ store: redisStore({ url: 'redis://127.0.0.1:1', outagePolicy: policy, connectWaitMs: 0 }) });
      void shared.close();
      // @ts-expect-error threshold is a number
      new AnomalyMonitor({ bruteForce: { threshold: 'ten' } });
      export { n };
    `;
    await writeFile(join(consumer, 'consumer.ts'), source);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer }).catch(
      (error: { stdout: string }) => error,
    );
    expect('stdout' in result ? result.stdout : '').toBe('');
  });

  it('exports the detectors, the container inspection and the sink guard', async () => {
    const script = `
      import { execSync } from 'node:child_process';
      import { AnomalyMonitor, detectCommandInjection, detectInjectedCommand, detectPathTraversal, detectTraversedPath, inspectContainerConfig } from 'secmon';
      import { guardSinks, withRequestInputs } from 'secmon/guard';
      const guard = guardSinks(new AnomalyMonitor(), { mode: 'block' });
      const blocked = withRequestInputs({ ip: '192.0.2.1', inputs: ['x; id'] }, () => {
        try { execSync('echo x; id'); return false; } catch (error) { return error.code; }
      });
      guard();
      console.log(JSON.stringify({
        traversal: detectPathTraversal('..%2f..%2fetc%2fpasswd')?.rule,
        injection: detectCommandInjection('x; cat /etc/passwd')?.kind,
        container: inspectContainerConfig({ HostConfig: { Privileged: true } }).map((f) => f.type),
        sinkCommand: detectInjectedCommand('ping -c 1 x; id', 'x; id')?.rule,
        sinkPath: detectTraversedPath('/srv/../etc/passwd', '../etc/passwd')?.rule,
        blocked,
      }));
    `;
    await writeFile(join(consumer, 'detectors.mjs'), script);
    const { stdout } = await run(process.execPath, ['detectors.mjs'], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({
      traversal: 'dot-dot-segment',
      injection: 'command_injection',
      container: ['privilege_escalation'],
      sinkCommand: 'command-separator',
      sinkPath: 'parent-escape',
      blocked: 'SECMON_ERR_BLOCKED',
    });
  });

  it('declares the exports map and engines the README promises', async () => {
    const manifest = JSON.parse(
      await readFile(join(consumer, 'node_modules', 'secmon', 'package.json'), 'utf8'),
    );
    expect(manifest.type).toBe('module');
    expect(manifest.engines.node).toBe('>=20.6');
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(manifest.exports['./otel']).toEqual({ types: './dist/otel.d.ts', import: './dist/otel.js' });
    expect(manifest.exports['./redis']).toEqual({ types: './dist/redis.d.ts', import: './dist/redis.js' });
    expect(manifest.exports['./guard']).toEqual({ types: './dist/guard.d.ts', import: './dist/guard.js' });
  });
});
