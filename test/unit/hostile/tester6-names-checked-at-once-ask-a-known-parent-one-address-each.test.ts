// tester6: docs/batch.md ("Politeness and speed"): a lean batch asks a parent that has
// referred before one address per name. At the default concurrency the first 64 names of a run
// are all in flight before the parent's first referral has come back; each used to ask all 13
// addresses (832 referral queries where one after the other the same names cost 13 + 63 =
// 76). Now they wait for the first name's exchange (src/probe/walker.ts firstContact).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CONCURRENCY, runBounded } from '../../../src/batch/runner.js'
import { nameFromText } from '../../../src/wire/name.js'
import { startLab, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20984, net: 184, tldAddresses: 13, kids: 64 })
})
afterAll(async () => { await lab.net.stop() })

const names = (): string[] => lab.kids.map((k) => `www.${k.name}`)
const tldReferrals = (): number =>
  lab.tld.reduce((sum, a) => sum + lab.asked(a, (n) => n !== 'test.'), 0)

describe('64 names under a 13-address TLD', () => {
  it('control: one after the other, 13 referral queries for the first name and one for '
    + 'each other', async () => {
    lab.log.length = 0
    const c = lab.checker({ timeoutMs: 1000 })
    try {
      for (const n of names()) {
        expect((await c.run({ name: nameFromText(n), type: 1 })).status, n).toBe('secure')
      }
    } finally {
      c.close()
    }
    expect(tldReferrals()).toBe(13 + 63)
  }, 60_000)

  it('checked at once, as batch does at its default concurrency: no more referral queries '
    + 'than one after the other', async () => {
    expect(DEFAULT_CONCURRENCY).toBeGreaterThanOrEqual(64)
    lab.log.length = 0
    const c = lab.checker({ timeoutMs: 1000 })
    const statuses: string[] = []
    try {
      async function* list(): AsyncGenerator<string> { yield* names() }
      await runBounded(list(), { concurrency: DEFAULT_CONCURRENCY,
        work: (n) => c.run({ name: nameFromText(n), type: 1 }),
        onResult: (_n, o) => { statuses.push(o.status) },
        onError: (_n, e) => { statuses.push(String(e)) } })
    } finally {
      c.close()
    }
    expect(statuses.filter((s) => s !== 'secure')).toEqual([])
    // Today: 832 (64 x 13).
    expect(tldReferrals()).toBeLessThanOrEqual(13 + 63)
  }, 60_000)
})
