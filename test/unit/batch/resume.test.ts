// --resume: a results file is cut back to its last whole line (a kill in mid-write must not
// glue the next line to a fragment), and the names it holds are not checked again.
import { Readable } from 'node:stream'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BadLine, BatchItem } from '../../../src/batch/input.js'
import { readBatchInput } from '../../../src/batch/input.js'
import { dropPartialLine, readDoneKeys } from '../../../src/batch/resume.js'
import { nameToText } from '../../../src/wire/name.js'

const dir = mkdtempSync(join(tmpdir(), 'batch-resume-'))
let n = 0
function file(text: string): string {
  const path = join(dir, `f${n++}.jsonl`)
  writeFileSync(path, text)
  return path
}
/** The smallest line readDoneKeys accepts: a report's query. */
const line = (name: string, type = 'A'): string =>
  `${JSON.stringify({ schema: 'dnssec-doctor/report/1', query: { name, type } })}\n`

describe('dropPartialLine', () => {
  // A report line begins as `check --json` does; a kill can leave any prefix of one.
  const cutReport = '{"schema":"dnssec-doctor/report/1","query":{"na'

  it('cuts an unfinished last line and says how many bytes went', () => {
    const path = file(`{"a":1}\n{"b":2}\n${cutReport}`)
    expect(dropPartialLine(path)).toBe(cutReport.length)
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n')
  })

  it('cuts a fragment shorter than the report\'s opening too', () => {
    const path = file('{"a":1}\n{"sch')
    expect(dropPartialLine(path)).toBe(5)
  })

  it('refuses, and changes nothing, when the tail is not the start of a report', () => {
    const path = file('{"a":1}\nmy notes')
    expect(() => dropPartialLine(path)).toThrow(/not a results file/)
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\nmy notes')
  })

  it('leaves a file that ends with a newline alone', () => {
    const path = file('{"a":1}\n')
    expect(dropPartialLine(path)).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n')
  })

  it('empties a file that holds only a fragment', () => {
    const path = file(cutReport)
    expect(dropPartialLine(path)).toBe(cutReport.length)
    expect(readFileSync(path, 'utf8')).toBe('')
  })

  it('finds the last newline further back than one read (64 KiB)', () => {
    const fragment = `${cutReport}${'x'.repeat(200_000)}`
    const path = file(`{"a":1}\n${fragment}`)
    expect(dropPartialLine(path)).toBe(fragment.length)
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n')
  })

  it('takes a missing file as empty', () => {
    expect(dropPartialLine(join(dir, 'missing.jsonl'))).toBe(0)
  })
})

describe('readDoneKeys', () => {
  it('skips on resume exactly the names and types the results hold', async () => {
    const path = file(line('a.example.') + line('b.example.', 'MX') + line('c.example.'))
    const done = await readDoneKeys(path)
    const items: BatchItem[] = []
    const skipped: number[] = []
    const list = 'A.example\nb.example\nb.example MX\nd.example\nc.example.\n'
    for await (const i of readBatchInput(Readable.from([list]), { skip: done,
      onSkip: (s, why) => { if (why === 'done') skipped.push(s.line) } })) items.push(i)
    expect(items.map((i) => `${i.line} ${nameToText(i.name)} ${i.type}`))
      .toEqual(['2 b.example. 1', '4 d.example. 1'])
    expect(skipped).toEqual([1, 3, 5])
  })

  it('reports a line that is not a report, with its number, and keeps the rest', async () => {
    const bad: BadLine[] = []
    const path = file(`${line('a.example.')}not json\n{"query":{"name":5}}\n`
      + line('b.example.'))
    const done = await readDoneKeys(path, { onBadLine: (b) => { bad.push(b) } })
    expect(done.size).toBe(2)
    expect(bad.map((b) => b.line)).toEqual([2, 3])
  })

  it('holds nothing for a results file that does not exist yet', async () => {
    expect((await readDoneKeys(join(dir, 'new.jsonl'))).size).toBe(0)
  })
})
