// RFC 4034 2.1.1: a DNSKEY whose Zone Key flag (bit 7, value 256) is clear "MUST NOT be used
// to verify RRSIGs that cover RRsets"; RFC 5011 2.1: a key with the REVOKE flag (128) must
// not be used for validation either. No signer makes such keys (dnssec-keygen writes 256 or
// 257), so the key pair here is made with node:crypto and the signature with node:crypto's
// ECDSA over the RFC 4034 3.1.8.1 signed data. A key with the zone flag, same bytes
// otherwise, is the control: it must verify, or the test proves nothing.
import { sign } from 'node:crypto'
import { newP256Key } from '../../support/p256-key.js'
import { describe, expect, it } from 'vitest'
import { validateRRset } from '../../../src/analysis/rrset.js'
import { signedData } from '../../../src/dnssec/canonical.js'
import { keyTag } from '../../../src/dnssec/keytag.js'
import { nameFromText } from '../../../src/wire/name.js'
import type { DNSKEYData, RR, RRSIGData } from '../../../src/wire/types.js'

const zone = nameFromText('flags.test.')
const at = new Date('2026-12-04T00:00:00Z')
// RFC 6605 4: the public key field is the point's x and y, 32 bytes each.
const key0 = newP256Key()
const privateKey = key0.privateKey
const point = new Uint8Array(key0.point)

const key = (flags: number): DNSKEYData =>
  ({ kind: 'DNSKEY', flags, protocol: 3, algorithm: 13, publicKey: point })
const rrset: RR[] = [{ name: zone, type: 1, class: 1, ttl: 300,
  data: { kind: 'A', address: '192.0.2.1' } }]

/** An RRSIG over the A RRset by `k`, valid a day either side of `at`. */
function signedBy(k: DNSKEYData): RR<RRSIGData> {
  const unsigned: RRSIGData = { kind: 'RRSIG', typeCovered: 1, algorithm: 13, labels: 2,
    originalTtl: 300, expiration: at.getTime() / 1000 + 86400,
    inception: at.getTime() / 1000 - 86400, keyTag: keyTag(k), signerName: zone,
    signature: new Uint8Array(0) }
  const signature = sign('sha256', signedData(rrset, unsigned),
    { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return { name: zone, type: 46, class: 1, ttl: 300,
    data: { ...unsigned, signature: new Uint8Array(signature) } }
}

function judge(flags: number) {
  const k = key(flags)
  return validateRRset({ rrset, sigs: [signedBy(k)], keys: [k], zone, at, servers: ['x'] })
}

describe('which DNSKEYs may verify a signature', () => {
  it('a zone key (flags 256) verifies its own signature: the control', () => {
    expect(judge(256).status).toBe('secure')
  })

  it('a key without the Zone Key flag (flags 0) is never used (RFC 4034 2.1.1)', () => {
    const r = judge(0)
    expect(r.status).toBe('bogus')
    expect(r.signatures.map((s) => s.status)).toEqual(['no-key'])
  })

  it('a revoked zone key (flags 384) is never used (RFC 5011 2.1)', () => {
    const r = judge(256 | 128)
    expect(r.status).toBe('bogus')
    expect(r.signatures.map((s) => s.status)).toEqual(['no-key'])
  })
})
