// The packed package from every kind of project a user has: ESM and CommonJS JavaScript, TypeScript
// under each module resolution (node16, nodenext, bundler, node10), Express 4 and 5 apps. secmon
// ships one ESM build; CommonJS loads it through require(esm), which needs no top-level await
// anywhere in the graph of an entry point. Every entry point of the exports map is checked, so a
// new one (`secmon/guard`, ...) is covered once it is in package.json.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor } from '../support/processes.js';
import { type ConsumerProject, type PackedPackage, packPackage } from './consumer-project.js';

let packed: PackedPackage;
beforeAll(async () => {
  packed = await packPackage();
}, 120_000);
afterAll(async () => {
  await packed?.cleanup();
});

/** `secmon/otel` -> `./otel`, `secmon` -> `.` */
const subpath = (specifier: string) => `.${specifier.slice(packed.manifest.name.length)}`;

describe('the exports map', () => {
  it('offers every entry point to import and to require, each with its own declarations', () => {
    expect(packed.entryPoints[0]).toBe('secmon');
    expect(packed.entryPoints).toEqual(
      expect.arrayContaining(['secmon', 'secmon/otel', 'secmon/redis', 'secmon/guard']),
    );
    for (const specifier of packed.entryPoints) {
      const base = specifier === 'secmon' ? 'index' : specifier.slice('secmon/'.length);
      expect(packed.manifest.exports[subpath(specifier)], specifier).toEqual({
        import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
        require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.js` },
      });
      for (const file of [`dist/${base}.js`, `dist/${base}.d.ts`, `dist/${base}.d.cts`]) {
        expect(packed.files, specifier).toContain(file);
      }
      // TypeScript's node10 resolution does not read `exports`: typesVersions points it at the types.
      if (specifier !== 'secmon') {
        expect(packed.manifest.typesVersions?.['*']?.[base], specifier).toEqual([`./dist/${base}.d.ts`]);
      }
    }
    expect(packed.manifest.types).toBe('./dist/index.d.ts');
  });

  it('loads every entry point with import and with require, with the same exports', async () => {
    const esm = await packed.consumer('load-esm', { type: 'module' });
    await esm.write(
      'load.js',
      `const names = {};
       for (const specifier of ${JSON.stringify(packed.entryPoints)}) names[specifier] = Object.keys(await import(specifier)).sort();
       console.log(JSON.stringify(names));`,
    );
    const cjs = await packed.consumer('load-cjs', { type: 'commonjs' });
    await cjs.write(
      'load.js',
      `const names = {};
       for (const specifier of ${JSON.stringify(packed.entryPoints)}) names[specifier] = Object.keys(require(specifier)).sort();
       console.log(JSON.stringify(names));`,
    );
    const imported = JSON.parse(await esm.node('load.js')) as Record<string, string[]>;
    // A top-level await in the graph would make this throw ERR_REQUIRE_ASYNC_MODULE.
    const required = JSON.parse(await cjs.node('load.js')) as Record<string, string[]>;
    expect(required).toEqual(imported);
    for (const specifier of packed.entryPoints)
      expect(imported[specifier]!.length, specifier).toBeGreaterThan(0);
    expect(imported.secmon).toEqual(expect.arrayContaining(['AnomalyMonitor', 'requestGuard', 'eventApi']));
  });
});

/** A TypeScript consumer: imports every entry point (each must have real types, not `any`) and raises an alert. */
function typescriptSource(entryPoints: string[]): string {
  const imports = entryPoints.map((specifier, index) => `import * as entry${index} from '${specifier}';`);
  const checks = entryPoints.map(
    (_, index) => `const typed${index}: NotAny<typeof entry${index}> = entry${index};`,
  );
  return `${imports.join('\n')}
import { type Alert, AnomalyMonitor } from 'secmon';
type NotAny<T> = 0 extends 1 & T ? never : T;
${checks.join('\n')}
const monitor = new AnomalyMonitor({ bruteForce: { threshold: 2 } });
const seen: Alert['type'][] = [];
monitor.onAlert((alert: Alert) => {
  seen.push(alert.type);
});
monitor.recordFailedAuth('192.0.2.1');
monitor.recordFailedAuth('192.0.2.1:4444');
// Never called: the compiler must refuse it.
export const refused = () =>
  // @ts-expect-error threshold is a number
  new AnomalyMonitor({ bruteForce: { threshold: 'ten' } });
console.log(JSON.stringify({ seen, entries: [${entryPoints.map((_, index) => `Object.keys(typed${index}).length`).join(', ')}] }));
`;
}

// `checkDeclarations` type-checks every declaration file too (skipLibCheck: false, about 6 s each):
// once for the ESM declarations (.d.ts) and once for their CommonJS twins (.d.cts). The other setups
// prove that their resolution finds real types (NotAny) and that the compiled code runs.
const TYPESCRIPT_SETUPS: Array<{
  name: string;
  type: 'module' | 'commonjs';
  compilerOptions: Record<string, unknown>;
  checkDeclarations?: boolean;
}> = [
  { name: 'node16, ESM', type: 'module', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  {
    name: 'node16, CommonJS',
    type: 'commonjs',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    checkDeclarations: true,
  },
  {
    name: 'nodenext, ESM',
    type: 'module',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    checkDeclarations: true,
  },
  {
    name: 'nodenext, CommonJS',
    type: 'commonjs',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  { name: 'bundler', type: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
  {
    name: 'node10, CommonJS',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
  },
];

describe('a TypeScript consumer', () => {
  it.each(TYPESCRIPT_SETUPS)(
    'type-checks against the shipped declarations and runs under $name',
    async ({ name, type, compilerOptions, checkDeclarations = false }) => {
      const consumer = await packed.consumer(`ts-${name.replace(/\W+/g, '-')}`, { type });
      await consumer.write('consumer.ts', typescriptSource(packed.entryPoints));
      const result = await consumer.tsc(
        {
          ...compilerOptions,
          target: 'ES2022',
          strict: true,
          skipLibCheck: !checkDeclarations,
          types: ['node'],
          outDir: 'out',
        },
        ['consumer.ts'],
      );
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
      const output = JSON.parse(await consumer.node('out/consumer.js')) as {
        seen: string[];
        entries: number[];
      };
      expect(output.seen).toEqual(['brute_force']);
      expect(output.entries).toHaveLength(packed.entryPoints.length);
      for (const count of output.entries) expect(count).toBeGreaterThan(0);
    },
    60_000,
  );
});

/** An Express app using every piece of secmon's middleware; prints what a client saw. */
function expressApp(type: 'module' | 'commonjs'): string {
  const header =
    type === 'module'
      ? `import { createRequire } from 'node:module';
         import express from 'express';
         import * as secmon from 'secmon';
         const require = createRequire(import.meta.url);`
      : `const express = require('express');
         const secmon = require('secmon');`;
  return `${header}
const { AnomalyMonitor, eventApi, metricsHandler, recordAuthFailures, registerPrometheusMetrics, requestGuard } = secmon;
// One Express: the one secmon's own import resolves to is the app's.
const secmonDir = require('node:path').dirname(require.resolve('secmon'));
const sameExpress = require.resolve('express', { paths: [secmonDir] }) === require.resolve('express');
const monitor = new AnomalyMonitor({ bruteForce: { threshold: 2 } });
const app = express();
app.use(express.json());
app.use(eventApi(monitor, { tokens: ['consumer-ingest-token-0123'] }));
app.use(requestGuard(monitor, { mode: 'block' }));
app.use('/login', recordAuthFailures(monitor));
app.post('/login', (_req, res) => { res.status(401).json({ error: 'bad password' }); });
app.get('/metrics', metricsHandler({ registry: registerPrometheusMetrics(monitor) }));
app.use((_req, res) => { res.json({ ok: true }); });
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const blocked = await fetch(base + '/download?file=..%2F..%2Fetc%2Fpasswd');
  await fetch(base + '/login', { method: 'POST' });
  await fetch(base + '/login', { method: 'POST' });
  const ingest = await fetch(base + '/v1/events', {
    method: 'POST',
    headers: { authorization: 'Bearer consumer-ingest-token-0123', 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'command_injection', ip: '192.0.2.9', input: 'x; cat /etc/passwd' }),
  });
  const metrics = await (await fetch(base + '/metrics')).text();
  server.close();
  console.log(JSON.stringify({
    express: require('express/package.json').version,
    sameExpress,
    blocked: blocked.status,
    ingest: ingest.status,
    alerts: metrics.split('\\n').filter((line) => /^secmon_alerts_total\\{.*\\} [1-9]/.test(line)).sort(),
  }));
});
`;
}

describe('an Express app', () => {
  it.each([
    { type: 'commonjs', express: 'express4', major: '4' },
    { type: 'module', express: 'express4', major: '4' },
    { type: 'commonjs', express: 'express', major: '5' },
    { type: 'module', express: 'express', major: '5' },
  ] as const)(
    'on Express $major ($type) runs secmon on its own Express, with no second copy',
    async ({ type, express, major }) => {
      const consumer: ConsumerProject = await packed.consumer(`express-${major}-${type}`, { type, express });
      await consumer.write('app.js', expressApp(type));
      const result = JSON.parse(await consumer.node('app.js'));
      expect(result.express.split('.')[0]).toBe(major);
      expect(result).toMatchObject({ sameExpress: true, blocked: 400, ingest: 202 });
      expect(result.alerts).toEqual([
        'secmon_alerts_total{type="brute_force",severity="high"} 1',
        'secmon_alerts_total{type="command_injection",severity="critical"} 1',
        'secmon_alerts_total{type="path_traversal",severity="high"} 1',
      ]);
    },
    30_000,
  );
});

describe('`secmon serve` installed in an Express 4 project (npx secmon serve)', () => {
  it("runs on the project's Express 4 and answers as it does on 5", async () => {
    const consumer = await packed.consumer('serve-express-4', { type: 'commonjs', express: 'express4' });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const token = 'serve-express4-token-0123';
    const service = startProcess(
      process.execPath,
      [join('node_modules', 'secmon', 'dist', 'service', 'cli.js'), 'serve'],
      {
        cwd: consumer.dir,
        env: {
          ...process.env,
          SECMON_PORT: String(port),
          SECMON_INGEST_TOKENS: token,
          SECMON_LOG_LEVEL: 'warn',
        },
        name: 'secmon serve (Express 4)',
      },
    );
    try {
      await waitFor('secmon serve to be ready', async () => (await fetch(`${base}/readyz`)).ok, {
        timeoutMs: 20_000,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${service.output()}`);
      });
      const post = (body: string) =>
        fetch(`${base}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
      const accepted = await post(JSON.stringify({ type: 'failed_auth', ip: '192.0.2.4' }));
      expect([accepted.status, await accepted.json()]).toEqual([202, { accepted: 1 }]);
      const malformed = await post('{not json');
      expect(malformed.status).toBe(400);
      const unknown = await fetch(`${base}/no-such-page`);
      expect(unknown.status).toBe(404);
      expect(typeof ((await unknown.json()) as { error?: unknown }).error).toBe('string');
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^secmon_failed_auth_total 1$/m);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
