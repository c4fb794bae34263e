// What the Dockerfile and docker-compose.yml do, checked without a container engine: Debian's
// Compose v1 (docker-compose 1.29) parses the compose file; the image's build stage is replayed in a
// temporary directory (its COPY lines, `npm run build`), and the final stage's command and health
// check run on what it built; the production install (`npm ci --omit=dev`) holds every package the
// built code imports.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, requireBinaries, startProcess, waitFor } from '../support/processes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** One stage of the Dockerfile: its name and instructions (continuation lines joined). */
interface Stage {
  name: string;
  instructions: Array<{ op: string; args: string }>;
}

async function dockerfileStages(): Promise<Stage[]> {
  const text = (await readFile(join(root, 'Dockerfile'), 'utf8')).replace(/\\\n\s*/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, op, args] = match as unknown as [string, string, string];
    if (op === 'FROM') stages.push({ name: / AS (\S+)$/i.exec(args)?.[1] ?? 'final', instructions: [] });
    else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

const compose = requireBinaries(
  { compose: ['docker-compose'] },
  'apt-get install docker-compose (Debian package)',
);

describe.skipIf(!compose)('docker-compose.yml under Compose v1 (Debian 12 docker-compose 1.29)', () => {
  it('is accepted, and resolves every service, the demo profile included', async () => {
    const base = [compose!.compose, '--project-directory', root, '-f', join(root, 'docker-compose.yml')];
    const quiet = await run(base[0]!, [...base.slice(1), 'config', '-q'], { cwd: root });
    expect(quiet.stderr).toBe('');
    const services = await run(base[0]!, [...base.slice(1), '--profile', 'demo', 'config', '--services'], {
      cwd: root,
    });
    expect(services.stdout.trim().split('\n').sort()).toEqual(
      ['alertmanager', 'demo', 'grafana', 'otel-collector', 'prometheus', 'redis', 'secmon'].sort(),
    );
    // What v1 resolved: the stack's secmon listens where Prometheus scrapes it, with the Redis store.
    const resolved = parse((await run(base[0]!, [...base.slice(1), 'config'], { cwd: root })).stdout) as {
      services: Record<
        string,
        { environment?: Record<string, string>; ports?: Array<string | { target: number }> }
      >;
    };
    expect(resolved.services.secmon?.environment).toMatchObject({
      SECMON_HOST: '0.0.0.0',
      SECMON_PORT: '9870',
      SECMON_REDIS_URL: 'redis://redis:6379',
    });
  });
});

describe('the image', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secmon-image-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds dist/ from exactly what the build stage copies, and starts and passes its health check', async () => {
    const stages = await dockerfileStages();
    const build = stages.find((stage) => stage.name === 'build')!;
    const app = join(dir, 'build');
    await mkdir(app, { recursive: true });
    for (const { op, args } of build.instructions) {
      if (op === 'COPY') {
        const parts = args.split(/\s+/);
        const dest = parts.pop()!;
        for (const source of parts) {
          const to = dest.endsWith('/') ? join(app, dest, basename(source)) : join(app, dest);
          await cp(join(root, source), to, { recursive: true });
        }
      } else if (op === 'RUN' && /^npm ci\b/.test(args)) {
        // The registry is out of reach: the repository's install of the same lockfile stands in.
        await symlink(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
      } else if (op === 'RUN') {
        await run('sh', ['-c', args], { cwd: app });
      }
    }
    for (const file of ['dist/service/cli.js', 'dist/index.js', 'dist/index.d.cts']) {
      expect((await readdir(join(app, file, '..'))).includes(basename(file)), file).toBe(true);
    }

    // The final stage: dist/ from the build stage, package.json beside it, its CMD and HEALTHCHECK.
    const final = stages.at(-1)!;
    const image = join(dir, 'final');
    await mkdir(image);
    await cp(join(app, 'dist'), join(image, 'dist'), { recursive: true });
    await cp(join(root, 'package.json'), join(image, 'package.json'));
    await symlink(join(root, 'node_modules'), join(image, 'node_modules'), 'dir');
    const cmd = JSON.parse(final.instructions.find((entry) => entry.op === 'CMD')!.args) as string[];
    const healthcheck = JSON.parse(
      /CMD (\[.*\])$/.exec(final.instructions.find((entry) => entry.op === 'HEALTHCHECK')!.args)![1]!,
    ) as string[];
    expect(cmd[0]).toBe('node');
    const port = String(await freePort());
    // The image listens on 0.0.0.0 (ENV SECMON_HOST); here it stays on loopback.
    const env = { ...process.env, NODE_ENV: 'production', SECMON_HOST: '127.0.0.1', SECMON_PORT: port };
    const service = startProcess(process.execPath, cmd.slice(1), { cwd: image, env, name: 'image CMD' });
    try {
      const healthy = await waitFor(
        'the HEALTHCHECK to pass',
        async () => {
          try {
            await run(process.execPath, healthcheck.slice(1), { cwd: image, env });
            return true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${service.output()}`);
      });
      expect(healthy).toBe(true);
    } finally {
      await service.stop();
    }
  }, 120_000);

  it('gets every package the built code imports from the production install (npm ci --omit=dev)', async () => {
    const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
    };
    const imported = new Set<string>();
    const files = (await readdir(join(root, 'dist'), { recursive: true })).filter((file) =>
      file.endsWith('.js'),
    );
    for (const file of files) {
      const text = await readFile(join(root, 'dist', file), 'utf8');
      const statics = text.matchAll(/^\s*(?:import|export)\b[^;(]*?\bfrom\s*['"]([^'"]+)['"]/gm);
      const dynamics = text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
      for (const match of [...statics, ...dynamics]) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:') || specifier.startsWith('.')) continue;
        const parts = specifier.split('/');
        imported.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    expect([...imported]).toEqual(expect.arrayContaining(['express', 'prom-client', 'pino']));
    for (const name of imported) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry, `${name} is not in the lockfile`).toBeDefined();
      expect(
        entry!.dev || entry!.devOptional || entry!.optional,
        `${name} is left out by --omit=dev`,
      ).toBeFalsy();
    }
  });
});
