import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Holds secrets (bearer tokens, basic-auth credentials) and checks a presented value against all of
 * them in constant time: values are compared as SHA-256 digests (equal length whatever was sent), and
 * every secret is compared, so neither the length nor the position of a match leaks through timing.
 * The secrets must already be validated (see `secretListOption`): every one of them is kept.
 */
export class SecretSet {
  private readonly digests: Buffer[];

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  matches(presented: string | undefined): boolean {
    const candidate = digest(presented ?? '');
    let matched = false;
    for (const known of this.digests) {
      // No early exit: always compare against every secret.
      if (timingSafeEqual(candidate, known)) matched = true;
    }
    return matched && presented !== undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
  return match?.[1];
}

/** The `user:password` of an `Authorization: Basic <base64>` header, or undefined. */
export function basicCredentials(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(authorization);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}
