// NSEC3 hashing (RFC 5155 section 5), base32hex (RFC 4648 section 7) and the limits a
// validator applies before hashing anything (RFC 9276). Pure functions; SHA-1 comes from
// node:crypto.
import { createHash } from 'node:crypto'
import { canonicalName, nameToWire } from '../wire/name.js'
import type { Name } from '../wire/types.js'

/** The only NSEC3 hash algorithm assigned so far: SHA-1 (RFC 5155 section 11). */
export const NSEC3_HASH_SHA1 = 1

/** Length in octets of a SHA-1 NSEC3 hash. */
export const NSEC3_SHA1_LENGTH = 20

/** The Opt-Out bit of the NSEC3 flags field (RFC 5155 section 3.1.2.1). */
export const NSEC3_FLAG_OPT_OUT = 0x01

/**
 * Above this many additional iterations a validated NSEC3 proof is treated as insecure, not
 * secure. RFC 9276 section 3.2 lets validators pick the limit; 150 is what the deployed
 * resolvers chose: BIND 9.16.16 (CHANGES 5630, GL #2445: "iteration counts greater than 150
 * as insecure"), Unbound (example.conf default val-nsec3-keysize-iterations "1024 150 2048
 * 150 4096 150": larger counts are marked insecure) and PowerDNS Recursor 4.5.2
 * (nsec3-max-iterations lowered to 150).
 */
export const NSEC3_ITERATIONS_INSECURE_ABOVE = 150

/**
 * RFC 8914 Extended DNS Error registered by RFC 9276 for responses made insecure or bogus by
 * their NSEC3 iteration count ("Unsupported NSEC3 Iterations Value").
 */
export const EDE_UNSUPPORTED_NSEC3_ITERATIONS = 27

/**
 * Most distinct names one denial proof may hash. A closest-encloser proof hashes each ancestor
 * of the query name up to the zone plus one wildcard, so a name N labels below the apex costs
 * at most N + 2 hashes; 64 covers every ip6.arpa name (32 nibble labels) with room to spare.
 * Each hash is (iterations + 1) SHA-1 runs, so with the iteration limit above one proof costs
 * at most 64 * 151 SHA-1 runs. Attackers otherwise pick many labels and many NSEC3 records to
 * burn CPU (CVE-2023-50868, the NSEC3 half of KeyTrap); Unbound 1.19.1 answered the same CVE
 * with MAX_NSEC3_CALCULATIONS = 8 hashes per resumable step (validator/val_nsec3.c).
 * Running out means "could not decide", never "bogus".
 */
export const NSEC3_HASH_BUDGET = 64

/** Salt and iteration count, as found in NSEC3 and NSEC3PARAM rdata. */
export interface Nsec3HashParams {
  readonly salt: Uint8Array
  readonly iterations: number
}

/**
 * The NSEC3 SHA-1 hash of a name (RFC 5155 section 5): H(wire || salt), then `iterations`
 * more rounds of H(previous || salt), over the canonical (lowercased) uncompressed wire name.
 * Throws RangeError when `iterations` is not an integer from 0 to 65535, a caller bug since
 * the field is 16 bits on the wire.
 */
export function nsec3Hash(name: Name, params: Nsec3HashParams): Uint8Array {
  const { salt, iterations } = params
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffff) {
    throw new RangeError(`Cannot hash with NSEC3 iterations "${iterations}": not 0 to 65535`)
  }
  let digest: Uint8Array = nameToWire(canonicalName(name))
  for (let round = 0; round <= iterations; round++) {
    digest = createHash('sha1').update(digest).update(salt).digest()
  }
  return digest
}


/** Byte-wise order of two hashes, the order of the NSEC3 chain (RFC 5155 section 1.3). */
export function compareHashes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0)
    if (diff !== 0) return diff
  }
  return a.length - b.length
}
