import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeForInspection } from '../../../src/detect/decoding/decode.js';
import { ENCODING, scanPaths, UNCHECKED } from '../../../src/detect/path-traversal/sensitive-path-scan.js';
import { hit } from '../../../src/detect/text/match.js';
import { detectPathTraversal } from '../../../src/index.js';

function rule(input: string): string | undefined {
  return detectPathTraversal(input)?.rule;
}

describe('detectPathTraversal: parent-directory segments', () => {
  it.each([
    '../../../etc/passwd',
    '..\\..\\..\\windows\\win.ini',
    '/static/../../app.js',
    'file=../secret.txt',
    '.../.../WINDOWS/win.ini',
    '....//....//etc/passwd',
    '..././..././config',
    '/get/..',
    '..',
  ])('catches %s', (input) => {
    expect(rule(input)).toBe('dot-dot-segment');
  });

  it('catches the servlet path-parameter trick ..;/', () => {
    expect(rule('/app/..;/admin/')).toBe('dot-dot-segment');
    expect(rule('..;jsessionid=1/..;/WEB-INF/web.xml')).toBe('dot-dot-segment');
  });
});

describe('detectPathTraversal: encodings are undone before matching', () => {
  it.each([
    ['percent-encoding', '..%2f..%2f..%2fsecret'],
    ['encoded dots', '%2e%2e/%2e%2e/secret'],
    ['encoded backslash', '..%5c..%5csecret'],
    ['double percent-encoding', '%252e%252e%252fsecret'],
    ['triple percent-encoding', '%25252e%25252e%25252fsecret'],
    ['overlong UTF-8 slash', '..%c0%af..%c0%afsecret'],
    ['overlong UTF-8 dots', '%c0%ae%c0%ae%c0%afsecret'],
    ['3-byte overlong UTF-8', '%e0%80%ae%e0%80%ae%e0%80%afsecret'],
    ['overlong backslash', '..%c1%9c..%c1%9csecret'],
    ['lone overlong lead byte', '%c0%2e%c0%2e%c0%2fsecret'],
    ['%u escapes', '%u002e%u002e%u002fsecret'],
    ['%u full-width dots and division slash', '%uff0e%uff0e%u2215secret'],
    ['raw full-width dots and slash', '．．／．．／secret'],
    ['two dot leader', '‥/‥/secret'],
    ['division slash', '..∕..∕secret'],
    ['fraction slash', '..⁄..⁄secret'],
    ['set minus as backslash', '..∖..∖secret'],
    ['small reverse solidus', '..﹨..﹨secret'],
    ['NUL between the dots and the slash', '..%00/..%00/secret'],
    ['raw NUL', '..\u0000/secret'],
    ['0x hex for dot and slash', '0x2e0x2e0x2fsecret'],
    ['0x hex backslash', '0x5c0x2e./'],
    ['decimal HTML references', '&#46;&#46;&#47;secret'],
    ['hex HTML references', '&#x2e;&#x2e;&#x2f;secret'],
    ['named HTML references', '&period;&period;&sol;secret'],
    ['JSON \\u escapes', '\\u002e\\u002e\\u002fsecret'],
    ['\\x escapes', '\\x2e\\x2e\\x2fsecret'],
    ['zero-width characters between the dots', '.\u200b./secret'],
  ])('%s', (_name, input) => {
    expect(rule(input)).toBe('dot-dot-segment');
  });

  it('shows the decoded form in the excerpt', () => {
    expect(detectPathTraversal('..%252f..%252fsecret')?.excerpt).toBe('../../secret');
  });
});

describe('detectPathTraversal: sensitive files without traversal', () => {
  it.each([
    ['/etc/passwd', 'system-path'],
    ['/etc/shadow%00', 'system-path'],
    ['C:\\boot.ini%00.php', 'sensitive-file'],
    ['C:\\Windows\\System32\\drivers\\etc\\services::$DATA', 'system-path'],
    ['/etc/protocols', 'system-path'],
    ['~/.php_history', 'sensitive-file'],
    // Path truncation: Windows drops the dots a name ends with.
    [`/boot.ini${'.'.repeat(700)}`, 'sensitive-file'],
    [`file:///windows/win.ini${'.'.repeat(40)}`, 'sensitive-file'],
    ['/home/deploy/.psql_history', 'sensitive-file'],
    ['/home/deploy/.bashrc', 'sensitive-file'],
    ['WEB-INF/web.xml', 'sensitive-file'],
    ['file=WEB-INF\\web.xml', 'sensitive-file'],
    ['/./WEB-INF/web.xml', 'sensitive-file'],
    ['/%c0%ae/%c0%ae/WEB-INF/web.xml', 'sensitive-file'],
    ['%SYSTEMROOT%\\win.ini\u0000.html', 'sensitive-file'],
    ['cat /etc/passwd', 'system-path'],
    ['file:///etc/passwd', 'system-path'],
    ['https://target.example/etc/passwd', 'system-path'],
    ['/proc/self/environ', 'system-path'],
    ['/get/proc/self/environ', 'system-path'],
    ['/sys/class/net', 'system-path'],
    ['/var/log/nginx/access.log', 'system-path'],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'system-path'],
    ['/root/.bash_history', 'system-path'],
    ['/@fs/etc/passwd', 'dev-server-fs'],
    ['C:\\Windows\\win.ini', 'sensitive-file'],
    ['c:/boot.ini', 'sensitive-file'],
    ['%SYSTEMROOT%\\win.ini', 'sensitive-file'],
    ['C:\\Windows\\System32\\config\\SAM', 'sensitive-file'],
    ['C:\\Windows\\Panther\\Unattend.xml', 'sensitive-file'],
    ['c:\\windows\\system32\\drivers\\etc\\hosts', 'system-path'],
    ['.git/config', 'sensitive-file'],
    ['/srv/app/.git/HEAD', 'sensitive-file'],
    ['.env', 'sensitive-file'],
    ['/app/.env.production', 'sensitive-file'],
    ['~/.ssh/id_rsa', 'sensitive-file'],
    ['/home/ubuntu/.aws/credentials', 'sensitive-file'],
    ['/var/www/html/wp-config.php', 'sensitive-file'],
    ['/wp-content/debug.log', 'sensitive-file'],
    ['/.htpasswd', 'sensitive-file'],
    ['/.DS_Store', 'hidden-file-probe'],
    ['/.vscode/sftp.json', 'hidden-file-probe'],
    ['/usr/local/apache2/conf/httpd.conf', 'server-config'],
    ['C:\\inetpub\\wwwroot\\web.config', 'server-config'],
    ['/backup.sql.gz', 'backup-file'],
    ['/config.php.bak', 'backup-file'],
    ['/site-backup.zip', 'backup-file'],
    ['/db_dump.sql', 'backup-file'],
    ['/wp-config.php~', 'backup-file'],
    ['php://filter/convert.base64-encode/resource=index.php', 'stream-wrapper'],
    ['expect://id', 'stream-wrapper'],
    ['data://text/plain;base64,PD9waHAgcGhwaW5mbygpOyA/Pg==', 'stream-wrapper'],
    ['/usr/local/lib/php/pearcmd.php', 'sensitive-file'],
  ])('%s → %s', (input, expected) => {
    expect(rule(input)).toBe(expected);
  });
});

describe('detectPathTraversal: a whole value that is a path to system logs or configuration', () => {
  it.each([
    '/var/adm/messages',
    '/var/run/httpd.pid',
    '/usr/local/cpanel/logs/login_log',
    '/usr/spool/lp/log',
    '/var/adm/crash/unix',
    '/usr/local/etc/pureftpd.pdb',
    '/usr/local/php/httpd.conf.php',
    '/www/logs/proftpd.system.log',
    '/MySQL/data/mysql.err',
    'c:/WINDOWS/setupact.log',
    'C:\\inetpub\\wwwroot\\global.asa',
    '/C:/inetpub/wwwroot/index.asp',
    'c:\\Program Files\\Apache Group\\Apache\\logs\\access.log',
    'C:/Program Files (x86)/FileZilla Server/FileZilla Server.xml',
    'C:\\xampp\\tomcat\\conf\\web.xml',
    // Server-side code from a share: a remote include on Windows.
    '\\\\10.0.0.1\\share\\shell.php',
  ])('%s → system-file', (input) => {
    expect(rule(input)).toBe('system-file');
  });

  it.each([
    // Mentioned in a sentence, the same paths open nothing.
    'The daemon writes /var/adm/messages every minute, see the docs',
    // Ordinary paths under the same roots.
    '/usr/bin/python3',
    '/var/www/html/index.php',
    '/opt/app/bin/server',
    '/var/www/blog',
    '/usr/share/doc/catalog',
    'C:\\Windows\\Fonts\\arial.ttf',
    'C:\\Windows\\System32\\notepad.exe',
    'C:\\inetpub\\wwwroot\\images\\logo.png',
    'C:\\ProgramData\\MyApp\\settings.ini',
    'C:\\Program Files (x86)\\Steam\\steamapps\\common',
    // A URL path named like a Windows directory, and a query string.
    '/windows/downloads/setup.log',
    '/var/log/app.log?lines=10',
    '\\\\fileserver\\shared\\team\\budget-2024.xlsx',
    'data:image/png;base64,iVBORw0KGgo=',
  ])('%s passes', (input) => {
    expect(rule(input) ?? null).not.toBe('system-file');
  });

  it.each([
    // Names from installation guides: file APIs do not expand `~`, and a start-up file holds no secret.
    '~/.bashrc',
    '~/.zshrc',
    '~/.nvm',
    '~/.config',
    'source ~/.bashrc',
    'config/.profile',
  ])('%s passes', (input) => {
    expect(detectPathTraversal(input)).toBeNull();
  });
});

describe('detectPathTraversal: evasions of older servers', () => {
  it.each([
    // IIS read any letter as a hex digit in the continuation byte of an overlong sequence.
    ['..%c0%qf..%c0%qfetc%c0%qfpasswd', 'dot-dot-segment'],
    ['..%c0%9v..%c0%9vwindows%c0%9vwin.ini', 'dot-dot-segment'],
    ['..%c1%pc..%c1%pcboot.ini', 'dot-dot-segment'],
    // The hex code of a slash with its percent sign dropped.
    ['..2f..2f..2fetc2fpasswd', 'dot-dot-segment'],
    ['..5c..5cwindows5cwin.ini', 'dot-dot-segment'],
    // A file name the application takes base64-encoded: `../../etc/passwd`, `/etc/shadow%00`.
    ['Li4vLi4vZXRjL3Bhc3N3ZA==', 'base64-encoded-path'],
    ['L2V0Yy9zaGFkb3clMDA=', 'base64-encoded-path'],
  ])('%s → %s', (input, expected) => {
    expect(rule(input)).toBe(expected);
  });

  it.each([
    'Enable ...2FA for admins',
    'v1..2f',
    // base64 of harmless text, and tokens that only look like base64.
    'aGVsbG8gd29ybGQ=',
    'dXNlcnMvYWxpY2UvcGhvdG9zLzIwMjMvYmVhY2guanBn',
    'SGVsbG9Xb3JsZA',
    'ThisIsAnIdentifier2024',
  ])('%s passes', (input) => {
    expect(detectPathTraversal(input)).toBeNull();
  });
});

describe('detectPathTraversal: sensitive paths mentioned in prose', () => {
  it.each([
    'Edit /etc/hosts to add the entry.',
    'The config lives in /etc/nginx/nginx.conf on most distros.',
    "Don't commit your .env file!",
    'My log file is /var/log/app.log; it grows fast.',
    'By default the certificates are stored in `/etc/kubernetes/pki`.',
    'Nginx stores its configuration files within the "/etc/nginx" directory.',
    'All files in /etc/nginx/conf.d/*.conf are loaded at start.',
  ])('%s passes', (input) => {
    expect(detectPathTraversal(input)).toBeNull();
  });

  it.each([
    // As the value, or with too few words around it to be a sentence, they are still probes.
    ['/etc/hosts', 'system-path'],
    ['cat /etc/passwd', 'system-path'],
    ['file=/etc/passwd and more', 'system-path'],
    ['/proc/self/environ (the environment of the process)', 'system-path'],
    // A parent-directory segment is reported in prose too.
    ['Please open ../../etc/passwd for me now', 'dot-dot-segment'],
  ])('%s → %s', (input, expected) => {
    expect(rule(input)).toBe(expected);
  });
});

describe('detectPathTraversal: benign look-alikes pass', () => {
  it.each([
    'v1.2..v1.3',
    'git diff main..feature/login',
    'C:\\Users\\Public',
    'C:\\Program Files\\App\\app.exe',
    '\\\\fileserver\\shared\\budget.xlsx',
    "rock'n'roll",
    'Tom & Jerry',
    'firstname.lastname@example.com',
    'https://example.com/search?q=tom+%26+jerry&page=2',
    'https://github.com/org/repo/compare/v1.2..v1.3',
    'https://example.com/.well-known/security.txt',
    'https://example.com/a/b/./c/index.html',
    'src/components/Button.tsx',
    './src/index.ts',
    'docs/guide/getting-started.md',
    '.github/workflows/ci.yml',
    '.gitignore',
    '.env.example',
    'config/nginx.conf',
    'migrations/001_create_users.sql',
    'docs/backups-explained.md',
    'img/dumpling.jpg',
    '~/notes',
    '/usr/local/bin/node',
    '/var/www/html/index.html',
    '/var/lib/postgresql/data',
    '/home/alice/projects/app/package.json',
    '/get/foo../1234',
    '/get/..foo',
    'photos/trip...beach.jpg',
    'Wait... what?',
    'To be continued...',
    'and/or',
    '24/7 support',
    '50% off',
    '100%25 sure',
    'Price: $5 | Qty: 3',
  ])('%s', (input) => {
    expect(detectPathTraversal(input)).toBeNull();
  });
});

describe('detectPathTraversal: the finding', () => {
  it('names the kind and rule and carries a short escaped excerpt, never the whole input', () => {
    const input = `${'x'.repeat(500)}/../../etc/passwd\u001b[31m${'y'.repeat(500)}`;
    const found = detectPathTraversal(input);
    expect(found).not.toBeNull();
    expect(found!.kind).toBe('path_traversal');
    expect(found!.rule).toBe('dot-dot-segment');
    expect(found!.excerpt).toContain('../../etc');
    expect(found!.excerpt).not.toContain('\u001b');
    expect(found!.excerpt.length).toBeLessThanOrEqual(80);
  });

  it('returns null for empty and non-string input', () => {
    expect(detectPathTraversal('')).toBeNull();
    expect(detectPathTraversal(undefined as unknown as string)).toBeNull();
    expect(detectPathTraversal(42 as unknown as string)).toBeNull();
  });
});

describe('scanPaths on raw input', () => {
  it('gives what the scan of the decoded input gives, unless it met an encoding or skipped a part', () => {
    const fragment = fc.constantFrom(
      '..',
      '../',
      '..\\',
      '/',
      '\\',
      '\\\\',
      '.',
      '_',
      '@',
      ':',
      '://',
      '%2e',
      '%2',
      '%zz',
      '&',
      '&#46;',
      '&amp',
      '0',
      '0x2f',
      '\\x2e',
      '\\X',
      '\u0000',
      '．',
      ' ',
      ';',
      'etc',
      'passwd',
      'proc',
      'self',
      '.git',
      '.env',
      'backup.sql',
      'win.ini',
      'var',
      'log',
      'a'.repeat(30),
      'php',
      'x',
      'u',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 16 }), (parts) => {
        const text = parts.join('');
        const raw = scanPaths(text, true);
        const rawHit = { ...hit };
        if (raw & (ENCODING | UNCHECKED) && (raw & ENCODING || decodeForInspection(text) !== text))
          return true;
        expect(decodeForInspection(text)).toBe(text);
        const decoded = scanPaths(text, false);
        expect(raw & ~UNCHECKED).toBe(decoded & ~UNCHECKED);
        if (raw & 3) expect(rawHit).toEqual(hit);
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});
