// A zone's server answers `zone CDS` with a record one octet long. RFC 7344 3.1 gives CDS the
// DS wire format (RFC 4034 5.1: key tag, algorithm, digest type - four octets - then the
// digest), so this is no CDS at all, and a parent scanning for CDS cannot use the answer.
// findings.md promises RESPONSE_MALFORMED for "a response [that] could not be parsed".
// Found: nothing at all is reported (no finding, exit 0): the CDS answer is dropped silently.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, TT } from './issue5-kit.js'

const PORT = 20598
const ROOT = '127.0.98.1'
let net: Net

beforeAll(async () => {
  const name = 'badcds.test.'
  net = await startNet(hierarchy(ROOT, '127.0.98.2', [{ name, addresses: ['127.0.98.10'],
    records: [rec(name, T.NS, rd.name(`ns.${name}`)), rec(`ns.${name}`, T.A,
      rd.A('127.0.98.10')), rec(`www.${name}`, T.A, rd.A('127.0.0.80')),
    rec(name, TT.CDS, Buffer.from([1]))] }]), PORT)
})
afterAll(async () => { await net.stop() })

it('a malformed CDS answer is reported, not dropped', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.badcds.test.')
  expect(r.status).toBe('secure')
  expect(r.findings.filter((f) => f.zone === 'badcds.test.').map((f) => f.code))
    .not.toEqual([])
})
