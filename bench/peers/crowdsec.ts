// CrowdSec on the bench's logs, offline: its time-machine replay (`crowdsec -dsn file://… -type …`)
// with a configuration of its own in a temp directory, built from what the Debian package installed
// (/etc/crowdsec: the sshd, nginx and linux collections' parsers and scenarios; the hub index and
// data files shipped in the package). Nothing is fetched: no Central API (-no-capi), and a data file
// a scenario wants under another name than the package ships it is copied from the shipped one (see
// `DATA_ALIASES`). The agent's local API runs in the same process on a loopback port with a SQLite
// database in the temp directory; each replay gets a fresh one. The scenarios that fired are read from
// the agent's log ("Ip X performed 'scenario' …"), one line per bucket overflow.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Measured, measure, which } from './measure.js';

const SYSTEM_CONFIG = '/etc/crowdsec';
const SYSTEM_DATA = ['/var/lib/crowdsec/data', '/usr/share/crowdsec/data'];
const HUB = '/var/lib/crowdsec/hub';

/** Data files the installed scenarios load under a name the package does not ship them as. */
const DATA_ALIASES: Record<string, string> = { 'http_path_traversal.txt': 'path_traversal.txt' };

/**
 * Our translation of secmon's rule (N failures within W seconds) into a CrowdSec leaky bucket, added
 * beside the shipped scenarios so the agreement can show what tuning CrowdSec to the same rule gives:
 * it overflows on the N-th event held (capacity N-1) and leaks one event every W/N seconds.
 */
export function tunedScenario(threshold: number, windowSec: number): string {
  return `type: leaky
name: secmon-bench/ssh-window
description: "ssh failures: ${threshold} within ${windowSec}s, as a leaky bucket"
filter: "evt.Meta.log_type == 'ssh_failed-auth'"
groupby: evt.Meta.source_ip
capacity: ${threshold - 1}
leakspeed: "${Math.max(1, Math.round(windowSec / threshold))}s"
blackhole: 1m
labels:
  service: ssh
  type: bruteforce
  remediation: true
`;
}

export function crowdsecMissing(): string | undefined {
  if (!which('crowdsec') || !which('cscli')) return 'crowdsec (and cscli) not installed';
  if (!existsSync(join(SYSTEM_CONFIG, 'scenarios')) || !existsSync(join(SYSTEM_CONFIG, 'parsers')))
    return `no parsers/scenarios in ${SYSTEM_CONFIG} (the Debian package installs the sshd, nginx and linux collections)`;
  return undefined;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A fresh CrowdSec configuration under `dir`; returns the path of its config.yaml. */
async function configure(dir: string, extraScenarios: Record<string, string>): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  const config = join(dir, 'config');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  mkdirSync(config, { recursive: true });
  for (const part of ['parsers', 'scenarios', 'collections', 'patterns', 'postoverflows']) {
    const from = join(SYSTEM_CONFIG, part);
    if (existsSync(from)) cpSync(from, join(config, part), { recursive: true, verbatimSymlinks: true });
  }
  for (const [name, text] of Object.entries(extraScenarios))
    writeFileSync(join(config, 'scenarios', name), text);
  for (const file of ['profiles.yaml', 'simulation.yaml'])
    copyFileSync(join(SYSTEM_CONFIG, file), join(config, file));
  for (const source of SYSTEM_DATA) {
    if (!existsSync(source)) continue;
    for (const name of readdirSync(source))
      if (/\.(txt|regex)$/.test(name) && !existsSync(join(data, name)))
        copyFileSync(join(source, name), join(data, name));
  }
  for (const [wanted, shipped] of Object.entries(DATA_ALIASES))
    if (!existsSync(join(data, wanted)) && existsSync(join(data, shipped)))
      copyFileSync(join(data, shipped), join(data, wanted));
  writeFileSync(join(config, 'acquis.yaml'), '');
  const port = await freePort();
  const file = join(config, 'config.yaml');
  writeFileSync(
    file,
    `common:
  daemonize: false
  log_media: stdout
  log_level: info
  working_dir: .
config_paths:
  config_dir: ${config}/
  data_dir: ${data}/
  simulation_path: ${config}/simulation.yaml
  hub_dir: ${HUB}/
  index_path: ${HUB}/.index.json
  notification_dir: ${config}/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: ${config}/acquis.yaml
  parser_routines: 1
db_config:
  log_level: info
  type: sqlite
  db_path: ${data}/crowdsec.db
  use_wal: true
api:
  client:
    credentials_path: ${config}/local_api_credentials.yaml
  server:
    log_level: info
    listen_uri: 127.0.0.1:${port}
    profiles_path: ${config}/profiles.yaml
    trusted_ips:
      - 127.0.0.1
prometheus:
  enabled: false
`,
  );
  execFileSync(
    which('cscli')!,
    [
      '-c',
      file,
      'machines',
      'add',
      'secmon-bench',
      '--auto',
      '-f',
      join(config, 'local_api_credentials.yaml'),
    ],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  return file;
}

export interface CrowdsecReplay extends Measured {
  /** Addresses per scenario that overflowed (each once, however often it fired). */
  scenarios: Record<string, Set<string>>;
  /** Bucket overflows (alerts) in all. */
  overflows: number;
  /** What CrowdSec could not load (its own error lines), e.g. GeoIP databases that are not shipped. */
  loadErrors: string[];
}

/** `crowdsec -dsn file://FILE -type TYPE -no-capi` with a fresh configuration under `dir`. */
export async function crowdsecReplay(
  file: string,
  type: 'syslog' | 'nginx',
  dir: string,
  timeoutMs: number,
  extraScenarios: Record<string, string> = {},
): Promise<CrowdsecReplay> {
  const config = await configure(dir, extraScenarios);
  const out = join(dir, 'crowdsec.log');
  const run = await measure(
    which('crowdsec')!,
    ['-c', config, '-dsn', `file://${file}`, '-type', type, '-no-capi'],
    { stdoutFile: out, stderrFile: `${out}.err`, cwd: dir },
    timeoutMs,
  );
  const text = `${readFileSync(out, 'utf8')}\n${readFileSync(`${out}.err`, 'utf8')}`;
  if (run.exitCode !== 0) throw new Error(`crowdsec failed (exit ${run.exitCode}): ${text.slice(-800)}`);
  const scenarios: Record<string, Set<string>> = {};
  let overflows = 0;
  const loadErrors = new Set<string>();
  for (const line of text.split('\n')) {
    const fired = /msg="Ip (\S+) performed '([^']+)'/.exec(line);
    if (fired) {
      overflows++;
      const addresses = scenarios[fired[2]!] ?? new Set<string>();
      addresses.add(fired[1]!);
      scenarios[fired[2]!] = addresses;
      continue;
    }
    const problem = /level=error msg="(unable to [^"]*)"/.exec(line);
    if (problem) loadErrors.add(problem[1]!.replaceAll(`${dir}/`, ''));
  }
  return { ...run, scenarios, overflows, loadErrors: [...loadErrors].sort() };
}
