// The zone's only server answers every question except CDS and CDNSKEY, which it drops (a
// firewall or an old server that discards unknown record types; RFC 3597 asks servers to
// handle them, but such servers exist). Resolvers never ask for CDS/CDNSKEY, so for them the
// zone works: unbound never asks CDS/CDNSKEY while resolving a name. The check's own hygiene questions
// must not turn that into "could not tell": the new rule that a server which timed out once is
// not asked again must not silence the server for the question the user asked.
// Found: INDETERMINATE, exit 3 ("not asked: it did not answer an earlier question").
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exitCodeFor } from '../../../src/cli/main.js'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, TT } from './issue5-kit.js'

const PORT = 20601
const ROOT = '127.0.101.1'
let net: Net

beforeAll(async () => {
  const name = 'dropcds.test.'
  net = await startNet(hierarchy(ROOT, '127.0.101.2', [{ name, addresses: ['127.0.101.10'],
    records: [rec(name, T.NS, rd.name(`ns.${name}`)), rec(`ns.${name}`, T.A,
      rd.A('127.0.101.10')), rec(`www.${name}`, T.A, rd.A('127.0.0.80'))],
    hook: (q, r) => (q.qtype === TT.CDS || q.qtype === TT.CDNSKEY ? 'drop' : r) }]), PORT)
})
afterAll(async () => { await net.stop() })

it('a server that drops only CDS/CDNSKEY questions still gets the user\'s question', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.dropcds.test.')
  expect(r.status).toBe('secure')
  expect(exitCodeFor(r)).not.toBe(3)
})
