// tester6, a guard: one address of test. out of step with the other two (an old DS, a DS not there
// yet, glue to a dead address). `check` asks every address; a lean batch must give each name
// check's verdict, whichever address it would have asked. The one-address walk of commit 0c04e31
// (reverted; the present one asks every address unless the one referral leads to a healthy child)
// took one hashed address's referral as the delegation, so the names that picked the odd address
// came out bogus, insecure or indeterminate, with nothing naming the address. Expected values:
// check's, for the same names on the same servers.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type R, rd, rec, T } from './issue5-kit.js'
import type { Q } from './issue5-kit.js'
import { checkThenLean, cutOf, noDsAt, startLab, swapDsAt, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20985, net: 185, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

/** The second address of test. serves the DS of a key the child no longer has. */
const oldDs = (): Lab['tldHook'] => swapDsAt(lab, () => lab.tld[1]!, (cut) =>
  Buffer.concat([Buffer.from([0x12, 0x34, 13, 2]),
    createHash('sha256').update(`old key of ${cut}`).digest()]))

/** The second address of test. has not got the child's DS yet: it proves there is none. */
const noDsYet = (): Lab['tldHook'] => noDsAt(lab, () => lab.tld[1]!)

/** The second address of test. gives glue that points where no server is. */
const badGlue = (): Lab['tldHook'] => (q: Q, r: R, a: string): R => {
  if (a !== lab.tld[1] || cutOf(q.qname) === null) return r
  return { ...r, additional: (r.additional ?? []).map((x) => (x.type === T.A
    ? rec(x.name, T.A, rd.A('127.0.185.250')) : x)) }
}

const cases = [
  ['an old DS (a DS change it missed)', oldDs],
  ['no DS yet (a DS added that it does not serve yet)', noDsYet],
  ['glue pointing elsewhere', badGlue],
] as const

describe('one of three addresses of test. gives another referral than the other two', () => {
  for (const [what, hook] of cases) {
    it(`${what}: each name's lean batch verdict is check's`, async () => {
      const { expected, got } = await checkThenLean(lab, hook())
      // What check says of these names (the control): secure (for the DS cases with
      // NS_INCONSISTENT naming the disagreement).
      expect(expected).toEqual(lab.kids.map((k) => `www.${k.name} secure`))
      expect(got).toEqual(expected)
    }, 60_000)
  }
})
