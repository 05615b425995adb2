// Issue 5: a chain report must read well to someone who has never heard of NSEC3, with a short
// explanation beside each proof. Replayed lab answers; the record names expected beside the
// explanation come from the zone files dnssec-signzone wrote (lab/zones/<label>/zone.db).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../../src/anchors.js'
import { check } from '../../../src/check.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { parseAllowNet } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { typeFromText } from '../../../src/wire/text.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'

const manifest = readManifest()
let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => { server = await startReplayServer(labRecordings()) })
afterAll(async () => { await server.close() })

async function denialText(label: string): Promise<string> {
  const z = scenarioZones(manifest).find((x) => x.zone === `${label}.lab.test.`)
  if (z === undefined) throw new Error(`no scenario ${label}`)
  const { report } = await check(
    { name: nameFromText(z.scenario.query), type: typeFromText(z.scenario.type) ?? 1 },
    { anchors: loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date()),
      guard: parseAllowNet('127.0.0.0/8'), authPort: server.port, timeoutMs: 1000,
      rootServers: manifest.rootServers.map((address) => ({ address, port: server.port })) })
  return report.answers.map((a) => a.denial ?? '').join(' ')
}

/** The NSEC records of a lab zone file: owner -> next name. */
function nsecChain(label: string): Map<string, string> {
  const text = readFileSync(join(labDir(), 'zones', label, 'zone.db'), 'utf8')
  return new Map(text.split('\n').map((l) => l.split(/\s+/))
    .filter((f) => f[3] === 'NSEC').map((f) => [f[0] ?? '', f[4] ?? '']))
}

describe('proofs of non-existence are explained in plain words', () => {
  it('NXDOMAIN with NSEC: what the chain is, and the link that jumps over the name', async () => {
    const text = await denialText('nsec-nx')
    expect(text).toContain('nope.nsec-nx.lab.test. does not exist')
    expect(text).toContain('chain of NSEC records')
    expect(text).toContain('no wildcard (*)')
    // nope. sorts between the apex and ns1.: the apex's NSEC is the link that jumps over it.
    const apex = 'nsec-nx.lab.test.'
    expect(text).toContain(`NSEC ${apex} -> ${nsecChain('nsec-nx').get(apex)}`)
  })

  it('NODATA: the type bitmap, and that the type asked is not in it', async () => {
    const text = await denialText('nodata')
    expect(text).toContain('www.nodata.lab.test. exists but has no TXT record')
    expect(text).toContain('type bitmap')
    expect(text).toContain(`NSEC www.nodata.lab.test. -> ${
      nsecChain('nodata').get('www.nodata.lab.test.')}`)
  })

  it('a wildcard answer: why it is one, and the link that rules out a closer name', async () => {
    const text = await denialText('wildcard')
    expect(text).toContain('made from a wildcard (*)')
    expect(text).toContain('signature counts fewer labels than the name')
    expect(text).toContain(`NSEC *.w.wildcard.lab.test. -> ${
      nsecChain('wildcard').get('*.w.wildcard.lab.test.')}`)
  })

  it('NSEC3: says the chain links hashes of names', async () => {
    const text = await denialText('nxdomain')
    expect(text).toContain('nope.nxdomain.lab.test. does not exist')
    expect(text).toContain('hash of each name')
  })
})
