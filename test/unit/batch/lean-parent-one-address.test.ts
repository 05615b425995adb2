// Issue 4: "at most 3 queries for a healthy name once the root and the TLD are known (the DS
// with the referral, the DNSKEY, the answer)". The bench lab gives every zone one address, so
// it could not show that a lean batch asked every address of the parent for each name's
// referral: 13 queries a name to a TLD like com. Now a parent that has referred names before is
// asked as a resolver asks it, one address a name, spread over its addresses; a zone's own
// addresses, and any question that a parent answers instead of referring, still reach every
// address, and so does a referral that does not lead to a healthy child (tester6's guards in
// test/unit/hostile). An address that went silent is left alone for a while (a resolver's
// infrastructure cache). `check` keeps asking every address.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Checker } from '../../../src/batch/engine.js'
import { nameFromText } from '../../../src/wire/name.js'
import { checkKit, type Net, rd, rec, startNet, T } from '../hostile/issue5-kit.js'
import type { ZoneSpec } from '../hostile/issue5-kit.js'

const PORT = 20761
const ROOT = '127.0.94.1'
/** The three addresses of test. (ns1, ns2, ns3). */
const TLD = ['127.0.94.2', '127.0.94.3', '127.0.94.4']
const KIDS = Array.from({ length: 12 }, (_, i) => ({
  name: `k${String(i + 1).padStart(2, '0')}.test.`, address: `127.0.94.${i + 11}` }))
/** Questions about names below test. (not test.'s own keys) that each test. address got. */
const asked = new Map<string, number>()
/** The address of test. that stays silent, when a test sets one. */
let silent: string | null = null
let net: Net
let anchorFile: string

beforeAll(async () => {
  const tldNs = TLD.flatMap((a, i) => [rec('test.', T.NS, rd.name(`ns${i + 1}.test.`)),
    rec(`ns${i + 1}.test.`, T.A, rd.A(a))])
  const kids: ZoneSpec[] = KIDS.map((k) => ({ name: k.name, addresses: [k.address], records: [
    rec(k.name, T.NS, rd.name(`ns.${k.name}`)), rec(`ns.${k.name}`, T.A, rd.A(k.address)),
    rec(k.name, T.A, rd.A('127.0.0.80'))] }))
  const specs: ZoneSpec[] = [
    { name: '.', addresses: [ROOT], records: [rec('.', T.NS, rd.name('a.root.')),
      rec('a.root.', T.A, rd.A(ROOT)), ...tldNs] },
    { name: 'test.', addresses: TLD, records: [...tldNs, ...KIDS.flatMap((k) => [
      rec(k.name, T.NS, rd.name(`ns.${k.name}`)), rec(`ns.${k.name}`, T.A, rd.A(k.address))])],
    hook: (q, r, address) => {
      if (q.qname !== 'test.') asked.set(address, (asked.get(address) ?? 0) + 1)
      return address === silent && q.qname !== 'test.' ? 'drop' : r
    } },
    ...kids,
  ]
  net = await startNet(specs, PORT)
  anchorFile = join(mkdtempSync(join(tmpdir(), 'lean-parent-')), 'anchor.ds')
  writeFileSync(anchorFile, net.anchor)
})
afterAll(async () => { await net.stop() })

function checker(): Checker {
  return new Checker({ check: { trustAnchor: anchorFile, at: null, allowNet: '127.0.0.0/8',
    rootHints: ROOT, port: PORT, timeoutMs: 400, ipv6: false, thorough: false,
    resolvers: false, warnDays: 7 }, format: 'jsonl', perServer: 4, share: 1,
  countServers: false })
}

const total = (): number => [...asked.values()].reduce((a, b) => a + b, 0)

describe('a lean batch asks a parent that has referred before one address per name', () => {
  it('twelve names under a three-address TLD: 3 referral queries for the first, then 1 each, '
    + 'spread over the addresses', async () => {
    asked.clear()
    silent = null
    const c = checker()
    for (const k of KIDS) {
      expect((await c.run({ name: nameFromText(k.name), type: 1 })).status, k.name)
        .toBe('secure')
    }
    c.close()
    expect(total()).toBe(3 + 11)
    // Every address got its share: none was asked for every name, and none was left out.
    expect([...asked.values()].every((n) => n >= 2 && n < 12)).toBe(true)
    expect(asked.size).toBe(3)
  })

  it('a name the parent answers itself (a name that does not exist) is asked of every '
    + 'address', async () => {
    asked.clear()
    silent = null
    const c = checker()
    expect((await c.run({ name: nameFromText('k01.test.'), type: 1 })).status).toBe('secure')
    asked.clear()
    const o = await c.run({ name: nameFromText('nowhere.test.'), type: 1 })
    c.close()
    expect(o.codes).not.toContain('SERVER_TIMEOUT')
    expect(TLD.map((a) => asked.get(a) ?? 0)).toEqual([1, 1, 1])
  })

  it('an address that went silent is not picked again for a while: the others give the '
    + 'referrals and every name is still secure', async () => {
    asked.clear()
    silent = TLD[1] as string
    const c = checker()
    const statuses = [(await c.run({ name: nameFromText(KIDS[0]!.name), type: 1 })).status]
    // The first name asked every address (the parent had not referred yet): the silent one
    // let that question time out.
    const first = asked.get(silent) ?? 0
    expect(first).toBeGreaterThan(0)
    for (const k of KIDS.slice(1)) {
      statuses.push((await c.run({ name: nameFromText(k.name), type: 1 })).status)
    }
    c.close()
    expect(statuses).toEqual(KIDS.map(() => 'secure'))
    expect(asked.get(silent)).toBe(first)
    silent = null
    // The other two answered the first name and then one referral each for the other eleven.
    expect((asked.get(TLD[0] as string) ?? 0) + (asked.get(TLD[2] as string) ?? 0)).toBe(2 + 11)
  })

  it('control: check asks every address of the parent for the referral', async () => {
    asked.clear()
    silent = null
    const report = await checkKit(net, ROOT, PORT, 'k05.test.')
    expect(report.status).toBe('secure')
    // The referral, and check's own DS question to the parent's every address.
    expect(TLD.map((a) => (asked.get(a) ?? 0) >= 1)).toEqual([true, true, true])
  })
})
