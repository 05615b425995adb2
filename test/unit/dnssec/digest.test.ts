import { describe, expect, it } from 'vitest'

import { dsDigest, dsMatchesKey } from '../../../src/dnssec/digest.js'
import { nameFromText } from '../../../src/wire/name.js'
import { rrFromText } from '../../../src/wire/text.js'
import type { DNSKEYData, DSData, RR } from '../../../src/wire/types.js'
import { hex, keyFiles, readFixture } from './fixtures.js'

const toHex = (b: Uint8Array | null): string | null =>
  b === null ? null : Buffer.from(b).toString('hex').toUpperCase()

const dnskey = (line: string): RR<DNSKEYData> => {
  const rr = rrFromText(line)
  if (rr.data.kind !== 'DNSKEY') throw new Error('not a DNSKEY')
  return rr as RR<DNSKEYData>
}

// crypto.test.ds is dnssec-dsfromkey -1, -2 and -a SHA-384 over every fixture key file.
const dsLines = readFixture('crypto.test.ds').split('\n').filter((l) => l.includes(' DS '))
const keys = keyFiles().filter((k) => k.file.startsWith('Kcrypto.test.'))

describe('dsDigest against dnssec-dsfromkey', () => {
  it('the fixture holds three digests for each of the eight keys', () => {
    expect(dsLines).toHaveLength(24)
  })

  it.each(dsLines.map((l) => [l.split(' ').slice(3, 6).join(' '), l] as const))(
    'dsDigest matches dnssec-dsfromkey for DS %s',
    (_fields, line) => {
      const ds = rrFromText(line, { defaultTtl: 3600 }) as RR<DSData>
      const key = keys.find((k) => k.tag === ds.data.keyTag && k.algorithm === ds.data.algorithm)
      expect(key).toBeDefined()
      expect(toHex(dsDigest(ds.name, key!.rr.data, ds.data.digestType)))
        .toBe(toHex(ds.data.digest))
      expect(dsMatchesKey(ds, key!.rr.data)).toBe(true)
    },
  )
})

// Values printed in the RFCs (RFC 8080 DS records unaffected by erratum 4935).
const RFC_4034_KEY = dnskey('dskey.example.com. 86400 IN DNSKEY 256 3 5 ' +
  'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMm' +
  'mAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==')

describe('dsDigest against RFC examples', () => {
  it.each([
    ['RFC 4034 5.4 (SHA-1)', RFC_4034_KEY, 1, '2BB183AF5F22588179A53B0A98631FAD1A292118'],
    ['RFC 4509 2.3 (SHA-256)', RFC_4034_KEY, 2,
      'D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A'],
    ['RFC 6605 6.1 (SHA-256)', dnskey('example.net. 3600 IN DNSKEY 257 3 13 ' +
      'GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=='),
    2, 'B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17'],
    ['RFC 6605 6.2 (SHA-384)', dnskey('example.net. 3600 IN DNSKEY 257 3 14 ' +
      'xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8' +
      '/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40'), 4,
    '72D7B62976CE06438E9C0BF319013CF801F09ECC84B8D7E9' +
      '495F27E305C6A9B0563A9B5F4D288405C3008A946DF983D6'],
    ['RFC 8080 6.1 (Ed25519)', dnskey('example.com. 3600 IN DNSKEY 257 3 15 ' +
      'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='), 2,
    '3AA5AB37EFCE57F737FC1627013FEE07BDF241BD10F3B1964AB55C78E79A304B'],
    ['RFC 8080 6.2 (Ed448)', dnskey('example.com. 3600 IN DNSKEY 257 3 16 ' +
      '3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA'), 2,
    '6CCF18D5BC5D7FC2FCEB1D59D17321402F2AA8D368048DB93DD811F5CB2B19C7'],
  ] as const)('dsDigest reproduces the %s DS digest', (_where, key, type, digest) => {
    expect(toHex(dsDigest(key.name, key.data, type))).toBe(digest)
  })

  it('dsDigest ignores the case of the owner name (canonical form, RFC 4034 6.2)', () => {
    const upper = nameFromText('DSKEY.Example.COM.')
    expect(toHex(dsDigest(upper, RFC_4034_KEY.data, 1)))
      .toBe('2BB183AF5F22588179A53B0A98631FAD1A292118')
  })

  it('dsDigest depends on the owner name', () => {
    const other = nameFromText('other.example.com.')
    expect(toHex(dsDigest(other, RFC_4034_KEY.data, 1)))
      .not.toBe('2BB183AF5F22588179A53B0A98631FAD1A292118')
  })

  it.each([0, 3, 5, 255])('dsDigest returns null for unsupported digest type %i', (type) => {
    expect(dsDigest(RFC_4034_KEY.name, RFC_4034_KEY.data, type)).toBeNull()
  })
})

describe('dsMatchesKey', () => {
  const ds = (digestType: number, digest: string): RR<DSData> => ({
    name: RFC_4034_KEY.name, type: 43, class: 1, ttl: 3600,
    data: { kind: 'DS', keyTag: 60485, algorithm: 5, digestType, digest: hex(digest) },
  })

  it('dsMatchesKey is false for a digest with one changed octet', () => {
    expect(dsMatchesKey(ds(1, '2BB183AF5F22588179A53B0A98631FAD1A292119'), RFC_4034_KEY.data))
      .toBe(false)
  })

  it('dsMatchesKey is false for a truncated digest', () => {
    expect(dsMatchesKey(ds(1, '2BB183AF5F22588179A53B0A98631FAD1A2921'), RFC_4034_KEY.data))
      .toBe(false)
  })

  it('dsMatchesKey is null, not false, for GOST (digest type 3)', () => {
    expect(dsMatchesKey(ds(3, '00'.repeat(32)), RFC_4034_KEY.data)).toBeNull()
  })
})
