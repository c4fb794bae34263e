import { describe, expect, it } from 'vitest';
import { monitorWithClock } from './helpers.js';

describe('privileged containers', () => {
  it('raise a critical privilege_escalation alert at most once per interval, counting every attempt', () => {
    const { monitor, alerts, advance } = monitorWithClock({ privilegedAlertIntervalMs: 60_000 });
    monitor.recordPrivilegedContainerAttempt('mallory');
    advance(30_000);
    monitor.recordPrivilegedContainerAttempt('mallory');
    monitor.recordPrivilegedContainerAttempt('eve');
    expect(alerts).toHaveLength(1);
    advance(30_000);
    monitor.recordPrivilegedContainerAttempt('eve');
    expect(alerts).toHaveLength(2);
    expect(alerts.map((a) => [a.type, a.severity, a.userId, a.metadata?.totalAttempts])).toEqual([
      ['privilege_escalation', 'critical', 'mallory', 1],
      ['privilege_escalation', 'critical', 'eve', 4],
    ]);
    const stats = monitor.getStats();
    expect(stats.privilegedContainerAttempts).toBe(4);
    expect(stats.suppressedByType.privilege_escalation).toBe(2);
  });
});

describe('path traversal and command injection', () => {
  it('alert on every call with the input and a running total', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordPathTraversal('192.0.2.7:1234', '../../etc/passwd');
    monitor.recordPathTraversal('192.0.2.7', '..\\..\\win.ini');
    monitor.recordCommandInjection('192.0.2.8', 'x; rm -rf /');
    expect(alerts.map((a) => [a.type, a.severity, a.sourceIp])).toEqual([
      ['path_traversal', 'high', '192.0.2.7'],
      ['path_traversal', 'high', '192.0.2.7'],
      ['command_injection', 'critical', '192.0.2.8'],
    ]);
    expect(alerts[1]!.metadata).toEqual({ path: '..\\..\\win.ini', totalAttempts: 2 });
    expect(alerts[2]!.metadata).toEqual({ input: 'x; rm -rf /', totalAttempts: 1 });
    const stats = monitor.getStats();
    expect(stats.pathTraversalAttempts).toBe(2);
    expect(stats.commandInjectionAttempts).toBe(1);
    expect(stats.alerts).toMatchObject({ path_traversal: 2, command_injection: 1 });
  });
});

describe('suspicious containers', () => {
  it('raise a high suspicious_container alert with the reasons', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordSuspiciousContainer('ci-bot', ['hostNetwork', 'mounts /var/run/docker.sock']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'suspicious_container',
      severity: 'high',
      userId: 'ci-bot',
      metadata: { reasons: ['hostNetwork', 'mounts /var/run/docker.sock'], totalAttempts: 1 },
    });
    expect(monitor.getStats().suspiciousContainerAttempts).toBe(1);
  });

  it('keep at most 16 reasons and say how many were left out', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordSuspiciousContainer(
      'u',
      Array.from({ length: 40 }, (_, i) => `reason ${i}`),
    );
    const reasons = alerts[0]!.metadata?.reasons as string[];
    expect(reasons).toHaveLength(17);
    expect(reasons.at(-1)).toBe('…[+24 more]');
  });
});

describe('rate-limited clients', () => {
  it('raise a medium rate_limit_exceeded alert at most once per client per re-alert interval', () => {
    const { monitor, alerts, advance } = monitorWithClock({ bruteForce: { realertIntervalMs: 10_000 } });
    for (let i = 0; i < 5; i++) monitor.recordRateLimitExceeded('192.0.2.9', 'bob');
    monitor.recordRateLimitExceeded('192.0.2.10');
    advance(10_000);
    monitor.recordRateLimitExceeded('192.0.2.9');
    expect(alerts.map((a) => [a.type, a.severity, a.sourceIp])).toEqual([
      ['rate_limit_exceeded', 'medium', '192.0.2.9'],
      ['rate_limit_exceeded', 'medium', '192.0.2.10'],
      ['rate_limit_exceeded', 'medium', '192.0.2.9'],
    ]);
    const stats = monitor.getStats();
    expect(stats.rateLimitExceeded).toBe(7);
    expect(stats.suppressedByType.rate_limit_exceeded).toBe(4);
  });
});

describe('hostile strings', () => {
  it('are truncated to 256 characters with a marked cut before they reach an alert', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordCommandInjection('192.0.2.1', `;${'A'.repeat(10_000)}`);
    const input = alerts[0]!.metadata?.input as string;
    expect(input.startsWith(`;${'A'.repeat(255)}`)).toBe(true);
    expect(input).toMatch(/…\[\+9745 chars\]$/);
  });

  it('have control characters escaped in every field', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 1 } });
    monitor.recordPathTraversal('192.0.2.1', '../x\n[SECURITY ALERT] fake\u001b[31m');
    monitor.recordFailedAuth('192.0.2.1', 'root\r\nadmin');
    monitor.recordSuspiciousContainer('u\u0000', ['a\u2028b']);
    expect(alerts[0]!.metadata?.path).toBe('../x\\n[SECURITY ALERT] fake\\x1b[31m');
    expect(alerts[1]!.userId).toBe('root\\r\\nadmin');
    expect(alerts[2]!.userId).toBe('u\\x00');
    expect(alerts[2]!.metadata?.reasons).toEqual(['a\\u2028b']);
    for (const alert of alerts) expect(JSON.stringify(alert)).not.toMatch(/[\u0000-\u001f]/);
  });
});
