// Privacy mode end to end: the real service with SECMON_PRIVACY_HMAC_KEY, attacks sent through the
// event API, and everything that leaves the process collected — the JSON log, the OpenTelemetry
// events and metrics a real OTLP receiver got, /metrics (text and OpenMetrics) and /v1/offenders.
// No address or account name may appear anywhere, while every alert is still raised and resolved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/processes.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const HMAC_KEY = 'privacy-integration-key-0123456789';
const OFFENDERS_TOKEN = 'privacy-offenders-token-0123456789';

const STUFFER = '203.0.113.77';
const VICTIMS = Array.from({ length: 12 }, (_, i) => `victim${i}.private@example.com`);
const CEO = 'ceo.private@example.com';
const ROTATING = Array.from({ length: 35 }, (_, i) => `198.51.100.${i + 10}`);
const PROBER = '192.0.2.33';
const PROBER_USER = 'mallory.private';

/** Every raw address, network and account the attack carried: none of them may leave the process. */
const PERSONAL = [
  STUFFER,
  ...VICTIMS,
  CEO,
  ...ROTATING,
  '198.51.100.0/24',
  PROBER,
  PROBER_USER,
  'example.com',
];
// (failed_login_surge names nobody, and needs a minute of history before it may fire: not here.)
const LOGIN_TYPES = [
  'brute_force',
  'credential_stuffing',
  'account_brute_force',
  'network_brute_force',
  'account_compromise_suspected',
];

/** JSON of anything, BigInts included (OTLP timestamps). */
const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

describe('privacy mode, end to end', () => {
  let receiver: OtlpReceiver;
  let service: RunningSecmon;
  let offendersWhileActive = '';

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    service = await startSecmon(
      {
        SECMON_PRIVACY_HMAC_KEY: HMAC_KEY,
        SECMON_OFFENDERS_TOKENS: OFFENDERS_TOKEN,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
        // Short windows so that every attack also ends (and its resolution is checked) within seconds.
        SECMON_BRUTE_FORCE_WINDOW_MS: '3000',
        SECMON_KEEP_FIRING_FOR_MS: '500',
        SECMON_QUIET_PERIOD_MS: '1000',
      },
      'secmon serve (privacy)',
    );
    const status = await service.post([
      // Credential stuffing (and brute force) from one address, over 12 accounts...
      ...VICTIMS.map((userId) => ({ type: 'failed_auth', ip: STUFFER, userId })),
      // ... a distributed attack on one account from 35 addresses of one /24 ...
      ...ROTATING.map((ip) => ({ type: 'failed_auth', ip, userId: CEO })),
      // ... one of the stuffed logins works ...
      { type: 'successful_auth', ip: STUFFER, userId: VICTIMS[3] },
      // ... and a path traversal by a logged-in user.
      { type: 'path_traversal', ip: PROBER, path: '../../../etc/passwd', userId: PROBER_USER },
    ]);
    expect(status).toBe(202);
    const response = await fetch(`${service.base}/v1/offenders`, {
      headers: { authorization: `Bearer ${OFFENDERS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    offendersWhileActive = await response.text();
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
  });

  it('still raises every alert, and resolves them, under pseudonyms', async () => {
    const alerts = await waitFor(
      'every alert raised and resolved in the log',
      () => {
        const lines = service.logLines().filter((line) => String(line.msg).startsWith('security alert'));
        const states = (state: string) =>
          new Set(
            lines
              .map((line) => line.alert as { type: string; state: string })
              .filter((alert) => alert.state === state)
              .map((alert) => alert.type),
          );
        const types = [...LOGIN_TYPES, 'path_traversal'];
        const done = types.every((type) => states('firing').has(type) && states('resolved').has(type));
        return done ? lines.map((line) => line.alert as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const alert of alerts) {
      if (alert.sourceIp !== undefined) expect(alert.sourceIp).toMatch(/^anon:[0-9a-f]{16}$/);
      if (alert.userId !== undefined) expect(alert.userId).toMatch(/^anon:[0-9a-f]{16}$/);
    }
    // One pseudonym per subject, the same in every alert about it: correlation still works.
    const stufferAlerts = alerts.filter(
      (alert) => alert.type === 'credential_stuffing' || alert.type === 'account_compromise_suspected',
    );
    expect(new Set(stufferAlerts.map((alert) => alert.sourceIp)).size).toBe(1);
    const compromise = alerts.find((alert) => alert.type === 'account_compromise_suspected')!;
    expect(compromise.userId).toMatch(/^anon:/);
    const traversal = alerts.find((alert) => alert.type === 'path_traversal')!;
    expect(traversal.userId).toMatch(/^anon:/);
    expect((traversal.metadata as { path: string }).path).toBe('../../../etc/passwd');
  }, 40_000);

  it('lists offenders by pseudonym only', () => {
    const { offenders } = JSON.parse(offendersWhileActive) as {
      offenders: Array<{ key: string; kind: string; types: string[] }>;
    };
    expect(new Set(offenders.map((offender) => offender.kind))).toEqual(
      new Set(['address', 'account', 'network']),
    );
    for (const offender of offenders) expect(offender.key).toMatch(/^anon:[0-9a-f]{16}$/);
    expect(offenders[0]!.types).toContain('account_compromise_suspected');
  });

  it('lets no raw address or account name out: log, OTel events and metrics, /metrics, /v1/offenders', async () => {
    const events = await waitFor(
      'the firing and resolved alert events at the OTLP receiver',
      () => {
        const records = receiver.logs().filter((record) => record.eventName === 'secmon.alert');
        const resolved = records.filter((record) => record.attributes['secmon.alert.state'] === 'resolved');
        return resolved.length >= 6 ? records : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(new Set(events.map((record) => record.attributes['secmon.alert.type']))).toEqual(
      new Set([...LOGIN_TYPES, 'path_traversal']),
    );
    const stufferInLog = service
      .logLines()
      .map((line) => line.alert as { type?: string; sourceIp?: string } | undefined)
      .find((alert) => alert?.type === 'credential_stuffing')!.sourceIp;
    expect(
      events.find((record) => record.attributes['secmon.alert.type'] === 'credential_stuffing')!.attributes[
        'client.address'
      ],
    ).toBe(stufferInLog);
    await waitFor('OTel metrics at the receiver', () => receiver.latestMetrics()?.length);

    const metrics = await (await fetch(`${service.base}/metrics`)).text();
    const openMetrics = await (
      await fetch(`${service.base}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      })
    ).text();
    expect(metrics).toMatch(
      /^secmon_alerts_total\{type="account_compromise_suspected",severity="critical"\} 1$/m,
    );
    const offendersNow = await (
      await fetch(`${service.base}/v1/offenders`, { headers: { authorization: `Bearer ${OFFENDERS_TOKEN}` } })
    ).text();

    const everything = {
      // The whole output of the process, stdout and stderr, not only the alert lines.
      process: service.process.output(),
      otlp: json(receiver.requests),
      metrics,
      openMetrics,
      offenders: offendersWhileActive + offendersNow,
    };
    for (const [where, text] of Object.entries(everything)) {
      for (const personal of PERSONAL) expect(text.includes(personal), `${personal} in ${where}`).toBe(false);
      expect(text.includes(HMAC_KEY), `the key in ${where}`).toBe(false);
    }
    // The start-up line says privacy mode is on, without the key.
    expect(service.logLines().find((line) => line.msg === 'secmon listening')).toMatchObject({
      privacy: true,
    });
  }, 40_000);
});
