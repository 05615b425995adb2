// The walker's new question "zone NS" to the zone's own servers: oob.test.'s servers answer
// with an extra name server, ns.far.test., and put an A record for it in the additional
// section pointing at 127.0.99.66. That A record is outside oob.test. (out of bailiwick): the
// oob.test. servers have no authority over far.test. names (RFC 2181 5.4.1 ranks additional
// data lowest; accepting it is the classic poisoning path). Resolvers drop it: unbound's
// scrubber (iterator/iter_scrub.c) removes out-of-zone records from a response as "potential
// poison" and would look ns.far.test. up in far.test., which says 127.0.99.13 - the good
// server. Found: the walk asks 127.0.99.66, which serves no DNSKEY, and the verdict is BOGUS
// (DNSKEY_MISSING "at 127.0.99.66") for a zone every server of which is healthy.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, type ZoneSpec } from './issue5-kit.js'

const PORT = 20600
const ROOT = '127.0.100.1'
const ROGUE = '127.0.100.66'
let net: Net

const zone = (label: string, addr: string, extra: ZoneSpec['records'] = []): ZoneSpec => {
  const name = `${label}.test.`
  return { name, addresses: [addr], records: [rec(name, T.NS, rd.name(`ns.${name}`)),
    rec(`ns.${name}`, T.A, rd.A(addr)), rec(`www.${name}`, T.A, rd.A('127.0.0.80')), ...extra] }
}

beforeAll(async () => {
  const oob = zone('oob', '127.0.100.13')
  // (clean.test. below: the same, without the out-of-zone A record.)
  oob.hook = (q, r) => (q.qname === 'oob.test.' && q.qtype === T.NS
    ? { ...r, additional: [...(r.additional ?? []), rec('ns.far.test.', T.A, rd.A(ROGUE))] } : r)
  // far.test. is served by ns2.far.test.; in it, ns.far.test. is oob.test.'s good server.
  const far: ZoneSpec = { name: 'far.test.', addresses: ['127.0.100.14'], records: [
    rec('far.test.', T.NS, rd.name('ns2.far.test.')), rec('ns2.far.test.', T.A,
      rd.A('127.0.100.14')), rec('ns.far.test.', T.A, rd.A('127.0.100.13')),
    rec('ns3.far.test.', T.A, rd.A('127.0.100.15'))] }
  const rogue: ZoneSpec = { name: 'rogue.invalid.', addresses: [ROGUE], records: [],
    unsigned: true, hook: () => ({ aa: true }) }
  const clean = zone('clean', '127.0.100.15')
  net = await startNet(hierarchy(ROOT, '127.0.100.2', [oob, far, rogue, clean]), PORT)
  net.zones.get('clean.test.')!.spec.records.push(rec('clean.test.', T.NS,
    rd.name('ns3.far.test.')))
  // Only the zone's own NS set names ns.far.test. (the parent's delegation does not).
  net.zones.get('oob.test.')!.spec.records.push(rec('oob.test.', T.NS, rd.name('ns.far.test.')))
})
afterAll(async () => { await net.stop() })

it('an out-of-zone A record in the zone\'s NS answer is not used as an address', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.oob.test.')
  expect(r.findings.filter((f) => (f.servers ?? []).some((s) => s.startsWith(ROGUE)))
    .map((f) => f.code)).toEqual([])
  expect(r.status).toBe('secure')
})

it('control: the same zone without the out-of-zone record is secure', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.clean.test.')
  expect(r.status).toBe('secure')
})
