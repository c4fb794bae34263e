// Command names a shell injection runs, with what each one tells us. Knowledge about commands, not a
// list of payloads: the detector only treats a word as a command where a shell would run one (after a
// separator, inside a substitution, at the start of the input) and weighs it by how the word is used.

import { WordTable } from '../text/index.js';
import { startsWith } from './shell-chars.js';

/** Bit flags of a command word. */
export const CMD = {
  /** Rarely anything but a command (`whoami`, `wget`, `chmod`). */
  DISTINCT: 1 << 0,
  /** Also an ordinary word (`cat`, `time`, `find`): needs shell-like arguments or a tight separator. */
  ENGLISH: 1 << 1,
  /** Run alone at the end of the input after a separator it is a probe (`; id`, `| whoami`). */
  BARE: 1 << 2,
  /** A shell or interpreter: data piped into it runs (`| sh`, `| python3`). */
  INTERPRETER: 1 << 3,
  /** Runs the word after it as a command (`time`, `nohup`, `sudo`). */
  WRAPPER: 1 << 4,
  /** Numbers are its natural arguments (`sleep 5`, `timeout 10`). */
  NUMERIC: 1 << 5,
  /** Host names and addresses are its natural arguments (`curl example.com`). */
  NETWORK: 1 << 6,
  /** Quoted text is its natural argument (`echo 'x'`). */
  ECHO: 1 << 7,
  /** A Windows command (case-insensitive, `/x` switches). */
  WINDOWS: 1 << 8,
  /** Alone as the whole input it is a probe (`whoami`, `ifconfig`). */
  START_BARE: 1 << 9,
  /** Finds where commands are installed (`which nc`, `type wget`): its arguments are command names. */
  LOOKUP: 1 << 10,
} as const;

const { DISTINCT, ENGLISH, BARE, INTERPRETER, WRAPPER, NUMERIC, NETWORK, ECHO, WINDOWS, START_BARE, LOOKUP } =
  CMD;

const table = new WordTable<number>();

// Which pairs of first characters (lower-cased, 7 bits each) begin a command word, and at which
// lengths (see lengthBit): most words are rejected here without hashing, by their first two
// characters or, as often, by their length (`hello` starts like `head` and `help` but is longer).
const FIRST_PAIRS = new Int32Array(1 << 14);

function pairIndex(first: number, second: number): number {
  return ((first & 0x7f) << 7) | (second & 0x7f);
}

// Bit `length` of a pair's mask; every length from 31 on shares bit 31.
function lengthBit(length: number): number {
  return 1 << Math.min(length, 31);
}

/** Whether some command word starts with these two (lower-cased) characters. */
export function mayStartCommand(first: number, second: number): boolean {
  return FIRST_PAIRS[pairIndex(first, second)] !== 0;
}

// Whether some command word of `length` (at least 2) starts with these two (lower-cased) characters.
function mayBeCommandOfLength(first: number, second: number, length: number): boolean {
  return (FIRST_PAIRS[pairIndex(first, second)]! & lengthBit(length)) !== 0;
}

function add(flags: number, words: string): void {
  for (const word of words.trim().split(/\s+/)) {
    table.set(word, (table.lookupString(word) ?? 0) | flags);
    if (word.length > 1)
      FIRST_PAIRS[pairIndex(word.charCodeAt(0), word.charCodeAt(1))]! |= lengthBit(word.length);
  }
}

// Unix commands that are rarely ordinary words.
add(
  DISTINCT,
  `whoami uname ifconfig iwconfig iptables ip6tables netstat nslookup traceroute tracepath wget curl
   lwp-download lwp-request lwp-mirror aria2c axel nc ncat netcat socat telnet tftp sftp scp rsync ssh
   sshpass ssh-keygen ssh-copy-id ssh-keyscan busybox toybox gawk  mawk nawk sed xargs chmod chown chgrp
   chattr lsattr setfacl getfacl useradd userdel usermod adduser deluser groupadd chpasswd passwd sudo doas
   pkexec visudo crontab systemctl journalctl nft ufw modprobe insmod rmmod lsmod sysctl dmesg mkfifo
   mknod base32 base64 basenc xxd hexdump uuencode uudecode openssl gpg shred rm rmdir cp mv ln ls pwd ps
   pstree pgrep pkill killall htop lsof fuser strace ltrace gdb nohup setsid chroot unshare nsenter capsh
   setcap getcap  bsdtar unzip gzip gunzip bzip2 bunzip2 unxz zstd zstdcat zcat bzcat xzcat 7z 7za
   unrar cpio gcc g++  c89 c99 clang tcc apt-get aptitude yum dnf  dpkg  cpan msfconsole msfvenom
   nmap masscan hydra sqlmap tcpdump tshark getent printenv lastlog mkdir grep egrep fgrep uniq md5sum
   sha1sum sha256sum ldd readelf objdump uptime lsblk fdisk mkfs umount poweroff telinit ulimit umask
   unset  typeset  whereis vim emacs pico tmux sendmail mailx chsh chfn iconv uconv arp whois
   hostnamectl printf seq expr usleep irb  pip pip3 pipx cscli sysinfo telnetd utelnetd dropbear adbd`,
);
// Shells and interpreters.
add(
  DISTINCT | INTERPRETER,
  `sh bash zsh ksh csh tcsh    busybox python python2 python3 pypy pypy3 perl  php 
   luajit nodejs deno tclsh`,
);
add(ENGLISH | INTERPRETER, 'node fish dash ash lua ruby');
// Unix commands that are also ordinary words.
add(
  ENGLISH,
  `cat head tail more less sort cut paste join split tr wc rev tee yes echo print read set test kill sleep
   wait exit trap type date host last who top free watch time find file stat touch source alias history
   export man dig ip ss route mount df du dd ping net id env dir ed ex vi nice timeout column fold comm
   tree cal bc su shutdown reboot halt service locate which mail script screen expand factor logger write
   wall users groups exec command builtin strings nano ll cd cc apk rpm tar awk eval declare tac nl
   od gem`,
);
// Probes an attacker runs alone to see whether injection works.
add(
  BARE,
  `id whoami uname ifconfig ipconfig ls dir pwd ps env printenv set who netstat systeminfo tasklist
   hostname lastlog htop sh bash zsh ksh sysinfo ver`,
);
add(START_BARE, 'whoami ifconfig ipconfig uname systeminfo netstat tasklist');
add(
  WRAPPER,
  `time nohup strace ltrace sudo doas env nice ionice timeout stdbuf exec command builtin xargs
   watch setsid unbuffer cpulimit eval call start`,
);
add(NUMERIC, 'sleep usleep timeout ping kill seq waitfor choice');
add(LOOKUP, 'which whereis type hash');
add(
  NETWORK,
  `curl wget ping nslookup dig host nc ncat netcat telnet ssh scp ftp tftp traceroute tracert whois socat
   lwp-download lwp-request aria2c iwr invoke-webrequest invoke-restmethod test-connection resolve-dnsname
   certutil bitsadmin`,
);
add(ECHO, 'echo printf print write-output write-host');
// Windows: cmd built-ins and tools that are rarely ordinary words.
add(
  DISTINCT | WINDOWS,
  `cmd powershell pwsh cscript wscript mshta rundll32 regsvr32 regsvcs regasm installutil msbuild certutil
   bitsadmin wmic psexec schtasks regedit taskkill tasklist systeminfo netsh net1 nltest dsquery vssadmin
   wevtutil bcdedit bcdboot diskpart icacls cacls takeown findstr forfiles msiexec cmstp esentutl extrac32
   makecab ipconfig whoami qwinsta quser xcopy robocopy setx pushd popd setlocal endlocal goto cls tracert
   iex iwr irm icm saps sal waitfor`,
);
add(DISTINCT | INTERPRETER | WINDOWS, 'cmd powershell pwsh iex');
// Windows commands that are also ordinary words.
add(
  ENGLISH | WINDOWS,
  `dir type copy move del erase ren rename md rd echo set start call exit ver vol tree more find sort
   timeout shutdown ping net reg sc attrib choice`,
);
// PowerShell cmdlets (any `Invoke-*` is recognised by prefix as well).
add(
  DISTINCT | WINDOWS,
  `invoke-webrequest invoke-expression invoke-restmethod invoke-command invoke-item invoke-wmimethod
   start-process start-bitstransfer start-sleep start-job new-object get-content get-childitem get-process
   get-wmiobject get-ciminstance get-item get-itemproperty get-localuser get-localgroup get-acl get-service
   get-command get-credential get-clipboard set-content set-itemproperty set-executionpolicy
   set-mppreference add-mppreference remove-item stop-process out-file add-type import-module
   convertto-securestring new-item copy-item move-item expand-archive compress-archive test-connection
   resolve-dnsname get-netipaddress get-nettcpconnection set-location write-output write-host get-help
   get-host get-location get-date get-variable get-alias get-module get-psdrive get-hotfix get-computerinfo
   get-executionpolicy get-history`,
);

/** Flags ({@link CMD}) of the command word `codes[start..end)` (compared case-insensitively), or 0. */
export function commandFlags(codes: Uint16Array, start: number, end: number): number {
  const length = end - start;
  if (length > 40 || length <= 0) return 0;
  const first = codes[start]! | 0x20;
  if (length > 1 && !mayBeCommandOfLength(first, codes[start + 1]! | 0x20, length)) return 0;
  const flags = table.lookupCodes(codes, start, end);
  if (flags !== undefined) return flags;
  if (first !== 0x69 && first !== 0x61 && first !== 0x63) return 0;
  for (let f = 0; f < FAMILIES.length; f++) {
    const [prefix, longerThan, bits] = FAMILIES[f]!;
    if (length > longerThan && codesStartWith(codes, start, end, prefix)) return bits;
  }
  return 0;
}

// Whether `codes[start..end)` starts with `prefix`, each code unit compared with its 0x20 bit set.
function codesStartWith(codes: Uint16Array, start: number, end: number, prefix: string): boolean {
  if (start + prefix.length > end) return false;
  for (let k = 0; k < prefix.length; k++)
    if ((codes[start + k]! | 0x20) !== prefix.charCodeAt(k)) return false;
  return true;
}

/** Flags ({@link CMD}) of the command word `text[start..end)` (compared case-insensitively), or 0. */
export function commandFlagsText(text: string, start: number, end: number): number {
  const length = end - start;
  if (length > 40 || length <= 0) return 0;
  const first = text.charCodeAt(start) | 0x20;
  if (length > 1 && !mayBeCommandOfLength(first, text.charCodeAt(start + 1) | 0x20, length)) return 0;
  const flags = table.lookupText(text, start, end);
  if (flags !== undefined) return flags;
  if (first !== 0x69 && first !== 0x61 && first !== 0x63) return 0;
  // The prefix is compared in place, in the text's (up to) 8 characters at `start`; toLowerCase() also
  // folds some non-ASCII characters (U+212A KELVIN SIGN is `k`), so those are compared lower-cased.
  const stop = Math.min(text.length, start + 8);
  for (let k = start; k < stop; k++) {
    if (text.charCodeAt(k) >= 128) return familyFlags(text.slice(start, stop).toLowerCase(), 0, length);
  }
  return familyFlags(text, start, length);
}

// Families named by prefix: PowerShell's Invoke-*, Ansible's and Chef's tool suites, each with the
// length a word must exceed.
const FAMILIES: readonly (readonly [prefix: string, longerThan: number, flags: number])[] = [
  ['invoke-', 7, DISTINCT | WINDOWS],
  ['ansible', 0, DISTINCT],
  ['chef-', 5, DISTINCT],
];

// A family's words are as long as the longest word looked up (40) and longer than its minimum.
for (const [prefix, longerThan] of FAMILIES) {
  for (let length = Math.max(2, longerThan + 1); length <= 40; length++)
    FIRST_PAIRS[pairIndex(prefix.charCodeAt(0), prefix.charCodeAt(1))]! |= lengthBit(length);
}

// The family of the word of `length` characters whose first ones are at `text[start..]`.
function familyFlags(text: string, start: number, length: number): number {
  for (let f = 0; f < FAMILIES.length; f++) {
    const [prefix, longerThan, flags] = FAMILIES[f]!;
    if (length > longerThan && startsWith(text, start, prefix)) return flags;
  }
  return 0;
}

// Top-level directories a shell-injection payload points at (`cat /etc/passwd`, `/bin/sh`): the Unix
// ones glob matching also tries, then the rest.
const GLOBBED_ROOTS = 'bin sbin usr etc dev tmp var lib opt proc sys root home boot'.split(' ');
const OTHER_ROOTS = 'lib64 mnt srv run windows winnt users'.split(' ');
const systemRoots = new WordTable<boolean>(
  [...GLOBBED_ROOTS, ...OTHER_ROOTS].map((name) => [name, true] as const),
);

/** Whether `codes[start..end)` is a top-level system directory name (`etc`, `bin`, `tmp`...). */
export function isSystemRoot(codes: Uint16Array, start: number, end: number): boolean {
  return end - start <= 8 && systemRoots.lookupCodes(codes, start, end) === true;
}

/**
 * The names glob matching (`/???/`, `/e*c/`) tries: the Unix roots {@link isSystemRoot} knows, without
 * `lib64`, `mnt`, `srv`, `run` and the Windows names.
 */
export const SYSTEM_ROOT_NAMES: readonly string[] = GLOBBED_ROOTS;

// Directories whose files are programs: `/usr/bin/id`, `C:\Windows\System32\cmd.exe`.
const binDirectories = new WordTable<boolean>(
  'bin sbin system32 syswow64 v1.0 windowspowershell'.split(' ').map((name) => [name, true] as const),
);

/** Whether the directory name `codes[start..end)` holds executables (`bin`, `sbin`, `system32`). */
export function isBinDirectory(codes: Uint16Array, start: number, end: number): boolean {
  return end - start <= 20 && binDirectories.lookupCodes(codes, start, end) === true;
}
