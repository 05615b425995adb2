// dohExchange() against a real DoH server: Knot Resolver 5.6's doh2 listener in the lab
// (https://127.0.53.31/dns-query, HTTP/2 only, certificate from the run's CA made by lab.sh).
// What we decode from its answer over DoH must be what dig 9.18 reads over DoH (dig +https)
// from the same resolver in the same cache state, and must follow the scenario's design.
import { readFileSync } from 'node:fs'
import { describe, expect, inject, it } from 'vitest'
import { dohExchange } from '../../src/net/doh.js'
import { parseAllowNet } from '../../src/net/guard.js'
import { buildQuery, decodeMessage } from '../../src/wire/message.js'
import { nameFromText, nameToText } from '../../src/wire/name.js'
import { rcodeToText } from '../../src/wire/text.js'
import { RRType, type Message } from '../../src/wire/types.js'
import { KNOT_DOH_URL, KNOT_RESOLVER, addressesOf, dig, labDohCa, readManifest,
  scenarioAnswer, scenarioZones, type LabScenarioZone } from './labinfo.js'

const caFile = labDohCa(inject('labRunDir'))
const ca = readFileSync(caFile, 'utf8')
const url = new URL(KNOT_DOH_URL)
const guard = parseAllowNet('127.0.0.0/8')
const manifest = readManifest()

// One scenario of each kind: secure, bogus, insecure by design.
const zones = ['ecdsa.lab.test.', 'expired.lab.test.', 'insecure.lab.test.'].map((zone) => {
  const z = scenarioZones(manifest).find((s) => s.zone === zone)
  if (z === undefined) throw new Error(`no scenario ${zone} in lab/manifest.json`)
  return z
})

async function askOverDoh(name: string): Promise<Message> {
  const query = buildQuery({ id: 0x1234, name: nameFromText(name), type: RRType.A, rd: true,
    dnssecOk: true })
  const result = await dohExchange(url, query, { guard, ca, timeoutMs: 10_000 })
  expect(result.attempts).toHaveLength(1)
  expect(result.attempts[0]?.transport).toBe('https')
  expect(result.attempts[0]?.error, result.attempts[0]?.detail).toBeUndefined()
  if (result.response === null) throw new Error('no DoH response')
  return decodeMessage(result.response)
}

function answerAddresses(m: Message): string[] {
  return m.answer.flatMap((rr) => (rr.data.kind === 'A' ? [rr.data.address] : []))
}

describe('dohExchange() against Knot Resolver over DNS over HTTPS', () => {
  it.each(zones.map((z) => [z.zone, z] as const))(
    '%s: rcode, AD, EDE and addresses are what dig +https reads',
    async (_zone, z: LabScenarioZone) => {
      const name = z.scenario.query
      // kresd's first answer for a failure may carry another EDE than later ones: one query
      // first, so that ours and dig's below meet the same cache state.
      await dig(KNOT_RESOLVER, name, { dnssec: true })
      const ours = await askOverDoh(name)
      const theirs = await dig(KNOT_RESOLVER, name, { dnssec: true, httpsCa: caFile })
      expect(nameToText(ours.question[0]?.name ?? []).toLowerCase()).toBe(name.toLowerCase())
      expect({
        rcode: rcodeToText(ours.rcode), ad: ours.flags.ad,
        ede: ours.edns?.extendedErrors.map((e) => e.code) ?? [],
        addresses: answerAddresses(ours),
      }).toEqual({
        rcode: theirs.status, ad: theirs.flags.includes('ad'), ede: theirs.ede.map((e) => e.code),
        addresses: addressesOf(theirs, name),
      })
      // And what the lab's design says the resolver must answer (lab/README.md).
      const designed = z.scenario.expect.status
      expect(rcodeToText(ours.rcode)).toBe(designed === 'bogus' ? 'SERVFAIL' : 'NOERROR')
      expect(ours.flags.ad).toBe(designed === 'secure')
      if (designed !== 'bogus') expect(answerAddresses(ours)).toEqual([scenarioAnswer(z)])
    })

  it('is refused without the lab CA: the certificate check stays on', async () => {
    const query = buildQuery({ id: 1, name: nameFromText('ecdsa.lab.test'), type: RRType.A })
    const result = await dohExchange(url, query, { guard, timeoutMs: 5000 })
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('network')
    expect(result.attempts[0]?.detail).toMatch(/certificate/i)
  })
})
