// A key tag is a 16-bit checksum (RFC 4034 Appendix B): two keys can share one. Here the DS at
// test. names key K1; the zone publishes K1 and K2, which has K1's tag, algorithm and flags,
// and only K2 signs the DNSKEY set (and the data). RFC 4035 5.2: the DNSKEY RRset must be
// signed by the key the DS authenticates; a signature that carries the same tag but verifies
// only with another key does not count. unbound 1.17, run by hand against this very zone
// (loopback, port 53, trust anchor the kit root's DS): SERVFAIL, logging "validation failure
// <www.kt.test. A IN>: signature crypto failed from 127.0.73.3 for key kt.test. while building
// chain of trust"; with K1 signing instead: NOERROR with AD (the control below).
// Found: dnssec-doctor calls it secure and reports K1 as signing the key set, in `check` and in
// a batch, lean or thorough: the key set counts as signed by a DS key when the tag of a valid
// signature is one a DS matched (src/analysis/zone.ts judgeKeySet; rrset.ts `settles` too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTrustAnchors } from '../../../src/anchors.js'
import type { Report } from '../../../src/analysis/types.js'
import { check, newCheckSession } from '../../../src/check.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { type Net, type Q, type R, rd, rec, startNet, T } from './issue5-kit.js'
import { collidingPair, dsOf, type Key, resign, sigBy } from './tester3-kit.js'

const PORT = 20731
const ROOT = '127.0.73.1'
const [k1, k2] = collidingPair(257)
let net: Net

/** A zone that publishes K1 and K2 and signs everything with `signer` only. */
function zone(label: string, address: string, signer: Key) {
  const name = `${label}.test.`
  return { name, addresses: [address], unsigned: true, records: [
    rec(name, T.NS, rd.name(`ns.${name}`)), rec(`ns.${name}`, T.A, rd.A(address)),
    rec(`www.${name}`, T.A, rd.A('127.0.0.80'))],
  hook: (q: Q, r: R): R => {
    if (q.qname === name && q.qtype === T.DNSKEY) {
      const set = [rec(name, T.DNSKEY, k1.rdata, 3600), rec(name, T.DNSKEY, k2.rdata, 3600)]
      return { aa: true, answer: [...set, sigBy(signer, name, set)] }
    }
    return { ...r, answer: resign(r.answer, signer, name),
      authority: resign(r.authority, signer, name) }
  } }
}

beforeAll(async () => {
  const delegate = (label: string, address: string) => [
    rec(`${label}.test.`, T.NS, rd.name(`ns.${label}.test.`)),
    rec(`ns.${label}.test.`, T.A, rd.A(address)), dsOf(`${label}.test.`, k1)]
  net = await startNet([
    { name: '.', addresses: [ROOT], records: [
      rec('.', T.NS, rd.name('a.root.')), rec('a.root.', T.A, rd.A(ROOT)),
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.73.2'))] },
    { name: 'test.', addresses: ['127.0.73.2'], records: [
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.73.2')),
      ...delegate('kt', '127.0.73.3'), ...delegate('ok', '127.0.73.4')] },
    zone('kt', '127.0.73.3', k2),
    zone('ok', '127.0.73.4', k1),
  ], PORT)
})
afterAll(async () => { await net.stop() })

async function run(name: string, session: 'none' | 'lean' | 'thorough'): Promise<Report> {
  const { report } = await check({ name: nameFromText(name), type: T.A }, {
    anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
    rootServers: [{ address: ROOT, port: PORT }],
    ...(session === 'none' ? {} : { session: newCheckSession({ lean: session === 'lean' }) }),
    guard: guardFromEnv({}, '127.0.0.0/8'), authPort: PORT, timeoutMs: 500 })
  return report
}

describe.each(['none', 'lean', 'thorough'] as const)('session: %s', (session) => {
  it('the two keys really share a tag', () => {
    expect(k1.tag).toBe(k2.tag)
    expect(k1.rdata.equals(k2.rdata)).toBe(false)
  })

  it('control: the DS key signing its zone is secure (unbound: NOERROR, AD)', async () => {
    const r = await run('www.ok.test.', session)
    expect(r.status).toBe('secure')
  })

  it('only the tag twin signing the DNSKEY set is bogus at kt.test. (unbound: SERVFAIL)',
    async () => {
      const r = await run('www.kt.test.', session)
      expect(r.status).toBe('bogus')
      expect(r.brokenLink?.zone).toBe('kt.test.')
      const kt = r.chain.find((c) => c.zone === 'kt.test.')
      // K1 (the key the DS matches) signs nothing here.
      expect(kt?.dnskeys.filter((k) => k.matchedByDs).map((k) => k.signsKeySet)).toEqual([false])
    })
})
