// Progress on stderr: one line redrawn in place on a terminal, a plain line every 10 s or
// every 1000 names elsewhere; done/total, rate and ETA when the total is known.
import { describe, expect, it } from 'vitest'
import { Progress, progressLine } from '../../../src/batch/progress.js'
import { newTally } from '../../../src/batch/summary.js'
import type { Tally } from '../../../src/batch/summary.js'

function tally(secure: number, bogus = 0): Tally {
  const t = newTally()
  t.status.secure = secure
  t.status.bogus = bogus
  return t
}

describe('progressLine', () => {
  it('gives done out of total, the rate and the time left at that rate', () => {
    // 100 names in 10 s is 10/s; 900 left take 90 s.
    expect(progressLine(tally(90, 10), { total: 1000, elapsedMs: 10_000 })).toBe(
      '100/1000 names, 10.0/s, ETA 1m30s; secure 90, insecure 0, bogus 10, indeterminate 0')
  })

  it('gives done alone and no ETA when the total is unknown (stdin)', () => {
    expect(progressLine(tally(5), { total: null, elapsedMs: 2000 })).toBe(
      '5 names, 2.5/s; secure 5, insecure 0, bogus 0, indeterminate 0')
  })
})

describe('Progress', () => {
  it('without a terminal, prints a plain line after 1000 names', () => {
    const out: string[] = []
    let now = 0
    const p = new Progress({ write: (s) => { out.push(s) }, tty: false, now: () => now })
    now = 1000
    p.update(tally(999), null)
    expect(out).toEqual([])
    p.update(tally(1000), null)
    expect(out).toEqual(['progress: 1000 names, 1000.0/s; secure 1000, insecure 0, bogus 0, '
      + 'indeterminate 0\n'])
  })

  it('without a terminal, prints a plain line after 10 s however few names', () => {
    const out: string[] = []
    let now = 0
    const p = new Progress({ write: (s) => { out.push(s) }, tty: false, now: () => now })
    now = 9_999
    p.update(tally(3), null)
    expect(out.length).toBe(0)
    now = 10_000
    p.update(tally(3), null)
    expect(out.length).toBe(1)
  })

  it('on a terminal, redraws one line in place and clears it for a message', () => {
    const out: string[] = []
    let now = 0
    const p = new Progress({ write: (s) => { out.push(s) }, tty: true, now: () => now })
    now = 300
    p.update(tally(1), 10)
    expect(out[0]).toMatch(/^\r1\/10 names, .*\u001b\[K$/)
    expect(out[0]).not.toMatch(/\n/)
    p.note('dnssec-doctor: list.txt:3: bad line')
    expect(out.slice(1)).toEqual(['\r\u001b[K', 'dnssec-doctor: list.txt:3: bad line\n'])
  })
})
