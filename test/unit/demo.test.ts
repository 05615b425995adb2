// The demo's data path: responses recorded from the real lab servers, served again by the
// in-process replay server, walked over real loopback sockets. Each scenario must give the
// verdict, broken link and evidence the lab manifest (the signer's output) says.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { check } from '../../src/check.js'
import { labDir, labRecordings } from '../../src/cli/demo.js'
import { startReplayServer } from '../../src/lab/replay-server.js'
import { parseAllowNet } from '../../src/net/guard.js'
import { nameFromText } from '../../src/wire/name.js'
import { typeFromText } from '../../src/wire/text.js'
import { readManifest, scenarioZones } from '../lab/labinfo.js'
import { expectScenario } from '../support/expect-scenario.js'

const manifest = readManifest()
let server: Awaited<ReturnType<typeof startReplayServer>>

beforeAll(async () => {
  server = await startReplayServer(labRecordings())
})
afterAll(async () => {
  await server.close()
})

describe('the recorded lab, replayed', () => {
  it.each(scenarioZones(manifest).map((z) => [z.zone, z] as const))(
    '%s: verdict, broken link and evidence as designed',
    async (_zone, z) => {
      const anchors = loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date())
      const { report, capture } = await check(
        { name: nameFromText(z.scenario.query), type: typeFromText(z.scenario.type) ?? 1 },
        { anchors, guard: parseAllowNet('127.0.0.0/8'), authPort: server.port, timeoutMs: 1000,
          rootServers: manifest.rootServers.map((address) => ({ address, port: server.port })) })
      expectScenario(report, z)
      // The replay holds every question the walk asks: nothing went unanswered but what the
      // lab built to stay silent (the blackholes on 127.0.42.N, listed as the second server
      // of timeout and signer-stopped; no-tcp refuses TCP, replayed as silence).
      const silentByDesign = (e: { server: string; transport: string }) =>
        e.server.startsWith('127.0.42.')
        || (z.zone === 'no-tcp.lab.test.' && e.transport === 'tcp')
      expect(capture.exchanges.filter((e) => e.response === null && !silentByDesign(e)))
        .toEqual([])
      const dead = z.servers.find((x) => x.startsWith('127.0.42.'))
      if (dead !== undefined) {
        // Asked, and after its first silence not asked again in the same round of questions.
        const silent = capture.exchanges.filter((e) => e.server === dead)
        expect(silent.length).toBeGreaterThan(0)
        expect(silent.every((e) => e.response === null)).toBe(true)
      }
    },
  )
})
