// Old server software that rejects record types it does not know (RFC 3597 asks it to answer
// them) gives FORMERR to CDS and CDNSKEY and to any other newer type, HTTPS (65, RFC 9460)
// included. The zone's DNSKEY and SOA are served, so the server is not lame: the check's own
// CDS/CDNSKEY questions get the separate SERVER_ERROR_RCODE "ZONE CDS/CDNSKEY", which says
// resolvers never ask these and names still resolve. But here the user's question is itself
// one the server rejects: a resolver asking www HTTPS gets FORMERR from every server and
// answers SERVFAIL (RFC 1035 4.1.1: FORMERR means the server could not interpret the query; no
// answer was given). unbound 1.17, run by hand against this very zone (kit on loopback port
// 53, trust anchor the kit root's DS): SERVFAIL for www.oldsw.test. HTTPS, NOERROR with AD
// for www.oldsw.test. A. The report must name that failure (the question www... HTTPS, FORMERR),
// and must not give as its cause a finding that says names still resolve.
// Found: answer.ts skips every server already named in any SERVER_ERROR_RCODE of the zone
// (the CDS/CDNSKEY one included), so the HTTPS FORMERR is never noted, and the answer's cause
// is the CDS/CDNSKEY finding. The control (CDS answered) names the HTTPS FORMERR.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, TT } from './issue5-kit.js'

const PORT = 20750
const ROOT = '127.0.110.1'
const HTTPS = 65
let net: Net

beforeAll(async () => {
  const z = (label: string, address: string, rejects: number[]) => {
    const name = `${label}.test.`
    return { name, addresses: [address], records: [rec(name, T.NS, rd.name(`ns.${name}`)),
      rec(`ns.${name}`, T.A, rd.A(address)), rec(`www.${name}`, T.A, rd.A('127.0.0.80'))],
    hook: (q: { qtype: number }, r: object) => (rejects.includes(q.qtype) ? { rcode: 1 } : r) }
  }
  net = await startNet(hierarchy(ROOT, '127.0.110.2', [
    z('oldsw', '127.0.110.10', [TT.CDS, TT.CDNSKEY, HTTPS]),
    z('httpsonly', '127.0.110.11', [HTTPS]),
  ]), PORT)
})
afterAll(async () => { await net.stop() })

const says = (r: Awaited<ReturnType<typeof checkKit>>, re: RegExp): boolean =>
  r.findings.some((f) => f.code === 'SERVER_ERROR_RCODE'
    && (f.evidence ?? []).some((e) => re.test(e)))

it('FORMERR to the asked HTTPS question is reported though CDS got FORMERR too', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.oldsw.test.', HTTPS)
  expect(r.status).not.toBe('secure')
  expect(says(r, /www\.oldsw\.test\. (HTTPS|TYPE65).*FORMERR/)).toBe(true)
  // The reason for the undecided verdict is not the note that the check's own questions
  // failed (that note says names still resolve).
  expect(r.undecidedAt?.reason ?? '').not.toMatch(/check's own questions|still resolve/)
})

it('control: the same FORMERR to HTTPS alone is reported', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.httpsonly.test.', HTTPS)
  expect(says(r, /www\.httpsonly\.test\. (HTTPS|TYPE65).*FORMERR/)).toBe(true)
})
