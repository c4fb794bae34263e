// The client address behind proxies, by the rules of Express's `trust proxy` (SECMON_TRUST_PROXY):
// walking an `X-Forwarded-For` list from the connecting address leftwards, each address trusted is a
// proxy, and the first one not trusted is the client. `proxy-addr` is the library Express uses for
// exactly this, so a log read here and a live request behind the same proxies get the same client.
import proxyAddr from 'proxy-addr';
import { badOptionError } from '../core/errors.js';

/** Which proxies are trusted: as Express's `trust proxy` (a boolean, a hop count, addresses/CIDRs/`loopback`...). */
export type TrustProxy = boolean | number | string | readonly string[];

/** Whether address `address`, `hops` hops away from us, is a trusted proxy. */
export type TrustFunction = (address: string, hops: number) => boolean;

/**
 * Compiles a `trust proxy` value the way Express does; `undefined` for `false` (trust nothing, the
 * connecting address is the client). A value Express would refuse throws a `SECMON_ERR_BAD_OPTION`
 * `TypeError` naming `option`.
 */
export function compileTrustProxy(option: string, value: unknown): TrustFunction | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return () => true;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0)
      throw badOptionError(option, 'a hop count (an integer >= 0)', value);
    return (_address, hops) => hops < value;
  }
  const list = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
    throw badOptionError(
      option,
      'true, false, a hop count, or addresses/CIDRs (a string or a list of strings)',
      value,
    );
  }
  try {
    return proxyAddr.compile(list as string[]);
  } catch (error) {
    throw badOptionError(
      option,
      `true, false, a hop count, or addresses/CIDRs/loopback/linklocal/uniquelocal (${(error as Error).message})`,
      value,
    );
  }
}

// proxy-addr reads a request; these two fields are all it looks at.
const request = { socket: { remoteAddress: '' }, headers: { 'x-forwarded-for': '' } };

/**
 * The client address of a request that came from `remoteAddress` with `X-Forwarded-For: forwardedFor`
 * (`''` or `-` for none), trusting the proxies `trust` trusts.
 */
export function clientAddress(remoteAddress: string, forwardedFor: string, trust: TrustFunction): string {
  if (forwardedFor === '' || forwardedFor === '-') return remoteAddress;
  request.socket.remoteAddress = remoteAddress;
  request.headers['x-forwarded-for'] = forwardedFor;
  return proxyAddr(request as unknown as Parameters<typeof proxyAddr>[0], trust);
}
