// A signed parent and its unsigned child on the same server (common at hosting providers): a
// question for a name in the child gets the child's answer straight away, AA set, with no
// referral and no signature. With its NS in the authority section the cut shows (the lab's
// nsec3-insecure-kid: NSD); a server that minimises its responses (BIND's default for
// authoritative answers) leaves even that out. RFC 4035 5.2: the child is an unsigned
// delegation if the parent proves it has no DS, and then its answers are insecure, as the
// lab's four resolvers answer for nsec3-insecure-kid (no AD); never bogus for lack of
// signatures the parent never made.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, type ZoneSpec } from './issue5-kit.js'

const PORT = 20640
const ROOT = '127.0.100.1'
const HOST = '127.0.100.21'
let net: Net

beforeAll(async () => {
  const host: ZoneSpec = { name: 'host.test.', addresses: [HOST], records: [
    rec('host.test.', T.NS, rd.name('ns.host.test.')), rec('ns.host.test.', T.A, rd.A(HOST)),
    // The delegation of kid.host.test., served by this same server; no DS: unsigned child.
    rec('kid.host.test.', T.NS, rd.name('ns.host.test.'))] }
  // Questions inside the child are answered from the child's own (unsigned) data, minimal.
  host.hook = (q, reply) => {
    if (!q.qname.endsWith('kid.host.test.') || q.qtype === T.DS) return reply
    if (q.qtype === T.SOA && q.qname === 'kid.host.test.') {
      return { aa: true, answer: [rec('kid.host.test.', T.SOA, rd.SOA('kid.host.test.'))] }
    }
    if (q.qtype === T.A && q.qname === 'www.kid.host.test.') {
      return { aa: true, answer: [rec('www.kid.host.test.', T.A, rd.A('127.0.0.80'))] }
    }
    return { aa: true, authority: [rec('kid.host.test.', T.SOA, rd.SOA('kid.host.test.'))] }
  }
  net = await startNet(hierarchy(ROOT, '127.0.100.2', [host]), PORT)
})
afterAll(async () => { await net.stop() })

it('an unsigned child answered by its signed parent\'s server, minimally, is insecure', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.kid.host.test.')
  expect(r.status).toBe('insecure')
  expect(r.insecureAt?.zone).toBe('kid.host.test.')
  expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
})
