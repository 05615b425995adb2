// Malformed and hostile input: every case must end in a WireFormatError, quickly, never a hang,
// a different exception or a huge allocation. Layouts follow RFC 1035 section 4.1 and
// RFC 4034 section 4.1.2.
import { describe, expect, it } from 'vitest'
import { decodeMessage } from '../../../src/wire/message.js'
import { decodeRdata } from '../../../src/wire/rdata.js'
import { WireFormatError } from '../../../src/wire/types.js'
import { loadFixtures } from './fixtures.js'

/** Header with the given counts, id 0x1234, QR set. */
function header(qd: number, an: number, ns = 0, ar = 0): number[] {
  return [0x12, 0x34, 0x80, 0, 0, qd, an >> 8, an & 0xff, 0, ns, 0, ar]
}
const QNAME = [3, 0x66, 0x6f, 0x6f, 4, 0x74, 0x65, 0x73, 0x74, 0] // foo.test. at offset 12
const A_QUESTION = [...QNAME, 0, 1, 0, 1]

function expectWireError(bytes: number[] | Uint8Array, pattern: RegExp): void {
  const input = Uint8Array.from(bytes)
  let caught: unknown
  try {
    decodeMessage(input)
  } catch (e) {
    caught = e
  }
  expect(caught).toBeInstanceOf(WireFormatError)
  expect((caught as Error).message).toMatch(pattern)
}

describe('decodeMessage rejects hostile input', () => {
  it('rejects a compression pointer to itself', () => {
    expectWireError([...header(1, 0), 0xc0, 12, 0, 1, 0, 1], /does not point backwards/)
  })

  it('rejects a two-step pointer loop through a label', () => {
    // 12: "a" then a pointer back to 12: each pass would add "a" forever.
    expectWireError([...header(1, 0), 1, 0x61, 0xc0, 12, 0, 1, 0, 1], /point backwards/)
  })

  it('rejects a pointer forward past the end of the message', () => {
    expectWireError([...header(1, 0), 0xc0, 0xff, 0, 1, 0, 1], /point backwards/)
  })

  it('stops a long chain of backward pointers at the hop limit', () => {
    // Answer 1 (owner root at 12, opaque type 65280) carries in its rdata, from offset 23, a
    // root label and then 200 pointers, each to the one before. Answer 2's owner points at the
    // last pointer: every hop goes backwards, so only the hop limit stops it.
    const chain: number[] = [0]
    for (let i = 0; i < 200; i++) {
      const target = i === 0 ? 23 : 24 + 2 * (i - 1)
      chain.push(0xc0 | (target >> 8), target & 0xff)
    }
    const last = 24 + 2 * 199
    const first = [0, 0xff, 0, 0, 1, 0, 0, 0, 0, chain.length >> 8, chain.length & 0xff, ...chain]
    const second = [0xc0 | (last >> 8), last & 0xff, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]
    expectWireError([...header(0, 2), ...first, ...second], /too many compression pointers/)
  })

  it('rejects an RR whose rdlength runs past the end', () => {
    expectWireError([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
      0, 200, 192, 0, 2, 1], /truncated type 1 rdata/)
  })

  it('rejects truncated rdata (A record of 2 bytes)', () => {
    expectWireError([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
      0, 2, 192, 0], /truncated A address/)
  })

  it('rejects rdata that is not consumed exactly (A record of 5 bytes)', () => {
    expectWireError([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
      0, 5, 192, 0, 2, 1, 9], /1 unused bytes/)
  })

  it('rejects header counts the data cannot hold, before allocating', () => {
    expectWireError([...header(1, 65535), ...A_QUESTION], /header counts/)
  })

  it('rejects a label length with the reserved 0x40 bits (no label exceeds 63)', () => {
    expectWireError([...header(1, 0), 0x40, ...new Array<number>(64).fill(0x61), 0, 0, 1, 0, 1],
      /unsupported label type/)
  })

  it('rejects a name longer than 255 octets', () => {
    const label = [63, ...new Array<number>(63).fill(0x61)]
    expectWireError([...header(1, 0), ...label, ...label, ...label, ...label, 0, 0, 1, 0, 1],
      /longer than 255/)
  })

  it('rejects bytes after the last record', () => {
    expectWireError([...header(1, 0), ...A_QUESTION, 0], /after the last record/)
  })

  it('rejects a message shorter than its header', () => {
    expectWireError([0x12, 0x34, 0x80], /shorter than a header/)
  })

  it('rejects an OPT record outside the additional section', () => {
    expectWireError([...header(0, 1), 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0], /OPT record in/)
  })

  it('rejects a second OPT record', () => {
    const opt = [0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0]
    expectWireError([...header(0, 0, 0, 2), ...opt, ...opt], /second OPT/)
  })

  it('rejects a compressed DNAME target (RFC 6672 section 2.1)', () => {
    expectWireError([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 39, 0, 1, 0, 0, 0, 60,
      0, 2, 0xc0, 12], /compression pointer not allowed in DNAME target/)
  })

  it('follows a compression pointer in a CNAME target (RFC 1035 type)', () => {
    const msg = decodeMessage(Uint8Array.from([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 5,
      0, 1, 0, 0, 0, 60, 0, 4, 1, 0x77, 0xc0, 12]))
    expect(msg.answer[0]?.data).toEqual({ kind: 'CNAME',
      target: [Uint8Array.of(0x77), Uint8Array.of(0x66, 0x6f, 0x6f),
        Uint8Array.of(0x74, 0x65, 0x73, 0x74)] })
  })

  it('rejects a compressed RRSIG signer name (RFC 4034 section 3.1.7)', () => {
    const rdata = [0, 1, 13, 2, 0, 0, 0, 60, 0, 0, 0, 2, 0, 0, 0, 1, 0x12, 0x34, 0xc0, 12, 0xaa]
    expectWireError([...header(1, 1), ...A_QUESTION, 0xc0, 12, 0, 46, 0, 1, 0, 0, 0, 60,
      0, rdata.length, ...rdata], /compression pointer not allowed in RRSIG signer name/)
  })
})

describe('decodeRdata rejects malformed type bitmaps (RFC 4034 section 4.1.2)', () => {
  const nsec = (bitmap: number[]): Uint8Array => Uint8Array.from([0, ...bitmap])
  const decode = (b: Uint8Array): unknown => decodeRdata(47, b, 0, b.length)

  it('accepts windows in increasing order', () => {
    expect(decode(nsec([0, 1, 0x40, 1, 1, 0x80]))).toEqual({ kind: 'NSEC', next: [],
      types: [1, 256] })
  })

  it('rejects windows out of order', () => {
    expect(() => decode(nsec([1, 1, 0x80, 0, 1, 0x40]))).toThrow(/window 0 after window 1/)
  })

  it('rejects a repeated window', () => {
    expect(() => decode(nsec([0, 1, 0x40, 0, 1, 0x20]))).toThrow(WireFormatError)
  })

  it('rejects a window of length 0 and of length 33', () => {
    expect(() => decode(nsec([0, 0]))).toThrow(/length 0/)
    expect(() => decode(nsec([0, 33, ...new Array<number>(33).fill(1)]))).toThrow(/length 33/)
  })

  it('rejects a trailing zero octet', () => {
    expect(() => decode(nsec([0, 2, 0x40, 0]))).toThrow(/zero octet/)
  })

  it('rejects a bitmap cut short', () => {
    expect(() => decode(nsec([0, 4, 0x40]))).toThrow(/truncated type bitmap/)
  })

  it('rejects an NSEC3 with an empty next hashed owner (RFC 5155 section 3.2)', () => {
    const b = Uint8Array.of(1, 0, 0, 0, 0, 0)
    expect(() => decodeRdata(50, b, 0, b.length)).toThrow(/next hashed owner name is empty/)
  })

  it('rejects empty TXT rdata (RFC 1035 section 3.3.14: one or more strings)', () => {
    expect(() => decodeRdata(16, new Uint8Array(0), 0, 0)).toThrow(WireFormatError)
  })

  it('rejects a length that leaves the buffer', () => {
    expect(() => decodeRdata(1, new Uint8Array(4), 2, 4)).toThrow(WireFormatError)
  })
})

describe('decodeMessage on damaged real responses', () => {
  const fixtures = loadFixtures()

  it('rejects every truncation of every recorded response', () => {
    let cases = 0
    for (const fx of fixtures) {
      for (let n = 0; n < fx.response.length; n += 7) {
        expect(() => decodeMessage(fx.response.subarray(0, n)), `${fx.name} at ${n}`)
          .toThrow(WireFormatError)
        cases++
      }
    }
    expect(cases).toBeGreaterThan(1000)
  })

  it('either decodes or throws WireFormatError for random byte damage', () => {
    // Deterministic xorshift so a failure can be replayed.
    let seed = 0x2545f491
    const rand = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5
      return (seed >>> 0) % n
    }
    const started = Date.now()
    for (let round = 0; round < 3000; round++) {
      const fx = fixtures[rand(fixtures.length)]
      if (fx === undefined) continue
      const bytes = Uint8Array.from(fx.response)
      for (let k = 0; k < 1 + rand(4); k++) bytes[rand(bytes.length)] = rand(256)
      try {
        decodeMessage(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(WireFormatError)
      }
    }
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('Extended DNS Errors (RFC 8914 section 2)', () => {
  it('decodes INFO-CODE and EXTRA-TEXT and folds the extended rcode', () => {
    const text = [...Buffer.from('signature expired')]
    const option = [0, 15, 0, 2 + text.length, 0, 7, ...text]
    // OPT TTL: extended rcode 1, version 0, DO set; header rcode 0 -> full rcode 16 (BADVERS).
    const opt = [0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, option.length, ...option]
    const msg = decodeMessage(Uint8Array.from([...header(0, 0, 0, 1), ...opt]))
    expect(msg.rcode).toBe(16)
    expect(msg.edns).toEqual({
      udpSize: 1232, version: 0, dnssecOk: true,
      options: [{ code: 15, data: Uint8Array.from(option.slice(4)) }],
      extendedErrors: [{ code: 7, text: 'signature expired' }],
    })
    expect(msg.additional).toEqual([])
  })

  it('keeps the answer but no Extended DNS Error from an option too short for its info code',
    () => {
      // RFC 8914 section 2: INFO-CODE is 2 octets. A resolver's broken option must not throw
      // away the answer it came with; the raw option stays in `options`.
      const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 5, 0, 15, 0, 1, 9]
      const msg = decodeMessage(Uint8Array.from([...header(0, 0, 0, 1), ...opt]))
      expect(msg.edns?.extendedErrors).toEqual([])
      expect(msg.edns?.options).toEqual([{ code: 15, data: Uint8Array.from([9]) }])
    })

  it('rejects an EDNS option longer than the OPT rdata', () => {
    const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 4, 0, 15, 0, 9]
    expectWireError([...header(0, 0, 0, 1), ...opt], /truncated EDNS option 15/)
  })
})
