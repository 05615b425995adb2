// One set of assertions for a lab scenario's report, used by the live-lab tests and by the
// replayed-lab tests alike. Every expected value comes from lab/manifest.json, which
// lab/build.sh wrote from the signer's own output (key tags from dnssec-keygen's file names,
// digests from dnssec-dsfromkey, times from the -s/-e given to dnssec-signzone), never from
// dnssec-doctor.
import { expect } from 'vitest'
import type { Report } from '../../src/analysis/types.js'
import { readManifest } from '../lab/labinfo.js'
import type { LabManifest, LabScenarioZone } from '../lab/labinfo.js'

export function expectScenario(report: Report, z: LabScenarioZone,
  manifest: LabManifest = readManifest()): void {
  const want = z.scenario.expect
  expect(report.status, 'status').toBe(want.status)
  expect(report.brokenLink?.zone ?? null, 'broken zone').toBe(want.brokenZone)
  expect(report.brokenLink?.code ?? null, 'broken code').toBe(want.code)
  // The replayed lab answers on a high port; the servers are the same addresses.
  const link = report.brokenLink === null ? null
    : { ...report.brokenLink, servers: report.brokenLink.servers.map((x) => x.replace(/:\d+$/, '')) }
  const zoneReport = report.chain.find((c) => c.zone === z.zone)
  switch (want.code) {
    case 'DS_DIGEST_MISMATCH':
    case 'DS_NO_MATCHING_DNSKEY': {
      // The DS the parent really holds, and the keys the zone really publishes.
      expect(link?.keyTag).toBe(z.dsAtParent[0]?.tag)
      expect(link?.message).toContain(String(z.dsAtParent[0]?.tag))
      expect(zoneReport?.dnskeys.map((k) => k.keyTag).sort()).toEqual(
        z.keys.filter((k) => k.file !== undefined).map((k) => k.tag).sort())
      expect(zoneReport?.ds.map((d) => d.digest)).toEqual(z.dsAtParent.map((d) => d.digest))
      expect(link?.recordZone).toBe(z.parent)
      expect(link?.party).toBe('registrar')
      break
    }
    case 'DNSKEY_MISSING':
      expect(link?.servers).toEqual(z.servers)
      expect(link?.message).toContain(String(z.dsAtParent[0]?.tag))
      break
    case 'RRSIG_EXPIRED': {
      // The broken zone may be another one than the scenario's (an alias leads into it).
      const broken = manifest.zones.find((x) => x.zone === want.brokenZone) ?? z
      const copy = want.via === undefined ? broken
        : broken.copies?.find((c) => c.server === want.via)
      expect(copy?.expiration).toBeTruthy()
      expect(link?.message).toContain((copy?.expiration ?? '').slice(0, 10))
      if (want.via !== undefined) expect(link?.servers).toEqual([want.via])
      break
    }
    case 'RRSIG_NOT_YET_VALID':
      expect(link?.message).toContain((z.inception ?? '').slice(0, 10))
      break
    case 'RRSIG_INVALID':
    case 'RRSIG_MISSING':
    case 'TCP_FALLBACK_FAILED':
      expect(link?.servers).toEqual(z.servers)
      break
    case 'NSEC_PROOF_MISSING':
    case 'NSEC_PROOF_INVALID':
      // The server whose answer lacks the proof: the zone's, or the one bad copy's.
      expect(link?.servers).toEqual(want.via === undefined ? z.servers : [want.via])
      break
    case 'DNSKEY_NOT_SIGNED_BY_DS_KEY': {
      // ds-zsk: the DS names the ZSK; the report names it and the KSK the DS should name.
      const ksk = z.keys.find((k) => k.flags === 257)
      expect(link?.keyTag).toBe(z.dsAtParent[0]?.tag)
      expect(link?.message).toContain(String(z.dsAtParent[0]?.tag))
      expect(link?.message).toContain(String(ksk?.tag))
      break
    }
    case null:
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
      // Insecure by design: the report says where the chain became unsigned.
      // Where the chain becomes unsigned: the scenario zone, or its unsigned child.
      expect(report.insecureAt?.zone ?? null)
        .toBe(want.status === 'insecure' ? want.insecureAt ?? z.zone : null)
      expect(report.answers.at(-1)?.rcode).toBe(want.rcode ?? 'NOERROR')
      break
  }
  // Warnings of a secure zone and side findings the scenario was designed to show.
  const codes = report.findings.map((f) => f.code)
  for (const code of want.findings ?? []) expect(codes, `finding ${code}`).toContain(code)
  if (want.via !== undefined) expect(link?.servers).toEqual([want.via])
  if (want.code === 'RRSIG_EXPIRED' || want.code === 'RRSIG_NOT_YET_VALID'
    || want.code === 'RRSIG_INVALID') {
    // Signature problems name a key the signer really made.
    const broken = manifest.zones.find((x) => x.zone === want.brokenZone) ?? z
    expect(broken.keys.map((k) => k.tag)).toContain(link?.keyTag ?? -1)
  }
}
