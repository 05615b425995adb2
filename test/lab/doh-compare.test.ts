// The resolver comparison over DNS over HTTPS (RFC 8484), against Knot Resolver's DoH in the
// lab, through the command line as a user gives it: the verdict must be the one the same
// resolver gives over UDP, which dig reads independently.
import { describe, expect, inject, it } from 'vitest'
import { runCli } from '../support/run-cli.js'
import { KNOT_DOH_URL, KNOT_RESOLVER, dig, labDohCa, readManifest, scenarioZones } from
  './labinfo.js'

const byZone = new Map(scenarioZones(readManifest()).map((z) => [z.zone, z]))

describe('resolvers over DoH', () => {
  it.each(['ecdsa.lab.test.', 'expired.lab.test.', 'insecure.lab.test.'])(
    '%s: the DoH answer gives the verdict the same resolver gives over UDP',
    async (zone) => {
      const z = byZone.get(zone)
      const query = z?.scenario.query ?? zone
      const udp = await dig(KNOT_RESOLVER, query, { dnssec: true })
      const r = await runCli(['resolvers', query, '--resolver', `knot-doh=${KNOT_DOH_URL}`,
        '--doh-ca', labDohCa(inject('labRunDir')), '--no-default-resolvers',
        '--allow-net', '127.0.0.0/8', '--json'])
      const [o] = JSON.parse(r.out).resolvers
      expect(o.rcode).toBe(udp.status)
      expect(o.ad).toBe(udp.flags.includes('ad'))
      expect(o.verdict).toBe(udp.status === 'SERVFAIL' ? 'validation-failure'
        : udp.flags.includes('ad') ? 'validated' : 'answer-unvalidated')
    })

  it('refuses a DoH resolver named by host name: looking it up would be unguarded traffic',
    async () => {
      const r = await runCli(['resolvers', 'ecdsa.lab.test', '--resolver',
        'x=https://dns.example/dns-query', '--no-default-resolvers'])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/IP/)
    })
})
