// Verdicts on the recorded lab (lab/recordings: the bytes NSD and unbound sent) for faults a
// validator must not misread: proofs that contradict themselves, missing signatures, lame and
// TCP-less servers, a DS made from the wrong key. Expected values come from lab/manifest.json
// (written by lab/build.sh from dnssec-keygen, dnssec-dsfromkey and the lab's design) and from
// the RFCs cited, never from dnssec-doctor.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { captureAnchors, readCapture, replay } from '../../../src/check.js'
import type { Capture } from '../../../src/probe/capture.js'
import { decodeMessage, encodeMessage } from '../../../src/wire/message.js'
import { Rcode, RRType } from '../../../src/wire/types.js'
import { readManifest } from '../../lab/labinfo.js'
import type { LabScenarioZone } from '../../lab/labinfo.js'

const recording = (label: string): Capture =>
  readCapture(join(import.meta.dirname, '../../../lab/recordings', `${label}.json`))

function scenario(label: string): LabScenarioZone {
  const z = readManifest().zones.find((x) => x.zone === `${label}.lab.test.`)
  if (z?.scenario == null) throw new Error(`no scenario ${label}`)
  return z as LabScenarioZone
}

async function report(label: string, capture: Capture = recording(label)) {
  return replay(capture, { anchors: captureAnchors(capture) })
}

describe('denial proofs broken after signing (NSEC zones)', () => {
  it('an NXDOMAIN whose NSEC names the denied name as next name is NSEC_PROOF_INVALID',
    async () => {
      const z = scenario('nsec-bad-cover')
      const r = await report('nsec-bad-cover')
      expect([r.status, r.brokenLink?.zone, r.brokenLink?.code]).toEqual([
        z.scenario.expect.status, z.scenario.expect.brokenZone, z.scenario.expect.code])
      // RFC 4034 4.1.1: the next name is an existing name, so this NSEC cannot cover it.
      expect(r.brokenLink?.message).toContain(`-> ${z.scenario.query} names ${z.scenario.query} `
        + 'as the next name')
      expect(r.brokenLink?.servers).toEqual(z.servers)
    })

  it('a NODATA whose NSEC lists the type in its bitmap is NSEC_PROOF_INVALID', async () => {
    const z = scenario('bitmap-lie')
    const r = await report('bitmap-lie')
    expect([r.status, r.brokenLink?.code]).toEqual([z.scenario.expect.status,
      z.scenario.expect.code])
    expect(r.brokenLink?.message).toContain(`NSEC ${z.scenario.query} -> ${z.zone} lists `
      + `${z.scenario.type} in its type bitmap`)
  })

  it('a wildcard answer without the NSEC for the name is NSEC_PROOF_MISSING, with the labels',
    async () => {
      const z = scenario('wildcard-no-proof')
      const r = await report('wildcard-no-proof')
      expect([r.status, r.brokenLink?.zone, r.brokenLink?.code]).toEqual([
        z.scenario.expect.status, z.scenario.expect.brokenZone, 'NSEC_PROOF_MISSING'])
      // x.w.<zone> has 5 labels; an RRSIG made at *.w.<zone> counts 4 (RFC 4034 3.1.3).
      const labels = z.scenario.query.split('.').filter((l) => l !== '').length
      expect(r.brokenLink?.message).toContain(`from the wildcard *.w.${z.zone}`)
      expect(r.brokenLink?.message).toContain(`labels count is ${labels - 1}, less than the `
        + `${labels} labels`)
    })
})

describe('signatures and keys', () => {
  it('a DNSKEY set without any RRSIG is RRSIG_MISSING at the zone itself', async () => {
    const z = scenario('no-rrsigs')
    const r = await report('no-rrsigs')
    expect([r.status, r.brokenLink?.zone, r.brokenLink?.code, r.brokenLink?.recordZone])
      .toEqual(['bogus', z.zone, 'RRSIG_MISSING', z.zone])
    expect(r.brokenLink?.servers).toEqual(z.servers)
    expect(r.brokenLink?.message).toContain(String(z.dsAtParent[0]?.tag))
  })

  it('a DS made from the ZSK names that key, its flags, and the KSK to make it from',
    async () => {
      const z = scenario('ds-zsk')
      const zsk = z.keys.find((k) => k.flags === 256)
      const ksk = z.keys.find((k) => k.flags === 257)
      expect(z.dsAtParent[0]?.tag).toBe(zsk?.tag)
      const r = await report('ds-zsk')
      expect(r.brokenLink?.code).toBe(z.scenario.expect.code)
      expect(r.brokenLink?.keyTag).toBe(zsk?.tag)
      expect(r.brokenLink?.message).toContain(`names key ${zsk?.tag}, whose flags (256) say ZSK`)
      expect(r.brokenLink?.message).toContain(`signed by KSK ${ksk?.tag} only`)
      expect(r.brokenLink?.message).toContain(`Make the DS from KSK ${ksk?.tag}`)
      expect(r.brokenLink?.advice).toContain(`${z.zone} IN DS ${ksk?.tag} ${ksk?.algorithm} 2 `)
    })
})

describe('servers that fail', () => {
  it('a lame server\'s REFUSED is no evidence: secure, with SERVER_ERROR_RCODE naming it',
    async () => {
      const z = scenario('lame')
      const lame = /\((127\.[0-9.]+)\)/.exec(z.scenario.description)?.[1]
      expect(z.servers).toContain(lame)
      const r = await report('lame')
      expect([r.status, r.brokenLink]).toEqual([z.scenario.expect.status, null])
      expect(r.findings.map((f) => f.code)).toEqual(['SERVER_ERROR_RCODE'])
      expect(r.findings[0]?.servers).toEqual([lame])
      expect(r.findings[0]?.message).toContain('lame delegation')
      expect(r.answers.at(-1)?.status).toBe('secure')
    })

  it('a parent server answering REFUSED to the DS query does not make the DS look absent',
    async () => {
      // One of test.'s two servers (lab/manifest.json) is made to refuse the lab.test. DS query.
      const capture = recording('nodata')
      const parent = readManifest().zones.find((x) => x.zone === 'test.')
      const refuser = parent?.servers[1]
      const exchanges = capture.exchanges.map((e) => {
        if (e.server !== refuser || e.qname !== 'lab.test.' || e.qtype !== RRType.DS
          || e.response === null) return e
        const m = decodeMessage(Buffer.from(e.response, 'hex'))
        const refused = encodeMessage({ ...m, rcode: Rcode.REFUSED, flags: { ...m.flags,
          aa: false }, answer: [], authority: [], additional: [] })
        return { ...e, response: Buffer.from(refused).toString('hex') }
      })
      expect(exchanges).not.toEqual(capture.exchanges)
      const r = await report('nodata', { ...capture, exchanges })
      expect(r.status).toBe('secure')
      const lame = r.findings.filter((f) => f.code === 'SERVER_ERROR_RCODE')
      expect(lame.map((f) => [f.zone, f.servers])).toEqual([['test.', [refuser]]])
    })

  it('a truncated DNSKEY answer the only server will not send over TCP is TCP_FALLBACK_FAILED',
    async () => {
      const z = scenario('no-tcp')
      const r = await report('no-tcp')
      expect([r.status, r.brokenLink?.zone, r.brokenLink?.code, r.brokenLink?.party]).toEqual([
        'bogus', z.zone, 'TCP_FALLBACK_FAILED', 'server-operator'])
      expect(r.brokenLink?.servers).toEqual(z.servers)
      const f = r.findings.find((x) => x.code === 'TCP_FALLBACK_FAILED')
      expect(f?.evidence?.join('\n')).toMatch(/TC=1/)
      expect(f?.evidence?.join('\n')).toMatch(/ECONNREFUSED/)
      expect(r.brokenLink?.advice).toMatch(/TCP/)
      // Exactly one finding: the cause, not an extra "unreachable" for the same server.
      expect(r.findings.map((x) => x.code)).toEqual(['TCP_FALLBACK_FAILED'])
    })
})
