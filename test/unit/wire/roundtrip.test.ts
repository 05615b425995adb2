// Round trip over every record type we meet: decode, encode, decode again at an offset inside a
// larger buffer, encode again; the bytes and the structure must not change. Inputs are the
// records NSD sent (test/fixtures/wire) and the ldns canonicalisation zone (PTR, SRV, KX, RP).
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src/wire/message.js'
import { decodeRdata, encodeRdata, encodeRR } from '../../../src/wire/rdata.js'
import { parseZoneText } from '../../../src/wire/text.js'
import { nameFromText, nameToWire } from '../../../src/wire/name.js'
import type { RR, Rdata } from '../../../src/wire/types.js'
import { loadFixtures, readFixtureText } from './fixtures.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Asserts decode(encode(x)) round-trips, alone and embedded at `offset` among junk bytes. */
function roundTrip(type: number, rdata: Rdata, offset: number): void {
  const bytes = encodeRdata(rdata, { type })
  const alone = decodeRdata(type, bytes, 0, bytes.length)
  expect(alone).toEqual(rdata)
  const big = new Uint8Array(offset + bytes.length + 7).fill(0xc0)
  big.set(bytes, offset)
  const embedded = decodeRdata(type, big, offset, bytes.length)
  expect(embedded).toEqual(rdata)
  expect(hex(encodeRdata(embedded, { type }))).toBe(hex(bytes))
}

const fromWire: RR[] = loadFixtures().flatMap((fx) => {
  const m = decodeMessage(fx.response)
  return [...m.answer, ...m.authority, ...m.additional]
})
const fromZone: RR[] = parseZoneText(readFixtureText('zones/canonical.zone'))
const all = [...fromWire, ...fromZone]

describe('rdata round trip', () => {
  it('covers every decoded kind and the opaque types we know names in', () => {
    const types = new Set(all.map((rr) => rr.type))
    // A NS CNAME SOA PTR MX TXT RP AAAA SRV KX DNAME DS RRSIG NSEC DNSKEY NSEC3 NSEC3PARAM
    // CDS CDNSKEY and two private-use types.
    for (const t of [1, 2, 5, 6, 12, 15, 16, 17, 28, 33, 36, 39, 43, 46, 47, 48, 50, 51, 59,
      60, 65280, 65281]) {
      expect(types, `type ${t}`).toContain(t)
    }
  })

  all.forEach((rr, i) => {
    it(`round-trips record ${i} (type ${rr.type}) alone and at offset ${i % 13 + 1}`, () => {
      roundTrip(rr.type, rr.data, (i % 13) + 1)
    })
  })

  it('keeps an empty NSEC3 type bitmap empty (empty non-terminal)', () => {
    const ent = fromWire.find((rr) => rr.data.kind === 'NSEC3' && rr.data.types.length === 0)
    expect(ent).toBeDefined()
  })
})

describe('opaque types with names (RFC 3597 section 4)', () => {
  it('decompresses the PTR target NSD sent as "www" plus a pointer', () => {
    const fx = loadFixtures().find((f) => f.name === 'example-ptr')
    if (fx === undefined) throw new Error('fixture missing')
    const ptr = decodeMessage(fx.response).answer.find((rr) => rr.type === 12)
    expect(ptr?.data).toEqual({ kind: 'UNKNOWN',
      data: nameToWire(nameFromText('www.example.test')) })
  })
})

describe('message round trip', () => {
  for (const fx of loadFixtures()) {
    it(`${fx.name}: decode(encode(decode(response))) equals decode(response)`, () => {
      const first = decodeMessage(fx.response)
      const again = decodeMessage(encodeMessage(first))
      expect(again).toEqual(first)
    })
  }
})

describe('encodeRR', () => {
  it('writes owner, type, class, TTL, rdlength then rdata (RFC 1035 section 4.1.3)', () => {
    const rr = fromWire.find((r) => r.type === 1)
    if (rr === undefined) throw new Error('no A record')
    const bytes = encodeRR(rr)
    const ownerLength = rr.name.reduce((n, l) => n + l.length + 1, 1)
    const view = new DataView(bytes.buffer)
    expect(view.getUint16(ownerLength)).toBe(1)
    expect(view.getUint16(ownerLength + 2)).toBe(1)
    expect(view.getUint32(ownerLength + 4)).toBe(rr.ttl)
    expect(view.getUint16(ownerLength + 8)).toBe(4)
    expect(bytes.length).toBe(ownerLength + 10 + 4)
  })
})
