// A batch is a long job that gets killed: by the OOM killer, a reboot, a Ctrl-C. Run as a
// real process against the recorded lab on loopback, killed part way, its results file must
// hold only whole JSON lines, and --resume must complete it so that every name of the list
// is there exactly once.
import { execFileSync, spawn } from 'node:child_process'
import {
  appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Report } from '../../../src/analysis/types.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'

// The installed command itself, as a user runs it: `npm test` builds it first (scripts/test.sh
// runs the build), and this file builds it again if it is missing.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const bin = join(repo, 'dist', 'src', 'cli', 'bin.js')

const manifest = readManifest()
const tmp = mkdtempSync(join(tmpdir(), 'batch-kill-'))
// Many names the lab's root has no answer for (each a quick check that ends indeterminate),
// so that the run lasts long enough to be killed in the middle, then the lab's scenarios.
const names = [...Array.from({ length: 1200 }, (_, i) => `n${i}.rsa.lab.test. A`),
  ...scenarioZones(manifest).map((z) => `${z.scenario.query} ${z.scenario.type}`)]
const listFile = join(tmp, 'list.txt')
writeFileSync(listFile, `${names.join('\n')}\n`)
const keyOf = (r: Report): string => `${r.query.name.toLowerCase()} ${r.query.type}`
const wanted = names.map((n) => {
  const [name = '', type = ''] = n.split(' ')
  return `${name.toLowerCase().replace(/\.?$/, '.')} ${type}`
}).sort()

let server: Awaited<ReturnType<typeof startReplayServer>>
beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  server = await startReplayServer(labRecordings())
})
afterAll(async () => { await server.close() })

interface Ended { code: number | null; signal: NodeJS.Signals | null; err: string }

/** Starts the batch; `until` is called as the results file grows and may signal the child. */
function start(out: string, extra: string[], until?: (lines: number, kill: (s: NodeJS.Signals)
  => void) => void): Promise<Ended> {
  const child = spawn(process.execPath, [bin, 'batch', listFile, '--out', out,
    '--allow-net', '127.0.0.0/8', '--root-hints', manifest.rootServers.join(','),
    '--port', String(server.port), '--trust-anchor', join(labDir(), 'trust-anchor.xml'),
    '--timeout', '1000', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const poll = until === undefined ? null : setInterval(() => {
    let text = ''
    try { text = readFileSync(out, 'utf8') } catch { return }
    until(text.split('\n').length - 1, (s) => { child.kill(s) })
  }, 5)
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (poll !== null) clearInterval(poll)
      resolve({ code, signal, err })
    })
  })
}

/** Every newline-ended line of the file, parsed; throws on a line that is not whole JSON. */
function wholeLines(path: string): { reports: Report[]; tail: string } {
  const text = readFileSync(path, 'utf8')
  const end = text.lastIndexOf('\n') + 1
  return { reports: text.slice(0, end).split('\n').slice(0, -1)
    .map((l) => JSON.parse(l) as Report), tail: text.slice(end) }
}

describe('a batch killed part way', () => {
  it('leaves whole lines after SIGKILL, and --resume completes the list once', async () => {
    const out = join(tmp, 'killed.jsonl')
    let killed = false
    const first = await start(out, ['--concurrency', '2'], (lines, kill) => {
      if (lines >= 40 && !killed) { killed = true; kill('SIGKILL') }
    })
    expect(first.signal).toBe('SIGKILL')
    const before = wholeLines(out)
    expect(before.reports.length).toBeGreaterThanOrEqual(40)
    expect(before.reports.length).toBeLessThan(names.length)
    expect(before.reports.every((r) => r.schema === 'dnssec-doctor/report/1')).toBe(true)
    // A kill in the middle of write(2) can leave part of a line; make sure there is one, so
    // that --resume is seen to cut it away rather than glue the next line to it.
    appendFileSync(out, before.tail === '' ? '{"schema":"dnssec-doctor/rep' : '')
    const cutAt = statSync(out).size

    const second = await start(out, ['--resume', '--concurrency', '8'])
    expect(second.err).toMatch(/removed an unfinished last line/)
    expect(second.err).toMatch(new RegExp(`skipped ${before.reports.length} already done`))
    // The scenarios at the end of the list, left for the resumed run, include bogus ones.
    expect(second.code).toBe(1)
    const after = wholeLines(out)
    expect(after.tail).toBe('')
    expect(statSync(out).size).toBeGreaterThan(cutAt)
    expect(after.reports.map(keyOf).sort()).toEqual(wanted)
  }, 60_000)

  it('on SIGTERM, finishes the checks in flight, says how to resume, and exits 143', async () => {
    const out = join(tmp, 'termed.jsonl')
    let sent = false
    const r = await start(out, ['--concurrency', '4'], (lines, kill) => {
      if (lines >= 20 && !sent) { sent = true; kill('SIGTERM') }
    })
    // 128 + 15, as a shell reports a process ended by SIGTERM.
    expect(r.code).toBe(143)
    expect(r.err).toMatch(/SIGTERM: no new names/)
    expect(r.err).toMatch(/interrupted by SIGTERM; run again with --resume/)
    const { reports, tail } = wholeLines(out)
    expect(tail).toBe('')
    expect(reports.length).toBeLessThan(names.length)
    expect(new Set(reports.map(keyOf)).size).toBe(reports.length)
  }, 60_000)
})
