// Structural tests of docker-compose.yml and the Dockerfile (there is no container engine in CI):
// every mounted file exists, and the service names, ports, paths and commands agree with
// prometheus.yml, the Grafana provisioning, the OTel collector config, package.json and the README.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SECMON_JOB } from '../../observability/alerts.js';

const root = resolve(import.meta.dirname, '../..');
const text = (path: string) => readFileSync(join(root, path), 'utf8');
const yaml = <T>(path: string) => parse(text(path), { merge: true }) as T;

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
}
const compose = yaml<{ services: Record<string, ComposeService>; volumes?: Record<string, unknown> }>(
  'docker-compose.yml',
);
const services = compose.services;
const prometheusConfig = yaml<{
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{
    job_name: string;
    metrics_path?: string;
    static_configs: Array<{ targets: string[] }>;
  }>;
}>('prometheus/prometheus.yml');
const datasources = yaml<{ datasources: Array<{ uid: string; type: string; url: string }> }>(
  'grafana/provisioning/datasources/secmon.yaml',
);
const collector = yaml<{
  receivers: { otlp: { protocols: { http: { endpoint: string } } } };
  service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
}>('otel-collector/config.yaml');
const packageJson = JSON.parse(text('package.json')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};

/** `${NAME:-default}` as compose resolves it when NAME is not set. */
function composeDefault(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

/** The bind mounts of a service: host path (relative to the repository) -> container path. */
function bindMounts(service: ComposeService): Array<{ host: string; container: string }> {
  return (service.volumes ?? [])
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [host, container] = volume.split(':');
      return { host: host!, container: container! };
    });
}

/** The container path a repository file or directory is mounted at in `service` (files inside mounted dirs too). */
function mountedAt(service: ComposeService, repoPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    const host = posix.normalize(mount.host);
    if (host === repoPath) return mount.container;
    if (repoPath.startsWith(`${host}/`)) return posix.join(mount.container, repoPath.slice(host.length + 1));
  }
  return undefined;
}

function flag(service: ComposeService, name: string): string | undefined {
  return service.command?.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** The container port of `secmon`'s published mapping. */
function publishedPorts(
  service: ComposeService,
): Array<{ host: string; hostPort: string; containerPort: string }> {
  return (service.ports ?? []).map((port) => {
    const parts = port.split(':');
    return { host: parts[0]!, hostPort: parts[1]!, containerPort: parts[2]! };
  });
}

const dockerfile = text('Dockerfile');
const stages = dockerfile.split(/^FROM /m).slice(1);
const finalStage = stages.at(-1)!;

describe('docker-compose.yml', () => {
  it('stands up secmon, Redis, Prometheus, Alertmanager, Grafana and an OTel collector, plus a demo profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'demo', 'grafana', 'otel-collector', 'prometheus', 'redis', 'secmon'].sort(),
    );
    expect(services.demo!.profiles).toEqual(['demo']);
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'demo') expect(service.profiles, name).toBeUndefined();
    }
  });

  it('mounts only files and directories that exist in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const mount of bindMounts(service)) {
        expect(existsSync(join(root, mount.host)), `${name} mounts missing ${mount.host}`).toBe(true);
        expect(mount.container.startsWith('/'), `${name}: ${mount.container}`).toBe(true);
      }
    }
  });

  it('declares every named volume it uses', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        if (volume.startsWith('./')) continue;
        expect(Object.keys(compose.volumes ?? {})).toContain(volume.split(':')[0]);
      }
    }
  });

  it('publishes ports on loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of publishedPorts(service)) expect(port.host, name).toBe('127.0.0.1');
    }
  });

  it('gives Prometheus the shipped config and rules where prometheus.yml looks for them', () => {
    const prometheus = services.prometheus!;
    const configPath = flag(prometheus, '--config.file');
    expect(configPath).toBe(mountedAt(prometheus, 'prometheus/prometheus.yml'));
    for (const pattern of prometheusConfig.rule_files) {
      // rule_files are relative to the config file's directory.
      const containerDir = posix.dirname(posix.join(posix.dirname(configPath!), pattern));
      expect(mountedAt(prometheus, 'prometheus/rules')).toBe(containerDir);
    }
  });

  it('has Prometheus scrape the secmon service on the port secmon listens on', () => {
    const job = prometheusConfig.scrape_configs.find((config) => config.job_name === SECMON_JOB);
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    const [target] = job!.static_configs[0]!.targets;
    const [host, port] = target!.split(':');
    expect(services[host!], `no compose service named ${host}`).toBe(services.secmon);
    const secmon = services.secmon!;
    expect(secmon.environment?.SECMON_HOST).toBe('0.0.0.0');
    expect(composeDefault(secmon.environment?.SECMON_PORT ?? '9870')).toBe(port);
    expect(publishedPorts(secmon).map((mapping) => mapping.containerPort)).toContain(port);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
  });

  it('has Prometheus send alerts to the Alertmanager service, which loads the shipped alertmanager.yml', () => {
    const [target] = prometheusConfig.alerting.alertmanagers[0]!.static_configs[0]!.targets;
    const [host, port] = target!.split(':');
    const alertmanager = services[host!];
    expect(alertmanager, `no compose service named ${host}`).toBe(services.alertmanager);
    expect(publishedPorts(alertmanager!).map((mapping) => mapping.containerPort)).toContain(port);
    expect(flag(alertmanager!, '--config.file')).toBe(
      mountedAt(alertmanager!, 'prometheus/alertmanager.yml'),
    );
  });

  it("points Grafana's datasources at the Prometheus and Alertmanager services", () => {
    for (const [type, serviceName] of [
      ['prometheus', 'prometheus'],
      ['alertmanager', 'alertmanager'],
    ] as const) {
      const source = datasources.datasources.find((candidate) => candidate.type === type)!;
      const url = new URL(source.url);
      expect(url.hostname).toBe(serviceName);
      expect(publishedPorts(services[serviceName]!).map((mapping) => mapping.containerPort)).toContain(
        url.port,
      );
    }
  });

  it("tells Grafana Prometheus's scrape interval (so $__rate_interval covers enough samples)", () => {
    const source = datasources.datasources.find(
      (candidate) => candidate.type === 'prometheus',
    ) as unknown as {
      jsonData: { timeInterval: string };
    };
    const global = (parse(text('prometheus/prometheus.yml')) as { global: { scrape_interval: string } })
      .global;
    expect(source.jsonData.timeInterval).toBe(global.scrape_interval);
  });

  it('provisions Grafana: datasources, dashboard provider, alert rules and the dashboard files', () => {
    const grafana = services.grafana!;
    expect(mountedAt(grafana, 'grafana/provisioning')).toBe('/etc/grafana/provisioning');
    for (const dir of ['datasources', 'dashboards', 'alerting']) {
      expect(statSync(join(root, 'grafana/provisioning', dir)).isDirectory()).toBe(true);
    }
    const provider = yaml<{ providers: Array<{ options: { path: string } }> }>(
      'grafana/provisioning/dashboards/secmon.yaml',
    );
    const dashboardsDir = provider.providers[0]!.options.path;
    expect(mountedAt(grafana, 'grafana/dashboards')).toBe(dashboardsDir);
    expect(existsSync(join(root, 'grafana/dashboards/secmon.json'))).toBe(true);
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      mountedAt(grafana, 'grafana/dashboards/secmon.json'),
    );
  });

  it('keeps Grafana anonymous access off unless the user turns it on', () => {
    const env = services.grafana!.environment!;
    expect(composeDefault(env.GF_AUTH_ANONYMOUS_ENABLED!)).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });

  it("sends secmon's OTLP to the collector, which receives it on that port and exports what it gets", () => {
    const endpoint = new URL(services.secmon!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT!);
    expect(services[endpoint.hostname]).toBe(services['otel-collector']);
    const collectorService = services['otel-collector']!;
    expect(flag(collectorService, '--config')).toBe(
      mountedAt(collectorService, 'otel-collector/config.yaml'),
    );
    expect(collector.receivers.otlp.protocols.http.endpoint.split(':').at(-1)).toBe(endpoint.port);
    for (const signal of ['logs', 'metrics']) {
      expect(collector.service.pipelines[signal]?.receivers, signal).toContain('otlp');
      expect(collector.service.pipelines[signal]?.exporters, signal).toContain('debug');
    }
  });

  it('runs secmon with its window state in the Redis service, which keeps nothing on disk and bounds its memory', () => {
    const secmon = services.secmon!;
    const url = new URL(secmon.environment!.SECMON_REDIS_URL!);
    expect(url.protocol).toBe('redis:');
    expect(services[url.hostname], `no compose service named ${url.hostname}`).toBe(services.redis);
    expect(secmon.depends_on).toContain('redis');
    const redis = services.redis!;
    const command = redis.command!;
    expect(command[0]).toBe('redis-server');
    // The port secmon connects to is the one redis-server listens on (its default unless --port).
    const port = command.includes('--port') ? command[command.indexOf('--port') + 1] : '6379';
    expect(url.port || '6379').toBe(port);
    const option = (name: string) => command[command.indexOf(name) + 1];
    expect(option('--save')).toBe('');
    expect(option('--appendonly')).toBe('no');
    expect(option('--maxmemory')).toMatch(/^\d+[kmg]b$/);
    expect(option('--maxmemory-policy')).toBe('noeviction');
    expect(redis.image).toMatch(/^redis:\d+\.\d+\.\d+-alpine$/);
    expect(redis.ports, 'Redis is for secmon only: not published on the host').toBeUndefined();
    expect(['fallback', 'fail-closed']).toContain(
      composeDefault(secmon.environment!.SECMON_REDIS_OUTAGE_POLICY!),
    );
  });

  it('runs `secmon demo` in the demo profile against the secmon service with an accepted token', () => {
    const demo = services.demo!;
    expect(demo.image).toBe(services.secmon!.image);
    const command = demo.command!.map(composeDefault);
    expect(command.slice(0, 3)).toEqual(['node', packageJson.bin.secmon, 'demo']);
    const target = new URL(command[command.indexOf('--target') + 1]!);
    expect(services[target.hostname]).toBe(services.secmon);
    expect(target.port).toBe(composeDefault(services.secmon!.environment!.SECMON_PORT!));
    const token = command[command.indexOf('--token') + 1]!;
    expect(composeDefault(services.secmon!.environment!.SECMON_INGEST_TOKENS!).split(',')).toContain(token);
    expect(demo.depends_on).toEqual({ secmon: { condition: 'service_healthy' } });
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on the current Node LTS slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const image = dockerfile.match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
    // Node 26 is Active LTS from October 2026 (24 is in maintenance).
    expect(image).toMatch(/^node:26-[a-z]+-slim$/);
    for (const stage of stages) expect(stage.startsWith('${NODE_IMAGE}')).toBe(true);
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    const user = finalStage.match(/^USER (\S+)$/m)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(finalStage).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(finalStage).toMatch(/SECMON_HOST=0\.0\.0\.0/);
  });

  it('starts the service with the command `npm start` runs and the README documents', () => {
    const cmd = JSON.parse(finalStage.match(/^CMD (\[.*\])$/m)![1]!) as string[];
    expect(cmd.join(' ')).toBe(packageJson.scripts.start);
    expect(cmd[1]).toBe(packageJson.bin.secmon);
    expect(text('README.md')).toContain(packageJson.scripts.start!);
    // The file the CMD runs is what `npm run build` makes of src/service/cli.ts.
    expect(existsSync(join(root, cmd[1]!.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('ships package.json beside dist/ (secmon reads its version from it at run time)', () => {
    expect(finalStage).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(finalStage).toMatch(/^COPY package\.json [^\n]*\.\/$/m);
  });

  it('copies only files that exist, and keeps local build output out of the context', () => {
    for (const line of dockerfile.match(/^COPY (?!--from)[^\n]+$/gm) ?? []) {
      const sources = line
        .replace(/^COPY (--\S+ )*/, '')
        .split(/\s+/)
        .slice(0, -1);
      for (const source of sources) expect(existsSync(join(root, source)), line).toBe(true);
    }
    const ignored = text('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });
});
