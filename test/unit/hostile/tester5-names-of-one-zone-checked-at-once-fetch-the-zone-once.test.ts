// docs/batch.md ("Politeness and speed"): a batch shares its work across names, and a zone
// above many names is fetched once. Names of one domain that sit together in a list are checked
// at the same time (the default concurrency is 64); this pins that they still share the DNSKEY fetches
// in progress (root's and the zone's key sets asked once), which held when tester5 checked it.
// They did not share the referral: each concurrent walk asked the parents for its own name
// until the zone was known (tester5's report: 2.24 queries a name for a grouped list on the
// bench lab at the defaults, 1.50 at --concurrency 1). Now the walks asking one zone about
// names under the same label take turns (src/probe/walker.ts resolve), and test. is asked
// once for all four, as when they are checked one after the other.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Checker } from '../../../src/batch/engine.js'
import { nameFromText } from '../../../src/wire/name.js'
import { hierarchy, type Net, rd, rec, startNet, T } from './issue5-kit.js'

const PORT = 20593
const ROOT = '127.0.93.1'
const ZONE = '127.0.93.3'
const dnskeyAsked = new Map<string, number>()
/** Questions the test. server got (its referrals to a.test.). */
let tldAsked = 0
let net: Net
let anchorFile: string

const count = (addr: string): void => { dnskeyAsked.set(addr, (dnskeyAsked.get(addr) ?? 0) + 1) }

beforeAll(async () => {
  const specs = hierarchy(ROOT, '127.0.93.2', [{ name: 'a.test.', addresses: [ZONE], records: [
    rec('a.test.', T.NS, rd.name('ns.a.test.')), rec('ns.a.test.', T.A, rd.A(ZONE)),
    rec('www.a.test.', T.A, rd.A('127.0.0.80')), rec('mail.a.test.', T.A, rd.A('127.0.0.81')),
    rec('ftp.a.test.', T.A, rd.A('127.0.0.82')), rec('a.test.', T.A, rd.A('127.0.0.83'))] }])
  for (const s of specs) {
    s.hook = (q, r, address) => {
      if (q.qtype === T.DNSKEY) count(address)
      if (address === '127.0.93.2' && q.qname.endsWith('a.test.')) tldAsked++
      return r
    }
  }
  net = await startNet(specs, PORT)
  anchorFile = join(mkdtempSync(join(tmpdir(), 'tester5-')), 'anchor.ds')
  writeFileSync(anchorFile, net.anchor)
})
afterAll(async () => { await net.stop() })

function checker(): Checker {
  return new Checker({ check: { trustAnchor: anchorFile, at: null, allowNet: '127.0.0.0/8',
    rootHints: ROOT, port: PORT, timeoutMs: 1000, ipv6: false, thorough: false,
    resolvers: false, warnDays: 7 }, format: 'jsonl', perServer: 4, share: 1,
  countServers: false })
}
const names = ['a.test.', 'www.a.test.', 'mail.a.test.', 'ftp.a.test.']

it('control: the same four names one after the other ask each DNSKEY set once', async () => {
  dnskeyAsked.clear()
  tldAsked = 0
  const c = checker()
  for (const n of names) {
    expect((await c.run({ name: nameFromText(n), type: 1 })).status).toBe('secure')
  }
  c.close()
  expect(dnskeyAsked.get(ROOT)).toBe(1)
  expect(dnskeyAsked.get(ZONE)).toBe(1)
  expect(tldAsked).toBe(1)
})

it('four names of one zone checked at once (as batch does by default) ask each '
  + 'DNSKEY set once', async () => {
  dnskeyAsked.clear()
  tldAsked = 0
  const c = checker()
  const outcomes = await Promise.all(names.map((n) => c.run({ name: nameFromText(n), type: 1 })))
  c.close()
  expect(outcomes.map((o) => o.status)).toEqual(['secure', 'secure', 'secure', 'secure'])
  expect(dnskeyAsked.get(ROOT)).toBe(1)
  expect(dnskeyAsked.get(ZONE)).toBe(1)
  // One referral for the four, not one each.
  expect(tldAsked).toBe(1)
})
