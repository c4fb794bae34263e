// What a path-traversal or file-inclusion attempt reaches for: system directories, credential and
// history files, server configuration, source-control metadata. Names, not payloads: the scanner in
// path-traversal.ts matches them as whole path segments, in any encoding the decoder undoes.
import { WordTable, wordEntries } from '../text/index.js';

/** Bit flags describing what a path segment name means; a name can carry several. */
export const SEG = {
  /** A system directory that is sensitive as the first segment of an absolute path (`/etc`, `/proc`). */
  ROOT: 1 << 0,
  /** `etc`: the next segment is checked against {@link SEG.ETC_CHILD}. */
  PARENT_ETC: 1 << 1,
  ETC_CHILD: 1 << 2,
  /** `proc`: the next segment is checked against {@link SEG.PROC_CHILD} (or is a process id). */
  PARENT_PROC: 1 << 3,
  PROC_CHILD: 1 << 4,
  /** `sys`: the next segment is checked against {@link SEG.SYS_CHILD}. */
  PARENT_SYS: 1 << 5,
  SYS_CHILD: 1 << 6,
  /** `var` and `boot` at the root of an absolute path: the next segment is checked against ROOT_CHILD. */
  ROOT_PARENT: 1 << 7,
  ROOT_CHILD: 1 << 8,
  /** `run`: `run/secrets` holds mounted credentials (Kubernetes service-account tokens). */
  PARENT_RUN: 1 << 9,
  RUN_CHILD: 1 << 10,
  /** `windows`, `winnt`, `system32`: the next segment is checked against WINDOWS_CHILD. */
  PARENT_WINDOWS: 1 << 11,
  WINDOWS_CHILD: 1 << 12,
  /** `wp-content`: its `debug.log` is a well-known leak. */
  PARENT_WP_CONTENT: 1 << 13,
  WP_CONTENT_CHILD: 1 << 14,
  /** A file or directory that is sensitive wherever it appears (`win.ini`, `.git`, `id_rsa`). */
  SENSITIVE: 1 << 15,
  /** Server configuration: sensitive as the last segment of an absolute path. */
  SERVER_CONFIG: 1 << 16,
  /**
   * A shell's start-up file (`.bashrc`, `.profile`): sensitive as the last segment of an absolute path
   * (`/home/u/.bashrc`); `~/.bashrc` in a value is a name from documentation (file APIs do not expand
   * `~`).
   */
  SHELL_STARTUP: 1 << 20,
  /** `.well-known` is a public, standard hidden directory (RFC 8615). */
  WELL_KNOWN: 1 << 17,
  /** Vite's dev-server `/@fs/` prefix, which serves arbitrary files when misconfigured. */
  DEV_SERVER_FS: 1 << 18,
  /**
   * `WEB-INF`: a Java web application's private directory (`web.xml`, classes, libraries), sensitive
   * as the first segment of the value, absolute or not: a download handler resolves it in the app.
   */
  APP_PRIVATE: 1 << 19,
} as const;

/** Extensions the backup-file rule looks at. */
export const EXT = { ARCHIVE: 1, SQL: 2, BAK: 4, DUMP: 8 } as const;

const table = new WordTable<number>();
// See edgeKey(): the scanner looks up most segments it reads, and this rules most of them out before
// the table is hashed.
const EDGES = new Uint8Array(1 << 15);

function add(flag: number, names: string): void {
  for (const [name, value] of wordEntries(names, flag)) {
    table.set(name, (table.lookupString(name) ?? 0) | value);
    EDGES[edgeKey(name, 0, name.length)] = 1;
  }
}

add(SEG.ROOT | SEG.PARENT_ETC, 'etc');
add(SEG.ROOT | SEG.PARENT_PROC, 'proc');
add(SEG.ROOT, 'root');
add(SEG.APP_PRIVATE, 'web-inf');
add(SEG.PARENT_SYS, 'sys');
add(SEG.ROOT_PARENT, 'var boot');
add(SEG.PARENT_RUN, 'run');
add(SEG.PARENT_WINDOWS, 'windows winnt system32 syswow64');
add(SEG.PARENT_WP_CONTENT, 'wp-content');
add(SEG.WELL_KNOWN, '.well-known');
add(SEG.DEV_SERVER_FS, '@fs');

add(
  SEG.ETC_CHILD,
  `passwd passwd- shadow shadow- group group- gshadow master.passwd hosts hosts.allow hosts.deny hostname
   issue issue.net motd sudoers sudoers.d crontab cron.d anacrontab fstab mtab resolv.conf nsswitch.conf
   profile bashrc environment security ssh ssl pki apache apache2 httpd nginx lighttpd mysql my.cnf php
   php5 php7 php8 postgresql redis mongod.conf network networks sysconfig subuid subgid login.defs aliases
   exports inetd.conf xinetd.conf vsftpd.conf proftpd proftpd.conf samba krb5.conf krb5.keytab ldap
   openldap shells inittab lilo.conf grub.conf pam.d sysctl.conf ld.so.preload ld.so.conf docker
   kubernetes machine-id os-release lsb-release wpa_supplicant openvpn rc.local init.d postfix dovecot
   squid tomcat snmp services protocols protocol lmhosts.sam`,
);
add(
  SEG.PROC_CHILD,
  `self thread-self net sys version cpuinfo meminfo mounts mountinfo interrupts cmdline environ kcore
   kallsyms modules partitions sched_debug config.gz devices filesystems iomem ioports uptime loadavg swaps
   vmstat zoneinfo buddyinfo crypto diskstats keys kmsg locks misc mtrr slabinfo softirqs timer_list tty
   acpi bus driver irq scsi sysvipc stat status maps fd cwd exe mem`,
);
add(SEG.SYS_CHILD, 'class kernel devices block bus firmware fs module power hypervisor dev');
add(SEG.ROOT_CHILD, 'log mail spool backups grub grub2 efi loader');
add(SEG.RUN_CHILD, 'secrets');
add(SEG.WINDOWS_CHILD, 'repair panther win.ini system.ini debug minidump memory.dmp config logfiles');
add(SEG.WP_CONTENT_CHILD, 'debug.log');
add(
  SEG.SENSITIVE,
  `win.ini boot.ini system.ini wp-config.php .htpasswd .htaccess .htdigest id_rsa id_rsa.pub id_dsa id_ecdsa
   id_ed25519 authorized_keys authorized_keys2 .lesshst .viminfo
   .env .ssh .git .svn .hg .bzr .aws .azure .kube .docker .npmrc .pypirc .netrc _netrc .pgpass
   .git-credentials .vault-token .my.cnf .gnupg
   .dockercfg .boto .s3cfg .terraformrc terraform.tfstate tomcat-users.xml unattend.xml sysprep.inf
   sysprep.xml applicationhost.config metabase.xml master.passwd ntuser.dat pearcmd.php`,
);
add(
  SEG.SHELL_STARTUP,
  '.bashrc .bash_profile .bash_login .bash_logout .profile .zshrc .zprofile .cshrc .tcshrc',
);
add(
  SEG.SERVER_CONFIG,
  `httpd.conf apache2.conf apache.conf nginx.conf lighttpd.conf php.ini php-fpm.conf www.conf my.cnf my.ini
   web.config server.xml context.xml config.inc.php localsettings.php configuration.php settings.php
   vsftpd.conf proftpd.conf smb.conf pg_hba.conf postgresql.conf redis.conf mongod.conf sshd_config
   ssh_config access.log error.log access_log error_log catalina.out`,
);

// The (length, first character, last character) of every name in the table, each character by its low
// five bits (the same for both cases of a letter): most segments a scan reads are no name, and one read
// here rules them out before the table is hashed.
function edgeKey(text: string, start: number, end: number): number {
  return (
    (((end - start) & 31) << 10) | ((text.charCodeAt(start) & 31) << 5) | (text.charCodeAt(end - 1) & 31)
  );
}

/** Flags ({@link SEG}) of the path segment `text[start..end)` (at least 2 characters), or 0. */
export function segmentFlags(text: string, start: number, end: number): number {
  if (EDGES[edgeKey(text, start, end)] === 0) return 0;
  return table.lookupText(text, start, end) ?? 0;
}

const extensions = new WordTable<number>([
  ['zip', EXT.ARCHIVE],
  ['gz', EXT.ARCHIVE],
  ['tgz', EXT.ARCHIVE],
  ['bz2', EXT.ARCHIVE],
  ['xz', EXT.ARCHIVE],
  ['7z', EXT.ARCHIVE],
  ['rar', EXT.ARCHIVE],
  ['tar', EXT.ARCHIVE],
  ['sql', EXT.SQL],
  ['bak', EXT.BAK],
  ['dump', EXT.DUMP],
]);

/** {@link EXT} flags of the extension `text[start..end)` (compared case-insensitively), or 0. */
export function extensionFlags(text: string, start: number, end: number): number {
  if (end - start < 2 || end - start > 4) return 0;
  return extensions.lookupText(text, start, end) ?? 0;
}

// PHP stream wrappers that read files or run code (`php://filter/...`, `expect://id`, `data://`; a
// `data:` URI without the two slashes is an ordinary inline image or font).
const WRAPPERS =
  'php phar zip expect glob compress.zlib compress.bzip2 rar ogg ssh2.shell ssh2.exec zlib data';
const wrappers = new WordTable(wordEntries(WRAPPERS, true));
// See edgeKey(): most schemes a value holds (`http`, `https`) are ruled out with one read.
const WRAPPER_EDGES = new Uint8Array(1 << 15);
for (const [name] of wordEntries(WRAPPERS, true)) WRAPPER_EDGES[edgeKey(name, 0, name.length)] = 1;

/** Whether `text[start..end)` names a stream wrapper scheme. */
export function isStreamWrapper(text: string, start: number, end: number): boolean {
  if (end - start < 2 || WRAPPER_EDGES[edgeKey(text, start, end)] === 0) return false;
  return wrappers.lookupText(text, start, end) === true;
}
