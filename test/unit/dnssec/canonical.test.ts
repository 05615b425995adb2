import { describe, expect, it } from 'vitest'

import {
  canonicalRRset, compareCanonicalRdata, labelCount, signedData, signedOwner,
} from '../../../src/dnssec/canonical.js'
import { nameFromText, nameToText } from '../../../src/wire/name.js'
import { rrFromText } from '../../../src/wire/text.js'
import type { RR, RRSIGData } from '../../../src/wire/types.js'
import { hex } from './fixtures.js'

const rr = (line: string): RR => rrFromText(line)
const sigOf = (line: string): RRSIGData => {
  const r = rrFromText(line)
  if (r.data.kind !== 'RRSIG') throw new Error('not an RRSIG')
  return r.data
}

// RFC 8080 section 6.1 example 1, as corrected by erratum 4935.
const RFC8080_MX = rr('example.com. 3600 IN MX 10 mail.example.com.')
const RFC8080_SIG = sigOf('example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 ' +
  'example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9Vrbp' +
  'MngwcrqNAg==')

describe('labelCount', () => {
  it.each([
    ['.', 0],
    ['example.com.', 2],
    ['www.example.com.', 3],
    // RFC 4034 3.1.3: the leading "*" label is not counted.
    ['*.example.com.', 2],
  ] as const)('labelCount(%s) is %i', (text, n) => {
    expect(labelCount(nameFromText(text))).toBe(n)
  })

  it('labelCount counts a "*" that is not the first label', () => {
    const name = ['a', '*', 'example', 'com'].map((l) => new TextEncoder().encode(l))
    expect(labelCount(name)).toBe(4)
  })
})

describe('signedOwner', () => {
  it('signedOwner keeps the owner when labels equals its label count', () => {
    expect(nameToText(signedOwner(nameFromText('www.example.com.'), 3)!)).toBe('www.example.com.')
  })

  it('signedOwner rebuilds the wildcard owner a synthesised answer was signed under', () => {
    // RFC 4035 appendix B.6: a.z.w.example. MX with an RRSIG labels field of 2 came from
    // the *.w.example. wildcard.
    expect(nameToText(signedOwner(nameFromText('a.z.w.example.'), 2)!)).toBe('*.w.example.')
  })

  it('signedOwner gives null when labels exceeds the owner label count', () => {
    expect(signedOwner(nameFromText('example.com.'), 3)).toBeNull()
  })
})

describe('canonical ordering', () => {
  it('compareCanonicalRdata sorts a prefix before the longer rdata (RFC 4034 6.3)', () => {
    expect(compareCanonicalRdata(hex('0102'), hex('010200'))).toBeLessThan(0)
    expect(compareCanonicalRdata(hex('0180'), hex('0201'))).toBeLessThan(0)
    expect(compareCanonicalRdata(hex('ff'), hex('01ff'))).toBeGreaterThan(0)
    expect(compareCanonicalRdata(hex('0102'), hex('0102'))).toBe(0)
  })

  it('canonicalRRset sorts rdata as unsigned octets and drops duplicates', () => {
    const set = [
      rr('www.example. 300 IN A 192.0.2.180'),
      rr('www.example. 300 IN A 192.0.2.8'),
      rr('www.example. 300 IN A 192.0.2.180'),
      rr('www.example. 300 IN A 10.0.0.1'),
    ]
    expect(canonicalRRset(set).map((b) => Buffer.from(b).toString('hex')))
      .toEqual(['0a000001', 'c0000208', 'c00002b4'])
  })
})

describe('signedData', () => {
  it('signedData lays out the RFC 8080 example as RFC 4034 3.1.8.1 describes', () => {
    // Written field by field from RFC 4034 3.1.8.1 and the RFC 8080 example; the RFC
    // signature verifying over these bytes is checked in verify.test.ts.
    const expected = hex(
      '000f' + '0f' + '02' + '00000e10' + // type covered MX, algorithm 15, labels 2, TTL 3600
        '55d4fc60' + '55b94ce0' + '0e1d' + // expiration, inception, key tag 3613
        '076578616d706c6503636f6d00' + // signer example.com.
        '076578616d706c6503636f6d00' + '000f' + '0001' + '00000e10' + // owner, MX, IN, TTL
        '0014' + '000a' + '046d61696c076578616d706c6503636f6d00', // rdlength 20, 10 mail...
    )
    expect(Buffer.from(signedData([RFC8080_MX], RFC8080_SIG)).toString('hex'))
      .toBe(Buffer.from(expected).toString('hex'))
  })

  it('signedData uses the original TTL, not the TTL the RR arrived with', () => {
    const decremented = { ...RFC8080_MX, ttl: 17 }
    expect(signedData([decremented], RFC8080_SIG)).toEqual(signedData([RFC8080_MX], RFC8080_SIG))
  })

  it('signedData lowercases the owner and names inside MX rdata', () => {
    const upper = rr('EXAMPLE.Com. 3600 IN MX 10 MAIL.Example.COM.')
    expect(signedData([upper], RFC8080_SIG)).toEqual(signedData([RFC8080_MX], RFC8080_SIG))
  })

  it('signedData lowercases the signer name in the RRSIG part', () => {
    const sig = { ...RFC8080_SIG, signerName: nameFromText('EXAMPLE.COM.') }
    expect(signedData([RFC8080_MX], sig)).toEqual(signedData([RFC8080_MX], RFC8080_SIG))
  })

  it('signedData does not depend on the order or duplication of the RRs', () => {
    const a = rr('example.com. 3600 IN MX 10 mail.example.com.')
    const b = rr('example.com. 3600 IN MX 20 backup.example.com.')
    const sig = RFC8080_SIG
    expect(signedData([b, a, b], sig)).toEqual(signedData([a, b], sig))
  })

  it('signedData signs a synthesised answer under its wildcard owner', () => {
    const synthesised = rr('a.b.example.com. 3600 IN MX 10 mail.example.com.')
    const atWildcard = rr('*.example.com. 3600 IN MX 10 mail.example.com.')
    expect(signedData([synthesised], RFC8080_SIG)).toEqual(signedData([atWildcard], RFC8080_SIG))
    expect(signedData([synthesised], RFC8080_SIG)).not.toEqual(signedData([RFC8080_MX],
      RFC8080_SIG))
  })

  it('signedData throws RangeError when labels exceeds the owner label count', () => {
    const sig = { ...RFC8080_SIG, labels: 3 }
    expect(() => signedData([RFC8080_MX], sig)).toThrow(RangeError)
    expect(() => signedData([], RFC8080_SIG)).toThrow(RangeError)
  })
})
