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

describe('optional event details', () => {
  it('carry the user id and the sink of an attack into its alert, and count sink findings by kind', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordPathTraversal('192.0.2.7', '../../etc/passwd', { userId: 'alice', sink: 'fs.readFile' });
    monitor.recordCommandInjection('192.0.2.8', '; id', { userId: 'bob' });
    monitor.recordCommandInjection('192.0.2.8', '$(id)', { sink: 'child_process.exec' });
    expect(alerts.map((a) => [a.type, a.userId, a.metadata?.sink])).toEqual([
      ['path_traversal', 'alice', 'fs.readFile'],
      ['command_injection', 'bob', undefined],
      ['command_injection', undefined, 'child_process.exec'],
    ]);
    expect(monitor.getStats().sinkFindings).toEqual({ command: 1, file: 1 });
  });

  it('carry the client address of a container request into its alert, normalised', () => {
    const { monitor, alerts } = monitorWithClock();
    monitor.recordPrivilegedContainerAttempt('ci', { ip: '[::ffff:192.0.2.5]:443' });
    monitor.recordSuspiciousContainer('ci', ['hostPID'], { ip: '2001:db8::7' });
    monitor.recordSuspiciousContainer('ci', ['hostIPC']);
    expect(alerts.map((a) => [a.type, a.userId, a.sourceIp])).toEqual([
      ['privilege_escalation', 'ci', '192.0.2.5'],
      ['suspicious_container', 'ci', '2001:db8::/64'],
      ['suspicious_container', 'ci', undefined],
    ]);
  });

  it('ignore details of the wrong type, as any other bad data, and escape what they carry', () => {
    const { monitor, alerts } = monitorWithClock();
    const untyped = monitor as unknown as Record<string, (...args: unknown[]) => void>;
    untyped.recordPathTraversal!('192.0.2.7', '../x', 'alice');
    untyped.recordCommandInjection!('192.0.2.7', '; id', { userId: 42, sink: ['fs'] });
    untyped.recordSuspiciousContainer!('ci', ['hostPID'], null);
    untyped.recordPrivilegedContainerAttempt!('ci', { ip: 7 });
    monitor.recordPathTraversal('192.0.2.7', '../y', { userId: 'eve\n\u001b[31m', sink: 'fs.open\r\n' });
    expect(alerts.map((a) => [a.userId, a.sourceIp, a.metadata?.sink])).toEqual([
      [undefined, '192.0.2.7', undefined],
      [undefined, '192.0.2.7', undefined],
      ['ci', undefined, undefined],
      ['ci', undefined, undefined],
      ['eve\\n\\x1b[31m', '192.0.2.7', 'fs.open\\r\\n'],
    ]);
    expect(monitor.getStats().sinkFindings).toEqual({ command: 0, file: 1 });
  });
});

describe('addresses and logins', () => {
  it('count events whose address cannot be parsed, and share one window for them', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 3 } });
    monitor.recordFailedAuth('not-an-ip');
    monitor.recordFailedAuth('999.1.1.1');
    monitor.recordPathTraversal('', '../x');
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordSuspiciousContainer('ci', ['hostPID'], { ip: 'garbage' });
    monitor.recordSuccessfulAuth('???', 'alice');
    expect(monitor.getStats().unparseableAddresses).toBe(5);
    monitor.recordFailedAuth(undefined as unknown as string);
    // The third unparseable failure crosses the shared window's threshold.
    expect(alerts.filter((a) => a.type === 'brute_force').map((a) => a.sourceIp)).toEqual([undefined]);
    expect(monitor.getStats().unparseableAddresses).toBe(6);
  });

  it('count successful logins', () => {
    const { monitor } = monitorWithClock();
    monitor.recordSuccessfulAuth('192.0.2.1', 'alice');
    monitor.recordSuccessfulAuth('192.0.2.1');
    expect(monitor.getStats().successfulAuths).toBe(2);
  });

  it('key an IPv6 address that carries an IPv4 one as that IPv4 address: one attacker, one window', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 4 } });
    for (const form of [
      '198.51.100.7',
      '::ffff:198.51.100.7',
      '64:ff9b::198.51.100.7',
      '2002:c633:6407::1',
    ]) {
      monitor.recordFailedAuth(form);
    }
    expect(alerts.map((a) => [a.type, a.sourceIp])).toEqual([['brute_force', '198.51.100.7']]);
    expect(monitor.getStats().monitoredIps).toBe(1);
  });
});
