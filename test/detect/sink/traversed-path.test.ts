import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPathTraversal, detectTraversedPath } from '../../../src/index.js';
import { PATH_ATTACKS, PATH_BENIGN } from './path-pairs.js';

describe('detectTraversedPath: attacks caught where the file is opened', () => {
  it.each(PATH_ATTACKS)('%j with input %j: %s', (target, input, rule) => {
    const found = detectTraversedPath(target, input);
    expect(found?.rule).toBe(rule);
    expect(found?.kind).toBe('path_traversal');
  });
});

describe('detectTraversedPath: benign pairs pass', () => {
  it.each(PATH_BENIGN)('%j with input %j', (target, input) => {
    expect(detectTraversedPath(target, input)).toBeNull();
  });
});

describe('detectTraversedPath: what path.join and path.resolve make of an input', () => {
  const base = '/srv/files';

  it('join(base, "../../etc/passwd") is /etc/passwd: still a finding', () => {
    const input = '../../etc/passwd';
    expect(path.posix.join(base, input)).toBe('/etc/passwd');
    expect(detectTraversedPath(path.posix.join(base, input), input)?.rule).toBe('normalised-parent-escape');
  });

  it('an absolute input joined under a base stays inside it; resolved, it leaves', () => {
    const input = '/etc/hostname';
    expect(detectTraversedPath(path.posix.join(base, input), input)).toBeNull();
    expect(detectTraversedPath(path.posix.resolve(base, input), input)?.rule).toBe('sensitive-absolute-path');
  });

  it('Windows: join and resolve alike', () => {
    const winBase = 'C:\\srv\\files';
    expect(
      detectTraversedPath(path.win32.join(winBase, '..\\..\\Windows\\win.ini'), '..\\..\\Windows\\win.ini')
        ?.rule,
    ).toBe('normalised-parent-escape');
    expect(
      detectTraversedPath(path.win32.resolve(winBase, 'C:\\Windows\\win.ini'), 'C:\\Windows\\win.ini')?.rule,
    ).toBe('sensitive-absolute-path');
    expect(
      detectTraversedPath(path.win32.join(winBase, 'C:\\Windows\\win.ini'), 'C:\\Windows\\win.ini'),
    ).toBeNull();
  });
});

describe('detectTraversedPath: values the request-level detector flags that are harmless at the sink', () => {
  it.each([
    ['/srv/site/.github/workflows/ci.yml', '/.github/workflows/ci.yml'],
    ['/srv/files/etc/hostname', '/etc/hostname'],
    ['/srv/files/.env', '.env'],
    ['/srv/files/b.txt', 'a/../b.txt'],
    ['/srv/repos/app/.git/config', '.git/config'],
  ])('%j with input %j', (target, input) => {
    expect(detectPathTraversal(input)).not.toBeNull();
    expect(detectTraversedPath(target, input)).toBeNull();
  });
});

describe('detectTraversedPath: explaining the finding', () => {
  it('names the rule and shows the path around the climbing input, escaped', () => {
    expect(detectTraversedPath('/srv/files/../../etc/passwd', '../../etc/passwd')).toEqual({
      kind: 'path_traversal',
      rule: 'parent-escape',
      excerpt: '/srv/files/../../etc/passwd',
    });
    expect(detectTraversedPath('/srv/files/\u001b../x', '\u001b../x')).toBeNull();
    expect(detectTraversedPath('/srv/\u001b/../../x', '\u001b/../../x')?.excerpt).toBe('/srv/\\x1b/../../x');
  });

  it('returns null for non-strings', () => {
    expect(detectTraversedPath(undefined as unknown as string, '../x')).toBeNull();
    expect(detectTraversedPath('../x', null as unknown as string)).toBeNull();
  });
});
