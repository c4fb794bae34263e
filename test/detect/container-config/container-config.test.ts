import { describe, expect, it } from 'vitest';
import { type ContainerFinding, inspectContainerConfig } from '../../../src/index.js';

function rules(config: unknown): string[] {
  return inspectContainerConfig(config).map((f) => `${f.type}:${f.rule}`);
}

function only(config: unknown): ContainerFinding {
  const findings = inspectContainerConfig(config);
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('inspectContainerConfig: privileged mode and its equivalents are privilege_escalation', () => {
  it.each([
    ['Docker API', { HostConfig: { Privileged: true } }, 'HostConfig.Privileged'],
    [
      'Kubernetes pod',
      { spec: { containers: [{ name: 'app', securityContext: { privileged: true } }] } },
      'spec.containers[0].securityContext.privileged',
    ],
    ['flat', { privileged: true }, 'privileged'],
    ['flat, as a string', { privileged: 'true' }, 'privileged'],
  ])('privileged: true (%s)', (_shape, config, path) => {
    expect(only(config)).toEqual({
      type: 'privilege_escalation',
      rule: 'privileged',
      reason: `privileged mode (${path})`,
      path,
    });
  });

  it.each([
    [{ HostConfig: { CapAdd: ['ALL'] } }, 'ALL'],
    [{ HostConfig: { CapAdd: ['CAP_SYS_ADMIN'] } }, 'SYS_ADMIN'],
    [
      { spec: { containers: [{ securityContext: { capabilities: { add: ['sys_module'] } } }] } },
      'SYS_MODULE',
    ],
    [{ cap_add: ['SYS_ADMIN'] }, 'SYS_ADMIN'],
  ])('root-equivalent capability %#', (config, name) => {
    const finding = only(config);
    expect(finding.type).toBe('privilege_escalation');
    expect(finding.rule).toBe('capability');
    expect(finding.reason).toContain(`capability ${name} added`);
  });

  it.each([
    ['/var/run/docker.sock:/var/run/docker.sock', '/var/run/docker.sock'],
    ['/run/docker.sock:/var/run/docker.sock:ro', '/run/docker.sock'],
    ['/run/podman/podman.sock:/run/podman/podman.sock', '/run/podman/podman.sock'],
    ['/run/containerd/containerd.sock:/c.sock', '/run/containerd/containerd.sock'],
    ['/var/run/crio/crio.sock:/crio.sock', '/var/run/crio/crio.sock'],
  ])('a container runtime socket mounted: %s', (bind, path) => {
    const finding = only({ HostConfig: { Binds: [bind] } });
    expect(finding).toMatchObject({ type: 'privilege_escalation', rule: 'runtime-socket' });
    expect(finding.reason).toBe(`container runtime socket ${path} mounted (HostConfig.Binds[0])`);
  });

  it("the host's root directory mounted, however it is spelled", () => {
    for (const config of [
      { HostConfig: { Binds: ['/:/host'] } },
      { HostConfig: { Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] } },
      { spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }] } },
      { volumes: ['//:/host:ro'] },
      { mounts: ['type=bind,source=/tmp/../,target=/host'] },
    ]) {
      expect(rules(config)).toEqual(['privilege_escalation:host-root-mount']);
    }
  });
});

describe('inspectContainerConfig: other dangerous settings are suspicious_container', () => {
  it.each([
    [{ HostConfig: { NetworkMode: 'host' } }, 'host-network'],
    [{ spec: { hostNetwork: true } }, 'host-network'],
    [{ network_mode: 'host' }, 'host-network'],
    [{ HostConfig: { PidMode: 'host' } }, 'host-pid'],
    [{ spec: { hostPID: true } }, 'host-pid'],
    [{ pid: 'host' }, 'host-pid'],
    [{ HostConfig: { IpcMode: 'host' } }, 'host-ipc'],
    [{ spec: { hostIPC: true } }, 'host-ipc'],
    [{ HostConfig: { UTSMode: 'host' } }, 'host-uts'],
    [{ HostConfig: { UsernsMode: 'host' } }, 'host-userns'],
    [{ HostConfig: { CapAdd: ['NET_ADMIN'] } }, 'capability'],
    [
      { spec: { containers: [{ securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }] } },
      'capability',
    ],
    [{ HostConfig: { Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda' }] } }, 'device'],
    [{ devices: ['/dev/mem:/dev/mem'] }, 'device'],
    [{ HostConfig: { DeviceCgroupRules: ['a *:* rwm'] } }, 'device-cgroup-rule'],
    [{ HostConfig: { SecurityOpt: ['seccomp=unconfined'] } }, 'seccomp-unconfined'],
    [{ security_opt: ['seccomp:unconfined'] }, 'seccomp-unconfined'],
    [{ spec: { securityContext: { seccompProfile: { type: 'Unconfined' } } } }, 'seccomp-unconfined'],
    [{ HostConfig: { SecurityOpt: ['apparmor=unconfined'] } }, 'apparmor-unconfined'],
    [
      { spec: { containers: [{ securityContext: { appArmorProfile: { type: 'Unconfined' } } }] } },
      'apparmor-unconfined',
    ],
    [
      { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } } },
      'apparmor-unconfined',
    ],
    [{ HostConfig: { SecurityOpt: ['label=disable'] } }, 'selinux-disabled'],
    [{ spec: { securityContext: { runAsUser: 0 } } }, 'root-user'],
    [{ Config: { User: 'root' } }, 'root-user'],
    [{ user: '0:0' }, 'root-user'],
    [
      { spec: { containers: [{ securityContext: { allowPrivilegeEscalation: true } }] } },
      'privilege-escalation-allowed',
    ],
  ])('%j → %s', (config, rule) => {
    expect(rules(config)).toEqual([`suspicious_container:${rule}`]);
  });

  it.each([
    '/etc',
    '/proc',
    '/sys',
    '/root',
    '/boot',
    '/dev',
    '/var/run',
    '/var/lib/kubelet',
    '/home/alice/.ssh',
  ])('sensitive host path %s, in every shape', (path) => {
    for (const config of [
      { HostConfig: { Binds: [`${path}:/mnt:ro`] } },
      { HostConfig: { Mounts: [{ Type: 'bind', Source: path, Target: '/mnt' }] } },
      { spec: { volumes: [{ name: 'v', hostPath: { path, type: 'Directory' } }] } },
      { volumes: [`${path}:/mnt`] },
      { hostPath: path },
    ]) {
      const finding = only(config);
      expect(finding).toMatchObject({ type: 'suspicious_container', rule: 'host-path' });
      expect(finding.reason).toContain(`host path ${path} mounted`);
    }
  });

  it('resolves dot segments before judging a host path', () => {
    expect(only({ HostConfig: { Binds: ['/opt/app/../../etc/:/cfg'] } }).reason).toContain(
      'host path /etc mounted',
    );
  });

  it('lists every reason of a spec with many problems, once each', () => {
    const config = {
      spec: {
        hostNetwork: true,
        hostPID: true,
        containers: [
          { name: 'a', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_ADMIN'] }, runAsUser: 0 } },
          { name: 'b', securityContext: { capabilities: { add: ['NET_ADMIN'] }, privileged: true } },
        ],
        volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }],
      },
    };
    expect(rules(config)).toEqual([
      'suspicious_container:host-network',
      'suspicious_container:host-pid',
      'suspicious_container:capability',
      'suspicious_container:root-user',
      'privilege_escalation:privileged',
      'privilege_escalation:runtime-socket',
    ]);
  });
});

describe('inspectContainerConfig: ordinary specs have no findings', () => {
  it.each([
    [
      {
        Image: 'nginx:1.27',
        HostConfig: { Privileged: false, NetworkMode: 'bridge', Binds: ['web-data:/usr/share/nginx/html'] },
      },
    ],
    [{ Image: 'app', HostConfig: { CapAdd: ['NET_BIND_SERVICE', 'CHOWN'], CapDrop: ['ALL'] } }],
    [{ Image: 'app', HostConfig: { Binds: ['/etc/localtime:/etc/localtime:ro', '/srv/app/data:/data'] } }],
    [{ Image: 'app', Config: { User: '1000:1000', Volumes: { '/data': {} } } }],
    [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'app',
              image: 'app:1',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'cache', mountPath: '/etc/app' }],
            },
          ],
          volumes: [
            { name: 'cache', emptyDir: {} },
            { name: 'cfg', configMap: { name: 'app' } },
          ],
        },
      },
    ],
    [{ image: 'redis', network_mode: 'bridge', volumes: ['./data:/data', 'cache:/cache'], user: 'redis' }],
  ])('%j', (config) => {
    expect(inspectContainerConfig(config)).toEqual([]);
  });
});

describe('inspectContainerConfig: unknown or malformed config never throws', () => {
  it.each([
    [undefined],
    [null],
    [42],
    ['privileged'],
    [[]],
    [{ HostConfig: null }],
    [{ HostConfig: { Binds: 'not-an-array', CapAdd: 7, Devices: [null, 3, {}] } }],
    [{ spec: { volumes: [null, { hostPath: 5 }, { hostPath: { path: null } }] } }],
  ])('%j', (config) => {
    expect(() => inspectContainerConfig(config)).not.toThrow();
  });

  it('survives cycles, throwing getters and proxies, and reports what it could read', () => {
    const cyclic: Record<string, unknown> = { HostConfig: { Privileged: true } };
    cyclic.self = cyclic;
    expect(rules(cyclic)).toEqual(['privilege_escalation:privileged']);

    const getters = {
      get HostConfig(): unknown {
        throw new Error('boom');
      },
      privileged: true,
    };
    expect(rules(getters)).toEqual(['privilege_escalation:privileged']);

    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(inspectContainerConfig(proxy)).toEqual([]);
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(rules({ a: revocable.proxy, privileged: true })).toEqual(['privilege_escalation:privileged']);
  });

  it('bounds the work on huge specs and the number of findings', () => {
    const capAdd = Array.from({ length: 100_000 }, (_, i) => `CAP_${i}`);
    const findings = inspectContainerConfig({ HostConfig: { CapAdd: capAdd } });
    expect(findings.length).toBeLessThanOrEqual(64);
    let deep: Record<string, unknown> = { privileged: true };
    for (let i = 0; i < 10_000; i++) deep = { nested: deep };
    expect(inspectContainerConfig(deep)).toEqual([]);
  });

  it('escapes hostile keys and values in reasons', () => {
    const finding = only({ '\u001b[31mHostConfig': { Binds: ['/etc/\u0007bell:/x'] } });
    expect(finding.reason).not.toMatch(/[\u0000-\u001f]/);
    expect(finding.reason).toContain('\\x1b');
  });
});
