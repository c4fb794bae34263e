// Agreement with the truth: on a generated auth.log whose attackers are known exactly (N attempts
// within W seconds), which addresses each tool would act on, and how many of them are right
// (precision) and how many of the attackers it finds (recall). secmon's replay must be exact; fail2ban
// is its jail logic configured to the same rule (maxretry N, findtime W), CrowdSec its shipped ssh
// scenarios (fixed leaky buckets) and our translation of the rule into a leaky bucket.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientKey, formatClientKey } from '../src/core/client-address.js';
import { generateSshdLog, type SshdActorKind } from '../test/support/auth-log-generator.js';
import { crowdsecMissing, crowdsecReplay, tunedScenario } from './peers/crowdsec.js';
import { fail2banJail, fail2banMissing } from './peers/fail2ban.js';
import { secmonReplay } from './peers/secmon-replay.js';

/** How one tool's flagged addresses compare with the truth. */
export interface Score {
  flagged: number;
  correct: number;
  /** correct / flagged (1 when nothing is flagged). */
  precision: number;
  /** correct / attackers in the truth. */
  recall: number;
  /** Flagged addresses that are not attackers, by the kind of actor behind them. */
  wronglyFlaggedByKind: Partial<Record<SshdActorKind, number>>;
  /** Attackers not flagged, by kind. */
  missedByKind: Partial<Record<SshdActorKind, number>>;
}

export type Skipped = { skipped: string };

export interface AgreementBench {
  log: {
    lines: number;
    threshold: number;
    windowSec: number;
    attackers: number;
    addresses: number;
    seed: number;
  };
  secmon: Score;
  /** fail2ban's sshd filter (mode normal) and jail logic with maxretry = N, findtime = W. */
  fail2ban: Score | Skipped;
  /** CrowdSec as shipped: each ssh scenario alone, any of them, and the tuned bucket. */
  crowdsec: Record<string, Score> | Skipped;
}

/** The ssh scenarios the configuration has (scored even when one never fires). */
const SSH_SCENARIOS = [
  'crowdsecurity/ssh-bf',
  'crowdsecurity/ssh-bf_user-enum',
  'crowdsecurity/ssh-slow-bf',
  'crowdsecurity/ssh-slow-bf_user-enum',
  'secmon-bench/ssh-window',
];

const THRESHOLD = 10;
const WINDOW_SEC = 300;
const SEED = 20261207;

const keyOf = (ip: string) => formatClientKey(clientKey(ip, 64)) ?? ip;

function score(flagged: Iterable<string>, truth: Set<string>, kindOf: Map<string, SshdActorKind>): Score {
  const keys = new Set([...flagged].map(keyOf));
  const kinds = new Map([...kindOf].map(([ip, kind]) => [keyOf(ip), kind]));
  let correct = 0;
  const wrongly: Score['wronglyFlaggedByKind'] = {};
  const missed: Score['missedByKind'] = {};
  for (const key of keys) {
    if (truth.has(key)) correct++;
    else {
      const kind = kinds.get(key);
      if (kind) wrongly[kind] = (wrongly[kind] ?? 0) + 1;
    }
  }
  for (const key of truth) {
    if (keys.has(key)) continue;
    const kind = kinds.get(key);
    if (kind) missed[kind] = (missed[kind] ?? 0) + 1;
  }
  const round = (x: number) => Number(x.toFixed(3));
  return {
    flagged: keys.size,
    correct,
    precision: round(keys.size === 0 ? 1 : correct / keys.size),
    recall: round(truth.size === 0 ? 1 : correct / truth.size),
    wronglyFlaggedByKind: wrongly,
    missedByKind: missed,
  };
}

/** Runs every installed tool on one generated log in `dir` and scores each against the truth. */
export async function benchAgreement(log: (line: string) => void, dir: string): Promise<AgreementBench> {
  const generated = generateSshdLog({
    seed: SEED,
    threshold: THRESHOLD,
    windowSec: WINDOW_SEC,
    durationSec: 8 * 3600,
    actors: {
      brute: 60,
      burst: 60,
      slowUnder: 60,
      slowOver: 60,
      enumerator: 60,
      keyProber: 60,
      botnet: 15,
      mistyper: 80,
      user: 60,
      scanner: 60,
      noise: 600,
    },
  });
  const file = join(dir, 'agreement-auth.log');
  writeFileSync(file, `${generated.lines.join('\n')}\n`);
  const truth = new Set([...generated.truth.flagged].map(keyOf));
  const { kindOf } = generated;
  log(
    `agreement: ${generated.lines.length} lines, ${truth.size} attackers (N = ${THRESHOLD}, W = ${WINDOW_SEC} s)`,
  );

  const secmon = await secmonReplay(
    file,
    'sshd',
    { threshold: THRESHOLD, windowSec: WINDOW_SEC },
    dir,
    120_000,
  );
  const result: AgreementBench = {
    log: {
      lines: generated.lines.length,
      threshold: THRESHOLD,
      windowSec: WINDOW_SEC,
      attackers: truth.size,
      addresses: kindOf.size,
      seed: SEED,
    },
    secmon: score(secmon.bruteForce, truth, kindOf),
    fail2ban: { skipped: '' },
    crowdsec: { skipped: '' },
  };
  log(`agreement: secmon precision ${result.secmon.precision}, recall ${result.secmon.recall}`);

  const noFail2ban = fail2banMissing();
  if (noFail2ban) result.fail2ban = { skipped: noFail2ban };
  else {
    const jail = await fail2banJail(file, 'sshd', THRESHOLD, WINDOW_SEC, dir, 300_000);
    result.fail2ban = score(jail.banned, truth, kindOf);
    log(`agreement: fail2ban precision ${result.fail2ban.precision}, recall ${result.fail2ban.recall}`);
  }

  const noCrowdsec = crowdsecMissing();
  if (noCrowdsec) result.crowdsec = { skipped: noCrowdsec };
  else {
    const replay = await crowdsecReplay(file, 'syslog', join(dir, 'crowdsec-agreement'), 600_000, {
      'secmon-bench-ssh-window.yaml': tunedScenario(THRESHOLD, WINDOW_SEC),
    });
    const scores: Record<string, Score> = {};
    const anyShipped = new Set<string>();
    const fired: Record<string, Set<string>> = Object.fromEntries(
      SSH_SCENARIOS.map((name) => [name, new Set()]),
    );
    for (const [scenario, addresses] of Object.entries(replay.scenarios)) fired[scenario] = addresses;
    for (const [scenario, addresses] of Object.entries(fired).sort()) {
      if (!scenario.includes('ssh')) continue;
      scores[scenario] = score(addresses, truth, kindOf);
      if (scenario.startsWith('crowdsecurity/')) for (const address of addresses) anyShipped.add(address);
    }
    scores['any crowdsecurity/ssh-* scenario'] = score(anyShipped, truth, kindOf);
    result.crowdsec = scores;
    for (const [scenario, s] of Object.entries(scores))
      log(`agreement: crowdsec ${scenario} precision ${s.precision}, recall ${s.recall}`);
  }
  return result;
}
