import { describe, expect, it } from 'vitest'

import { algorithmInfo, digestInfo, knownAlgorithms } from '../../../src/dnssec/algorithms.js'

// RFC 8624 section 3.1: number, mnemonic, signing, validation.
const RFC8624_ALGORITHMS = [
  [1, 'RSAMD5', 'MUST NOT', 'MUST NOT'],
  [3, 'DSA', 'MUST NOT', 'MUST NOT'],
  [5, 'RSASHA1', 'NOT RECOMMENDED', 'MUST'],
  [6, 'DSA-NSEC3-SHA1', 'MUST NOT', 'MUST NOT'],
  [7, 'RSASHA1-NSEC3-SHA1', 'NOT RECOMMENDED', 'MUST'],
  [8, 'RSASHA256', 'MUST', 'MUST'],
  [10, 'RSASHA512', 'NOT RECOMMENDED', 'MUST'],
  [12, 'ECC-GOST', 'MUST NOT', 'MAY'],
  [13, 'ECDSAP256SHA256', 'MUST', 'MUST'],
  [14, 'ECDSAP384SHA384', 'MAY', 'RECOMMENDED'],
  [15, 'ED25519', 'RECOMMENDED', 'RECOMMENDED'],
  [16, 'ED448', 'MAY', 'RECOMMENDED'],
] as const

// RFC 8624 section 3.3: number, mnemonic, DS generation, DS validation.
const RFC8624_DIGESTS = [
  [0, 'NULL', 'MUST NOT', 'MUST NOT'],
  [1, 'SHA-1', 'MUST NOT', 'MUST'],
  [2, 'SHA-256', 'MUST', 'MUST'],
  [3, 'GOST R 34.11-94', 'MUST NOT', 'MAY'],
  [4, 'SHA-384', 'MAY', 'RECOMMENDED'],
] as const

describe('algorithmInfo', () => {
  it.each(RFC8624_ALGORITHMS)(
    'algorithmInfo(%i) is %s with RFC 8624 signing %s and validation %s',
    (n, mnemonic, signing, validation) => {
      const info = algorithmInfo(n)
      expect(info).toMatchObject({ number: n, mnemonic, signing, validation })
    },
  )

  it('algorithmInfo marks exactly 5, 7, 8, 10, 13, 14, 15 and 16 as supported', () => {
    const supported = knownAlgorithms().filter((a) => a.supported).map((a) => a.number)
    expect(supported).toEqual([5, 7, 8, 10, 13, 14, 15, 16])
    for (let n = 0; n < 256; n++) {
      expect(algorithmInfo(n).supported, `algorithm ${n}`).toBe(supported.includes(n))
    }
  })

  it('algorithmInfo marks the MD5, SHA-1, DSA and GOST algorithms deprecated', () => {
    const deprecated = knownAlgorithms().filter((a) => a.deprecated).map((a) => a.number)
    expect(deprecated).toEqual([1, 3, 5, 6, 7, 12])
  })

  it('algorithmInfo names an unknown number ALG<n>, unsupported, with no RFC 8624 advice', () => {
    expect(algorithmInfo(200)).toMatchObject({
      number: 200, mnemonic: 'ALG200', supported: false, signing: null, validation: null,
    })
  })

  it('algorithmInfo gives a hash and key family for every supported algorithm', () => {
    expect(algorithmInfo(8).crypto).toEqual({ family: 'rsa', hash: 'sha256' })
    expect(algorithmInfo(10).crypto).toEqual({ family: 'rsa', hash: 'sha512' })
    expect(algorithmInfo(14).crypto).toEqual({ family: 'ecdsa-p384', hash: 'sha384' })
    expect(algorithmInfo(16).crypto).toEqual({ family: 'ed448', hash: null })
    expect(algorithmInfo(12).crypto).toBeNull()
  })
})

describe('digestInfo', () => {
  it.each(RFC8624_DIGESTS)(
    'digestInfo(%i) is %s with RFC 8624 generation %s and validation %s',
    (n, mnemonic, signing, validation) => {
      expect(digestInfo(n)).toMatchObject({ number: n, mnemonic, signing, validation })
    },
  )

  it('digestInfo supports SHA-1, SHA-256 and SHA-384 only', () => {
    const supported = [...Array(256).keys()].filter((n) => digestInfo(n).supported)
    expect(supported).toEqual([1, 2, 4])
  })

  it('digestInfo names an unknown digest type DIGEST<n>', () => {
    expect(digestInfo(9)).toMatchObject({ mnemonic: 'DIGEST9', supported: false, hash: null })
  })
})
