// Canonical form (RFC 4034 section 6.2 item 3, NSEC removed by RFC 6840 section 5.1) checked
// against ldns: canonical.ldns-read-zone-c.txt is `ldns-read-zone -c zones/canonical.zone`.
import { describe, expect, it } from 'vitest'
import { decodeRdata, encodeRdata, encodeRR } from '../../../src/wire/rdata.js'
import { decodeMessage } from '../../../src/wire/message.js'
import { parseZoneText, rrToText } from '../../../src/wire/text.js'
import type { RR } from '../../../src/wire/types.js'
import { readFixtureText } from './fixtures.js'

/** Decodes an encodeRR() result back to an RR, via a one-record message. */
function rrFromWire(bytes: Uint8Array): RR {
  const header = Uint8Array.of(0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0)
  const msg = new Uint8Array(header.length + bytes.length)
  msg.set(header)
  msg.set(bytes, header.length)
  const rr = decodeMessage(msg).answer[0]
  if (rr === undefined) throw new Error('no record')
  return rr
}

const squash = (s: string): string => s.trim().replace(/\s+/g, ' ')

describe('encodeRR with canonical: true', () => {
  const zone = parseZoneText(readFixtureText('zones/canonical.zone'))
  const ldns = readFixtureText('canonical.ldns-read-zone-c.txt').split('\n')
    .filter((l) => l.trim() !== '')

  it('parses as many records as ldns printed', () => {
    expect(zone).toHaveLength(ldns.length)
  })

  zone.forEach((rr, i) => {
    it(`lowercases record ${i} exactly as ldns does: ${squash(ldns[i] ?? '')}`, () => {
      const canonical = rrFromWire(encodeRR(rr, { canonical: true }))
      expect(squash(rrToText(canonical))).toBe(squash(ldns[i] ?? ''))
    })
  })

  it('leaves the NSEC next name as it is (RFC 6840 section 5.1)', () => {
    const nsec = zone.find((rr) => rr.data.kind === 'NSEC')
    if (nsec === undefined) throw new Error('no NSEC')
    const bytes = encodeRdata(nsec.data, { canonical: true })
    expect(Buffer.from(bytes).toString('latin1')).toContain('Example')
  })

  it('lowercases names in opaque PTR data only when told the type', () => {
    const ptr = zone.find((rr) => rr.type === 12)
    if (ptr === undefined) throw new Error('no PTR')
    const withType = encodeRdata(ptr.data, { canonical: true, type: 12 })
    const without = encodeRdata(ptr.data, { canonical: true })
    expect(Buffer.from(withType).toString('latin1')).toContain('host')
    expect(Buffer.from(without).toString('latin1')).toContain('Host')
    expect(decodeRdata(12, withType, 0, withType.length)).toEqual({ kind: 'UNKNOWN',
      data: withType })
  })
})
