// --out must never be the list being read, even when the list comes on standard input from
// that very file, and --resume must not wait forever reading back a FIFO (found by a tester).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const bin = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'cli', 'bin.js')
const tmp = mkdtempSync(join(tmpdir(), 'batch-out-'))
// No query is ever sent: each run stops at its arguments. The root hint is loopback anyway.
const safe = ['--allow-net', '127.0.0.0/8', '--resolvers', 'none', '--root-hints', '127.0.0.9']

describe('batch --out guards', () => {
  it('refuses --out naming the file that standard input reads the list from', () => {
    const list = join(tmp, 'list.txt')
    writeFileSync(list, 'ecdsa.lab.test\n')
    const fd = openSync(list, 'r')
    const r = spawnSync(process.execPath, [bin, 'batch', '-', '--out', list, ...safe],
      { stdio: [fd, 'pipe', 'pipe'], timeout: 20_000 })
    closeSync(fd)
    expect(r.status).toBe(2)
    expect(r.stderr.toString()).toContain('is the list itself')
    expect(readFileSync(list, 'utf8')).toBe('ecdsa.lab.test\n')
  })

  it('refuses --resume with --out on a FIFO instead of waiting for a writer', () => {
    const fifo = join(tmp, 'fifo')
    execFileSync('mkfifo', [fifo])
    const list = join(tmp, 'list2.txt')
    writeFileSync(list, 'ecdsa.lab.test\n')
    const r = spawnSync(process.execPath, [bin, 'batch', list, '--out', fifo, '--resume', ...safe],
      { timeout: 20_000 })
    expect(r.status).toBe(2)
    expect(r.stderr.toString()).toContain('regular file')
  })
})
