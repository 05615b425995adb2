// Two servers of one zone serve identical data under the same serial, signed on the fly by the
// same ECDSA key with the same validity window. ECDSA signatures carry a fresh random value
// each time (RFC 6605 section 6; FIPS 186-4), so the signature bytes differ from server to
// server, as they do for every online signer (PowerDNS, Knot DNS onlinesign, RFC 4470 style
// deployments). Both signatures verify; the RRsets (RFC 2181 5) are the same; a validating
// resolver such as unbound accepts either answer. That is not "servers give different
// answers" (RFC 1034 4.2.2 is about the zone data). Found: two NS_INCONSISTENT warnings
// (DNSKEY and the answer), exit 1, for a healthy zone.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exitCodeFor } from '../../../src/cli/main.js'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T } from './issue5-kit.js'

const PORT = 20597
const ROOT = '127.0.97.1'
let net: Net

beforeAll(async () => {
  const zone = (label: string, a: string, b: string) => {
    const name = `${label}.test.`
    return { name, addresses: [a, b], records: [rec(name, T.NS, rd.name(`ns1.${name}`)),
      rec(name, T.NS, rd.name(`ns2.${name}`)), rec(`ns1.${name}`, T.A, rd.A(a)),
      rec(`ns2.${name}`, T.A, rd.A(b)), rec(`www.${name}`, T.A, rd.A('127.0.0.80'))] }
  }
  const differ = zone('differ', '127.0.97.20', '127.0.97.21')
  net = await startNet(hierarchy(ROOT, '127.0.97.2', [zone('online', '127.0.97.10',
    '127.0.97.11'), { ...differ, hook: (q, r, addr) => {
    // Control: the second server really serves other data for www.
    if (addr !== '127.0.97.21' || q.qname !== 'www.differ.test.' || q.qtype !== T.A) return r
    const a = rec('www.differ.test.', T.A, rd.A('127.0.0.99'))
    return { aa: true, answer: net.zones.get('differ.test.')!.signed([a]) }
  } }]), PORT)
})
afterAll(async () => { await net.stop() })

it('identical data with per-server ECDSA signatures is not NS_INCONSISTENT', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.online.test.')
  expect(r.status).toBe('secure')
  expect(r.findings.map((f) => f.code)).not.toContain('NS_INCONSISTENT')
  expect(exitCodeFor(r)).toBe(0)
})

it('control: a server with other data for the name is NS_INCONSISTENT', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.differ.test.')
  expect(r.findings.map((f) => f.code)).toContain('NS_INCONSISTENT')
})
