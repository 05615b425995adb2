// Address guard decisions. Expected values follow from the prefix rules of RFC 4632 section 3.1
// (IPv4 CIDR), RFC 4291 sections 2.2-2.3 (IPv6 text and prefixes) and 2.5.5.2 (IPv4-mapped
// addresses); the addresses are documentation and special-purpose blocks (RFC 5737, RFC 3849).
import { describe, expect, it } from 'vitest'
import {
  ALLOW_NET_ENV, GuardSyntaxError, guardFromEnv, parseAllowNet,
} from '../../../src/net/guard.js'

describe('parseAllowNet()', () => {
  it('allows addresses inside an IPv4 block and refuses the neighbours at its edges', () => {
    const guard = parseAllowNet('192.0.2.0/24')
    expect(guard.allows('192.0.2.0')).toBe(true)
    expect(guard.allows('192.0.2.255')).toBe(true)
    expect(guard.allows('192.0.1.255')).toBe(false)
    expect(guard.allows('192.0.3.0')).toBe(false)
  })

  it('compares a prefix that ends inside an octet bit by bit', () => {
    // 198.51.100.64/27 covers .64 to .95.
    const guard = parseAllowNet('198.51.100.64/27')
    expect(guard.allows('198.51.100.63')).toBe(false)
    expect(guard.allows('198.51.100.64')).toBe(true)
    expect(guard.allows('198.51.100.95')).toBe(true)
    expect(guard.allows('198.51.100.96')).toBe(false)
  })

  it('allows exactly one host for /32 and for a bare address', () => {
    for (const spec of ['127.0.0.53/32', '127.0.0.53']) {
      const guard = parseAllowNet(spec)
      expect(guard.allows('127.0.0.53')).toBe(true)
      expect(guard.allows('127.0.0.52')).toBe(false)
      expect(guard.allows('127.0.0.54')).toBe(false)
    }
  })

  it('allows every IPv4 address for 0.0.0.0/0 but no IPv6 address', () => {
    const guard = parseAllowNet('0.0.0.0/0')
    expect(guard.allows('0.0.0.0')).toBe(true)
    expect(guard.allows('8.8.8.8')).toBe(true)
    expect(guard.allows('255.255.255.255')).toBe(true)
    expect(guard.allows('::1')).toBe(false)
  })

  it('allows every IPv6 address for ::/0 but no IPv4 address', () => {
    const guard = parseAllowNet('::/0')
    expect(guard.allows('2001:db8::1')).toBe(true)
    expect(guard.allows('::')).toBe(true)
    expect(guard.allows('127.0.0.1')).toBe(false)
  })

  it('matches IPv6 blocks written compressed, in full, or with leading zeros', () => {
    const guard = parseAllowNet('2001:db8:0:0::/64,::1/128')
    expect(guard.allows('2001:db8::ffff')).toBe(true)
    expect(guard.allows('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe(true)
    expect(guard.allows('2001:db8:0:1::1')).toBe(false)
    expect(guard.allows('::1')).toBe(true)
    expect(guard.allows('0:0:0:0:0:0:0:1')).toBe(true)
    expect(guard.allows('::2')).toBe(false)
  })

  it('judges an IPv4-mapped IPv6 address as the IPv4 address it maps', () => {
    const guard = parseAllowNet('127.0.0.0/8,::1/128')
    expect(guard.allows('::ffff:127.0.0.9')).toBe(true)
    expect(guard.allows('::ffff:8.8.8.8')).toBe(false)
    // The same mapped address in hex: 0808:0808 is 8.8.8.8.
    expect(guard.allows('::ffff:808:808')).toBe(false)
    expect(guard.allows('::ffff:7f00:1')).toBe(true)
  })

  it('does not let a mapped address through an IPv6 block that contains it', () => {
    // ::/0 covers ::ffff:0:0/96 as IPv6 text, but a mapped address is IPv4 traffic.
    expect(parseAllowNet('::/0').allows('::ffff:8.8.8.8')).toBe(false)
  })

  it('reads a block written as IPv4-mapped IPv6 as the IPv4 block', () => {
    const guard = parseAllowNet('::ffff:127.0.0.0/104')
    expect(guard.describe()).toBe('127.0.0.0/8')
    expect(guard.allows('127.1.2.3')).toBe(true)
    expect(guard.allows('128.0.0.1')).toBe(false)
  })

  it('refuses hostnames and non-canonical IPv4 forms that inet_aton would accept', () => {
    const guard = parseAllowNet('0.0.0.0/0,::/0')
    for (const text of ['localhost', 'example.test', '127.1', '0x7f.0.0.1', '017.0.0.1',
      '2130706433', '', ' 127.0.0.1', '1.2.3.4.5', '256.0.0.1']) {
      expect(guard.allows(text), text).toBe(false)
    }
  })

  it('reads the IPv6 text forms of RFC 4291 section 2.2 and refuses broken ones', () => {
    const guard = parseAllowNet('::/0')
    for (const text of ['::', '1::', '::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', 'FFFF::abcd']) {
      expect(guard.allows(text), text).toBe(true)
    }
    for (const text of [':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3',
      '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4::', '::1.2.3.4:5', '12345::', 'g::', ':1::', '1::2:']) {
      expect(guard.allows(text), text).toBe(false)
    }
  })

  it('judges an IPv6 address with a zone by its address part', () => {
    const guard = parseAllowNet('fe80::/10')
    expect(guard.allows('fe80::1%eth0')).toBe(true)
    expect(guard.allows('fec0::1%eth0')).toBe(false)
  })

  it('describes the blocks in normalised form', () => {
    const guard = parseAllowNet(' 127.0.0.0/8 , 2001:0db8:0:0:0:0:0:0/32,0:0:0:0:0:0:0:1 ')
    expect(guard.describe()).toBe('127.0.0.0/8, 2001:db8::/32, ::1/128')
  })

  it('throws GuardSyntaxError on a bad CIDR', () => {
    const bad = ['', ' ', '127.0.0.0/8,', ',::1', '127.0.0.0/33', '::/129', '127.0.0.0/',
      '127.0.0.0/-1', '127.0.0.0/08', '127.0.0.0/8/8', 'localhost/8', '127.0.0/8',
      '10.1.2.3/8', '2001:db8::1/32', '1:2:3:4:5:6:7:8:9/128', '1::2::3/128',
      '1.2.3.4::/128', 'fe80::1%eth0/128']
    for (const spec of bad) {
      expect(() => parseAllowNet(spec), spec).toThrow(GuardSyntaxError)
    }
  })

  it('names the offending entry in the error, which is a SyntaxError', () => {
    let caught: unknown
    try {
      parseAllowNet('127.0.0.0/8,10.1.2.3/8')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(SyntaxError)
    expect(caught).toBeInstanceOf(GuardSyntaxError)
    expect((caught as Error).message).toContain('"10.1.2.3/8"')
    expect((caught as Error).name).toBe('GuardSyntaxError')
  })
})

describe('guardFromEnv()', () => {
  it('lets the CLI value win over the environment', () => {
    const guard = guardFromEnv({ [ALLOW_NET_ENV]: '10.0.0.0/8' }, '127.0.0.0/8')
    expect(guard?.allows('127.0.0.1')).toBe(true)
    expect(guard?.allows('10.0.0.1')).toBe(false)
  })

  it('reads DNSSEC_DOCTOR_ALLOW_NET when no CLI value is given', () => {
    expect(ALLOW_NET_ENV).toBe('DNSSEC_DOCTOR_ALLOW_NET')
    const guard = guardFromEnv({ DNSSEC_DOCTOR_ALLOW_NET: '::1/128' })
    expect(guard?.allows('::1')).toBe(true)
    expect(guard?.allows('127.0.0.1')).toBe(false)
  })

  it('returns null (no restriction) when neither is set, or the variable is empty', () => {
    expect(guardFromEnv({})).toBeNull()
    expect(guardFromEnv({ DNSSEC_DOCTOR_ALLOW_NET: '' })).toBeNull()
  })

  it('throws on an invalid value from either source', () => {
    expect(() => guardFromEnv({}, 'nope')).toThrow(GuardSyntaxError)
    expect(() => guardFromEnv({}, '')).toThrow(GuardSyntaxError)
    expect(() => guardFromEnv({ DNSSEC_DOCTOR_ALLOW_NET: '300.0.0.0/8' })).toThrow(GuardSyntaxError)
  })
})
