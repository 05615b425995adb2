// A validator stops at the first valid signature over a DNSKEY set by a key the DS names
// (RFC 4035 5.2); `batch` (lean) does the same through validateRRset's settledBy, and reports
// the signatures it skipped as `unchecked`. The data: crypto.test's DNSKEY set, signed by
// dnssec-signzone -z with eight keys of eight algorithms (test/fixtures/dnssec/README.md);
// which signatures are good is dnssec-signzone's word (it verified the zone before writing).
import { describe, expect, it } from 'vitest'
import { validateRRset } from '../../../src/analysis/rrset.js'
import { verificationCount } from '../../../src/dnssec/verify.js'
import { nameFromText } from '../../../src/wire/name.js'
import type { DNSKEYData, RR, RRSIGData } from '../../../src/wire/types.js'
import { RRType } from '../../../src/wire/types.js'
import { isRrsig, loadZone } from '../dnssec/fixtures.js'

const zone = nameFromText('crypto.test.')
const records = loadZone('crypto.test.signed', 'crypto.test.')
const keyRRs = records.filter((rr) => rr.type === RRType.DNSKEY)
const keys = keyRRs.map((rr) => rr.data as DNSKEYData)
const sigs = records.filter(isRrsig).filter((rr) => rr.data.typeCovered === RRType.DNSKEY)
// Inside the fixture's validity (2024-01-01 to 2034-01-01).
const at = new Date('2026-12-04T00:00:00Z')
// The two KSKs (flags 257): RSASHA512 11442 and ECDSAP384SHA384 44804, as dnssec-keygen named
// them; 11442's signature is the fourth of the eight in the file.
const ksks = keys.filter((k) => k.flags === 257)

function run(settledBy: readonly DNSKEYData[] | undefined, signatures: readonly RR[] = sigs) {
  const before = verificationCount()
  const r = validateRRset({ rrset: keyRRs, sigs: signatures, keys, zone, at, servers: ['x'],
    ...(settledBy === undefined ? {} : { settledBy }) })
  return { r, checks: verificationCount() - before,
    byTag: new Map(r.signatures.map((s) => [s.keyTag, s.status])) }
}

describe('a DNSKEY set settled by the first valid signature of a DS key', () => {
  it('has the two KSKs and eight signatures in the fixture (the premise)', () => {
    expect(ksks.length).toBe(2)
    expect(sigs.length).toBe(8)
  })

  it('checks every signature when nothing settles early (check\'s default)', () => {
    const { r, byTag } = run(undefined)
    expect(r.status).toBe('secure')
    expect(byTag.get(11442)).toBe('valid')
    expect(byTag.get(44804)).toBe('valid')
    expect([...byTag.values()]).not.toContain('unchecked')
  })

  it('checks the KSK\'s signature first and leaves the seven others unchecked', () => {
    const { r, checks, byTag } = run(ksks)
    expect(r.status).toBe('secure')
    expect(checks).toBe(1)
    expect(byTag.get(11442)).toBe('valid')
    expect([...byTag.values()].filter((s) => s === 'unchecked').length).toBe(7)
    // The report keeps the response's order, not the order of checking.
    expect(r.signatures.map((s) => s.keyTag)).toEqual(sigs.map((s) => s.data.keyTag))
  })

  it('goes on to the next DS key when the first one\'s signature is broken', () => {
    const broken = sigs.map((s): RR => {
      if (s.data.keyTag !== 11442) return s
      const signature = new Uint8Array(s.data.signature)
      signature[10] = (signature[10] ?? 0) ^ 0xff
      return { ...s, data: { ...s.data, signature } as RRSIGData }
    })
    const { r, checks, byTag } = run(ksks, broken)
    expect(r.status).toBe('secure')
    expect(checks).toBe(2)
    expect(byTag.get(11442)).toBe('invalid')
    expect(byTag.get(44804)).toBe('valid')
    expect([...byTag.values()].filter((s) => s === 'unchecked').length).toBe(6)
  })

  it('settles on the keys it is given, whatever their flags (the caller gives the DS keys)',
    () => {
    // A DS may name a ZSK (the ds-zsk lab scenario): given ZSK 15925 (ECDSAP256SHA256), its
    // valid signature settles the set, and the KSKs' signatures stay unchecked.
    const zsk = keys.find((k) => k.algorithm === 13) as DNSKEYData
    const { r, checks, byTag } = run([zsk])
    expect(r.status).toBe('secure')
    expect(checks).toBe(1)
    expect(byTag.get(15925)).toBe('valid')
    expect(byTag.get(11442)).toBe('unchecked')
  })
})
