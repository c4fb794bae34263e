// Public-looking client addresses for generated logs, each used by one actor only. IPv4 addresses
// avoid private, loopback, CGNAT and benchmark ranges (fail2ban's and CrowdSec's default whitelists
// ignore some of those, which would make the comparison unfair); each IPv6 address is in a /64 of its
// own, because secmon counts an IPv6 client per /64.
import type { SeededRandom } from './seeded-random.js';

const FIRST_OCTETS = Array.from({ length: 223 }, (_, i) => i + 1).filter(
  (octet) => ![10, 100, 127, 169, 172, 192, 198].includes(octet),
);

/** A function that returns a new address on every call (IPv6 with probability `ipv6Share`). */
export function uniqueAddresses(rng: SeededRandom, ipv6Share: number): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      let address: string;
      let identity: string;
      if (rng.chance(ipv6Share)) {
        const prefix = `2a0${rng.int(1, 9)}:${rng.int(0x100, 0xffff).toString(16)}:${rng.int(1, 0xffff).toString(16)}:${rng.int(1, 0xffff).toString(16)}`;
        identity = `${prefix}::/64`;
        address = `${prefix}::${rng.int(1, 0xffff).toString(16)}`;
      } else {
        address = `${rng.pick(FIRST_OCTETS)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
        identity = address;
      }
      if (!used.has(identity)) {
        used.add(identity);
        return address;
      }
    }
  };
}
