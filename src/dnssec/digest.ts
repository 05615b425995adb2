// DS digests (RFC 4034 section 5.1.4; RFC 4509 for SHA-256, RFC 6605 for SHA-384).
import { createHash } from 'node:crypto'

import { canonicalName, nameToWire } from '../wire/name.js'
import type { DNSKEYData, DSData, Name, RR } from '../wire/types.js'
import { digestInfo } from './algorithms.js'
import { dnskeyRdata } from './keytag.js'

/**
 * The digest a DS record for `key` at `owner` must carry: hash(canonical owner | DNSKEY rdata).
 * Null when the digest type is one we cannot compute (GOST, unknown numbers), so that the
 * caller can say "could not check" rather than "mismatch".
 */
export function dsDigest(owner: Name, key: DNSKEYData, digestType: number): Uint8Array | null {
  const info = digestInfo(digestType)
  if (info.hash === null) return null
  const hash = createHash(info.hash)
  // The owner in canonical form: uncompressed, ASCII letters lowercased (RFC 4034 5.1.4, 6.2).
  hash.update(nameToWire(canonicalName(owner)))
  hash.update(dnskeyRdata(key))
  return new Uint8Array(hash.digest())
}

/**
 * True when a DS (or CDS) record's digest matches the key, hashing with the DS record's own
 * owner name; null when the digest type is unsupported.
 */
export function dsMatchesKey(ds: RR<DSData>, key: DNSKEYData): boolean | null {
  const expected = dsDigest(ds.name, key, ds.data.digestType)
  if (expected === null) return null
  const got = ds.data.digest
  return expected.length === got.length && expected.every((b, i) => b === got[i])
}
