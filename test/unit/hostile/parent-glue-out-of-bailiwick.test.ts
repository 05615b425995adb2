// The parent side of the out-of-zone glue rule (issue5-out-of-zone-glue.test.ts is the
// child side). test. delegates pglue.test. to ns.far., a name in another TLD, and adds an A
// record for ns.far. pointing at 127.0.101.66 to its referral. test.'s servers have no
// authority over far. names: resolvers drop such glue (unbound's scrubber removes records
// outside the zone the referral came from, RFC 2181 5.4.1 ranks them lowest) and look ns.far.
// up in far., which says 127.0.101.13, the real server. Before the fix, the walk asked
// 127.0.101.66, which has no DNSKEY, and called a healthy zone BOGUS.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { hierarchy, type Net, rd, rec, startNet, T, type ZoneSpec } from './issue5-kit.js'
import { checkKit } from './issue5-kit.js'
import { parseTrustAnchors } from '../../../src/anchors.js'
import { check } from '../../../src/check.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'

const PORT = 20710
const ROOT = '127.0.101.1'
const ROGUE = '127.0.101.66'
let net: Net

beforeAll(async () => {
  const child = (label: string, ns: string, address: string): ZoneSpec => ({
    name: `${label}.test.`, addresses: [address], records: [rec(`${label}.test.`, T.NS,
      rd.name(ns)), rec(`www.${label}.test.`, T.A, rd.A('127.0.0.80'))] })
  // Twins: one delegated with the poisoned glue, one with none.
  const poisoned = child('pglue', 'ns.far.', '127.0.101.13')
  const clean = child('cglue', 'ns2.far.', '127.0.101.14')
  const rogue: ZoneSpec = { name: 'rogue.invalid.', addresses: [ROGUE], records: [],
    unsigned: true, hook: () => ({ aa: true }) }
  const far: ZoneSpec = { name: 'far.', addresses: ['127.0.101.3'], records: [
    rec('far.', T.NS, rd.name('ns1.far.')), rec('ns1.far.', T.A, rd.A('127.0.101.3')),
    rec('ns.far.', T.A, rd.A('127.0.101.13')), rec('ns2.far.', T.A, rd.A('127.0.101.14'))] }
  // The other side of the rule: glue for a name inside the referring zone (test.) is used,
  // whether the name is a sibling's (ns.sib.test. for kid.test.) or the child's own.
  const sibling = child('kid', 'ns.sib.test.', '127.0.101.15')
  const own = child('own', 'ns.own.test.', '127.0.101.16')
  const zones = hierarchy(ROOT, '127.0.101.2', [poisoned, clean, rogue, sibling, own])
  const root = zones.find((z) => z.name === '.') as ZoneSpec
  root.records.push(rec('far.', T.NS, rd.name('ns1.far.')), rec('ns1.far.', T.A,
    rd.A('127.0.101.3')))
  const tld = zones.find((z) => z.name === 'test.') as ZoneSpec
  tld.records.push(rec('ns.sib.test.', T.A, rd.A('127.0.101.15')),
    rec('ns.own.test.', T.A, rd.A('127.0.101.16')))
  net = await startNet([...zones, far], PORT)
  // The referral for pglue.test. (and only it: cglue.test. gets none) carries the glue.
  net.zones.get('test.')!.spec.hook = (q, r) => (q.qname.endsWith('pglue.test.')
    && (r.authority ?? []).some((x) => x.type === T.NS)
    ? { ...r, additional: [...(r.additional ?? []), rec('ns.far.', T.A, rd.A(ROGUE))] } : r)
})
afterAll(async () => { await net.stop() })

it('glue for a name outside the referring zone is not used as an address', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.pglue.test.')
  const asked = r.chain.flatMap((z) => z.servers.map((s) => s.address))
  expect(asked).not.toContain(ROGUE)
  expect(asked).toContain('127.0.101.13')
  expect(r.status).toBe('secure')
})

it('control: the same delegation without the glue is secure, through the lookup', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.cglue.test.')
  expect(r.chain.flatMap((z) => z.servers.map((s) => s.address))).toContain('127.0.101.14')
  expect(r.status).toBe('secure')
})

it.each([['kid.test.', 'ns.sib.test.', '127.0.101.15'], ['own.test.', 'ns.own.test.',
  '127.0.101.16']])('glue inside the referring zone is used: %s via %s', async (zone, ns, address) => {
  const { report, capture } = await check({ name: nameFromText(`www.${zone}`), type: T.A }, {
    anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
    rootServers: [{ address: ROOT, port: PORT }], guard: guardFromEnv({}, '127.0.0.0/8'),
    authPort: PORT, timeoutMs: 500 })
  expect(report.status).toBe('secure')
  expect(report.chain.find((z) => z.zone === zone)?.servers.map((s) => s.address))
    .toEqual([address])
  // Taken from the referral: the walk never asked anyone for the name server's address.
  expect(capture.exchanges.filter((e) => e.qname === ns)).toEqual([])
})
