// The lab's ground truth, from real software only: NSD serves what lab/build.sh signed,
// unbound (validating and not) and delv reach the verdict each scenario was designed for.
// Nothing here runs dnssec-doctor's code; its own lab tests compare against these facts.
import { describe, expect, inject, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  GROUND_TRUTH_RESOLVER,
  addressesOf,
  NON_VALIDATING_RESOLVER,
  VALIDATING_RESOLVER,
  delv,
  dig,
  digOnce,
  readManifest,
  designedAddresses,
  resolverScenarioZones,
  VIA_EDE,
} from './labinfo.js'
import type { DigResult, LabScenarioZone } from './labinfo.js'

const manifest = readManifest()
const scenarios = resolverScenarioZones(manifest)
const byLabel = (label: string) => {
  const z = scenarios.find((s) => s.zone === `${label}.lab.test.`)
  if (z === undefined) throw new Error(`no scenario ${label} in the manifest`)
  return z
}

// The second servers of lame and timeout are broken by design: tested on their own below.
const lameServer = byLabel('lame').servers[1] ?? ''
const deadServer = byLabel('timeout').servers[1] ?? ''

describe('NSD: each instance answers its zones authoritatively', () => {
  const targets = manifest.zones.flatMap((z) =>
    (z.copies?.map((c) => c.server) ?? z.servers)
      .filter((server) => server !== lameServer && !server.startsWith('127.0.42.'))
      .map((server) => ({ zone: z, server })),
  )
  it.each(targets.map((t) => [t.zone.zone, t.server, t] as const))(
    '%s SOA from %s',
    async (_zone, server, t) => {
      const r = await dig(server, t.zone.zone, { type: 'SOA', norec: true })
      expect(r.status).toBe('NOERROR')
      expect(r.flags).toContain('aa')
      const soa = r.answer.find((l) => l.split(' ')[3] === 'SOA')
      expect(soa?.split(' ')[0]).toBe(t.zone.zone)
      const serial = t.zone.copies?.find((c) => c.server === server)?.serial ?? t.zone.serial
      expect(soa?.split(' ')[6]).toBe(String(serial))
    },
  )

  it('the lab root refers test. to its own servers (one NSD per level)', async () => {
    const r = await dig('127.0.10.1', 'ecdsa.lab.test.', { norec: true })
    expect(r.status).toBe('NOERROR')
    expect(r.flags).not.toContain('aa')
    expect(r.answer).toEqual([])
    expect(r.raw).toMatch(/^test\.\s+\d+\s+IN\s+NS\s+ns1\.test\.$/m)
  })

  it('lame: the second server answers REFUSED for the zone it is listed for', async () => {
    expect(lameServer).toBe('127.0.41.39')
    const r = await dig(lameServer, byLabel('lame').zone, { type: 'SOA', norec: true })
    expect(r.status).toBe('REFUSED')
    expect(r.flags).not.toContain('aa')
  })

  it('timeout: the second server never answers, over UDP or TCP', async () => {
    expect(deadServer).toBe('127.0.42.40')
    const zone = byLabel('timeout').zone
    await expect(digOnce(deadServer, zone, [])).rejects.toThrow(/timed out/)
    await expect(digOnce(deadServer, zone, ['+tcp'])).rejects.toThrow(/timed out|end of file|reset/)
  })

  it('no-tcp: the DNSKEY answer is truncated over UDP and TCP is refused', async () => {
    const z = byLabel('no-tcp')
    const server = z.servers[0] ?? ''
    // +ignore: show the truncated UDP answer instead of retrying over TCP.
    const udp = await digOnce(server, z.zone, ['DNSKEY', '+dnssec', '+ignore'])
    expect(udp.flags).toContain('tc')
    await expect(digOnce(server, z.zone, ['+tcp', 'DNSKEY'])).rejects.toThrow(/refused/)
    // Small answers still fit: the A record with its signature.
    const a = await dig(server, z.zone, { dnssec: true, norec: true })
    expect(a.flags).not.toContain('tc')
    expect(a.answer.some((l) => l.split(' ')[3] === 'RRSIG')).toBe(true)
  })

  it('the stale secondary serves signatures that expired with the old copy', async () => {
    const stale = byLabel('stale')
    const old = stale.copies?.find((c) => c.server === '127.0.41.13')
    expect(old?.expiration).toBe('2026-01-01T00:00:00Z')
    const r = await dig('127.0.41.13', stale.zone, { dnssec: true, norec: true })
    const sig = r.answer.find((l) => l.split(' ')[3] === 'RRSIG')
    // RRSIG presentation: owner ttl IN RRSIG covered alg labels ttl expiration inception ...
    expect(sig?.split(' ')[8]).toBe('20260101000000')
    expect(Date.parse(old?.expiration ?? '')).toBeLessThan(Date.now())
  })
})

/** The scenario's designed answer: its address, or no address for a name that does not exist. */
function expectAnswer(r: DigResult, query: string, z: LabScenarioZone): void {
  const rcode = z.scenario.expect.rcode ?? 'NOERROR'
  expect(r.status).toBe(rcode)
  expect(addressesOf(r, query)).toEqual(designedAddresses(z, rcode))
}

/**
 * EDE codes a validator may attach when a scenario that one bad server spoils (expect.via)
 * fails: the bad copy's own code, or 6 DNSSEC Bogus for a failure unbound cached.
 */

/** The two outcomes a validator can reach for a via scenario, depending on its server. */
function expectViaOutcome(r: DigResult, z: LabScenarioZone): void {
  if (r.status === 'SERVFAIL') {
    expect(r.ede.map((e) => e.code)).toEqual([expect.toBeOneOf([...VIA_EDE[z.zone] ?? []])])
    return
  }
  expect({ status: r.status, ad: r.flags.includes('ad') })
    .toEqual({ status: z.scenario.expect.rcode ?? 'NOERROR', ad: true })
}

/** expectViaOutcome for the stale scenario's other questions, with their own rcode. */
function expectStaleOutcome(r: DigResult, status: string): void {
  if (r.status === 'SERVFAIL') {
    expect(r.ede.map((e) => e.code)).toEqual([expect.toBeOneOf([7, 6])])
    return
  }
  expect({ status: r.status, ad: r.flags.includes('ad') }).toEqual({ status, ad: true })
}

describe('validating unbound: the verdict each scenario was designed for', () => {
  it.each(scenarios.map((z) => [z.scenario.query, z.scenario.expect.status, z] as const))(
    '%s is %s',
    async (query, status, z) => {
      const r = await dig(VALIDATING_RESOLVER, query, { type: z.scenario.type, dnssec: true })
      if (z.scenario.expect.via !== undefined) {
        // One bad server of two (stale, nsec3-partial): unbound usually repairs it by asking
        // the other server, and sometimes fails on the bad copy: both are the real behaviour.
        expectViaOutcome(r, z)
        return
      }
      if (status === 'bogus') {
        expect(r.status).toBe('SERVFAIL')
        expect(r.answer).toEqual([])
        return
      }
      expectAnswer(r, query, z)
      if (status === 'secure') expect(r.flags).toContain('ad')
      else expect(r.flags).not.toContain('ad')
    },
  )

  it.each(scenarios.map((z) => [z.scenario.query, z] as const))(
    '%s answers with checking disabled (+cd)',
    async (query, z) => {
      const r = await dig(VALIDATING_RESOLVER, query,
        { type: z.scenario.type, dnssec: true, cd: true })
      expectAnswer(r, query, z)
    },
  )

  it('stale: each fresh name validates, or fails on the stale copy\'s expired signatures',
    async () => {
    // Observed with unbound 1.17: when a resolution lands on 127.0.41.13 its expired RRSIGs
    // fail and the validator usually asks the other name server again, so the client never
    // sees the failure; in some lab starts (2 of 5 seen) it fails instead, with EDE 7. That
    // "sometimes" is the fault the scenario is about. Distinct names avoid the cache.
    const stale = byLabel('stale')
    const questions: Array<[string, string, string]> = [
      [stale.zone, 'A', 'NOERROR'],
      [`www.${stale.zone}`, 'A', 'NOERROR'],
      [stale.zone, 'TXT', 'NOERROR'],
      [stale.zone, 'SOA', 'NOERROR'],
      [`ns2.${stale.zone}`, 'A', 'NOERROR'],
      [stale.zone, 'AAAA', 'NOERROR'],
      [`nx1.${stale.zone}`, 'A', 'NXDOMAIN'],
      [`nx2.${stale.zone}`, 'TXT', 'NXDOMAIN'],
      [`nx3.${stale.zone}`, 'A', 'NXDOMAIN'],
      [`nx4.${stale.zone}`, 'A', 'NXDOMAIN'],
    ]
    for (const [name, type, status] of questions) {
      const r = await dig(VALIDATING_RESOLVER, name, { type, dnssec: true })
      expectStaleOutcome(r, status)
    }
  })
})

describe('non-validating unbound answers every scenario', () => {
  it.each(scenarios.map((z) => [z.scenario.query, z] as const))('%s', async (query, z) => {
    const r = await dig(NON_VALIDATING_RESOLVER, query, { type: z.scenario.type, dnssec: true })
    expect(r.flags).not.toContain('ad')
    expectAnswer(r, query, z)
  })
})

// EDE codes (RFC 8914) unbound 1.17 returns on the first query of each scenario to a cold
// cache, as observed and pinned; the server named is the one unbound blames. After that first
// query unbound answers every bogus scenario with code 6 (DNSSEC Bogus), whatever the cause.
const FIRST_EDE: Record<string, { code: number; text: RegExp } | null | 'via'> = {
  rsa: null,
  ecdsa: null,
  ed25519: null,
  nsec3: null,
  insecure: null,
  // 9 DNSKEY Missing, although the key is there and only the DS digest is wrong.
  'ds-mismatch': { code: 9, text: /DS hash mismatches key from 127\.0\.40\.6 / },
  'ds-stale': {
    code: 9,
    text: /no keys have a DS with algorithm ECDSAP256SHA256 from 127\.0\.40\.7 /,
  },
  unsigned: { code: 9, text: /No DNSKEY record from 127\.0\.40\.8 / },
  expired: { code: 7, text: /signature expired from 127\.0\.40\.9 / },
  future: { code: 8, text: /signature before inception date from 127\.0\.40\.10 / },
  'unsigned-answer': { code: 10, text: /no signatures from 127\.0\.40\.11$/ },
  // 6 DNSSEC Bogus: unbound has no more precise code for a signature that does not verify.
  'bad-sig': { code: 6, text: /signature crypto failed from 127\.0\.40\.12$/ },
  stale: 'via',
  // The alias's target zone is the broken one, and unbound names it and its server.
  // Insecure by design and a proven NXDOMAIN: nothing to report.
  'ds-unknown-alg': null,
  nxdomain: null,
  'nsec3-iter': null,
  cname: { code: 7, text: /signature expired from 127\.0\.40\.9 for key expired\.lab\.test\./ },
  nodata: null,
  'nsec-nx': null,
  // 12 NSEC Missing: unbound looks for the proof while asking the DS of the name.
  'nsec3-no-proof': {
    code: 12, text: /no DNSSEC records from 127\.0\.40\.20 for DS nope\.nsec3-no-proof\./,
  },
  'nsec-bad-cover': { code: 6, text: /nameerror proof failed from 127\.0\.40\.21$/ },
  'bitmap-lie': { code: 6, text: /nodata proof failed from 127\.0\.40\.22$/ },
  // One server of two: see expectViaOutcome.
  'nsec3-partial': 'via',
  wildcard: null,
  'wildcard-no-proof': { code: 6, text: /wildcard proof failed from 127\.0\.40\.25$/ },
  dname: null,
  'cname-insecure': null,
  'ttl-long': null,
  'orig-ttl': null,
  rsasha1: null,
  'alg-rollover': null,
  revoked: null,
  // 10 RRSIGs Missing: the DS names the ZSK, which signs everything but the DNSKEY RRset.
  'ds-zsk': {
    code: 10, text: /signature missing from 127\.0\.40\.33 for key ds-zsk\.lab\.test\./,
  },
  'cds-mismatch': null,
  'cds-delete': null,
  'ds-extra': null,
  'ds-gost': null,
  'no-rrsigs': {
    code: 10, text: /no signatures from 127\.0\.40\.38 for key no-rrsigs\.lab\.test\./,
  },
  lame: null,
  timeout: null,
  'glue-mismatch': null,
  // unbound names no server: it never got the DNSKEY RRset (UDP truncated, TCP refused).
  'no-tcp': { code: 9, text: /No DNSKEY record for key no-tcp\.lab\.test\. while building/ },
  // The child is fine; its parent's signatures, the DS for it included, expired.
  'parent-bogus': {
    code: 7, text: /signature expired from 127\.0\.40\.43 for key parent-bogus\.lab\.test\./,
  },
  'parent-insecure': null,
  'nsec3-iter10': null,
  'nsec3-iter200': null,
  'not-dnssec': null,
  'nsec3-insecure-kid': null,
  'nsec3-optout-kid': null,
}

describe('unbound EDE per scenario (cold cache at 127.0.53.2)', () => {
  it('the table covers every scenario in the manifest', () => {
    expect(Object.keys(FIRST_EDE).sort()).toEqual(
      scenarios.map((z) => z.zone.replace(/\.lab\.test\.$/, '')).sort(),
    )
  })

  // Sequential on purpose: the first query of each scenario must meet a cold cache.
  const firstEde = Object.entries(FIRST_EDE)
  it.each(firstEde)('%s: first answer carries the pinned EDE', async (label, want) => {
    const z = byLabel(label)
    const r = await dig(GROUND_TRUTH_RESOLVER, z.scenario.query,
      { type: z.scenario.type, dnssec: true })
    if (want === 'via') {
      expectViaOutcome(r, z)
      return
    }
    if (want === null) {
      expect(r.ede).toEqual([])
      return
    }
    expect(r.status).toBe('SERVFAIL')
    expect(r.ede.map((e) => e.code)).toEqual([want.code])
    expect(r.ede[0]?.text).toMatch(want.text)
    expect(r.ede[0]?.text)
      .toContain(`validation failure <${z.scenario.query} ${z.scenario.type} IN>`)
  })

  const plainBogus = scenarios.filter(
    (z) => z.scenario.expect.status === 'bogus' && z.scenario.expect.via === undefined,
  )
  it.each(plainBogus.map((z) => [z.scenario.query, z] as const))(
    '%s: a repeated query gets EDE 6 from the cached failure',
    async (query, z) => {
      const r = await dig(GROUND_TRUTH_RESOLVER, query, { type: z.scenario.type, dnssec: true })
      expect(r.status).toBe('SERVFAIL')
      expect(r.ede.map((e) => e.code)).toEqual([6])
    },
  )

  it('unbound logs each cold-cache failure it reported (val-log-level 2)', () => {
    const logFile = join(inject('labRunDir'), 'unbound-groundtruth', 'unbound.log')
    const log = readFileSync(logFile, 'utf8')
    for (const z of scenarios.filter((s) => s.scenario.expect.status === 'bogus')) {
      if (z.scenario.expect.via !== undefined) continue
      expect(log).toContain(`validation failure <${z.scenario.query} ${z.scenario.type} IN>`)
    }
  })
})

describe('delv with the lab anchor, through the non-validating unbound, agrees', () => {
  it.each(scenarios.map((z) => [z.scenario.query, z.scenario.expect.status, z] as const))(
    '%s is %s',
    async (query, status, z) => {
      const r = await delv(NON_VALIDATING_RESOLVER, query, { type: z.scenario.type })
      if (z.scenario.expect.via !== undefined) {
        // delv validates whichever copy the non-validating unbound fetched and cached, so it
        // is secure or fails on the bad copy, and cannot retry elsewhere.
        if (r.verdict !== 'bogus') expect(r.verdict).toBe('secure')
        else if (z.zone === 'stale.lab.test.') expect(r.raw).toContain('RRSIG has expired')
        return
      }
      expect(r.verdict).toBe(status)
    },
  )
})
