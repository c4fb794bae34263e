import { describe, expect, it } from 'vitest';
import { inspectContainerConfig, reportContainerFindings } from '../../../src/index.js';
import { monitorWithClock } from '../../core/helpers.js';

describe('reportContainerFindings', () => {
  it('raises privilege_escalation for privileged specs and suspicious_container with the other reasons', () => {
    const { monitor, alerts } = monitorWithClock();
    const findings = inspectContainerConfig({
      HostConfig: { Privileged: true, NetworkMode: 'host', Binds: ['/etc:/host-etc'] },
    });
    expect(reportContainerFindings(monitor, 'ci-bot', findings)).toBe(2);
    expect(alerts.map((a) => [a.type, a.severity, a.userId])).toEqual([
      ['privilege_escalation', 'critical', 'ci-bot'],
      ['suspicious_container', 'high', 'ci-bot'],
    ]);
    expect(alerts[1]!.metadata?.reasons).toEqual([
      'host network namespace (HostConfig.NetworkMode)',
      'host path /etc mounted (HostConfig.Binds[0])',
    ]);
    const stats = monitor.getStats();
    expect(stats.privilegedContainerAttempts).toBe(1);
    expect(stats.suspiciousContainerAttempts).toBe(1);
  });

  it('records only a privilege escalation when nothing else is wrong', () => {
    const { monitor, alerts } = monitorWithClock();
    const findings = inspectContainerConfig({
      spec: { volumes: [{ hostPath: { path: '/var/run/docker.sock' } }] },
    });
    expect(reportContainerFindings(monitor, 'dev', findings)).toBe(1);
    expect(alerts.map((a) => a.type)).toEqual(['privilege_escalation']);
  });

  it('records nothing for a clean spec', () => {
    const { monitor, alerts } = monitorWithClock();
    expect(reportContainerFindings(monitor, 'dev', inspectContainerConfig({ Image: 'nginx' }))).toBe(0);
    expect(alerts).toEqual([]);
    expect(monitor.getStats().suspiciousContainerAttempts).toBe(0);
  });

  it('keeps the monitor rate limit for repeated privileged requests', () => {
    const { monitor, alerts, advance } = monitorWithClock({ privilegedAlertIntervalMs: 60_000 });
    const findings = inspectContainerConfig({ privileged: true });
    reportContainerFindings(monitor, 'a', findings);
    advance(1_000);
    reportContainerFindings(monitor, 'b', findings);
    expect(alerts).toHaveLength(1);
    expect(monitor.getStats().privilegedContainerAttempts).toBe(2);
  });
});
