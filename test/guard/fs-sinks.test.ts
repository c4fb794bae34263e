import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { guardSinks, SecmonBlockedError } from '../../src/guard.js';
import { guardHarness } from './harness.js';

// work/files is where the application serves from; work/private/secret.txt must stay out of reach.
const work = fs.mkdtempSync(path.join(tmpdir(), 'secmon-fs-'));
const base = path.join(work, 'files');
const secret = path.join(work, 'private', 'secret.txt');
fs.mkdirSync(base);
fs.mkdirSync(path.dirname(secret));
fs.writeFileSync(path.join(base, 'report.txt'), 'report');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const ATTACK = '../private/secret.txt';
const outside = path.join(base, ATTACK); // = secret, normalised by path.join

const original = {
  readFile: fs.readFile,
  readFileSync: fs.readFileSync,
  realpath: fs.realpath,
  realpathNative: fs.realpath.native,
  exists: fs.exists,
  promisesReadFile: fsp.readFile,
  createReadStream: fs.createReadStream,
};

const t = guardHarness('198.51.100.4');
beforeEach(() => {
  fs.writeFileSync(secret, 'secret');
});
const inRequest = t.inRequest;

function settle<T>(
  run: (callback: (error: unknown, value?: T) => void) => void,
): Promise<[unknown, T | undefined]> {
  return new Promise((resolve) => run((error, value) => resolve([error ?? null, value])));
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(text));
  });
}

describe('fs wrappers look like the functions they wrap', () => {
  it('same names, arities and own properties; the promise forms are guarded too; unwrapping restores them', () => {
    t.guard = guardSinks(t.monitor);
    expect(fs.readFile).not.toBe(original.readFile);
    expect(fsp.readFile).not.toBe(original.promisesReadFile);
    for (const name of ['readFile', 'writeFileSync', 'createReadStream', 'rename', 'existsSync'] as const) {
      expect(fs[name].name).toBe(name);
    }
    expect(fs.readFile.length).toBe(original.readFile.length);
    expect(fsp.readFile.length).toBe(original.promisesReadFile.length);
    expect(typeof fs.realpath.native).toBe('function');
    expect(fs.realpath.native).not.toBe(original.realpathNative);
    expect((fs.exists as unknown as Record<symbol, unknown>)[promisify.custom]).not.toBe(
      (original.exists as unknown as Record<symbol, unknown>)[promisify.custom],
    );
    t.guard();
    t.guard = undefined;
    expect(fs.readFile).toBe(original.readFile);
    expect(fsp.readFile).toBe(original.promisesReadFile);
    expect(fs.realpath).toBe(original.realpath);
    expect(fs.realpath.native).toBe(original.realpathNative);
  });

  it('benign calls in a request behave exactly as unwrapped: data, errors, streams, handles', async () => {
    const report = path.join(base, 'report.txt');
    const missing = path.join(base, 'missing.txt');
    const observe = async () => ({
      callback: await settle<string>((cb) => fs.readFile(report, 'utf8', cb)),
      missing: await settle((cb) =>
        fs.readFile(missing, (error) => cb((error as NodeJS.ErrnoException).code)),
      ),
      sync: fs.readFileSync(report, 'utf8'),
      syncMissing: (() => {
        try {
          fs.readFileSync(missing);
        } catch (error) {
          return (error as NodeJS.ErrnoException).code;
        }
      })(),
      promise: await fsp.readFile(report, 'utf8'),
      promiseMissing: await fsp.readFile(missing).catch((error) => error.code),
      stream: await readAll(fs.createReadStream(report, 'utf8')),
      exists: await promisify(fs.exists)(report),
      existsSync: fs.existsSync(missing),
      handle: await fsp.open(report).then(async (handle) => {
        const text = await handle.readFile('utf8');
        await handle.close();
        return text;
      }),
      readdir: fs.readdirSync(base).sort(),
      badArgument: (() => {
        try {
          fs.readFile(report, 'utf8', 'not a callback' as never);
        } catch (error) {
          return (error as NodeJS.ErrnoException).code;
        }
      })(),
      realpathNative: await settle<string>((cb) => fs.realpath.native(base, cb)),
      fd: (() => {
        const fd = fs.openSync(report, 'r');
        const text = fs.readFileSync(fd, 'utf8');
        fs.closeSync(fd);
        return text;
      })(),
    });
    const unwrapped = await observe();
    t.guard = guardSinks(t.monitor, { mode: 'block' });
    const wrapped = await inRequest(['report.txt', 'missing.txt'], observe);
    expect(wrapped).toEqual(unwrapped);
    expect(unwrapped.callback).toEqual([null, 'report']);
    expect(t.guard.stats()).toMatchObject({ findings: 0, blocked: 0, detectionErrors: 0 });
    expect(t.guard.stats().checked).toBeGreaterThan(10);
  });
});

describe('fs in block mode: the file is never touched', () => {
  beforeEach(() => {
    t.guard = guardSinks(t.monitor, { mode: 'block' });
  });

  it('reports the error as each form reports errors', async () => {
    await inRequest([ATTACK], async () => {
      const [error] = await settle((cb) => fs.readFile(outside, cb));
      expect(error).toBeInstanceOf(SecmonBlockedError);
      expect(error).toMatchObject({
        kind: 'path_traversal',
        sink: 'fs.readFile',
        rule: 'normalised-parent-escape',
        status: 403,
      });
      expect(() => fs.readFileSync(outside)).toThrow(SecmonBlockedError);
      await expect(fsp.readFile(outside)).rejects.toMatchObject({ sink: 'fs.promises.readFile' });
      await expect(readAll(fs.createReadStream(outside))).rejects.toBeInstanceOf(SecmonBlockedError);
      expect(fs.existsSync(outside)).toBe(false);
      expect(await settle((cb) => fs.exists(outside, (found) => cb(null, found)))).toEqual([null, false]);
      expect(await promisify(fs.exists)(outside)).toBe(false);
      expect(() => fs.readFileSync(pathToFileURL(outside))).toThrow(SecmonBlockedError);
      expect(() => fs.readFileSync(Buffer.from(outside))).toThrow(SecmonBlockedError);
      const [nativeError] = await settle((cb) => fs.realpath.native(outside, cb));
      expect(nativeError).toBeInstanceOf(SecmonBlockedError);
    });
    expect(t.alerts.map((a) => [a.type, a.sourceIp, a.metadata?.sink, a.metadata?.path])).toEqual([
      ['path_traversal', '198.51.100.4', 'fs.readFile', outside],
    ]);
  });

  it('writes, deletes, renames and copies do not happen', async () => {
    const written = path.join(base, '../private/new.txt');
    await inRequest([ATTACK, '../private/new.txt'], async () => {
      expect(() => fs.writeFileSync(written, 'x')).toThrow(SecmonBlockedError);
      await expect(fsp.writeFile(written, 'x')).rejects.toBeInstanceOf(SecmonBlockedError);
      expect(() => fs.unlinkSync(outside)).toThrow(SecmonBlockedError);
      await expect(fsp.rm(outside)).rejects.toBeInstanceOf(SecmonBlockedError);
      // Two paths: the source is the application's own, the destination the attacker's.
      expect(() => fs.copyFileSync(path.join(base, 'report.txt'), outside)).toThrow(SecmonBlockedError);
      await expect(fsp.rename(path.join(base, 'report.txt'), outside)).rejects.toBeInstanceOf(
        SecmonBlockedError,
      );
      const sink = fs.createWriteStream(written);
      const failure = new Promise((resolve) => sink.on('error', resolve));
      sink.write('x');
      expect(await failure).toBeInstanceOf(SecmonBlockedError);
    });
    expect(fs.existsSync(written)).toBe(false);
    expect(fs.readFileSync(secret, 'utf8')).toBe('secret');
    expect(fs.readFileSync(path.join(base, 'report.txt'), 'utf8')).toBe('report');
  });

  it('a blocked stream nobody listens to for errors closes quietly instead of crashing the process', async () => {
    const stream = inRequest([ATTACK], () => fs.createReadStream(outside));
    await new Promise<void>((resolve) => stream.on('close', () => resolve()));
    expect(stream.destroyed).toBe(true);
  });

  it('outside a request nothing is checked', () => {
    expect(fs.readFileSync(outside, 'utf8')).toBe('secret');
    expect(t.guard!.stats().checked).toBe(0);
  });
});

describe('fs in record mode', () => {
  it('reads, and records where', () => {
    t.guard = guardSinks(t.monitor, { mode: 'record', sinks: ['file'] });
    const text = inRequest([ATTACK], () => fs.readFileSync(outside, 'utf8'));
    expect(text).toBe('secret');
    expect(t.alerts.map((a) => a.metadata?.sink)).toEqual(['fs.readFileSync']);
    expect(t.monitor.getStats().sinkFindings).toEqual({ command: 0, file: 1 });
  });
});
