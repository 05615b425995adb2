// RFC 8078 section 4: a CDS (or CDNSKEY) RRset that signals "delete the DS" holds exactly one
// record, CDS 0 0 0 00 (CDNSKEY 0 3 0 AA==). An RRset that holds the delete record beside a
// real CDS is therefore not a delete signal: a parent following RFC 8078 cannot act on it as
// one. Found: CDS_DELETE, "A parent that scans CDS removes the DS, and the zone then resolves
// as unsigned" - for a set that also asks to keep the current key.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkKit, hierarchy, type Net, rd, rec, startNet, T, TT } from './issue5-kit.js'

const PORT = 20596
const ROOT = '127.0.96.1'
let net: Net
const DELETE = Buffer.from([0, 0, 0, 0, 0])

beforeAll(async () => {
  const zone = (label: string, addr: string) => {
    const name = `${label}.test.`
    return { name, addresses: [addr], records: [rec(name, T.NS, rd.name(`ns.${name}`)),
      rec(`ns.${name}`, T.A, rd.A(addr)), rec(`www.${name}`, T.A, rd.A('127.0.0.80')),
      rec(name, TT.CDS, DELETE)] }
  }
  net = await startNet(hierarchy(ROOT, '127.0.96.2', [zone('mixed', '127.0.96.10'),
    zone('onlydelete', '127.0.96.11')]), PORT)
  // The mixed set also carries the CDS for the zone's current key (a copy of its DS).
  const mixed = net.zones.get('mixed.test.')!
  mixed.spec.records.push(rec('mixed.test.', TT.CDS, mixed.ds().data))
})
afterAll(async () => { await net.stop() })

it('a delete record mixed with a real CDS is not reported as the RFC 8078 delete signal',
  async () => {
    const r = await checkKit(net, ROOT, PORT, 'www.mixed.test.')
    expect(r.status).toBe('secure')
    const codes = r.findings.filter((f) => f.zone === 'mixed.test.').map((f) => f.code)
    expect(codes).not.toContain('CDS_DELETE')
    // Still not silent: the published set is not what the parent has, nor a valid signal.
    expect(codes.some((c) => c.startsWith('CDS_'))).toBe(true)
  })

it('control: the lone delete record is the delete signal', async () => {
  const r = await checkKit(net, ROOT, PORT, 'www.onlydelete.test.')
  expect(r.findings.map((f) => f.code)).toContain('CDS_DELETE')
})
