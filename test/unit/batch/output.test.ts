// What a batch writes per name. JSON lines are the `check --json` report, one per line; CSV
// follows RFC 4180 (checked against its section 2 and read back by Python's csv module, an
// independent parser); the row's code, zone and server come from the lab manifest, which
// records what each scenario was built to break.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Report } from '../../../src/analysis/types.js'
import {
  CSV_HEADER, csvField, csvLine, csvRecord, headline, jsonLine, LineFile, renderResultTable,
  tableRow,
} from '../../../src/batch/output.js'
import { captureAnchors, readCapture, replay } from '../../../src/check.js'
import { labDir } from '../../../src/cli/demo.js'
import { render } from '../../../src/cli/main.js'

const reports = new Map<string, Report>()
beforeAll(async () => {
  for (const n of ['ds-stale', 'stale', 'insecure', 'rsa']) {
    const c = readCapture(join(labDir(), 'recordings', `${n}.json`))
    reports.set(n, await replay(c, { anchors: captureAnchors(c) }))
  }
})
const report = (n: string): Report => {
  const r = reports.get(n)
  if (r === undefined) throw new Error(`no report ${n}`)
  return r
}

/** Python's csv module reads our text back into rows of fields. */
function pythonCsv(text: string): string[][] {
  const out = execFileSync('python3', ['-c', 'import csv, io, json, sys\n'
    + 'print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline=""), '
    + 'strict=True))))'], { input: text, encoding: 'utf8' })
  return JSON.parse(out) as string[][]
}

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain text', 'abc', 'abc'],
    ['a comma', 'a,b', '"a,b"'],
    ['a double quote, doubled inside quotes', 'b"bb', '"b""bb"'],
    ['a line feed', 'a\nb', '"a\nb"'],
    ['a carriage return', 'a\rb', '"a\rb"'],
    ['an empty field', '', ''],
  ])('quotes a field with %s as section 2 says', (_what, value, quoted) => {
    expect(csvField(value)).toBe(quoted)
  })

  it('ends each record with CRLF (section 2, rule 1)', () => {
    expect(csvRecord(['aaa', 'b"bb', 'ccc'])).toBe('aaa,"b""bb",ccc\r\n')
  })

  it('reads back field for field in an independent parser', () => {
    const fields = ['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', '', 'plain', ' spaced ']
    expect(pythonCsv(CSV_HEADER + csvRecord(fields)))
      .toEqual([['name', 'type', 'status', 'code', 'zone', 'servers', 'message'], fields])
  })

  // OWASP "CSV Injection": a cell beginning with =, +, -, @, tab or CR is run as a formula
  // by spreadsheets; the advised defence is a leading apostrophe, which they show as text.
  it.each([
    ['a minus', '-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['an equals sign', '=1+1', "'=1+1"],
    ['a plus', '+1', "'+1"],
    ['an at sign', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab', '\t=1', "'\t=1"],
    ['a carriage return', '\r=1', '"\'\r=1"'],
    ['a name beginning with a hyphen', '-bad.example.', "'-bad.example."],
  ])('neutralises a cell beginning with %s', (_what, value, safe) => {
    expect(csvField(value)).toBe(safe)
    // Read back by an independent parser, the cell no longer begins with a formula character.
    const cell = pythonCsv(csvRecord([value]))[0]?.[0] ?? ''
    expect(cell).toBe(`'${value}`)
    expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('leaves a hyphen inside a cell alone', () => {
    expect(csvField('a-b.example.')).toBe('a-b.example.')
  })

  it('gives a bogus name its broken link: code, zone and the server at fault', () => {
    const rows = pythonCsv(csvLine(report('ds-stale')) + csvLine(report('stale')))
    expect(rows.map((r) => r.slice(0, 6))).toEqual([
      ['ds-stale.lab.test.', 'A', 'bogus', 'DS_NO_MATCHING_DNSKEY', 'ds-stale.lab.test.',
        '127.0.40.7'],
      ['stale.lab.test.', 'A', 'bogus', 'RRSIG_EXPIRED', 'stale.lab.test.', '127.0.41.13'],
    ])
    expect(rows[0]?.[6]).toMatch(/DS at lab\.test\./)
  })

  it('gives an insecure name the zone where the chain ends, and a secure name nothing', () => {
    const rows = pythonCsv(csvLine(report('insecure')) + csvLine(report('rsa')))
    expect(rows[0]?.slice(0, 5)).toEqual(['insecure.lab.test.', 'A', 'insecure', '',
      'insecure.lab.test.'])
    expect(rows[1]).toEqual(['rsa.lab.test.', 'A', 'secure', '', '', '', ''])
  })
})

describe('JSON lines', () => {
  it('writes the check --json report object on one line', () => {
    const r = report('stale')
    const line = jsonLine(r)
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/)
    expect(JSON.parse(line)).toEqual(JSON.parse(render(r, 'json')))
  })

  it('is byte for byte what JSON.stringify makes, when its zone entries are reused', () => {
    for (const n of ['ds-stale', 'stale', 'insecure', 'rsa']) {
      const r = report(n)
      expect(jsonLine(r)).toBe(`${JSON.stringify(r)}\n`)
      // A second report sharing the same zone entries (as names under one zone do in a batch)
      // reuses their text, and must still read as its own report.
      const other = { ...r, query: { name: `other.${r.query.name}`, type: 'TXT' } }
      expect(jsonLine(other)).toBe(`${JSON.stringify(other)}\n`)
    }
  })
})

describe('headline', () => {
  it('prefers the broken link over other findings', () => {
    // stale.lab.test.'s two servers serve different copies (lab/manifest.json), which is
    // NS_INCONSISTENT (docs/architecture.md, Analysis step 3) beside the broken link.
    const r = report('stale')
    expect(r.findings.map((f) => f.code)).toContain('NS_INCONSISTENT')
    expect(headline(r).code).toBe('RRSIG_EXPIRED')
  })
})

describe('the table', () => {
  it('lists names in input order, whatever order their checks ended in', () => {
    const text = renderResultTable([tableRow(9, report('rsa'), 1200),
      tableRow(2, report('ds-stale'), 300)])
    expect(text.indexOf('ds-stale.lab.test.')).toBeLessThan(text.indexOf('rsa.lab.test.'))
    expect(text).toMatch(/DS_NO_MATCHING_DNSKEY/)
    expect(text).toMatch(/1\.2/)
  })
})

describe('LineFile', () => {
  it('appends whole lines to what is there and says whether the file was empty', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'batch-out-')), 'r.jsonl')
    const first = LineFile.open(path)
    first.write('one\n')
    first.close()
    const second = LineFile.open(path)
    second.write('two\n')
    second.close()
    expect([first.startedEmpty, second.startedEmpty]).toEqual([true, false])
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n')
  })

  it('writes a line of several hundred kilobytes whole', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'batch-out-')), 'big.jsonl')
    writeFileSync(path, '')
    const f = LineFile.open(path)
    const big = `${'x'.repeat(700_000)}\n`
    f.write(big)
    f.close()
    expect(readFileSync(path, 'utf8')).toBe(big)
  })
})
