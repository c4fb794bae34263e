// Throwaway projects that consume the packed package the way a user's project does, without a
// registry: `npm pack` the repository, extract the tarball into the project's node_modules/secmon,
// and link exactly the dependencies and peer dependencies the packed package.json declares from the
// repository's node_modules (the same versions the lockfile pins). An import of anything undeclared
// (a dev dependency) then fails as it would after `npm install secmon`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../..');
const repoModules = join(root, 'node_modules');

/** The parts of the packed package.json the tests read. */
export interface PackedManifest {
  name: string;
  type: string;
  engines: { node: string };
  main?: string;
  types?: string;
  exports: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  repository?: { type: string; url: string };
  homepage?: string;
  bugs?: { url: string };
  files: string[];
}

/** The tarball `npm pack` made of the repository (dist/ must be built: `npm test` builds first). */
export interface PackedPackage {
  tarball: string;
  /** Paths inside the package, as `npm pack` lists them. */
  files: string[];
  manifest: PackedManifest;
  /** The specifiers its exports map offers to code: `secmon`, `secmon/otel`, ... */
  entryPoints: string[];
  /** Makes a consumer project in a directory of its own under the pack's temporary directory. */
  consumer(name: string, options: ConsumerOptions): Promise<ConsumerProject>;
  cleanup(): Promise<void>;
}

export interface ConsumerOptions {
  /** The consumer's package.json `type`. */
  type: 'module' | 'commonjs';
  /** Which Express the project has installed: `express` (5) or `express4`. Default `express`. */
  express?: 'express' | 'express4';
}

export interface ConsumerProject {
  dir: string;
  write(file: string, text: string): Promise<void>;
  /** Runs a file with this Node; resolves with stdout, rejects with the output on a non-zero exit. */
  node(file: string, env?: Record<string, string>): Promise<string>;
  /** Runs the repository's TypeScript on a tsconfig.json written from `compilerOptions`. */
  tsc(compilerOptions: Record<string, unknown>, files: string[]): Promise<{ code: number; output: string }>;
}

/** Packs the repository into a fresh temporary directory. */
export async function packPackage(): Promise<PackedPackage> {
  if (!existsSync(join(root, 'dist', 'index.js')))
    throw new Error('dist/ is missing: run `npm test`, which builds first');
  const dir = await mkdtemp(join(tmpdir(), 'secmon-packed-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(dir, packed!.filename);
  const manifest = JSON.parse(
    (await run('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 1 << 20 })).stdout,
  ) as PackedManifest;
  const entryPoints = Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => `${manifest.name}${key.slice(1)}`);

  return {
    tarball,
    files: packed!.files.map((file) => file.path),
    manifest,
    entryPoints,
    consumer: (name, options) => makeConsumer(join(dir, name), tarball, manifest, options),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function link(projectModules: string, name: string, target = name): Promise<void> {
  const at = join(projectModules, name);
  await mkdir(dirname(at), { recursive: true });
  await symlink(join(repoModules, target), at, 'dir');
}

async function makeConsumer(
  dir: string,
  tarball: string,
  manifest: PackedManifest,
  options: ConsumerOptions,
): Promise<ConsumerProject> {
  const modules = join(dir, 'node_modules');
  const own = join(modules, manifest.name);
  await mkdir(own, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', own, '--strip-components=1']);
  const express = options.express ?? 'express';
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    await link(modules, name, name === 'express' ? express : name);
  }
  // What a TypeScript user of an Express app has installed beside it.
  await link(modules, '@types/node');
  await link(modules, '@types/express');
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: options.type }, null, 2),
  );

  return {
    dir,
    write: (file, text) => writeFile(join(dir, file), text),
    async node(file, env = {}) {
      try {
        const { stdout } = await run(process.execPath, [file], { cwd: dir, env: { ...process.env, ...env } });
        return stdout;
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(
          `node ${file} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`,
        );
      }
    },
    async tsc(compilerOptions, files) {
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
      const tsc = join(repoModules, 'typescript', 'bin', 'tsc');
      try {
        const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });
        return { code: 0, output: stdout };
      } catch (error) {
        const failure = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
      }
    },
  };
}
