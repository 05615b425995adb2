// tester6: docs/batch.md ("Stopping", "Exit codes"): "A second Ctrl-C ends the process at
// once", killed by the signal (a shell reports 130), every line already written whole. With
// worker threads and 64 names in flight (the default), the second SIGINT used to call
// process.exit while the workers' pooled UDP sockets were still receiving answers, and Node
// 20.20 died in a worker with "FATAL ERROR: v8::FromJust Maybe value is Nothing"
// (node::UDPWrap::OnRecv during the worker's teardown), exit 134: 8 of 14 runs with the
// defaults, 0 of 12 with --concurrency 8. The lines written were whole either way.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startLab, type Lab } from './tester6-kit.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const bin = join(repo, 'dist', 'src', 'cli', 'bin.js')
const tmp = mkdtempSync(join(tmpdir(), 'tester6-sigint-'))
const list = join(tmp, 'list.txt')
let lab: Lab
/** Runs: the crash is a race, seen in about half of them. */
const RUNS = 10

beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', repo], { stdio: 'inherit' })
  lab = await startLab({ port: 20986, net: 186, tldAddresses: 3, kids: 90 })
  // Many names under each child: the run lasts long enough to be interrupted mid-way.
  writeFileSync(list, Array.from({ length: 20_000 }, (_, i) =>
    `h${i}.k${String((i % 90) + 1).padStart(2, '0')}.test.`).join('\n'))
}, 120_000)
afterAll(async () => { await lab.net.stop() })

interface Run { code: number | null; signal: NodeJS.Signals | null; err: string; out: string }

async function interruptTwice(n: number): Promise<Run> {
  const out = join(tmp, `out-${n}.jsonl`)
  const child = spawn(process.execPath, [bin, 'batch', list, '--out', out,
    '--allow-net', '127.0.0.0/8', '--resolvers', 'none', '--root-hints', lab.root,
    '--port', String(lab.port), '--trust-anchor', lab.anchorFile, '--timeout', '500',
    '--workers', '2'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const ended = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, err, out: existsSync(out) ? readFileSync(out, 'utf8') : '' })
    })
  })
  // Once some lines are written (the checks are in full flow), Ctrl-C twice.
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    if (existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 300) break
  }
  child.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 30 + 10 * n))
  child.kill('SIGINT')
  const kill = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
  const r = await ended
  clearTimeout(kill)
  return r
}

it('Ctrl-C twice in the middle of a long list at the default concurrency: exit 130, no '
  + 'native crash, every line whole, run after run', async () => {
  const got: string[] = []
  for (let n = 0; n < RUNS; n++) {
    const r = await interruptTwice(n)
    const lines = r.out.split('\n')
    // Whole lines: each parses, and the file ends with a line end.
    expect(r.out.endsWith('\n')).toBe(true)
    for (const l of lines.filter((x) => x !== '')) expect(() => JSON.parse(l)).not.toThrow()
    // Ended by the second SIGINT itself (the run had already wound down and let go of the
    // signal): a shell reports that as 130 too.
    const code = r.code ?? (r.signal === 'SIGINT' ? 130 : r.signal)
    got.push(`run ${n}: exit ${code}${/FATAL ERROR/.test(r.err)
      ? ' FATAL ERROR' : ''}`)
  }
  expect(got).toEqual(Array.from({ length: RUNS }, (_, n) => `run ${n}: exit 130`))
}, 300_000)
