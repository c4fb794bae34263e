// Which host paths a container must not see. Mounting a container runtime's socket or the host's root
// hands over the host; system directories, devices and the runtime's state come close.

/** How dangerous a mounted host path is. */
export interface HostPathRisk {
  kind: 'runtime-socket' | 'host-root' | 'sensitive';
  /** The path as resolved (`/var/run/../etc/` → `/etc`). */
  path: string;
}

// Sockets that accept container runtime API calls: whoever can write to them is root on the host.
const RUNTIME_SOCKETS = new Set([
  'docker.sock',
  'podman.sock',
  'containerd.sock',
  'crio.sock',
  'cri-dockerd.sock',
  'dockershim.sock',
  'io.podman',
]);

// Host directories (and everything below them) a workload has no business mounting.
const SENSITIVE = [
  '/etc',
  '/proc',
  '/sys',
  '/root',
  '/boot',
  '/dev',
  '/run',
  '/var/run',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/kubelet',
  '/home',
  '/lib/modules',
  '/usr/lib/modules',
];

// Read-mostly files commonly shared with containers (time zone, CA certificates): not findings.
const HARMLESS = [
  '/etc/localtime',
  '/etc/timezone',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
  '/etc/pki/ca-trust/extracted',
  '/etc/pki/tls/certs',
];

const MAX_PATH = 4096;

/**
 * The risk of mounting host path `source` into a container, or undefined for a harmless or relative
 * path (a named volume, `./data`). `.` and `..` are resolved and repeated slashes collapsed first, so
 * `/var/run/../../etc/` is `/etc`. Windows named pipes of the Docker engine count as runtime sockets.
 */
export function hostPathRisk(source: string): HostPathRisk | undefined {
  const text = source.trim();
  if (text.length === 0 || text.length > MAX_PATH) return undefined;
  const lower = text.toLowerCase();
  if ((lower.startsWith('\\\\.\\pipe\\') || lower.startsWith('//./pipe/')) && lower.includes('docker')) {
    return { kind: 'runtime-socket', path: text };
  }
  if (!text.startsWith('/')) return undefined;
  const path = resolve(text);
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (RUNTIME_SOCKETS.has(name)) return { kind: 'runtime-socket', path };
  if (path === '/') return { kind: 'host-root', path };
  if (HARMLESS.some((harmless) => within(path, harmless))) return undefined;
  if (SENSITIVE.some((root) => within(path, root))) return { kind: 'sensitive', path };
  return undefined;
}

function within(path: string, directory: string): boolean {
  return path === directory || path.startsWith(`${directory}/`);
}

// `/a/./b//../c/` → `/a/c`; `..` above the root stays at the root, as the kernel does.
function resolve(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
