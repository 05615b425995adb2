// tester6, a guard: one address of test. out of step with the other two (an old DS, a DS not there
// yet, glue to a dead address). `check` asks every address; a lean batch must give each name
// check's verdict, whichever address it would have asked. The one-address walk of commit 0c04e31
// (reverted; the present one asks every address unless the one referral leads to a healthy child)
// took one hashed address's referral as the delegation, so the names that picked the odd address
// came out bogus, insecure or indeterminate, with nothing naming the address. Expected values:
// check's, for the same names on the same servers.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nameFromText } from '../../../src/wire/name.js'
import { encName, type R, rd, rec, T } from './issue5-kit.js'
import type { Q } from './issue5-kit.js'
import { startLab, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20985, net: 185, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

const names = (): string[] => lab.kids.map((k) => `www.${k.name}`)
const cutOf = (qname: string): string | null => /(k\d\d\.test\.)$/.exec(qname)?.[1] ?? null
const isDsOrItsSig = (cut: string) => (x: { name: string; type: number; data: Buffer }): boolean =>
  x.name === cut && (x.type === T.DS || (x.type === T.RRSIG && x.data.readUInt16BE(0) === T.DS))

/** The second address of test. serves the DS of a key the child no longer has. */
function oldDs(q: Q, r: R, a: string): R {
  const cut = cutOf(q.qname)
  if (a !== lab.tld[1] || cut === null) return r
  const tz = lab.net.zones.get('test.')!
  const old = rec(cut, T.DS, Buffer.concat([Buffer.from([0x12, 0x34, 13, 2]),
    createHash('sha256').update(`old key of ${cut}`).digest()]), 3600)
  const swap = (list: R['answer']): R['answer'] =>
    list?.some((x) => x.type === T.DS && x.name === cut) === true
      ? [...list.filter((x) => !isDsOrItsSig(cut)(x)), old, tz.sig([old])] : list
  return { ...r, answer: swap(r.answer), authority: swap(r.authority) }
}

/** The second address of test. has not got the child's DS yet: it proves there is none. */
function noDsYet(q: Q, r: R, a: string): R {
  const cut = cutOf(q.qname)
  if (a !== lab.tld[1] || cut === null) return r
  const tz = lab.net.zones.get('test.')!
  const nsec = rec(cut, T.NSEC, Buffer.concat([encName(`\\000.${cut}`),
    rd.bitmap([T.NS, T.RRSIG, T.NSEC])]))
  if (q.qtype === T.DS && q.qname === cut) {
    const soa = rec('test.', T.SOA, rd.SOA('test.'))
    return { aa: true, authority: [soa, tz.sig([soa]), nsec, tz.sig([nsec])] }
  }
  return { ...r, authority: [...(r.authority ?? []).filter((x) => !isDsOrItsSig(cut)(x)),
    nsec, tz.sig([nsec])] }
}

/** The second address of test. gives glue that points where no server is. */
function badGlue(q: Q, r: R, a: string): R {
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
      lab.tldHook = hook
      const c = lab.checker()
      const expected: string[] = []
      const got: string[] = []
      try {
        for (const n of names()) {
          const report = await lab.check(n)
          expected.push(`${n} ${report.status}`)
          // What check says of these names (the control): secure (for the DS cases with
          // NS_INCONSISTENT naming the disagreement).
          expect(report.status, n).toBe('secure')
          got.push(`${n} ${(await c.run({ name: nameFromText(n), type: 1 })).status}`)
        }
      } finally {
        c.close()
        lab.tldHook = null
      }
      expect(got).toEqual(expected)
    }, 60_000)
  }
})
