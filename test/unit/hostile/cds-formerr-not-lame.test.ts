// A server that answers the zone's questions but FORMERR to CDS and CDNSKEY (old server
// software that rejects types it does not know, where RFC 3597 asks it to answer them) is not
// a lame delegation: resolvers never ask those types and get every answer they need. What it
// breaks is CDS scanning by the parent (RFC 7344, RFC 8078). The finding stays
// SERVER_ERROR_RCODE (an error rcode), on its own record, without calling the server lame;
// a server that refuses everything is still called lame (the control).
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, TT } from './issue5-kit.js'

const PORT = 20711
const ROOT = '127.0.102.1'
const REFUSER = '127.0.102.21'
let net: Net

beforeAll(async () => {
  const formerr = 'formerr.test.'
  const half = 'halflame.test.'
  net = await startNet(hierarchy(ROOT, '127.0.102.2', [
    { name: formerr, addresses: ['127.0.102.10'], records: [rec(formerr, T.NS,
      rd.name(`ns.${formerr}`)), rec(`ns.${formerr}`, T.A, rd.A('127.0.102.10')),
    rec(`www.${formerr}`, T.A, rd.A('127.0.0.80'))],
    hook: (q, r) => (q.qtype === TT.CDS || q.qtype === TT.CDNSKEY ? { rcode: 1 } : r) },
    { name: half, addresses: ['127.0.102.20', REFUSER], records: [rec(half, T.NS,
      rd.name(`ns1.${half}`)), rec(half, T.NS, rd.name(`ns2.${half}`)),
    rec(`ns1.${half}`, T.A, rd.A('127.0.102.20')), rec(`ns2.${half}`, T.A, rd.A(REFUSER)),
    rec(`www.${half}`, T.A, rd.A('127.0.0.80'))],
    hook: (_q, r, address) => (address === REFUSER ? { rcode: 5 } : r) },
  ]), PORT)
})
afterAll(async () => { await net.stop() })

it('FORMERR to CDS and CDNSKEY only: secure, an error rcode noted, not a lame delegation',
  async () => {
    const r = await checkKit(net, ROOT, PORT, 'www.formerr.test.')
    expect(r.status).toBe('secure')
    const f = r.findings.filter((x) => x.code === 'SERVER_ERROR_RCODE')
    expect(f.length).toBe(1)
    expect(f[0]?.record).toBe('formerr.test. CDS/CDNSKEY')
    expect(f[0]?.message).not.toMatch(/lame/)
    expect(f[0]?.message).toMatch(/CDS/)
    expect(f[0]?.evidence?.join(' ')).toMatch(/FORMERR/)
  })

it('control: a server that refuses every question is still a lame delegation', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.halflame.test.')
  expect(r.status).toBe('secure')
  const f = r.findings.filter((x) => x.code === 'SERVER_ERROR_RCODE')
  expect(f.length).toBe(1)
  expect(f[0]?.record).toBeUndefined()
  expect(f[0]?.message).toMatch(/lame delegation/)
  expect(f[0]?.servers?.[0]).toMatch(/^127\.0\.102\.21/)
})
