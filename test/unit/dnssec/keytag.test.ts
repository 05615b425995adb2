import { describe, expect, it } from 'vitest'

import { keyTag } from '../../../src/dnssec/keytag.js'
import { rrFromText } from '../../../src/wire/text.js'
import type { DNSKEYData } from '../../../src/wire/types.js'
import { keyFiles, loadKeyFile } from './fixtures.js'

const dnskey = (line: string): DNSKEYData => {
  const rr = rrFromText(line)
  if (rr.data.kind !== 'DNSKEY') throw new Error('not a DNSKEY')
  return rr.data
}

describe('keyTag', () => {
  // Expected: the tag dnssec-keygen put in each K<name>+<alg>+<tag>.key file name.
  it.each(keyFiles().concat(keyFiles('other/')).map((k) => [k.file, k] as const))(
    'keyTag of %s equals the tag in the file name',
    (_file, k) => {
      expect(keyTag(k.rr.data)).toBe(k.tag)
    },
  )

  it('keyTag of an RSAMD5 key takes the modulus bits, not the checksum (RFC 4034 B.1)', () => {
    // Kmd5.test.+001+61262.key was made by ldns-keygen -a RSAMD5.
    const k = loadKeyFile('Kmd5.test.+001+61262.key')
    expect(k.algorithm).toBe(1)
    expect(keyTag(k.rr.data)).toBe(61262)
    // The same bytes under another algorithm number take the checksum path instead.
    expect(keyTag({ ...k.rr.data, algorithm: 5 })).not.toBe(61262)
  })

  // Expected tags printed in the RFCs beside each example key.
  it.each([
    ['RFC 4034 5.4', 60485, 'dskey.example.com. 86400 IN DNSKEY 256 3 5 ' +
      'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMm' +
      'mAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=='],
    ['RFC 5702 6.1', 9033, 'example.net. 3600 IN DNSKEY 256 3 8 ' +
      'AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8Pk' +
      'xUdp6p/DlUmObdk='],
    ['RFC 5702 6.2', 3740, 'example.net. 3600 IN DNSKEY 256 3 10 ' +
      'AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1k' +
      'Tg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL'],
    ['RFC 6605 6.1', 55648, 'example.net. 3600 IN DNSKEY 257 3 13 ' +
      'GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=='],
    ['RFC 6605 6.2', 10771, 'example.net. 3600 IN DNSKEY 257 3 14 ' +
      'xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8' +
      '/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40'],
    ['RFC 8080 6.1 #1', 3613, 'example.com. 3600 IN DNSKEY 257 3 15 ' +
      'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='],
    ['RFC 8080 6.1 #2', 35217, 'example.com. 3600 IN DNSKEY 257 3 15 ' +
      'zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs='],
    ['RFC 8080 6.2 #1', 9713, 'example.com. 3600 IN DNSKEY 257 3 16 ' +
      '3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA'],
    ['RFC 8080 6.2 #2', 38353, 'example.com. 3600 IN DNSKEY 257 3 16 ' +
      'kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA'],
  ] as const)('keyTag of the %s example key is %i', (_where, tag, line) => {
    expect(keyTag(dnskey(line))).toBe(tag)
  })

  it('keyTag changes with the flags field (tags cover the whole rdata)', () => {
    const k = loadKeyFile('Kcrypto.test.+013+15925.key')
    expect(keyTag(k.rr.data)).toBe(15925)
    expect(keyTag({ ...k.rr.data, flags: k.rr.data.flags | 0x80 })).not.toBe(15925)
  })
})
