import { createHmac } from 'node:crypto';

/** Prefix of every pseudonym, so a reader can tell one from a real name or address. */
const PSEUDONYM_PREFIX = 'anon:';

/**
 * Turns personal data (account names, client addresses, networks) into what secmon shows of them:
 * unchanged by default; in privacy mode a keyed pseudonym, `anon:` and the first 16 hex digits of
 * HMAC-SHA-256(key, value). Stable for one key, so alerts about the same account still correlate,
 * and the same on every replica given the same key; without the key it cannot be reversed or
 * recomputed. Pseudonyms of the subjects of active attacks are cached (bounded), since each alert of
 * an attack names the same subject.
 */
export class Pseudonymizer {
  private readonly cache = new Map<string, string>();

  constructor(private readonly hmacKey: string | undefined) {}

  /** Whether values are replaced. */
  get enabled(): boolean {
    return this.hmacKey !== undefined;
  }

  /** What is shown of `value`. */
  show(value: string): string {
    if (this.hmacKey === undefined) return value;
    let pseudonym = this.cache.get(value);
    if (pseudonym === undefined) {
      pseudonym =
        PSEUDONYM_PREFIX + createHmac('sha256', this.hmacKey).update(value).digest('hex').slice(0, 16);
      if (this.cache.size >= 4096) this.cache.clear();
      this.cache.set(value, pseudonym);
    }
    return pseudonym;
  }
}
