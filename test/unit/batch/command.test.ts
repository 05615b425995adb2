// The batch command end to end, in-process, against the recorded lab served on loopback:
// every scenario of lab/manifest.json in one list must come out with the verdict and broken
// link the manifest records, once each, in JSON lines, CSV and the table.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Report } from '../../../src/analysis/types.js'
import { UsageError } from '../../../src/cli/input.js'
import { readManifest, scenarioZones } from '../../lab/labinfo.js'
import { runBatch, startReplayLab, type ReplayLab } from '../../support/replay-lab.js'

const manifest = readManifest()
const scenarios = scenarioZones(manifest).map((z) => ({ query: z.scenario.query,
  type: z.scenario.type, status: z.scenario.expect.status, code: z.scenario.expect.code,
  brokenZone: z.scenario.expect.brokenZone }))
const tmp = mkdtempSync(join(tmpdir(), 'batch-cmd-'))
let lab: ReplayLab
let labArgs: string[]

beforeAll(async () => {
  lab = await startReplayLab()
  labArgs = lab.args
})
afterAll(async () => { await lab.close() })

const batch = runBatch

const list = scenarios.map((s) => `${s.query} ${s.type}`).join('\n')

describe('batch over the recorded lab', () => {
  it('gives each scenario its designed verdict, as one check --json line each', async () => {
    // Duplicates (another case, no trailing dot) and a bad line on top of the scenarios.
    const input = `# lab\n${list}\nRSA.LAB.TEST A\nbad..name\nds-stale.lab.test\n`
    const r = await batch(['batch', '-', ...labArgs], input)
    const reports = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Report)
    expect(reports.map((x) => x.query.name).sort())
      .toEqual(scenarios.map((s) => s.query).sort())
    for (const s of scenarios) {
      const got = reports.find((x) => x.query.name === s.query)
      expect([s.query, got?.status, got?.brokenLink?.code ?? null,
        got?.brokenLink?.zone ?? null]).toEqual([s.query, s.status, s.code, s.brokenZone])
      expect(got?.schema).toBe('dnssec-doctor/report/1')
    }
    const badLine = scenarios.length + 3 // the comment, the scenarios, RSA.LAB.TEST, then it
    expect(r.err).toMatch(new RegExp(`^dnssec-doctor: stdin:${badLine}: .*empty label.*`
      + '\\(line skipped\\)$', 'm'))
    expect(r.err).toMatch(/skipped 1 bad line, 2 duplicates/)
    expect(r.err).toMatch(new RegExp(`^status: secure ${count('secure')}, insecure ${
      count('insecure')}, bogus ${count('bogus')}, indeterminate 0$`, 'm'))
    expect(r.code).toBe(1)
  })

  it('writes CSV with a header, one record per name', async () => {
    const path = join(tmp, 'list.txt')
    writeFileSync(path, `${list}\n`)
    const r = await batch(['batch', path, '--format', 'csv', '--concurrency', '3', ...labArgs])
    const rows = JSON.parse(execFileSync('python3', ['-c', 'import csv, io, json, sys\n'
      + 'print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))'],
    { input: r.out, encoding: 'utf8' })) as Record<string, string>[]
    expect(rows.length).toBe(scenarios.length)
    for (const s of scenarios) {
      const row = rows.find((x) => x.name === s.query)
      expect([s.query, row?.status, s.status === 'bogus' ? row?.code : null])
        .toEqual([s.query, s.status, s.code])
    }
  })

  it('prints the table and the summary on stdout at the end', async () => {
    const r = await batch(['batch', '-', '--format', 'table', ...labArgs],
      'ds-stale.lab.test\nrsa.lab.test\n')
    expect(r.out).toMatch(/ds-stale\.lab\.test\..*bogus.*DS_NO_MATCHING_DNSKEY/)
    expect(r.out).toMatch(/^status: secure 1, insecure 0, bogus 1, indeterminate 0$/m)
    expect(r.err).toBe('')
  })

  it('appends to --out and, with --resume, checks only the names not there yet', async () => {
    const out = join(tmp, 'results.jsonl')
    const half = scenarios.slice(0, 6).map((s) => `${s.query} ${s.type}`).join('\n')
    await batch(['batch', '-', '--out', out, '--quiet', ...labArgs], half)
    const r = await batch(['batch', '-', '--out', out, '--resume', ...labArgs], list)
    expect(r.err).toMatch(new RegExp(`^checked ${scenarios.length - 6} names .*; skipped 6 `
      + 'already done$', 'm'))
    const names = readFileSync(out, 'utf8').trimEnd().split('\n')
      .map((l) => (JSON.parse(l) as Report).query.name)
    expect(names.sort()).toEqual(scenarios.map((s) => s.query).sort())
  })

  it('with --quiet, writes results and nothing on stderr', async () => {
    const r = await batch(['batch', '-', '--quiet', ...labArgs], 'rsa.lab.test\n')
    expect(r.err).toBe('')
    expect(r.out.split('\n').length).toBe(2)
  })
})

function count(status: string): number {
  return scenarios.filter((s) => s.status === status).length
}

describe('batch usage errors', () => {
  it.each([
    ['--resume without --out', ['-', '--resume']],
    ['--resume with CSV', ['-', '--resume', '--out', join(tmp, 'x.csv'), '--format', 'csv']],
    ['a table into a file', ['-', '--format', 'table', '--out', join(tmp, 'x.txt')]],
    ['a format batch cannot write', ['-', '--format', 'yaml']],
    ['no names at once', ['-', '--concurrency', '0']],
    ['a fraction of a server', ['-', '--per-server', '1.5']],
    ['a list that does not exist', [join(tmp, 'missing.txt')]],
    ['a directory as the list', [tmp]],
    ['an --out in a missing directory', ['-', '--out', join(tmp, 'no', 'such.jsonl')]],
  ])('refuses %s', async (_what, args) => {
    await expect(batch(['batch', ...args, ...labArgs], 'rsa.lab.test\n'))
      .rejects.toBeInstanceOf(UsageError)
  })

  it('refuses main\'s text format, and defaults to JSON lines beside main\'s', async () => {
    await expect(batch(['batch', '-', '--format', 'text', ...labArgs], 'rsa.lab.test\n', true))
      .rejects.toThrow(/give jsonl, csv or table/)
    const r = await batch(['batch', '-', '--quiet', ...labArgs], 'rsa.lab.test\n', true)
    expect((JSON.parse(r.out) as Report).status).toBe('secure')
  })
})
