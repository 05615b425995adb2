// docs/batch.md: "a list of a million names runs in bounded memory"; what grows is the set of
// names seen, "roughly 100 bytes per distinct name". Run in-process against the recorded lab,
// the heap after a full collection must not grow by much more than that between the 8,000th
// and the 24,000th name (the session's caches are full long before the 8,000th).
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { batchCommand } from '../../../src/cli/batch.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { UsageError } from '../../../src/cli/input.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { readManifest } from '../../lab/labinfo.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const manifest = readManifest()

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => { server = await startReplayServer(labRecordings()) })
afterAll(async () => { await server.close() })

function* names(n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield `n${i}.rsa.lab.test.\n`
}

describe('batch memory over a long list', () => {
  it('keeps the heap near flat per name once the caches are full', async () => {
    const FIRST = 8_000
    const LAST = 24_000
    let lines = 0
    let atFirst = 0
    let atLast = 0
    const args = ['batch', '-', '--quiet', '--allow-net', '127.0.0.0/8',
      '--root-hints', manifest.rootServers.join(','), '--port', String(server.port),
      '--trust-anchor', join(labDir(), 'trust-anchor.xml'), '--timeout', '1000']
    await yargs(args).command(batchCommand({ setCode: () => undefined, io: {
      stdin: Readable.from(names(LAST)),
      stdout: () => {
        lines++
        if (lines === FIRST || lines === LAST) {
          gc()
          if (lines === FIRST) atFirst = process.memoryUsage().heapUsed
          else atLast = process.memoryUsage().heapUsed
        }
      },
      stderr: () => undefined, stderrIsTTY: false, signals: false,
      exit: (c) => { throw new Error(`exit ${c}`) },
    } })).strict().fail((msg, e) => { throw e ?? new UsageError(msg) }).parseAsync()
    expect(lines).toBe(LAST)
    const perName = (atLast - atFirst) / (LAST - FIRST)
    // 100 bytes per name as documented, with room to spare: 400.
    expect(perName).toBeLessThan(400)
  }, 120_000)
})
