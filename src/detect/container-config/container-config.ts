import { sanitizeText } from '../../core/sanitize.js';
import {
  bindSource,
  isArray,
  isRecord,
  isRootUser,
  isTrue,
  isUnconfined,
  joinPath,
  lowerString,
  MAX_PATH_LENGTH,
  mountOption,
  normalizeKey,
  ownKeys,
  read,
  readKey,
  safeLength,
} from './config-values.js';
import { hostPathRisk } from './host-paths.js';

/** What a container finding feeds: full privilege, or a dangerous setting short of it. */
export type ContainerFindingType = 'privilege_escalation' | 'suspicious_container';

/**
 * One dangerous setting in a container or pod spec. `reason` is a short, escaped sentence for an alert
 * (`capability SYS_ADMIN added (HostConfig.CapAdd[0])`), `path` where in the config it was found.
 */
export interface ContainerFinding {
  type: ContainerFindingType;
  /** Stable id of the rule: `privileged`, `capability`, `host-network`, `runtime-socket`, `host-path`... */
  rule: string;
  reason: string;
  path: string;
}

// Bounds on what one inspection looks at, whatever the config holds.
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;
const MAX_ARRAY_ITEMS = 1_000;
const MAX_FINDINGS = 64;

// Capabilities Docker grants by default: adding one changes nothing.
const DEFAULT_CAPABILITIES = new Set([
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
]);
// Capabilities that amount to root on the host: treated like `privileged`.
const ROOT_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE']);

const NAMESPACES: Record<string, [rule: string, label: string]> = {
  hostnetwork: ['host-network', 'host network namespace'],
  hostpid: ['host-pid', 'host PID namespace'],
  hostipc: ['host-ipc', 'host IPC namespace'],
  networkmode: ['host-network', 'host network namespace'],
  network: ['host-network', 'host network namespace'],
  net: ['host-network', 'host network namespace'],
  pidmode: ['host-pid', 'host PID namespace'],
  pid: ['host-pid', 'host PID namespace'],
  ipcmode: ['host-ipc', 'host IPC namespace'],
  ipc: ['host-ipc', 'host IPC namespace'],
  utsmode: ['host-uts', 'host UTS namespace'],
  uts: ['host-uts', 'host UTS namespace'],
  usernsmode: ['host-userns', 'host user namespace'],
  userns: ['host-userns', 'host user namespace'],
  cgroupnsmode: ['host-cgroupns', 'host cgroup namespace'],
  cgroupns: ['host-cgroupns', 'host cgroup namespace'],
};

// Confinement a setting can switch off: the rule and the label of its finding.
const CONFINEMENT = {
  seccomp: ['seccomp-unconfined', 'seccomp disabled'],
  apparmor: ['apparmor-unconfined', 'AppArmor disabled'],
  selinux: ['selinux-disabled', 'SELinux confinement disabled'],
} as const;

/**
 * Inspects a container or pod specification as a scheduler receives it and lists its dangerous
 * settings. Accepts Docker Engine API bodies and `docker inspect` output (`HostConfig.Privileged`,
 * `CapAdd`, `Binds`, `Mounts`, `Devices`, `NetworkMode: "host"`, `SecurityOpt`, `User`), Kubernetes pods,
 * deployments and other workloads (`securityContext.privileged`, `capabilities.add`, `hostNetwork`,
 * `hostPID`, `hostIPC`, `volumes[].hostPath.path`, `seccompProfile`, `runAsUser`,
 * `allowPrivilegeEscalation`, AppArmor/seccomp annotations), Compose services (`cap_add`, `network_mode`,
 * `security_opt`, `volumes: ["/:/host"]`) and flat objects using the same names in any case, with `_`
 * or `-`. `privileged: true`, the `ALL`, `SYS_ADMIN` and `SYS_MODULE` capabilities, a container runtime
 * socket (Docker, Podman, containerd, CRI-O) and the host's `/` are `privilege_escalation`; host
 * namespaces, other added capabilities, sensitive host paths (`/etc`, `/proc`, `/sys`, `/root`, `/boot`,
 * `/dev`, `/run`, the runtime's state), devices, disabled seccomp/AppArmor/SELinux, running as root and
 * allowed privilege escalation are `suspicious_container`. Findings are deduplicated, at most 64.
 * Never throws: malformed or hostile input (cycles, throwing getters, huge arrays) gives what could be
 * read, within fixed bounds on depth, size and time.
 */
export function inspectContainerConfig(config: unknown): ContainerFinding[] {
  const inspection = new Inspection();
  try {
    inspection.walk(config, '', '', 0);
  } catch {
    // A proxy or getter that throws: keep what was found before it.
  }
  return inspection.findings;
}

class Inspection {
  readonly findings: ContainerFinding[] = [];
  private readonly seen = new Set<string>();
  // Objects already walked: cycles and shared references are read once.
  private readonly visited = new WeakSet<object>();
  private nodes = 0;

  walk(value: unknown, key: string, path: string, depth: number): void {
    if (depth > MAX_DEPTH || ++this.nodes > MAX_NODES || this.findings.length >= MAX_FINDINGS) return;
    if (value === null || typeof value !== 'object' || this.visited.has(value)) return;
    this.visited.add(value);
    if (isArray(value)) {
      this.eachItem(value, path, (item, itemPath) => this.walk(item, key, itemPath, depth + 1));
      return;
    }
    const keys = ownKeys(value);
    for (const name of keys) {
      const child = read(value, name);
      const normalized = normalizeKey(name);
      const childPath = joinPath(path, name);
      this.rules(normalized, child, key, childPath);
      this.walk(child, normalized, childPath, depth + 1);
    }
  }

  private rules(key: string, value: unknown, parentKey: string, path: string): void {
    switch (key) {
      case 'privileged':
        if (isTrue(value)) this.add('privilege_escalation', 'privileged', 'privileged mode', path, '');
        return;
      case 'capadd':
        this.capabilities(value, path);
        return;
      case 'add':
        if (parentKey === 'capabilities') this.capabilities(value, path);
        return;
      case 'binds':
        this.eachString(value, path, (text, itemPath) => this.hostPath(bindSource(text), itemPath));
        return;
      case 'volumes':
      case 'mounts':
        this.mounts(value, path);
        return;
      case 'hostpath':
        if (typeof value === 'string') this.hostPath(value, path);
        else if (isRecord(value)) {
          const target = read(value, 'path');
          if (typeof target === 'string') this.hostPath(target, joinPath(path, 'path'));
        }
        return;
      case 'devices':
        this.devices(value, path);
        return;
      case 'devicecgrouprules':
        if (safeLength(value) > 0) {
          this.add('suspicious_container', 'device-cgroup-rule', 'device cgroup rules', path, '');
        }
        return;
      case 'securityopt':
      case 'securityopts':
        this.eachString(value, path, (text, itemPath) => this.securityOption(text, itemPath));
        return;
      case 'seccompprofile':
      case 'seccomp':
        if (isUnconfined(value)) this.unconfined('seccomp', path);
        return;
      case 'apparmorprofile':
      case 'apparmor':
        if (isUnconfined(value)) this.unconfined('apparmor', path);
        return;
      case 'selinuxoptions':
        if (isRecord(value) && lowerString(read(value, 'type')) === 'spc_t') {
          this.unconfined('selinux', path, ' (spc_t)');
        }
        return;
      case 'runasuser':
        if (value === 0 || value === '0')
          this.add('suspicious_container', 'root-user', 'runs as root', path, '');
        return;
      case 'user':
        if (isRootUser(value)) this.add('suspicious_container', 'root-user', 'runs as root', path, '');
        return;
      case 'allowprivilegeescalation':
        if (isTrue(value)) {
          this.add(
            'suspicious_container',
            'privilege-escalation-allowed',
            'privilege escalation allowed',
            path,
            '',
          );
        }
        return;
      case 'procmount':
        if (lowerString(value) === 'unmasked') {
          this.add('suspicious_container', 'proc-unmasked', '/proc unmasked', path, '');
        }
        return;
    }
    const namespace = NAMESPACES[key];
    if (namespace !== undefined) {
      const hostFlag = key.startsWith('host');
      if (hostFlag ? isTrue(value) : lowerString(value) === 'host') {
        this.add('suspicious_container', namespace[0], namespace[1], path, '');
      }
      return;
    }
    // Annotations such as `container.apparmor.security.beta.kubernetes.io/app: unconfined`.
    if ((key.includes('seccomp') || key.includes('apparmor')) && lowerString(value) === 'unconfined') {
      this.unconfined(key.includes('seccomp') ? 'seccomp' : 'apparmor', path);
    }
  }

  // A finding for confinement switched off; `detail` is added to the label.
  private unconfined(kind: keyof typeof CONFINEMENT, path: string, detail = ''): void {
    const [rule, label] = CONFINEMENT[kind];
    this.add('suspicious_container', rule, label + detail, path, '');
  }

  private capabilities(value: unknown, path: string): void {
    this.eachString(value, path, (text, itemPath) => {
      let name = text.trim().toUpperCase();
      if (name.startsWith('CAP_')) name = name.slice(4);
      if (name === '' || DEFAULT_CAPABILITIES.has(name)) return;
      const label = `capability ${name} added`;
      if (ROOT_CAPABILITIES.has(name)) this.add('privilege_escalation', 'capability', label, itemPath, name);
      else this.add('suspicious_container', 'capability', label, itemPath, name);
    });
  }

  // Docker API `Mounts` and Compose `volumes`: `"/src:/dst:ro"`, `"type=bind,source=/,target=/host"`,
  // `{ Type: "bind", Source: "/" }`. Named volumes have no leading slash and are not host paths.
  private mounts(value: unknown, path: string): void {
    this.eachItem(value, path, (item, itemPath) => {
      if (typeof item === 'string') {
        this.hostPath(item.includes('=') ? mountOption(item, ['source', 'src']) : bindSource(item), itemPath);
      } else if (isRecord(item)) {
        const type = lowerString(readKey(item, 'type'));
        if (type !== undefined && type !== 'bind') return;
        const source = readKey(item, 'source') ?? readKey(item, 'src');
        if (typeof source === 'string') this.hostPath(source, itemPath);
      }
    });
  }

  private devices(value: unknown, path: string): void {
    if (typeof value === 'string') {
      this.device(value.split(':')[0] ?? '', path);
      return;
    }
    this.eachItem(value, path, (item, itemPath) => {
      if (typeof item === 'string') this.device(item.split(':')[0] ?? '', itemPath);
      else if (isRecord(item)) {
        const host = readKey(item, 'pathonhost') ?? readKey(item, 'path') ?? readKey(item, 'devicepath');
        this.device(typeof host === 'string' ? host : '', itemPath);
      }
    });
  }

  private device(name: string, path: string): void {
    const detail = name === '' ? 'a host device' : `device ${name}`;
    this.add('suspicious_container', 'device', `${detail} exposed`, path, name || path);
  }

  private securityOption(option: string, path: string): void {
    const normalized = option.trim().toLowerCase().replace(':', '=');
    if (normalized === 'seccomp=unconfined') this.unconfined('seccomp', path);
    else if (normalized === 'apparmor=unconfined') this.unconfined('apparmor', path);
    else if (normalized === 'label=disable' || normalized === 'label=type=spc_t')
      this.unconfined('selinux', path);
    else if (normalized === 'systempaths=unconfined') {
      this.add('suspicious_container', 'proc-unmasked', '/proc and /sys unmasked', path, '');
    }
  }

  private hostPath(source: string | undefined, path: string): void {
    if (source === undefined) return;
    const risk = hostPathRisk(source);
    if (risk === undefined) return;
    const shown = sanitizeText(risk.path, 96);
    if (risk.kind === 'runtime-socket') {
      this.add(
        'privilege_escalation',
        'runtime-socket',
        `container runtime socket ${shown} mounted`,
        path,
        risk.path,
      );
    } else if (risk.kind === 'host-root') {
      this.add('privilege_escalation', 'host-root-mount', "host's root directory / mounted", path, '/');
    } else {
      this.add('suspicious_container', 'host-path', `host path ${shown} mounted`, path, risk.path);
    }
  }

  private eachString(value: unknown, path: string, visit: (text: string, itemPath: string) => void): void {
    if (typeof value === 'string') {
      for (const part of value.split(',').slice(0, MAX_ARRAY_ITEMS)) visit(part, path);
      return;
    }
    this.eachItem(value, path, (item, itemPath) => {
      if (typeof item === 'string') visit(item, itemPath);
    });
  }

  // Visits the first MAX_ARRAY_ITEMS items of an array (nothing for any other value) with their paths.
  private eachItem(value: unknown, path: string, visit: (item: unknown, itemPath: string) => void): void {
    if (!isArray(value)) return;
    const length = Math.min(safeLength(value), MAX_ARRAY_ITEMS);
    for (let i = 0; i < length; i++) visit(read(value, i), `${path}[${i}]`);
  }

  private add(type: ContainerFindingType, rule: string, label: string, path: string, detail: string): void {
    if (this.findings.length >= MAX_FINDINGS) return;
    const key = `${rule}\u0000${detail}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const where = sanitizeText(path, MAX_PATH_LENGTH);
    this.findings.push({ type, rule, reason: `${label} (${where})`, path: where });
  }
}
