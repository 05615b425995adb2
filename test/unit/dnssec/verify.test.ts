import { beforeEach, describe, expect, it } from 'vitest'

import { signedData } from '../../../src/dnssec/canonical.js'
import {
  clearKeyCache, KEY_CACHE_LIMIT, keyCacheSize, verifyRrsig, verifySignature,
} from '../../../src/dnssec/verify.js'
import { nameFromText, nameToText } from '../../../src/wire/name.js'
import { rrFromText } from '../../../src/wire/text.js'
import type { DNSKEYData, RR, RRSIGData } from '../../../src/wire/types.js'
import { b64, coveredRRset, isRrsig, keyFiles, loadZone, type KeyFile } from './fixtures.js'

// Fixture: crypto.test signed by dnssec-signzone with one key per algorithm (README).
const zone = loadZone('crypto.test.signed', 'crypto.test.')
const sigs = zone.filter(isRrsig)
const keys = keyFiles().filter((k) => k.file.startsWith('Kcrypto.test.'))
const otherKeys = keyFiles('other/')
const ALGORITHMS = [5, 7, 8, 10, 13, 14, 15, 16] as const

const keyFor = (list: readonly KeyFile[], algorithm: number): DNSKEYData => {
  const k = list.find((x) => x.algorithm === algorithm)
  if (k === undefined) throw new Error(`no key for algorithm ${algorithm}`)
  return k.rr.data
}

/** The RRSIG over `type` at `owner` made with `algorithm`, and the RRset it covers. */
function signed(owner: string, type: number, algorithm: number): [RR[], RR<RRSIGData>] {
  const sig = sigs.find((s) => s.data.typeCovered === type && s.data.algorithm === algorithm &&
    ownerText(s) === owner.toLowerCase())
  if (sig === undefined) throw new Error(`no RRSIG ${type}/${algorithm} at ${owner}`)
  return [coveredRRset(zone, sig), sig]
}

function ownerText(rr: RR): string {
  return nameToText(rr.name).toLowerCase()
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[bit >>> 3]! ^= 0x80 >>> (bit & 7)
  return out
}

const withSignature = (sig: RR<RRSIGData>, signature: Uint8Array): RR<RRSIGData> =>
  ({ ...sig, data: { ...sig.data, signature } })

describe('verifyRrsig on every RRSIG dnssec-signzone made (Good)', () => {
  it('the fixture holds 21 RRSIGs (one per RRset) for each of the eight algorithms', () => {
    for (const a of ALGORITHMS) {
      expect(sigs.filter((s) => s.data.algorithm === a), `algorithm ${a}`).toHaveLength(21)
    }
  })

  it.each(ALGORITHMS)('every algorithm %i RRSIG verifies with its key', (algorithm) => {
    const key = keyFor(keys, algorithm)
    const results = sigs
      .filter((s) => s.data.algorithm === algorithm)
      .map((s) => [ownerText(s), s.data.typeCovered, verifyRrsig(coveredRRset(zone, s),
        s, key)] as const)
    expect(results.filter(([, , r]) => !r.ok)).toEqual([])
  })

  it('every RRSIG of the ldns-signzone wrap fixture verifies over its 2106 times', () => {
    const wrap = loadZone('wrap.test.signed', 'wrap.test.')
    const key = keyFiles().find((k) => k.file.startsWith('Kwrap.test.'))!.rr.data
    const wrapSigs = wrap.filter(isRrsig)
    expect(wrapSigs).toHaveLength(6)
    for (const s of wrapSigs) {
      expect(s.data.expiration).toBe(32704)
      expect(verifyRrsig(coveredRRset(wrap, s), s, key)).toEqual({ ok: true })
    }
  })
})

describe('verifyRrsig rejects altered data (Bad)', () => {
  describe.each(ALGORITHMS)('algorithm %i', (algorithm) => {
    const key = keyFor(keys, algorithm)
    const [rrset, sig] = signed('www.crypto.test.', 1, algorithm)

    it('a signature with one flipped bit fails with invalid-signature', () => {
      const bits = sig.data.signature.length * 8
      for (const bit of [0, 7, Math.floor(bits / 2), bits - 1]) {
        const r = verifyRrsig(rrset, withSignature(sig, flipBit(sig.data.signature, bit)), key)
        expect(r, `bit ${bit}`).toMatchObject({ ok: false, reason: 'invalid-signature' })
      }
    })

    it('a changed TTL on the RRs still verifies (the original TTL is signed)', () => {
      expect(verifyRrsig(rrset.map((r) => ({ ...r, ttl: 42 })), sig, key)).toEqual({ ok: true })
    })

    it('a changed original TTL in the RRSIG fails with invalid-signature', () => {
      const changed = { ...sig, data: { ...sig.data, originalTtl: sig.data.originalTtl + 1 } }
      expect(verifyRrsig(rrset, changed, key)).toMatchObject({ reason: 'invalid-signature' })
    })

    it('a changed rdata fails with invalid-signature', () => {
      const changed = rrset.map((r, i) =>
        i === 0 ? { ...r, data: { kind: 'A' as const, address: '192.0.2.81' } } : r)
      expect(verifyRrsig(changed, sig, key)).toMatchObject({ reason: 'invalid-signature' })
    })

    it('a missing RR fails with invalid-signature', () => {
      expect(verifyRrsig(rrset.slice(1), sig, key)).toMatchObject({ reason: 'invalid-signature' })
    })

    it('another key of the same algorithm fails with invalid-signature', () => {
      expect(verifyRrsig(rrset, sig, keyFor(otherKeys, algorithm)))
        .toMatchObject({ ok: false, reason: 'invalid-signature' })
    })

    it('RRs reordered, duplicated and in upper case still verify (canonical form)', () => {
      const shuffled = [...rrset].reverse().concat(rrset[0]!)
        .map((r) => ({ ...r, name: nameFromText('WWW.Crypto.TEST.') }))
      expect(verifyRrsig(shuffled, sig, key)).toEqual({ ok: true })
    })
  })
})

describe('verifyRrsig on wildcard answers (RFC 4035 5.3.2)', () => {
  it.each(ALGORITHMS)('the *.wild RRSIGs of algorithm %i verify for a.b.wild', (algorithm) => {
    const key = keyFor(keys, algorithm)
    for (const type of [1, 16]) {
      const [rrset, sig] = signed('*.wild.crypto.test.', type, algorithm)
      expect(sig.data.labels).toBe(3)
      const synthesised = rrset.map((r) => ({ ...r, name: nameFromText('a.b.wild.crypto.test.') }))
      expect(verifyRrsig(synthesised, { ...sig, name: synthesised[0]!.name }, key))
        .toEqual({ ok: true })
      // The same RRSIG does not cover a name under another parent.
      const elsewhere = rrset.map((r) => ({ ...r, name: nameFromText('a.b.other.crypto.test.') }))
      expect(verifyRrsig(elsewhere, sig, key)).toMatchObject({ reason: 'invalid-signature' })
    }
  })

  it('an RRSIG whose labels exceed the owner label count is invalid, not thrown', () => {
    const [rrset, sig] = signed('www.crypto.test.', 1, 13)
    const tooMany = { ...sig, data: { ...sig.data, labels: 4 } }
    expect(verifyRrsig(rrset, tooMany, keyFor(keys, 13)))
      .toMatchObject({ ok: false, reason: 'invalid-signature' })
  })
})

describe('verifyRrsig with the RFC example signatures (Good)', () => {
  // Each: DNSKEY, covered RR, RRSIG, as printed in the RFC (RFC 8080 with erratum 4935).
  const cases = [
    ['RFC 5702 6.1 RSASHA256',
      'example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh' +
        '36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=',
      'www.example.net. 3600 IN A 192.0.2.91',
      'www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. ' +
        'kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg=='],
    ['RFC 5702 6.2 RSASHA512',
      'example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROU' +
        'kN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz' +
        '1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL',
      'www.example.net. 3600 IN A 192.0.2.91',
      'www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 ' +
        'example.net. tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1e' +
        'p94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0' +
        'fthPgxdDLw='],
    ['RFC 6605 6.1 ECDSAP256SHA256',
      'example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF6' +
        '4cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==',
      'www.example.net. 3600 IN A 192.0.2.1',
      'www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 ' +
        'example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7Zw' +
        'mwWep666VCw=='],
    ['RFC 6605 6.2 ECDSAP384SHA384',
      'example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvS' +
        'ADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40',
      'www.example.net. 3600 IN A 192.0.2.1',
      'www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 ' +
        'example.net. /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hb' +
        'avRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm'],
    ['RFC 8080 6.1 Ed25519 #1',
      'example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=',
      'example.com. 3600 IN MX 10 mail.example.com.',
      'example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. ' +
        'oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=='],
    ['RFC 8080 6.1 Ed25519 #2',
      'example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=',
      'example.com. 3600 IN MX 10 mail.example.com.',
      'example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. ' +
        'zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg=='],
    ['RFC 8080 6.2 Ed448 #1',
      'example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVH' +
        'HSfPodx1FYYUcJKm1MDpJtIA',
      'example.com. 3600 IN MX 10 mail.example.com.',
      'example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 9713 example.com. ' +
        '3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXf' +
        't0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA'],
    ['RFC 8080 6.2 Ed448 #2',
      'example.com. 3600 IN DNSKEY 257 3 16 kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcV' +
        'MRDmgcNLp5HlHAMy12VoISsA',
      'example.com. 3600 IN MX 10 mail.example.com.',
      'example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 38353 example.com. ' +
        'E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnM' +
        'L8vWWiyW2KXhT9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA'],
  ] as const

  it.each(cases)('the %s example verifies', (_name, keyLine, rrLine, sigLine) => {
    const key = rrFromText(keyLine).data as DNSKEYData
    const sig = rrFromText(sigLine) as RR<RRSIGData>
    expect(verifyRrsig([rrFromText(rrLine)], sig, key)).toEqual({ ok: true })
  })

  it('the Ed25519 signature RFC 8080 first printed (made over labels 3) is Bad', () => {
    const key = rrFromText(cases[4][1]).data as DNSKEYData
    const sig = rrFromText(cases[4][3]) as RR<RRSIGData>
    const published = withSignature(sig, b64('Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcU' +
      'OMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg=='))
    expect(verifyRrsig([rrFromText(cases[4][2])], published, key))
      .toMatchObject({ ok: false, reason: 'invalid-signature' })
  })
})

describe('verifySignature: could not check versus checked and wrong', () => {
  const [rrset8, sig8] = signed('www.crypto.test.', 1, 8)
  const data8 = signedData(rrset8, sig8.data)
  const key8 = keyFor(keys, 8).publicKey

  it('an RSA key in the 3-octet exponent length form (RFC 3110 2) verifies the same', () => {
    expect(key8[0]).toBe(3)
    const long = Uint8Array.of(0, 0, 3, ...key8.subarray(1))
    expect(verifySignature(8, long, data8, sig8.data.signature)).toEqual({ ok: true })
  })

  it.each([1, 3, 6, 12, 200])('algorithm %i is unsupported-algorithm', (algorithm) => {
    expect(verifySignature(algorithm, key8, data8, sig8.data.signature))
      .toMatchObject({ ok: false, reason: 'unsupported-algorithm' })
  })

  it.each([
    ['an empty RSA key', 8, new Uint8Array(0)],
    ['an RSA key with no modulus', 8, Uint8Array.of(3, 1, 0, 1)],
    ['an RSA key cut inside the long exponent length', 8, Uint8Array.of(0, 1)],
    ['a P-256 key of 63 octets', 13, new Uint8Array(63)],
    ['a P-256 point off the curve', 13, new Uint8Array(64).fill(1)],
    ['a P-384 key of 64 octets', 14, new Uint8Array(64)],
    ['an Ed25519 key of 31 octets', 15, new Uint8Array(31)],
    ['an Ed448 key of 56 octets', 16, new Uint8Array(56)],
  ] as const)('%s is bad-key', (_what, algorithm, key) => {
    const r = verifySignature(algorithm, key, data8, new Uint8Array(64))
    expect(r).toMatchObject({ ok: false, reason: 'bad-key' })
  })

  it.each([
    ['ECDSA P-256 signature of 63 octets', 13, 63],
    ['ECDSA P-384 signature of 64 octets', 14, 64],
    ['Ed25519 signature of 65 octets', 15, 65],
    ['Ed448 signature of 64 octets', 16, 64],
  ] as const)('an %s is bad-signature-format', (_what, algorithm, length) => {
    const r = verifySignature(algorithm, keyFor(keys, algorithm).publicKey, data8,
      new Uint8Array(length))
    expect(r).toMatchObject({ ok: false, reason: 'bad-signature-format' })
  })

  it('an RSA signature longer than the modulus is bad-signature-format', () => {
    const long = Uint8Array.of(0, ...sig8.data.signature)
    expect(verifySignature(8, key8, data8, long))
      .toMatchObject({ ok: false, reason: 'bad-signature-format' })
  })

  it('an RSA signature with a leading zero octet dropped still verifies', () => {
    // The fixture has RSA signatures that start with 0x00 (one RSASHA1, one NSEC3RSASHA1).
    const zeroLed = sigs.filter((s) => [5, 7, 8, 10].includes(s.data.algorithm) &&
      s.data.signature[0] === 0)
    expect(zeroLed.length).toBeGreaterThan(0)
    for (const s of zeroLed) {
      const key = keyFor(keys, s.data.algorithm)
      const short = withSignature(s, s.data.signature.subarray(1))
      expect(verifyRrsig(coveredRRset(zone, s), short, key)).toEqual({ ok: true })
    }
  })

  it('a key of another algorithm is bad-key in verifyRrsig', () => {
    expect(verifyRrsig(rrset8, sig8, keyFor(keys, 13)))
      .toMatchObject({ ok: false, reason: 'bad-key' })
  })

  it('a key whose protocol is not 3 is bad-key (RFC 4034 2.1.2)', () => {
    expect(verifyRrsig(rrset8, sig8, { ...keyFor(keys, 8), protocol: 2 }))
      .toMatchObject({ ok: false, reason: 'bad-key' })
  })
})

describe('key import cache', () => {
  beforeEach(() => clearKeyCache())

  it('the same key bytes serve RSASHA256 and RSASHA512 without mixing them up', () => {
    const [rrset, sig] = signed('www.crypto.test.', 1, 8)
    const key = keyFor(keys, 8).publicKey
    const data = signedData(rrset, sig.data)
    expect(verifySignature(8, key, data, sig.data.signature)).toEqual({ ok: true })
    // The same signature read as SHA-512 is checked (not cached as good) and fails.
    expect(verifySignature(10, key, data, sig.data.signature))
      .toMatchObject({ reason: 'invalid-signature' })
    expect(verifySignature(8, key, data, sig.data.signature)).toEqual({ ok: true })
    expect(keyCacheSize()).toBe(2)
  })

  it(`the cache never holds more than ${KEY_CACHE_LIMIT} keys`, () => {
    const data = new Uint8Array(8)
    for (let i = 0; i < KEY_CACHE_LIMIT + 25; i++) {
      // Distinct malformed P-256 keys: cached as bad-key without any crypto work.
      const key = new Uint8Array(8)
      new DataView(key.buffer).setUint32(0, i)
      verifySignature(13, key, data, new Uint8Array(64))
    }
    expect(keyCacheSize()).toBe(KEY_CACHE_LIMIT)
  })
})
