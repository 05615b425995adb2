// `batch --format table` writes its whole output (the table and the summary) to stdout in one
// go at the end. docs/batch.md, "Exit codes": 3 when "the results could not be written (disk
// full, a closed pipe such as `| head -1`)". JSON lines and CSV keep that promise; the table
// does not: a failed write is lost, the run exits 1 (or 0) as if the table had been printed,
// and nothing is said on stderr.
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { readManifest } from '../../lab/labinfo.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const bin = join(repo, 'dist', 'src', 'cli', 'bin.js')
const manifest = readManifest()
const tmp = mkdtempSync(join(tmpdir(), 'batch2-table-'))
const list = join(tmp, 'list.txt')

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  server = await startReplayServer(labRecordings())
  // A bogus name among them: a run whose table was written would exit 1.
  writeFileSync(list, 'rsa.lab.test\nexpired.lab.test\nds-mismatch.lab.test\n')
})
afterAll(async () => { await server.close() })

interface Ended { code: number | null; err: string }

function tableRun(stdout: number | 'pipe'): Promise<Ended> {
  const child = spawn(process.execPath, [bin, 'batch', list, '--format', 'table',
    '--allow-net', '127.0.0.0/8', '--resolvers', 'none',
    '--root-hints', manifest.rootServers.join(','), '--port', String(server.port),
    '--trust-anchor', join(labDir(), 'trust-anchor.xml'), '--timeout', '1000'],
  { stdio: ['ignore', stdout, 'pipe'] })
  // A reader that went away before anything was written: `| head -0`, a closed pipe.
  child.stdout?.destroy()
  let err = ''
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
  return new Promise((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, err }) })
  })
}

describe('batch --format table when stdout cannot be written', () => {
  it('exits 3 and says why when stdout is a full disk (/dev/full)', async () => {
    const fd = openSync('/dev/full', 'w')
    let r: Ended
    try {
      r = await tableRun(fd)
    } finally {
      closeSync(fd)
    }
    // Today: exit 1 and an empty stderr; the table and summary vanished.
    expect(r.err).toMatch(/ENOSPC|no space/i)
    expect(r.code).toBe(3)
  })

  it('exits 3 when the reader of stdout has gone (a closed pipe)', async () => {
    const r = await tableRun('pipe')
    expect(r.code).toBe(3)
  })
})
