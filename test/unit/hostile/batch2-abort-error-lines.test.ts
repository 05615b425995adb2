// A list that turns out to be unreadable half way (here a line of more than 1 MiB after the
// first names) ends the run with exit 2. With worker threads, the checks still in flight at
// that moment are cut off by stopping the workers, and each is written to the results file as
// a `dnssec-doctor/batch-error/1` line, "the worker thread exited (code 1)".
//
// docs/batch.md, "Output": the error status is for "a name whose check threw (an internal
// error, not a DNS problem)", and "--resume takes them as done, like any other line". These
// names were never checked, nothing threw: after the list is mended, "run the same command
// again ... and it carries on" (Resume) must check them, yet today --resume skips them for
// good, and the results keep a false error for a name that is fine. With --workers 0 the same
// run writes no line for them, and --resume checks them.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const bin = join(repo, 'dist', 'src', 'cli', 'bin.js')
const manifest = readManifest()
const tmp = mkdtempSync(join(tmpdir(), 'batch2-abort-'))
// Every lab scenario; a few (timeout, no-tcp, signer-stopped) take about 2 s with a 1 s
// timeout, so they are still in flight when the overlong line is read.
const names = scenarioZones(manifest).map((z) => `${z.scenario.query} ${z.scenario.type}`)

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  server = await startReplayServer(labRecordings())
})
afterAll(async () => { await server.close() })

function run(list: string, out: string, extra: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [bin, 'batch', list, '--out', out, '--quiet',
    '--workers', '2', ...extra, '--allow-net', '127.0.0.0/8', '--resolvers', 'none',
    '--root-hints', manifest.rootServers.join(','), '--port', String(server.port),
    '--trust-anchor', join(labDir(), 'trust-anchor.xml'), '--timeout', '1000'],
  { stdio: 'ignore' })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
  return new Promise((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve(code) })
  })
}

interface Line { schema: string; query: { name: string; type: string } }

describe('batch: a list that fails half way, with worker threads', () => {
  it('writes no error line for a check it cut off, so --resume checks that name', async () => {
    const broken = join(tmp, 'broken.txt')
    writeFileSync(broken, `${names.join('\n')}\n${'a'.repeat(2_000_000)}\n`)
    const out = join(tmp, 'r.jsonl')
    expect(await run(broken, out, [])).toBe(2)
    const first = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line)
    // Today: the slow names, as "the worker thread exited (code 1)".
    expect(first.filter((l) => l.schema !== 'dnssec-doctor/report/1')
      .map((l) => l.query.name)).toEqual([])

    // The list mended, the same command with --resume: every name ends with a report.
    const mended = join(tmp, 'mended.txt')
    writeFileSync(mended, `${names.join('\n')}\n`)
    expect(await run(mended, out, ['--resume'])).toBe(1)
    const all = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line)
    const reported = new Set(all.filter((l) => l.schema === 'dnssec-doctor/report/1')
      .map((l) => `${l.query.name} ${l.query.type}`))
    expect(names.filter((n) => !reported.has(n))).toEqual([])
  }, 60_000)
})
