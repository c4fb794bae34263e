// What `npm pack` ships: the library, its declarations, and the operator files (rules, Alertmanager
// example, dashboard, provisioning, runbooks) at the paths the README gives; and the manifest a
// registry and npm read (engines, peer dependencies, where the project lives).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinaries } from '../support/processes.js';
import { type ConsumerProject, type PackedPackage, packPackage, root } from './consumer-project.js';

const run = promisify(execFile);
const REPOSITORY = 'https://github.com/secmon/secmon';

let packed: PackedPackage;
let esm: ConsumerProject;
beforeAll(async () => {
  packed = await packPackage();
  esm = await packed.consumer('esm', { type: 'module' });
}, 120_000);
afterAll(async () => {
  await packed?.cleanup();
});

/** The files and directories the README's "Operator files" table names (paths inside the package). */
async function operatorFilesInReadme(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const table = /<!-- operator-files:start -->\n([\s\S]*?)\n<!-- operator-files:end -->/.exec(readme)?.[1];
  if (table === undefined) throw new Error('README.md has no operator-files table');
  return [...table.matchAll(/^\| `node_modules\/secmon\/([^`]+)`/gm)].map((match) => match[1]!);
}

describe('the packed package', () => {
  it('ships the library, its declarations and the operator files, nothing else', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/index.d.cts', 'package.json']),
    );
    expect(packed.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'CHANGELOG.md']));
    const unexpected = packed.files.filter(
      (file) =>
        !/^(dist\/|prometheus\/|grafana\/|docs\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(
          file,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files.some((file) => file.includes('.tsbuildinfo'))).toBe(false);
  });

  it('ships every operator file the README lists, at the path it gives', async () => {
    const listed = await operatorFilesInReadme();
    expect(listed).toEqual(
      expect.arrayContaining([
        'prometheus/rules/secmon.rules.yml',
        'prometheus/alertmanager.yml',
        'grafana/dashboards/secmon.json',
        'grafana/provisioning/',
        'docs/runbooks.md',
        'docs/existing-prometheus-grafana.md',
      ]),
    );
    for (const path of listed) {
      if (path.endsWith('/'))
        expect(
          packed.files.some((file) => file.startsWith(path)),
          path,
        ).toBe(true);
      else expect(packed.files, path).toContain(path);
    }
    for (const dir of ['datasources', 'dashboards', 'alerting']) {
      expect(
        packed.files.some((file) => file.startsWith(`grafana/provisioning/${dir}/`)),
        dir,
      ).toBe(true);
    }
    // The shipped files are the committed ones (the generated ones are checked against their source
    // by test/observability).
    for (const path of listed.filter((entry) => !entry.endsWith('/'))) {
      expect(await readFile(join(esm.dir, 'node_modules/secmon', path), 'utf8'), path).toBe(
        await readFile(join(root, path), 'utf8'),
      );
    }
  });

  it('imports from a plain ESM project and raises an alert', async () => {
    await esm.write(
      'consumer.js',
      `
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
    `,
    );
    // secmon/redis loads from the package; with no Redis there, the store decides under its policy.
    expect(JSON.parse(await esm.node('consumer.js'))).toEqual({
      alerts: ['brute_force'],
      monitored: 1,
      degraded: ['fallback'],
    });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    await esm.write(
      'typed.ts',
      `
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
    `,
    );
    const result = await esm.tsc(
      {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      ['typed.ts'],
    );
    expect(result.output).toBe('');
  });

  it('exports the detectors, the container inspection and the sink guard', async () => {
    await esm.write(
      'detectors.js',
      `
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
    `,
    );
    expect(JSON.parse(await esm.node('detectors.js'))).toEqual({
      traversal: 'dot-dot-segment',
      injection: 'command_injection',
      container: ['privilege_escalation'],
      sinkCommand: 'command-separator',
      sinkPath: 'parent-escape',
      blocked: 'SECMON_ERR_BLOCKED',
    });
  });
});

describe('the packed package.json', () => {
  it('asks for the Node versions where CommonJS can require() it, the ones the README states', async () => {
    const { engines } = packed.manifest;
    expect(engines.node).toBe('^20.19.0 || >=22.12.0');
    // require(esm) works without a flag from 20.19 on the 20 line and from 22.12: nothing else.
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '24.0.0', '26.1.0']) {
      expect(semver.satisfies(version, engines.node), version).toBe(true);
    }
    for (const version of ['20.6.0', '20.18.3', '21.7.3', '22.11.0']) {
      expect(semver.satisfies(version, engines.node), version).toBe(false);
    }
    // This test runs on a supported Node, and the README says the same floors.
    expect(semver.satisfies(process.versions.node, engines.node)).toBe(true);
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('Node.js 20.19 or newer on the 20 line, 22.12 or newer after it');
    expect(readme).not.toMatch(/Node\.js 20\.6/);
  });

  it('takes Express from the app (4 or 5, a peer dependency), never a copy of its own', async () => {
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = packed.manifest;
    expect(dependencies.express).toBeUndefined();
    expect(peerDependencies.express).toBe('^4.21.2 || ^5.0.0');
    // The main entry point (the event API router) and `secmon serve` load Express: npm installs it
    // with secmon unless the app already has a version in range.
    expect(peerDependenciesMeta.express?.optional).not.toBe(true);
    // The two Express versions the tests run on (the lockfile's express and the express4 alias).
    for (const name of ['express', 'express4']) {
      const { version } = JSON.parse(
        await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8'),
      );
      expect(semver.satisfies(version, peerDependencies.express ?? ''), `${name} ${version}`).toBe(true);
    }
  });

  it('says where the project lives: repository, homepage and bug tracker on one GitHub home', () => {
    const { repository, homepage, bugs } = packed.manifest;
    expect(repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(homepage).toBe(`${REPOSITORY}#readme`);
    expect(bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });
});

const bins = requireBinaries(
  { promtool: ['promtool'], amtool: ['amtool'] },
  'apt-get install prometheus prometheus-alertmanager (Debian packages)',
);

describe.skipIf(!bins)('the operator files as installed in node_modules/secmon', () => {
  it('pass promtool (rules and their unit tests) and amtool (Alertmanager example)', async () => {
    const installed = join(esm.dir, 'node_modules/secmon');
    const rules = await run(bins!.promtool, ['check', 'rules', 'prometheus/rules/secmon.rules.yml'], {
      cwd: installed,
    });
    expect(rules.stdout).toContain('SUCCESS');
    const tests = await run(bins!.promtool, ['test', 'rules', 'prometheus/tests/secmon.rules.test.yml'], {
      cwd: installed,
    });
    expect(tests.stdout).toContain('SUCCESS');
    const alertmanager = await run(bins!.amtool, ['check-config', 'prometheus/alertmanager.yml'], {
      cwd: installed,
    });
    expect(alertmanager.stdout).toContain('SUCCESS');
  });
});
