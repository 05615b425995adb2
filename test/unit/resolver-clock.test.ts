// Field case C18: a validating resolver whose clock is wrong fails names the chain walk
// validates. The report is the replayed lab recording of a healthy zone; the resolver's
// answers are built by hand with the EDE codes of RFC 8914 (7 Signature Expired, 8 Signature
// Not Yet Valid, 6 DNSSEC Bogus); the dates come from lab/manifest.json.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { concludeResolvers } from '../../src/analysis/resolvers.js'
import type { ResolverObservation } from '../../src/analysis/resolvers.js'
import type { Report } from '../../src/analysis/types.js'
import { readCapture, replay } from '../../src/check.js'
import { labDir } from '../../src/cli/demo.js'

const manifest = JSON.parse(readFileSync(join(labDir(), 'manifest.json'), 'utf8')) as
  { zones: { zone: string; inception: string | null; expiration: string | null }[] }
const root = manifest.zones.find((z) => z.zone === '.')
const day = (iso: string | null | undefined): string => `${(iso ?? '?').slice(0, 10)} `
  + `${(iso ?? '?').slice(11, 16)} UTC`

const ecdsa = (): Promise<Report> => replay(readCapture(join(labDir(), 'recordings',
  'ecdsa.json')), { anchors: loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date()) })

const ede = (code: number) => ({ code, name: '', text: '' })
function failing(codes: number[], rootRcode: string | null, rootCodes: number[]):
  ResolverObservation {
  return { name: 'r1', address: '192.0.2.1', port: 53, rcode: 'SERVFAIL', ad: false, answer: [],
    ttl: null, cdRcode: 'NOERROR', ede: codes.map(ede), ms: 1, verdict: 'validation-failure',
    error: null, detail: null, rootRcode, rootEde: rootCodes.map(ede) }
}

describe('a resolver that fails what the walk validates (C18)', () => {
  it('says its clock is behind on EDE 8, names the inception and the fix', async () => {
    const r = await ecdsa()
    expect(r.status).toBe('secure')
    const c = concludeResolvers(r, [failing([8], 'SERVFAIL', [8])])
    const f = c.findings.find((x) => x.code === 'RESOLVER_CLOCK_SKEW')
    expect(f).toMatchObject({ severity: 'error', party: 'resolver-operator',
      servers: ['192.0.2.1'] })
    expect(f?.message).toContain('likely behind')
    expect(f?.message).toContain(`valid only from ${day(root?.inception)}`)
    expect(f?.advice).toMatch(/NTP.*flush its cache/)
    expect(c.conclusion).toContain('is local')
    // The failure itself is the resolver operator's, not the DNS host's.
    expect(c.findings.find((x) => x.code === 'RESOLVER_VALIDATION_FAILURE')?.party)
      .toBe('resolver-operator')
  })

  it('says its clock is ahead on EDE 7, and names the expiration', async () => {
    const c = concludeResolvers(await ecdsa(), [failing([7], 'SERVFAIL', [7])])
    const f = c.findings.find((x) => x.code === 'RESOLVER_CLOCK_SKEW')
    expect(f?.message).toContain('likely ahead')
    expect(f?.message).toContain(`expire on ${day(root?.expiration)}`)
  })

  it('counts the EDE of the root question when the name gets EDE 6 from a cache', async () => {
    const c = concludeResolvers(await ecdsa(), [failing([6], 'SERVFAIL', [8])])
    expect(c.findings.map((x) => x.code)).toContain('RESOLVER_CLOCK_SKEW')
  })

  it('calls a root failure without EDE 7 or 8 local, without blaming the clock', async () => {
    const c = concludeResolvers(await ecdsa(), [failing([6], 'SERVFAIL', [6])])
    expect(c.findings.map((x) => x.code)).not.toContain('RESOLVER_CLOCK_SKEW')
    expect(c.conclusion).toContain('is local')
    const d = c.findings.find((x) => x.code === 'RESOLVER_DISAGREES')
    expect(d?.evidence?.[0]).toMatch(/^likely: a fault of this resolver alone/)
    expect(c.findings.find((x) => x.code === 'RESOLVER_VALIDATION_FAILURE')?.party)
      .toBe('resolver-operator')
  })

  it('keeps the general causes when the resolver validates the root', async () => {
    const c = concludeResolvers(await ecdsa(), [failing([6], 'NOERROR', [])])
    expect(c.conclusion).not.toContain('is local')
    expect(c.findings.find((x) => x.code === 'RESOLVER_VALIDATION_FAILURE')?.party)
      .toBe('dns-host')
    const d = c.findings.find((x) => x.code === 'RESOLVER_DISAGREES')
    expect(d?.evidence?.every((e) => e.startsWith('possible: '))).toBe(true)
  })

  it('does not blame the clock when the walk itself finds the name bogus', async () => {
    const r = await replay(readCapture(join(labDir(), 'recordings', 'future.json')),
      { anchors: loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date()) })
    expect(r.status).toBe('bogus')
    const c = concludeResolvers(r, [failing([8], 'NOERROR', [])])
    expect(c.findings.map((x) => x.code)).not.toContain('RESOLVER_CLOCK_SKEW')
  })
})
