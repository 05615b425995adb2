// A served TTL with the top bit set (2^31 or more). RFC 2181 section 8: a TTL is an unsigned
// number from 0 to 2^31 - 1, and a received value with the most significant bit set is to be
// treated as if it were zero; unbound does exactly that when it stores a record (its message
// parser zeroes such TTLs, citing RFC 2181 8). Such a record lives in no cache, so neither "the
// TTL was changed after signing" nor "the TTL outlives the signature" is true of it.
// Found: both RRSIG_ORIGINAL_TTL_MISMATCH and RRSIG_TTL_BEYOND_EXPIRY ("68.0 years"), exit 1.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exitCodeFor } from '../../../src/cli/main.js'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T } from './issue5-kit.js'

const PORT = 20595
const ROOT = '127.0.95.1'
let net: Net

function servedWithTtl(zone: string, name: string, ttl: number, originalTtl: number) {
  return (q: { qname: string; qtype: number }, r: object) => {
    if (q.qname !== name || q.qtype !== T.A) return r
    const a = rec(name, T.A, rd.A('127.0.0.80'), originalTtl)
    const sig = net.zones.get(zone)!.sig([a])
    return { aa: true, answer: [{ ...a, ttl }, { ...sig, ttl }] }
  }
}

beforeAll(async () => {
  const zone = (label: string, addr: string, ttl: number, orig: number) => {
    const name = `${label}.test.`
    return { name, addresses: [addr], records: [rec(name, T.NS, rd.name(`ns.${name}`)),
      rec(`ns.${name}`, T.A, rd.A(addr)), rec(`www.${name}`, T.A, rd.A('127.0.0.80'))],
    hook: servedWithTtl(name, `www.${name}`, ttl, orig) }
  }
  net = await startNet(hierarchy(ROOT, '127.0.95.2', [
    zone('msb', '127.0.95.10', 0x80000000, 300),
    zone('allones', '127.0.95.11', 0xffffffff, 300),
    zone('maxttl', '127.0.95.12', 0x7fffffff, 0x7fffffff),
  ]), PORT)
})
afterAll(async () => { await net.stop() })

const ttlCodes = ['RRSIG_ORIGINAL_TTL_MISMATCH', 'RRSIG_TTL_BEYOND_EXPIRY']

it.each([['2^31', 'www.msb.test.'], ['2^32 - 1', 'www.allones.test.']])(
  'a served TTL of %s counts as 0 (RFC 2181 8): no TTL warning, exit 0', async (_t, name) => {
    const r = await checkKit(net, ROOT, PORT, name)
    expect(r.status).toBe('secure')
    expect(r.findings.map((f) => f.code).filter((c) => ttlCodes.includes(c))).toEqual([])
    expect(exitCodeFor(r)).toBe(0)
  })

it('control: 2^31 - 1 is a real TTL (68 years), beyond a 30-day signature', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.maxttl.test.')
  expect(r.status).toBe('secure')
  expect(r.findings.map((f) => f.code)).toContain('RRSIG_TTL_BEYOND_EXPIRY')
})
