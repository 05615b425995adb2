// What a batch run shares across names (issue 4): zones above the names are fetched and judged
// once, so a healthy name under known parents costs three queries, the DS coming with the
// referral, the DNSKEY, the answer (RFC 4035 3.1.4: a signed parent's referral carries the DS).
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../../src/anchors.js'
import { check, newCheckSession } from '../../../src/check.js'
import type { CheckOptions } from '../../../src/check.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { parseAllowNet } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { typeFromText } from '../../../src/wire/text.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => { server = await startReplayServer(labRecordings()) })
afterAll(async () => { await server.close() })

function options(session = newCheckSession()): CheckOptions {
  return { anchors: loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date()),
    guard: parseAllowNet('127.0.0.0/8'), authPort: server.port, timeoutMs: 1000, session,
    rootServers: readManifest().rootServers.map((address) => ({ address, port: server.port })) }
}

const q = (name: string, type = 'A') =>
  ({ name: nameFromText(name), type: typeFromText(type) ?? 1 })

describe('a check session', () => {
  it('asks three questions for a healthy one-server zone once its parents are known', async () => {
    const opts = options()
    await check(q('ecdsa.lab.test'), opts) // learns the root, test. and lab.test.
    const rsa = readManifest().zones.find((z) => z.zone === 'rsa.lab.test.')
    expect(rsa?.servers).toHaveLength(1)
    const { report, capture } = await check(q('rsa.lab.test'), opts)
    expect(report.status).toBe('secure')
    expect(capture.exchanges.map((e) => `${e.qname} ${e.qtype}`).sort()).toEqual([
      'rsa.lab.test. 1', // at lab.test.'s server: the referral, with the DS; then the answer
      'rsa.lab.test. 1',
      'rsa.lab.test. 48', // the zone's DNSKEY
    ])
  })

  it('judges a shared zone once: later names reuse its verdict', async () => {
    const opts = options()
    const first = await check(q('ecdsa.lab.test'), opts)
    const second = await check(q('expired.lab.test'), opts)
    // The same verdict objects for ., test. and lab.test.: their signatures were not checked
    // again for the second name.
    for (const i of [0, 1, 2]) expect(second.report.chain[i]).toBe(first.report.chain[i])
    expect(second.report.status).toBe('bogus')
  })

  it('gives every lab scenario its designed verdict when the names share one session',
    async () => {
      const opts = options()
      for (const z of scenarioZones(readManifest())) {
        const { report } = await check(q(z.scenario.query, z.scenario.type), opts)
        expect([z.zone, report.status, report.brokenLink?.code ?? null])
          .toEqual([z.zone, z.scenario.expect.status, z.scenario.expect.code])
      }
    // Three scenarios wait out a server that never answers.
    }, 30_000)
})
