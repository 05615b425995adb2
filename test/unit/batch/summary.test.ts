// The summary at the end of a batch, and its exit code: 1 when any name has a problem by
// `check`'s rule (exitCodeFor), 3 when every name was undecided, 2 when no line was a name.
import { describe, expect, it } from 'vitest'
import type { Report, Status } from '../../../src/analysis/types.js'
import {
  addFailure, addReport, batchExitCode, newTally, renderSummary, topCodes,
} from '../../../src/batch/summary.js'
import type { Tally } from '../../../src/batch/summary.js'
import { exitCodeFor } from '../../../src/cli/main.js'
import type { Finding, FindingCode, Severity } from '../../../src/findings.js'

function fake(name: string, status: Status, findings: [FindingCode, Severity][] = []): Report {
  const f: Finding[] = findings.map(([code, severity]) => ({ code, severity, zone: name,
    party: 'dns-host', message: code, advice: '' }))
  return { schema: 'dnssec-doctor/report/1', query: { name, type: 'A' }, at: '', status,
    brokenLink: null, insecureAt: null, undecidedAt: null, findings: f, chain: [], answers: [],
    trustAnchor: '', resolvers: [], conclusion: null }
}
function tallyOf(list: [Report, number][]): Tally {
  const t = newTally()
  for (const [r, ms] of list) addReport(t, r, { ms, problem: exitCodeFor(r) === 1 })
  return t
}

describe('the tally', () => {
  it('counts statuses, finding codes once per name, and keeps the five slowest', () => {
    const t = tallyOf([
      [fake('a.', 'secure'), 10],
      [fake('b.', 'bogus', [['RRSIG_EXPIRED', 'error'], ['RRSIG_EXPIRED', 'error']]), 70],
      [fake('c.', 'bogus', [['RRSIG_EXPIRED', 'error'], ['NS_INCONSISTENT', 'warning']]), 30],
      [fake('d.', 'insecure'), 50],
      [fake('e.', 'indeterminate', [['NS_UNREACHABLE', 'error']]), 90],
      [fake('f.', 'secure'), 20],
      [fake('g.', 'secure'), 60],
    ])
    expect(t.status).toEqual({ secure: 3, insecure: 1, bogus: 2, indeterminate: 1, error: 0 })
    expect(topCodes(t)).toEqual([['RRSIG_EXPIRED', 2], ['NS_INCONSISTENT', 1],
      ['NS_UNREACHABLE', 1]])
    expect(t.slowest.map((s) => s.name)).toEqual(['e.', 'b.', 'g.', 'd.', 'c.'])
  })

  it('keeps the ten most frequent codes, most frequent first', () => {
    const codes: FindingCode[] = ['DS_DIGEST_MISMATCH', 'DS_NO_MATCHING_DNSKEY',
      'DNSKEY_MISSING', 'DNSKEY_NOT_SIGNED_BY_DS_KEY', 'RRSIG_MISSING', 'RRSIG_EXPIRED',
      'RRSIG_NOT_YET_VALID', 'RRSIG_INVALID', 'RRSIG_NO_MATCHING_DNSKEY', 'NS_UNREACHABLE',
      'NS_INCONSISTENT', 'QUERY_BLOCKED']
    // Code i appears on i + 1 names: the two least frequent drop out.
    const t = tallyOf(codes.flatMap((c, i) => Array.from({ length: i + 1 }, (_, j) =>
      [fake(`n${i}-${j}.`, 'bogus', [[c, 'error']]), 1] as [Report, number])))
    const top = topCodes(t)
    expect(top.length).toBe(10)
    expect(top[0]).toEqual(['QUERY_BLOCKED', 12])
    expect(top.map(([c]) => c)).not.toContain('DS_DIGEST_MISMATCH')
    expect(top.map(([c]) => c)).not.toContain('DS_NO_MATCHING_DNSKEY')
  })
})

describe('batchExitCode', () => {
  it('is 1 when one name is bogus among secure ones', () => {
    expect(batchExitCode(tallyOf([[fake('a.', 'secure'), 1], [fake('b.', 'bogus'), 1]])))
      .toBe(1)
  })

  it('is 1 for a secure name with a warning, as check says', () => {
    expect(batchExitCode(tallyOf([[fake('a.', 'secure', [['NS_INCONSISTENT', 'warning']]),
      1]]))).toBe(1)
  })

  it('is 0 for a secure name whose only warning is a query --allow-net stopped', () => {
    expect(batchExitCode(tallyOf([[fake('a.', 'secure', [['QUERY_BLOCKED', 'warning']]), 1],
      [fake('b.', 'insecure'), 1]]))).toBe(0)
  })

  it('is 3 when every name was undecided, failed checks included', () => {
    const t = tallyOf([[fake('a.', 'indeterminate'), 1]])
    addFailure(t, { name: 'b.', type: 'A', ms: 1 })
    expect(batchExitCode(t)).toBe(3)
  })

  it('is 0 when some names were undecided and none had a problem', () => {
    expect(batchExitCode(tallyOf([[fake('a.', 'indeterminate'), 1],
      [fake('b.', 'secure'), 1]]))).toBe(0)
  })

  it('is 2 when no line of the list was a name', () => {
    const t = newTally()
    t.badLines = 3
    expect(batchExitCode(t)).toBe(2)
  })

  it('is 0 when a resumed run had nothing left to do', () => {
    const t = newTally()
    t.resumed = 5
    expect(batchExitCode(t)).toBe(0)
  })
})

describe('renderSummary', () => {
  it('gives the counts, the codes and the slowest names', () => {
    const t = tallyOf([[fake('slow.example.', 'bogus', [['RRSIG_EXPIRED', 'error']]), 12_345],
      [fake('fast.example.', 'secure'), 40]])
    t.duplicates = 1
    t.badLines = 2
    const text = renderSummary(t, { elapsedMs: 4000 })
    expect(text).toMatch(/^checked 2 names in 4s \(0\.5\/s\); skipped 2 bad lines, 1 duplicate$/m)
    expect(text).toMatch(/^status: secure 1, insecure 0, bogus 1, indeterminate 0$/m)
    expect(text).toMatch(/^with a problem: 1$/m)
    expect(text).toMatch(/^ {2}RRSIG_EXPIRED {2}1$/m)
    expect(text).toMatch(/12\.3 s {2}slow\.example\. A\n.*40 ms {2}fast\.example\. A/)
  })

  it('says when the run was interrupted', () => {
    expect(renderSummary(newTally(), { elapsedMs: 0, interrupted: 'interrupted by SIGINT' }))
      .toMatch(/^interrupted by SIGINT$/m)
  })
})
