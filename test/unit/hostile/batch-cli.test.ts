// Hostile inputs to `dnssec-doctor batch`, run as the built command against the recorded lab
// on loopback: every failure must be one clear line and the exit code docs/batch.md gives,
// and --resume must never destroy a file that is not a results file.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
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
const tmp = mkdtempSync(join(tmpdir(), 'batch-hostile-'))
const STACK = /^\s+at .+\(.*:\d+:\d+\)$|RangeError|TypeError|node:internal/m

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  server = await startReplayServer(labRecordings())
})
afterAll(async () => { await server.close() })

interface Ended { code: number | null; out: string; err: string }

function batch(args: string[], stdin = ''): Promise<Ended> {
  const child = spawn(process.execPath, [bin, 'batch', ...args,
    '--allow-net', '127.0.0.0/8', '--root-hints', manifest.rootServers.join(','),
    '--port', String(server.port), '--trust-anchor', join(labDir(), 'trust-anchor.xml'),
    '--timeout', '1000'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  child.stdin.end(stdin)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
  return new Promise((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err }) })
  })
}

describe('batch: the list', () => {
  it('a list with no line break at all (/dev/zero) is refused with one line, not a crash', async () => {
    // Today: readline grows one string until V8 refuses it; a RangeError stack trace and
    // exit 1, the code that means "a DNSSEC problem was found".
    const r = await batch(['/dev/zero', '--quiet'])
    expect(r.err).not.toMatch(STACK)
    expect(r.code).toBe(2)
    // Which line, as for every other bad line of a list.
    expect(r.err).toMatch(/line 1 of the list/)
  }, 60_000)

  it('a list that exists but cannot be opened (a UNIX socket) exits 2, as an unreadable list', async () => {
    const path = join(tmp, 'sock')
    const sock: Server = createServer()
    await new Promise<void>((resolve) => { sock.listen(path, resolve) })
    try {
      const r = await batch([path, '--quiet'])
      // docs/batch.md: 2 = bad usage (... an unreadable list ...). Today: ENXIO and exit 3.
      expect(r.code).toBe(2)
    } finally {
      sock.close()
    }
  })

  it('an empty list (no line is a name) exits 2, not 0', async () => {
    const list = join(tmp, 'empty.txt')
    writeFileSync(list, '# nothing here yet\n\n')
    const r = await batch([list, '--quiet'])
    // docs/batch.md: 2 when "no line of the list was a name". Today: 0, "nothing wrong".
    expect(r.code).toBe(2)
  })
})

describe('batch: names with escaped characters', () => {
  it('checks a\\,b.rsa.lab.test. (an escaped comma) and writes its line', async () => {
    // The list takes the name (check's own error message says to write "," as \044), but the
    // check itself then fails on the unescaped text of the name: no line is written for it.
    const r = await batch(['-', '--quiet'], 'a\\044b.rsa.lab.test.\nrsa.lab.test.\n')
    expect(r.err).not.toMatch(/the check failed/)
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { query: { name: string } })
    expect(lines).toHaveLength(2)
  })
})

describe('batch --resume on a file that is not a results file', () => {
  it('does not cut away the text of a file that has no JSON lines in it', async () => {
    const out = join(tmp, 'notes.txt')
    const precious = 'my notes, one long line without a final newline'
    writeFileSync(out, precious)
    await batch(['-', '--out', out, '--resume', '--quiet'], 'rsa.lab.test.\n')
    // Today: "removed an unfinished last line (47 bytes)" and the notes are gone.
    expect(readFileSync(out, 'utf8').startsWith(precious)).toBe(true)
  })
})

describe('batch: conflicting output options', () => {
  it('refuses --out naming the list itself, leaving the list as it was', async () => {
    const list = join(tmp, 'same.txt')
    writeFileSync(list, 'rsa.lab.test.\n')
    const r = await batch([list, '--out', list, '--quiet'])
    expect(r.code).toBe(2)
    expect(readFileSync(list, 'utf8')).toBe('rsa.lab.test.\n')
  })

  it('refuses --json together with --format csv', async () => {
    const list = join(tmp, 'one.txt')
    writeFileSync(list, 'rsa.lab.test.\n')
    const r = await batch([list, '--format', 'csv', '--json', '--quiet'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/two formats/)
  })
})
