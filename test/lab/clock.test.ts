// Field case C18: an unbound whose clock libfaketime holds before every lab signature's
// inception. check must validate the name itself, see the healthy resolver agree, and put the
// failure on that resolver's clock. Expected values: the inception from lab/manifest.json, the
// EDE from dig against the same resolver, never our own output.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { check } from '../../src/check.js'
import { parseAllowNet } from '../../src/net/guard.js'
import { nameFromText } from '../../src/wire/name.js'
import { CLOCK_RESOLVER, LAB_DIR, VALIDATING_RESOLVER, dig, readManifest } from './labinfo.js'

const manifest = readManifest()
const anchors = loadTrustAnchors(join(LAB_DIR, 'trust-anchor.xml'), new Date())
const zoneOf = (name: string) => manifest.zones.find((z) => z.zone === name)
// A healthy lab zone no other lab test asks the clock resolver about: unbound gives the
// precise EDE only for the first failure of a question, EDE 6 from its cache after that.
const NAME = 'ecdsa.lab.test.'
const OTHER = 'ed25519.lab.test.'

describe('a validating resolver with a wrong clock (C18)', () => {
  it('is named as the cause, with its clock behind the inception', async () => {
    const inception = zoneOf('.')?.inception ?? ''
    expect(zoneOf(NAME)?.inception).toBe(inception)
    const { report } = await check({ name: nameFromText(NAME), type: 1 }, {
      anchors, guard: parseAllowNet('127.0.0.0/8'), timeoutMs: 1000,
      resolvers: [{ name: 'clock', address: CLOCK_RESOLVER, port: 53 },
        { name: 'good', address: VALIDATING_RESOLVER, port: 53 }],
      rootServers: manifest.rootServers.map((address) => ({ address, port: 53 })) })
    // What the resolvers say on their own, for a name neither has been asked yet.
    const fresh = await dig(CLOCK_RESOLVER, OTHER, { dnssec: true })
    expect(fresh.status).toBe('SERVFAIL')
    expect(fresh.ede.map((e) => e.code)).toEqual([8])
    expect(fresh.ede[0]?.text).toContain('before inception')
    const healthy = await dig(VALIDATING_RESOLVER, NAME, { dnssec: true })
    expect(healthy.flags).toContain('ad')

    expect(report.status).toBe('secure')
    const byName = new Map(report.resolvers.map((o) => [o.name, o]))
    expect(byName.get('good')?.verdict).toBe('validated')
    expect(byName.get('clock')?.verdict).toBe('validation-failure')
    expect(byName.get('clock')?.ede.map((e) => e.code)).toEqual(fresh.ede.map((e) => e.code))
    expect(byName.get('clock')?.rootRcode).toBe('SERVFAIL')

    const skew = report.findings.filter((f) => f.code === 'RESOLVER_CLOCK_SKEW')
    expect(skew.map((f) => f.servers)).toEqual([[CLOCK_RESOLVER]])
    const day = `${inception.slice(0, 10)} ${inception.slice(11, 16)} UTC`
    expect(skew[0]?.message).toContain('likely behind')
    expect(skew[0]?.message).toContain(`valid only from ${day}`)
    expect(skew[0]?.advice).toMatch(/NTP.*flush its cache/)
    expect(report.conclusion).toContain(`clock at ${CLOCK_RESOLVER} is local`)
    // The healthy resolver is not blamed.
    expect(report.findings.filter((f) => f.servers?.includes(VALIDATING_RESOLVER))).toEqual([])
  })
})
