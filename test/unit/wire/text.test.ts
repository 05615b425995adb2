import { describe, expect, it } from 'vitest'
import { decodeMessage } from '../../../src/wire/message.js'
import { nameFromText, nameToText } from '../../../src/wire/name.js'
import { encodeRR } from '../../../src/wire/rdata.js'
import {
  PresentationSyntaxError, parseZoneText, rcodeToText, rrFromText, rrToText, typeFromText,
  typeToText,
} from '../../../src/wire/text.js'
import type { RR } from '../../../src/wire/types.js'
import { loadFixtures, readFixtureText } from './fixtures.js'

// TTL left out: in negative answers the SOA and its RRSIG carry the SOA minimum instead
// (RFC 2308 section 3).
const key = (rr: RR): string =>
  Buffer.from(encodeRR({ ...rr, ttl: 0 }, { canonical: true })).toString('hex')

describe('type and rcode mnemonics', () => {
  it('prints IANA mnemonics and RFC 3597 TYPEnnn for the rest', () => {
    expect(typeToText(1)).toBe('A')
    expect(typeToText(48)).toBe('DNSKEY')
    expect(typeToText(65534)).toBe('TYPE65534')
  })

  it('parses mnemonics in any case and TYPEnnn, else null', () => {
    expect(typeFromText('dnskey')).toBe(48)
    expect(typeFromText('TYPE123')).toBe(123)
    expect(typeFromText('type65535')).toBe(65535)
    expect(typeFromText('TYPE65536')).toBeNull()
    expect(typeFromText('FOO')).toBeNull()
  })

  it('names rcodes from the IANA registry', () => {
    expect(rcodeToText(0)).toBe('NOERROR')
    expect(rcodeToText(3)).toBe('NXDOMAIN')
    expect(rcodeToText(16)).toBe('BADVERS')
    expect(rcodeToText(4000)).toBe('RCODE4000')
  })
})

describe('rrFromText', () => {
  it('takes TTL and class in either order and defaults the class to IN', () => {
    const a = rrFromText('www.example.test. 300 IN A 192.0.2.1')
    expect(rrFromText('www.example.test. IN 300 A 192.0.2.1')).toEqual(a)
    expect(rrFromText('www.example.test. 300 A 192.0.2.1')).toEqual(a)
    expect(a.ttl).toBe(300)
    expect(a.class).toBe(1)
  })

  it('resolves relative names and "@" against the origin', () => {
    const rr = rrFromText('@ 60 MX 10 mail', { origin: nameFromText('example.test') })
    expect(rrToText(rr)).toBe('example.test. 60 IN MX 10 mail.example.test.')
  })

  it('uses defaultTtl when the line has none', () => {
    expect(rrFromText('a.test. NS ns.test.', { defaultTtl: 86400 }).ttl).toBe(86400)
    expect(() => rrFromText('a.test. NS ns.test.')).toThrow(/no TTL/)
  })

  it('accepts RFC 3597 generic rdata for known and unknown types', () => {
    const known = rrFromText('a.test. 60 IN A \\# 4 C0000201')
    expect(known.data).toEqual({ kind: 'A', address: '192.0.2.1' })
    const unknown = rrFromText('a.test. 60 IN TYPE65534 \\# 3 ABCDEF')
    expect(rrToText(unknown)).toBe('a.test. 60 IN TYPE65534 \\# 3 ABCDEF')
    expect(() => rrFromText('a.test. 60 IN TYPE65534 \\# 4 ABCDEF')).toThrow(/says 4 bytes/)
  })

  it('reads RRSIG times given as seconds since 1970 (RFC 4034 section 3.2)', () => {
    const rr = rrFromText('a.test. 60 IN RRSIG A 13 2 60 2051222400 1735689600 1 a.test. AAAA')
    // 1735689600 is 2025-01-01T00:00:00Z, 2051222400 is 2035-01-01T00:00:00Z.
    expect(rrToText(rr)).toContain('20350101000000 20250101000000')
  })

  it('rejects malformed lines with PresentationSyntaxError', () => {
    const bad = [
      'a.test. 60 IN A 192.0.2', 'a.test. 60 IN A 192.0.2.256', 'a.test. 60 IN AAAA 1::2::3',
      'a.test. 60 IN FOO x', 'a.test. 60 IN TYPE65534 abc', 'a.test. 60 IN MX 70000 b.test.',
      'a.test. 60 IN DS 1 2 3 XYZ', 'a.test. 60 IN NSEC3 1 0 0 - !!! A',
      'a.test. 60 IN RRSIG A 13 2 60 20351301000000 20250101000000 1 a.test. AAAA',
      'a.test. 60 IN NSEC b.test. A BOGUS', 'a b.test. 60 IN A 192.0.2.1 extra',
    ]
    for (const line of bad) expect(() => rrFromText(line), line).toThrow(PresentationSyntaxError)
  })
})

describe('parseZoneText', () => {
  it('handles $ORIGIN, $TTL, comments, parentheses and blank owners (RFC 1035 section 5)', () => {
    const rrs = parseZoneText([
      '$ORIGIN example.test.',
      '$TTL 1h',
      '@   IN SOA ns1 hostmaster ( 2024010101 ; serial',
      '        7200 3600 1209600 300 )',
      '    NS ns1 ; same owner as the SOA',
      'txt TXT "a;b" ( "c" )',
      '$ORIGIN sub',
      'x 5 A 192.0.2.1',
    ].join('\n'))
    expect(rrs.map(rrToText)).toEqual([
      'example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 ' +
        '3600 1209600 300',
      'example.test. 3600 IN NS ns1.example.test.',
      'txt.example.test. 3600 IN TXT "a;b" "c"',
      'x.sub.example.test. 5 IN A 192.0.2.1',
    ])
  })

  it('reports unbalanced parentheses, unterminated quotes and $INCLUDE with a line', () => {
    expect(() => parseZoneText('a.test. 1 A (\n192.0.2.1')).toThrow(/unbalanced/)
    expect(() => parseZoneText('a.test. 1 TXT "abc')).toThrow(/unterminated quote/)
    expect(() => parseZoneText('\n$INCLUDE other')).toThrow(/line 2: \$INCLUDE is not supported/)
    expect(() => parseZoneText(' 1 A 192.0.2.1')).toThrow(/no previous owner/)
  })

  it('reads the dnssec-signzone output that NSD served into the records NSD sent', () => {
    const zone = [
      ...parseZoneText(readFixtureText('example.test.zone.signed')),
      ...parseZoneText(readFixtureText('nsec3.test.zone.signed')),
    ]
    const inZone = new Set(zone.map(key))
    const missing = new Set<string>()
    for (const fx of loadFixtures()) {
      const m = decodeMessage(fx.response)
      for (const rr of [...m.answer, ...m.authority, ...m.additional]) {
        if (!inZone.has(key(rr))) missing.add(`${nameToText(rr.name)} ${typeToText(rr.type)}`)
      }
    }
    // Only records NSD synthesised are absent from the file: the CNAME derived from the
    // DNAME (RFC 6672 section 3.3) and the wildcard expansion (RFC 4592).
    expect([...missing].sort()).toEqual([
      'host.wild.example.test. RRSIG', 'host.wild.example.test. TXT',
      'x.dn.example.test. CNAME',
    ])
  })
})
