// Worker threads (src/batch/engine.ts) give every name the outcome the main thread gives it.
// Workers load the built worker.js, so this runs the built engine (dist/, built if missing, as
// kill-resume.test.ts does) against the recorded lab, and compares it with the in-thread run
// of the same build: the verdicts come from the lab's manifest, not from either run.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Engine from '../../../src/batch/engine.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { parseRecordType } from '../../../src/cli/input.js'
import { nameFromText } from '../../../src/wire/name.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const built = join(repo, 'dist', 'src', 'batch', 'engine.js')
const manifest = readManifest()
const scenarios = scenarioZones(manifest).map((z) => z.scenario)
let server: Awaited<ReturnType<typeof startReplayServer>>
let engine: typeof Engine

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'src', 'batch', 'worker.js'))) {
    execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  }
  engine = await import(pathToFileURL(built).href) as typeof Engine
  server = await startReplayServer(labRecordings())
}, 120_000)
afterAll(async () => { await server.close() })

function spec(): Engine.EngineSpec {
  return { format: 'jsonl', perServer: 4, share: 1, countServers: false, check: {
    trustAnchor: join(labDir(), 'trust-anchor.xml'), at: null, allowNet: '127.0.0.0/8',
    rootHints: manifest.rootServers.join(','), port: server.port, timeoutMs: 1000,
    ipv6: false, thorough: false, resolvers: false, warnDays: 7 } }
}

async function runAll(workers: number): Promise<{ workers: number; got: Map<string,
  Engine.Outcome> }> {
  const ex = engine.createExecutor(spec(), { workers, concurrency: 8 })
  const outcomes = await Promise.all(scenarios.map((s) => ex.run({ name: nameFromText(s.query),
    type: parseRecordType(s.type) })))
  await ex.close()
  return { workers: ex.workers, got: new Map(outcomes.map((o) => [`${o.name} ${o.type}`, o])) }
}

describe('batch worker threads', () => {
  it('runs on two workers and gives each scenario its designed verdict, as in one thread',
    async () => {
      const two = await runAll(2)
      const one = await runAll(0)
      expect([two.workers, one.workers]).toEqual([2, 0])
      for (const s of scenarios) {
        const key = [...two.got.keys()].find((k) => k.startsWith(`${s.query} `)) ?? ''
        const w = two.got.get(key)
        const m = one.got.get(key)
        expect([s.query, w?.status, w?.error]).toEqual([s.query, s.expect.status, null])
        if (s.expect.code !== null) expect([s.query, w?.code]).toEqual([s.query, s.expect.code])
        // Same outcome either way; the report's time of judgement aside.
        const strip = (t: string | undefined): string => (t ?? '').replace(/"at":"[^"]*"/, '')
        expect(strip(w?.text)).toBe(strip(m?.text))
        expect(w?.codes).toEqual(m?.codes)
      }
    })
})
