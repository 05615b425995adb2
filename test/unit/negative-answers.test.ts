// Field case C19: a server that answers without the SOA RFC 2308 requires, or with NOTIMP, in a
// zone that is not signed. Expected values come from the lab's design (lab/manifest.json, the
// zone file) and from RFC 2308 sections 2.2 and 3, never from our own reports.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { errorInUnsignedZone, negativeWithoutSoa } from '../../src/analysis/server-answers.js'
import type { ZoneState } from '../../src/analysis/support.js'
import { readCapture, replay } from '../../src/check.js'
import { labDir } from '../../src/cli/demo.js'
import { finding } from '../../src/findings.js'
import type { AnswerStep } from '../../src/probe/walker.js'
import { renderText } from '../../src/report/text.js'
import { nameFromText } from '../../src/wire/name.js'
import type { Message, RR } from '../../src/wire/types.js'
import { Rcode, RRType } from '../../src/wire/types.js'

interface LabZone {
  zone: string
  parent: string
  servers: string[]
  signed: boolean
  dsAtParent: unknown[]
  scenario: { query: string; type: string; expect: { status: string; findings: string[] } }
}
const manifest = JSON.parse(readFileSync(join(labDir(), 'manifest.json'), 'utf8')) as
  { zones: LabZone[] }
const lab = manifest.zones.find((z) => z.zone === 'not-dnssec.lab.test.') as LabZone

describe('not-dnssec (C19): empty NOERROR without SOA from an unsigned zone', () => {
  const report = async () => replay(readCapture(join(labDir(), 'recordings', 'not-dnssec.json')),
    { anchors: loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date()) })

  it('stays insecure and carries the findings the manifest designs', async () => {
    // The manifest: unsigned, no DS at the parent, answered by dnsdist at one address.
    expect(lab.signed).toBe(false)
    expect(lab.dsAtParent).toEqual([])
    const r = await report()
    expect(r.status).toBe(lab.scenario.expect.status)
    expect(r.brokenLink).toBeNull()
    expect(r.insecureAt?.zone).toBe(lab.zone)
    for (const code of lab.scenario.expect.findings) {
      expect(r.findings.map((f) => f.code)).toContain(code)
    }
  })

  it('names the server, the question, the missing SOA and the clear AA bit', async () => {
    const f = (await report()).findings.find((x) => x.code === 'NEGATIVE_ANSWER_WITHOUT_SOA')
    expect(f).toMatchObject({ zone: lab.zone, servers: lab.servers, party: 'server-operator',
      record: `${lab.scenario.query} ${lab.scenario.type}` })
    expect(f?.evidence).toContain('AA bit clear')
    expect(f?.message).toContain('RFC 2308')
    expect(f?.message).toContain(`${lab.parent} proves that ${lab.zone} has no DS`)
    expect(f?.advice).toMatch(/SOA in the authority section of every NODATA and NXDOMAIN/)
  })

  it('says up front that the server is at fault, not DNSSEC', async () => {
    const text = renderText(await report())
    const head = text.slice(0, text.indexOf('Chain of trust'))
    expect(head).toContain('PROBLEM  NEGATIVE_ANSWER_WITHOUT_SOA')
    expect(head).toContain('This is not a DNSSEC problem')
    expect(head).toMatch(/FIX {6}Fix the name server software/)
  })

  it('walks to the zone by referrals and asks its DS only at the parent', () => {
    // A DS question to dnsdist gets NOTIMP: the walk must not send one for the zone itself.
    const c = readCapture(join(labDir(), 'recordings', 'not-dnssec.json'))
    const ds = c.exchanges.filter((e) => e.qtype === RRType.DS && e.qname === lab.zone)
    expect(ds.length).toBeGreaterThan(0)
    for (const e of ds) expect(lab.servers).not.toContain(e.server)
  })
})

// Hand-made answers for the boundaries of the rule.
// CAA is type 257 (RFC 8659; IANA DNS parameters): the wire layer names no constant for it.
const CAA = 257
const zoneName = nameFromText('example.test.')
const qname = nameFromText('dev.example.test.')
const soa: RR = { name: zoneName, type: RRType.SOA, class: 1, ttl: 300, data: { kind: 'SOA',
  mname: nameFromText('ns.example.test.'), rname: nameFromText('h.example.test.'), serial: 1,
  refresh: 3600, retry: 900, expire: 1209600, minimum: 300 } }
const ns: RR = { name: nameFromText('sub.example.test.'), type: RRType.NS, class: 1, ttl: 300,
  data: { kind: 'NS', target: nameFromText('ns.sub.example.test.') } }
const a: RR = { name: qname, type: RRType.A, class: 1, ttl: 300,
  data: { kind: 'A', address: '192.0.2.1' } }

function message(rcode: number, aa: boolean, answer: RR[], authority: RR[]): Message {
  return { id: 1, rcode, question: [], answer, authority, additional: [], edns: null,
    flags: { qr: true, opcode: 0, aa, tc: false, rd: false, ra: false, ad: false, cd: false } }
}
const step = (type: number): AnswerStep => ({ question: { name: qname, type },
  zone: {} as AnswerStep['zone'], responses: [], aliasTarget: null })
const unsigned = { status: 'insecure', report: { zone: 'example.test.', parent: 'test.' },
  cause: finding('INSECURE_DELEGATION', { zone: 'example.test.', recordZone: 'test.',
    message: '', advice: '' }) } as unknown as ZoneState
const signed = { ...unsigned, status: 'secure', cause: null } as unknown as ZoneState
const group = (m: Message) => ({ message: m, servers: ['192.0.2.53'] })

describe('negative answers must carry the zone SOA (RFC 2308 section 3)', () => {
  it('accepts a NODATA with the SOA', () => {
    expect(negativeWithoutSoa(step(CAA), unsigned,
      group(message(Rcode.NOERROR, true, [], [soa])))).toBeNull()
  })

  it('accepts an answer that holds the type asked', () => {
    expect(negativeWithoutSoa(step(RRType.A), unsigned,
      group(message(Rcode.NOERROR, true, [a], [])))).toBeNull()
  })

  it('leaves a referral alone (NS in authority, AA clear)', () => {
    expect(negativeWithoutSoa(step(RRType.A), unsigned,
      group(message(Rcode.NOERROR, false, [], [ns])))).toBeNull()
  })

  it('names an NXDOMAIN without the SOA, with AA set not called clear', () => {
    const f = negativeWithoutSoa(step(RRType.A), unsigned,
      group(message(Rcode.NXDOMAIN, true, [], [])))
    expect(f?.code).toBe('NEGATIVE_ANSWER_WITHOUT_SOA')
    expect(f?.message).toContain('NXDOMAIN')
    expect(f?.evidence).toContain('AA bit set')
    expect(f?.message).not.toContain('AA (authoritative) bit clear')
  })

  it('names a NOERROR with records of another type only, and no SOA, as NODATA', () => {
    const f = negativeWithoutSoa(step(CAA), signed,
      group(message(Rcode.NOERROR, true, [a], [])))
    expect(f?.code).toBe('NEGATIVE_ANSWER_WITHOUT_SOA')
    // A signed zone: the sentence that clears DNSSEC must not appear.
    expect(f?.message).not.toContain('not a DNSSEC problem')
  })
})

describe('an error rcode from an unsigned zone is named, not judged as DNSSEC', () => {
  it('names NOTIMP to a DS question inside the zone', () => {
    const f = errorInUnsignedZone(step(RRType.DS), unsigned,
      group(message(Rcode.NOTIMP, false, [], [])))
    expect(f).toMatchObject({ code: 'SERVER_ERROR_RCODE', severity: 'warning',
      record: 'dev.example.test. DS', servers: ['192.0.2.53'] })
    expect(f?.message).toContain('NOTIMP')
    expect(f?.message).toContain('not a DNSSEC verdict')
  })

  it('says nothing about NOERROR and NXDOMAIN', () => {
    for (const rcode of [Rcode.NOERROR, Rcode.NXDOMAIN]) {
      expect(errorInUnsignedZone(step(RRType.DS), unsigned,
        group(message(rcode, true, [], [soa])))).toBeNull()
    }
  })
})
