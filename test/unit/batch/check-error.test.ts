// A check that throws inside a batch (a bug, not a DNS problem) still gets its results line:
// status "error" with the message, in every format, and --resume takes it as done.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dropPartialLine } from '../../../src/batch/resume.js'
import { nameToText } from '../../../src/wire/name.js'
import { runBatch, startReplayLab, type ReplayLab } from '../../support/replay-lab.js'

const BOOM = 'simulated analysis bug'
// The real check, except for one name, whose check throws as a bug in the analysis would.
vi.mock('../../../src/check.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/check.js')>()
  return { ...real, check: async (...args: Parameters<typeof real.check>) => {
    if (nameToText(args[0].name) === 'rsa.lab.test.') throw new Error(BOOM)
    return real.check(...args)
  } }
})

const tmp = mkdtempSync(join(tmpdir(), 'batch-err-'))
let lab: ReplayLab
let labArgs: string[]

beforeAll(async () => {
  lab = await startReplayLab()
  labArgs = lab.args
})
afterAll(async () => { await lab.close() })

const batch = runBatch

const LIST = 'rsa.lab.test A\nds-stale.lab.test A\n'

describe('a check that throws inside a batch', () => {
  it('gets a JSON line with status error and the message; the others go on', async () => {
    const r = await batch(['batch', '-', ...labArgs], LIST)
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(2)
    expect(lines.find((l) => l.schema === 'dnssec-doctor/batch-error/1')).toEqual({
      schema: 'dnssec-doctor/batch-error/1', query: { name: 'rsa.lab.test.', type: 'A' },
      status: 'error', error: BOOM })
    const other = lines.find((l) => l.schema === 'dnssec-doctor/report/1')
    expect(other?.status).toBe('bogus')
    expect(r.err).toMatch(new RegExp(`rsa\\.lab\\.test\\. A: the check failed: ${BOOM}`))
    expect(r.err).toMatch(/^status: .*error 1$/m)
    // The other name is bogus: a problem, exit 1.
    expect(r.code).toBe(1)
  })

  it('gets a CSV record with status error and the message', async () => {
    const r = await batch(['batch', '-', '--format', 'csv', ...labArgs], LIST)
    expect(r.out.split('\r\n')).toContain(`rsa.lab.test.,A,error,,,,${BOOM}`)
  })

  it('gets a table row with status error', async () => {
    const r = await batch(['batch', '-', '--format', 'table', ...labArgs], LIST)
    expect(r.out).toMatch(/rsa\.lab\.test\.\s*│\s*A\s*│\s*error\s*│/)
  })

  it('is taken as done by --resume, so no name is written twice', async () => {
    const out = join(tmp, 'resume.jsonl')
    writeFileSync(join(tmp, 'list.txt'), LIST)
    await batch(['batch', join(tmp, 'list.txt'), '--out', out, ...labArgs], '')
    const again = await batch(['batch', join(tmp, 'list.txt'), '--out', out, '--resume',
      ...labArgs], '')
    expect(again.err).toMatch(/2 already done/)
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(2)
  })

  it('leaves a line that --resume cuts back when a kill left it unfinished', () => {
    const path = join(tmp, 'cut.jsonl')
    const whole = '{"schema":"dnssec-doctor/batch-error/1","query":{"name":"a.","type":"A"}}\n'
    const cut = '{"schema":"dnssec-doctor/batch-error/1","query":{"na'
    writeFileSync(path, `${whole}${cut}`)
    expect(dropPartialLine(path)).toBe(Buffer.byteLength(cut))
    expect(readFileSync(path, 'utf8')).toBe(whole)
  })
})
