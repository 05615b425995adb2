// docs/batch.md: each line of a batch is the report `check --json` prints; docs/json.md: in a
// lean batch, signatures over a DNSKEY set after the first valid one by a DS key are
// `unchecked`, "where a validator stops too". What the report warns about must not change
// with that: docs/findings.md RRSIG_EXPIRES_SOON is "a signature on the chain ... valid now
// but expires within the warning window", its example "a zone whose DNSKEY signature expires
// in 3 days", and it exists "so that a monitor alerts" (exit 1) — batch is that monitor.
// Two zones, each with its KSK (the DS key) and a ZSK both signing the DNSKEY set:
//  - soon.test.: the ZSK's signature over the DNSKEY set expires in 2 days (the KSK's in 30).
//    `check` warns RRSIG_EXPIRES_SOON (exit 1); a lean batch leaves that signature unchecked
//    and says nothing (exit 0).
//  - ttl.test.: DNSKEY set served with TTL 3600; the KSK's signature says original TTL 300,
//    the ZSK's 3600. `check` finds no TTL problem (exit 0); a lean batch judges from the KSK's
//    signature alone and warns RRSIG_ORIGINAL_TTL_MISMATCH (exit 1).
// Found: the hygiene notes (src/analysis/hygiene.ts ttlNotes, chain.ts expiringSoon) look only
// at signatures whose status is `valid`, so a lean batch and `check` disagree both ways.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseTrustAnchors } from '../../../src/anchors.js'
import type { Report } from '../../../src/analysis/types.js'
import { check, newCheckSession } from '../../../src/check.js'
import { exitCodeFor } from '../../../src/cli/main.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { hierarchy, type Net, type Q, type R, rd, rec, startNet, T } from './issue5-kit.js'
import { newKey, sigBy } from './tester3-kit.js'

const PORT = 20733
const ROOT = '127.0.74.1'
const zsk = newKey(256)
let net: Net

/** The DNSKEY answer of `name`: its kit KSK and our ZSK, each signing the set. */
function keySet(name: string, zskDays: number, kskOriginalTtl: number | undefined) {
  return (q: Q, r: R): R => {
    if (q.qname !== name || q.qtype !== T.DNSKEY) return r
    const z = net.zones.get(name)!
    const set = [rec(name, T.DNSKEY, z.dnskey, 3600), rec(name, T.DNSKEY, zsk.rdata, 3600)]
    return { aa: true, answer: [...set, sigBy(zsk, name, set, zskDays),
      z.sig(set, kskOriginalTtl === undefined ? {} : { originalTtl: kskOriginalTtl })] }
  }
}

beforeAll(async () => {
  const kid = (label: string, address: string, hook: (q: Q, r: R) => R) => {
    const name = `${label}.test.`
    return { name, addresses: [address], hook, records: [
      rec(name, T.NS, rd.name(`ns.${name}`)), rec(`ns.${name}`, T.A, rd.A(address)),
      rec(`www.${name}`, T.A, rd.A('127.0.0.80'))] }
  }
  net = await startNet(hierarchy(ROOT, '127.0.74.2', [
    kid('soon', '127.0.74.3', keySet('soon.test.', 2, undefined)),
    kid('ttl', '127.0.74.4', keySet('ttl.test.', 30, 300)),
  ]), PORT)
})
afterAll(async () => { await net.stop() })

async function run(name: string, lean: boolean | null): Promise<Report> {
  const { report } = await check({ name: nameFromText(name), type: T.A }, {
    anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
    rootServers: [{ address: ROOT, port: PORT }],
    ...(lean === null ? {} : { session: newCheckSession({ lean }) }),
    guard: guardFromEnv({}, '127.0.0.0/8'), authPort: PORT, timeoutMs: 500 })
  return report
}
const codes = (r: Report): string[] => [...new Set(r.findings.map((f) => f.code))].sort()

it('soon.test.: check warns of the DNSKEY signature expiring in 2 days, and so does batch',
  async () => {
    const alone = await run('www.soon.test.', null)
    expect(codes(alone)).toContain('RRSIG_EXPIRES_SOON')
    const lean = await run('www.soon.test.', true)
    expect(lean.status).toBe(alone.status)
    expect(codes(lean)).toEqual(codes(alone))
    expect(exitCodeFor(lean)).toBe(exitCodeFor(alone))
  })

it('ttl.test.: batch finds no more TTL problems in the DNSKEY set than check', async () => {
  const alone = await run('www.ttl.test.', null)
  const lean = await run('www.ttl.test.', true)
  expect(lean.status).toBe(alone.status)
  expect(codes(lean)).toEqual(codes(alone))
  expect(exitCodeFor(lean)).toBe(exitCodeFor(alone))
})
