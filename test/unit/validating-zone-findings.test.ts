// Issue 5: zones that every lab resolver validates (AD) but that carry a problem an operator
// wants named. Expected values come from lab/manifest.json and the signed zone files
// (dnssec-signzone's output), never from our own reports. Each case replays its lab
// recording, which holds the apex NS, CDS and CDNSKEY questions a full check asks.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { algorithmGap, ttlNotes } from '../../src/analysis/hygiene.js'
import type { Report } from '../../src/analysis/types.js'
import { readCapture, replay } from '../../src/check.js'
import { labDir } from '../../src/cli/demo.js'
import type { Finding } from '../../src/findings.js'
import { renderTable } from '../../src/report/text.js'
import { dateToRrsigTime } from '../../src/dnssec/time.js'
import { nameFromText } from '../../src/wire/name.js'
import type { DNSKEYData, RR } from '../../src/wire/types.js'
import { RRType } from '../../src/wire/types.js'

interface Scenario {
  zone: string
  servers: string[]
  keys: { tag: number; algorithm: number; flags: number }[]
  dsAtParent: { tag: number; algorithm: number; digestType: number; digest: string }[]
  expiration: string
  scenario: { expect: { status: string; findings: string[] } } | null
}
const manifest = JSON.parse(readFileSync(join(labDir(), 'manifest.json'), 'utf8')) as
  { zones: Scenario[] }
const zoneOf = (label: string): Scenario => {
  const z = manifest.zones.find((x) => x.zone === `${label}.lab.test.`)
  if (z === undefined) throw new Error(`no ${label} in the manifest`)
  return z
}
const zoneFile = (label: string): string =>
  readFileSync(join(labDir(), 'zones', label, 'zone.db'), 'utf8')

async function replayed(path: string): Promise<Report> {
  const anchors = loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date())
  return replay(readCapture(path), { anchors })
}
const recorded = (label: string): Promise<Report> =>
  replayed(join(labDir(), 'recordings', `${label}.json`))

function only(r: Report, code: Finding['code']): Finding {
  const list = r.findings.filter((f) => f.code === code)
  expect(list.map((f) => f.code)).toEqual([code])
  return list[0] as Finding
}

describe('zones that validate with a problem (lab scenarios)', () => {
  it.each([
    'ttl-long', 'orig-ttl', 'rsasha1', 'alg-rollover', 'revoked', 'cds-mismatch', 'cds-delete',
    'glue-mismatch',
  ])('%s stays secure and carries the findings the manifest designs', async (label) => {
    const r = await recorded(label)
    const want = zoneOf(label).scenario?.expect
    expect(r.status).toBe(want?.status)
    expect(r.brokenLink).toBeNull()
    for (const code of want?.findings ?? []) expect(r.findings.map((f) => f.code)).toContain(code)
  })

  it('names a TTL that outlives its signature, with the TTL and the expiry', async () => {
    // zone.db: "ttl-long.lab.test. 400000000 IN A", RRSIG A ... 400000000 20361101000000 ...
    expect(zoneFile('ttl-long')).toMatch(/^ttl-long\.lab\.test\.\s+400000000\s+IN A\s/m)
    const f = only(await recorded('ttl-long'), 'RRSIG_TTL_BEYOND_EXPIRY')
    const zsk = zoneOf('ttl-long').keys.find((k) => k.flags === 256)
    expect(f).toMatchObject({ severity: 'warning', zone: 'ttl-long.lab.test.',
      record: 'ttl-long.lab.test. A', keyTag: zsk?.tag })
    expect(f.evidence?.join('\n')).toContain('TTL 400000000 s')
    expect(f.evidence?.join('\n')).toContain(zoneOf('ttl-long').expiration.slice(0, 19))
  })

  it('does not call a 300 s TTL under a ten-year signature too long', async () => {
    const r = await recorded('rsa')
    expect(r.findings.map((f) => f.code)).not.toContain('RRSIG_TTL_BEYOND_EXPIRY')
  })

  it('names a served TTL above the original TTL the signature was made for', async () => {
    // zone.db: served "orig-ttl.lab.test. 3600 IN A", signed "RRSIG A 13 3 300 ..."
    expect(zoneFile('orig-ttl')).toMatch(/^orig-ttl\.lab\.test\. 3600 IN A /m)
    expect(zoneFile('orig-ttl')).toMatch(/RRSIG\s+A 13 3 300 /)
    const f = only(await recorded('orig-ttl'), 'RRSIG_ORIGINAL_TTL_MISMATCH')
    expect(f).toMatchObject({ severity: 'warning', record: 'orig-ttl.lab.test. A',
      keyTag: zoneOf('orig-ttl').keys.find((k) => k.flags === 256)?.tag })
    expect(f.evidence).toEqual(['orig-ttl.lab.test. A: served TTL 3600 s',
      expect.stringContaining('original TTL 300 s')])
  })

  it('names RSASHA1 keys and the SHA-1 DS beside the SHA-256 one (RFC 8624)', async () => {
    const r = await recorded('rsasha1')
    const z = zoneOf('rsasha1')
    const alg = only(r, 'ALGORITHM_DEPRECATED')
    expect(alg).toMatchObject({ severity: 'warning', algorithm: 5 })
    for (const k of z.keys) expect(alg.message).toContain(String(k.tag))
    const ds = only(r, 'DS_DIGEST_DEPRECATED')
    const sha1 = z.dsAtParent.find((d) => d.digestType === 1)
    const sha256 = z.dsAtParent.find((d) => d.digestType === 2)
    expect(ds).toMatchObject({ severity: 'warning', keyTag: sha1?.tag, recordZone: 'lab.test.' })
    expect(ds.evidence?.[0]).toContain(sha1?.digest)
    expect(ds.evidence?.[1]).toContain(sha256?.digest)
  })

  it('does not call algorithm 13 or a SHA-256 DS deprecated', async () => {
    const codes = (await recorded('ecdsa')).findings.map((f) => f.code)
    expect(codes).not.toContain('ALGORITHM_DEPRECATED')
    expect(codes).not.toContain('DS_DIGEST_DEPRECATED')
  })

  it('names the algorithm a data RRset lacks when the KSK alone has it (field case C10)',
    async () => {
      const z = zoneOf('alg-rollover')
      const ksk = z.keys.find((k) => k.flags === 257)
      // zone.db: the A RRset is signed by algorithm 8 only, the DNSKEY RRset by 8 and 13.
      expect(zoneFile('alg-rollover')).not.toMatch(/RRSIG\s+A 13 /)
      const f = only(await recorded('alg-rollover'), 'RRSIG_ALGORITHM_MISSING')
      expect(f).toMatchObject({ severity: 'warning', algorithm: ksk?.algorithm,
        record: 'alg-rollover.lab.test. A' })
      expect(f.message).toContain(`key ${ksk?.tag}`)
    })

  it('reports a revoked key as a note with its tag, and leaves the current KSK alone',
    async () => {
      const r = await recorded('revoked')
      const revoked = zoneOf('revoked').keys.find((k) => k.flags === 385)
      const f = only(r, 'DNSKEY_REVOKED')
      expect(f).toMatchObject({ severity: 'info', keyTag: revoked?.tag, algorithm: 13 })
      expect(r.status).toBe('secure')
    })

  it('compares the CDS with the DS at the parent and gives the DS the CDS asks for',
    async () => {
      const z = zoneOf('cds-mismatch')
      // zone.db: "CDS 31496 13 2 851485D7..."; the manifest's DS names 63012.
      const cds = /IN CDS\s+(\d+) 13 2 ([0-9A-F ]+)$/m.exec(zoneFile('cds-mismatch'))
      const f = only(await recorded('cds-mismatch'), 'CDS_MISMATCH')
      expect(f).toMatchObject({ severity: 'warning', keyTag: Number(cds?.[1]),
        recordZone: 'lab.test.' })
      expect(f.evidence).toContain(`at lab.test.: DS ${z.dsAtParent[0]?.tag} 13 2 ${
        z.dsAtParent[0]?.digest}`)
      expect(f.advice).toContain((cds?.[2] ?? 'x').replace(/\s/g, ''))
    })

  it('names the RFC 8078 delete signal published while a DS is at the parent', async () => {
    expect(zoneFile('cds-delete')).toMatch(/IN CDS\s+0 0 0 00$/m)
    const f = only(await recorded('cds-delete'), 'CDS_DELETE')
    expect(f.evidence).toEqual(expect.arrayContaining(['CDS 0 0 0 00', 'CDNSKEY 0 3 0 AA==']))
    expect(f.message).toContain(`key ${zoneOf('cds-delete').dsAtParent[0]?.tag}`)
  })

  it('asks the server only the zone lists, and names the NS sets that differ', async () => {
    const r = await recorded('glue-mismatch')
    // manifest: the zone is served by 127.0.40.41 and 127.0.41.41; lab.test. names ns1 only.
    const zone = r.chain.find((c) => c.zone === 'glue-mismatch.lab.test.')
    expect(zone?.servers.map((s) => s.address).sort())
      .toEqual([...zoneOf('glue-mismatch').servers].sort())
    expect(r.answers[0]?.servers).toContain('127.0.41.41')
    const f = only(r, 'NS_SET_MISMATCH')
    expect(f.evidence).toContain('only in the zone: ns2.glue-mismatch.lab.test. (127.0.41.41)')
  })

  it('shows a warning in the table when nothing is broken', async () => {
    expect(renderTable(await recorded('alg-rollover'))).toMatch(
      /alg-rollover\.lab\.test\. A .*RRSIG_ALGORITHM_MISSING/)
  })
})

describe('TTL against the signature (RFC 4035 5.3.3)', () => {
  const at = new Date('2030-01-01T00:00:00Z')
  const owner = nameFromText('a.example.')
  const set = (ttl: number): RR[] => [{ name: owner, type: RRType.A, class: 1, ttl,
    data: { kind: 'A', address: '192.0.2.1' } }]
  const sig = (originalTtl: number, expiresIn: number): RR => ({ name: owner,
    type: RRType.RRSIG, class: 1, ttl: originalTtl, data: { kind: 'RRSIG',
      typeCovered: RRType.A, algorithm: 13, labels: 2, originalTtl,
      expiration: dateToRrsigTime(new Date(at.getTime() + expiresIn * 1000)),
      inception: dateToRrsigTime(new Date(at.getTime() - 86_400_000)), keyTag: 4242,
      signerName: nameFromText('example.'), signature: new Uint8Array(64) } })
  const ctx = { zone: 'example.', servers: ['192.0.2.53'], at }
  const codes = (ttl: number, orig: number, left: number): string[] =>
    ttlNotes(set(ttl), [sig(orig, left)], [4242], ctx).map((f) => f.code)

  it('accepts a TTL that ends exactly when the signature does', () => {
    expect(codes(3600, 3600, 3600)).toEqual([])
  })

  it('warns when the TTL reaches one second past the expiration', () => {
    expect(codes(3601, 3601, 3600)).toEqual(['RRSIG_TTL_BEYOND_EXPIRY'])
  })

  it('warns when only the original TTL reaches past the expiration', () => {
    expect(codes(60, 7200, 3600)).toEqual(['RRSIG_TTL_BEYOND_EXPIRY'])
  })

  it('accepts a served TTL below the original one (a cache counting down)', () => {
    expect(codes(299, 300, 86_400)).toEqual([])
  })

  it('judges only signatures that verified', () => {
    expect(ttlNotes(set(3600), [sig(300, 86_400)], [], ctx)).toEqual([])
  })
})

describe('one signature per DNSKEY algorithm (RFC 4035 2.2)', () => {
  const zone = nameFromText('example.')
  const key = (algorithm: number, flags: number): DNSKEYData => ({ kind: 'DNSKEY', flags,
    protocol: 3, algorithm, publicKey: new Uint8Array([algorithm, flags & 0xff, 1, 2]) })
  const a: RR[] = [{ name: zone, type: RRType.A, class: 1, ttl: 300,
    data: { kind: 'A', address: '192.0.2.1' } }]
  const sigBy = (algorithm: number): RR => ({ name: zone, type: RRType.RRSIG, class: 1,
    ttl: 300, data: { kind: 'RRSIG', typeCovered: RRType.A, algorithm, labels: 1,
      originalTtl: 300, expiration: 0, inception: 0, keyTag: 1, signerName: zone,
      signature: new Uint8Array(8) } })
  const ctx = { zone: 'example.', servers: [], at: new Date(0) }

  it('is satisfied by one signature per algorithm, whatever the key roles', () => {
    expect(algorithmGap(a, [sigBy(8), sigBy(13)], [key(13, 257), key(8, 256)], zone, ctx))
      .toBeNull()
  })

  it('names the algorithm with no signature', () => {
    expect(algorithmGap(a, [sigBy(8)], [key(13, 257), key(8, 256)], zone, ctx)?.algorithm)
      .toBe(13)
  })

  it('does not count a revoked key\'s algorithm (RFC 5011 keys sign only the key set)', () => {
    expect(algorithmGap(a, [sigBy(8)], [key(13, 385), key(8, 257), key(8, 256)], zone, ctx))
      .toBeNull()
  })
})
