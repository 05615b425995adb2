// The resolver comparison against real resolvers in the lab. What dnssec-doctor decodes from
// each resolver (rcode, AD, Extended DNS Errors, the answer with CD) must be what dig reads from
// the same resolver, and the verdicts and the conclusion must follow the scenario's design.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { check } from '../../src/check.js'
import { parseAllowNet } from '../../src/net/guard.js'
import { nameFromText } from '../../src/wire/name.js'
import { LAB_DIR, NON_VALIDATING_RESOLVER, VALIDATING_RESOLVER, dig, readManifest,
  scenarioZones } from './labinfo.js'

const manifest = readManifest()
const anchors = loadTrustAnchors(join(LAB_DIR, 'trust-anchor.xml'), new Date())
const resolvers = [
  { name: 'unbound', address: VALIDATING_RESOLVER, port: 53 },
  { name: 'isp', address: NON_VALIDATING_RESOLVER, port: 53 },
]

describe('check compares real resolvers with its own walk', () => {
  it.each(scenarioZones(manifest).map((z) => [z.zone, z] as const))('%s', async (_zone, z) => {
    // unbound's first answer for a failure carries a precise EDE and later ones EDE 6 (from
    // its cache): one query first, so that ours and dig's below both meet the same state.
    for (const r of resolvers) await dig(r.address, z.scenario.query, { dnssec: true })
    const { report } = await check({ name: nameFromText(z.scenario.query), type: 1 }, {
      anchors, guard: parseAllowNet('127.0.0.0/8'), timeoutMs: 1000, resolvers,
      rootServers: manifest.rootServers.map((address) => ({ address, port: 53 })) })
    const byName = new Map(report.resolvers.map((o) => [o.name, o]))
    // Decoded as dig decodes the same resolver's answer, asked right after (same cache state).
    for (const r of resolvers) {
      const ours = byName.get(r.name)
      const theirs = await dig(r.address, z.scenario.query, { dnssec: true })
      expect({ rcode: ours?.rcode, ad: ours?.ad, ede: ours?.ede.map((e) => e.code) })
        .toEqual({ rcode: theirs.status, ad: theirs.flags.includes('ad'),
          ede: theirs.ede.map((e) => e.code) })
      if (theirs.status === 'SERVFAIL') {
        const cd = await dig(r.address, z.scenario.query, { dnssec: true, cd: true })
        expect(ours?.cdRcode).toBe(cd.status)
      }
    }
    const isp = byName.get('isp')
    const unbound = byName.get('unbound')
    const rcode = z.scenario.expect.rcode ?? 'NOERROR'
    expect(isp?.verdict).toBe(rcode === 'NXDOMAIN' ? 'nxdomain' : 'answer-unvalidated')
    if (report.status === 'bogus' && z.scenario.expect.via === undefined) {
      expect(unbound?.verdict).toBe('validation-failure')
      expect(report.findings.map((f) => f.code)).toContain('RESOLVER_VALIDATION_FAILURE')
      expect(report.conclusion).toContain(report.brokenLink?.message ?? '?')
      expect(report.findings.map((f) => f.code)).not.toContain('RESOLVER_DISAGREES')
    } else if (report.status === 'bogus') {
      // stale: unbound retries the good server and validates; we say so as a disagreement
      // whose explanations include the server it reached.
      expect(unbound?.verdict).toBe('validated')
      const d = report.findings.find((f) => f.code === 'RESOLVER_DISAGREES')
      expect(d?.evidence?.join(' ')).toContain('server that serves a good copy')
    } else if (report.status === 'secure') {
      expect(unbound?.verdict).toBe(rcode === 'NXDOMAIN' ? 'nxdomain' : 'validated')
      expect(unbound?.ad).toBe(true)
      expect(report.findings.map((f) => f.code)).not.toContain('RESOLVER_DISAGREES')
    } else {
      expect(unbound?.ad).toBe(false)
      expect(unbound?.verdict).toBe('answer-unvalidated')
    }
  })
})
