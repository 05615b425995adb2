// A results file that fills up (a full disk; here a file size limit, `ulimit -f`, which makes
// write(2) stop at the same place: it writes what fits, then fails) must still hold only whole
// lines. docs/batch.md, "Exit codes": 3 when "the results could not be written (disk full, ...):
// every line written before is whole"; "Output": "each line goes to the file in one write",
// the only fragment allowed being a kill during that write. Today the line that did not fit is
// left half written at the end of the file: a JSON lines file ends in broken JSON, and a CSV
// file (which --resume cannot repair) ends in a record cut short.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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
const tmp = mkdtempSync(join(tmpdir(), 'batch2-full-'))
const list = join(tmp, 'list.txt')
/** ulimit -f counts 1024-byte blocks in sh: 20 KB, a few reports. */
const LIMIT_BLOCKS = 20

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  server = await startReplayServer(labRecordings())
  const names = ['rsa.lab.test', 'ecdsa.lab.test', 'ed25519.lab.test']
  for (let i = 0; i < 300; i++) names.push(`n${i}.rsa.lab.test`)
  writeFileSync(list, `${names.join('\n')}\n`)
})
afterAll(async () => { await server.close() })

function limitedRun(out: string, format: string): Promise<{ code: number | null; err: string }> {
  const args = [bin, 'batch', list, '--out', out, '--format', format, '--quiet',
    '--allow-net', '127.0.0.0/8', '--resolvers', 'none',
    '--root-hints', manifest.rootServers.join(','), '--port', String(server.port),
    '--trust-anchor', join(labDir(), 'trust-anchor.xml'), '--timeout', '1000']
  const child = spawn('sh', ['-c', `ulimit -f ${LIMIT_BLOCKS}; exec "$@"`, 'sh',
    process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
  return new Promise((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, err }) })
  })
}

describe('batch --out on a file that cannot grow', () => {
  it('JSON lines: exits 3 and leaves only whole lines', async () => {
    const out = join(tmp, 'r.jsonl')
    const r = await limitedRun(out, 'jsonl')
    expect(r.code).toBe(3)
    const text = readFileSync(out, 'utf8')
    expect(text.length).toBeGreaterThan(0)
    // Today: the file stops at exactly the limit, inside a report.
    expect(text.endsWith('\n')).toBe(true)
    for (const line of text.split('\n').filter((l) => l !== '')) {
      expect(() => JSON.parse(line) as unknown).not.toThrow()
    }
  }, 60_000)

  it('CSV: exits 3 and leaves only whole records (RFC 4180: each ends with CRLF)', async () => {
    const out = join(tmp, 'r.csv')
    const r = await limitedRun(out, 'csv')
    expect(r.code).toBe(3)
    const text = readFileSync(out, 'utf8')
    expect(text.startsWith('name,type,status,code,zone,servers,message\r\n')).toBe(true)
    expect(text.endsWith('\r\n')).toBe(true)
  }, 60_000)
})
