// tester7: every child k01..k12.test. dropped its keys and signatures while test. still has its
// DS (a truly broken child: RFC 4035 5.2, a DS and no DNSKEY it matches is bogus), and one of
// test.'s three addresses is stale: it still proves, signed, that there is no DS. `check` asks
// every address and calls each name bogus. The one-address walk of commit 0892a63 takes "no DS,
// no key and a proof" from the hashed address as a healthy child, so the names hashing to the
// stale address come out insecure: a broken delegation passed as a deliberately unsigned one.
// Expected values: check's, for the same names on the same loopback servers.
//
// A known gap, written in src/probe/walker.ts healthyThrough and docs/batch.md: asking every
// address whenever a referral says "no DS" would cost unsigned names, most of a real list,
// every parent address again. So the comparison is marked `it.fails` until it is closed (then
// vitest reports it, and `.fails` goes); the first test holds that the scenario is what it
// says, check calling every name bogus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type R, rd, rec, T } from './issue5-kit.js'
import type { Q } from './issue5-kit.js'
import { checkThenLean, cutOf, noDsAt, startLab, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20988, net: 188, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

/** The children dropped their keys and signatures (went unsigned with the DS still up). */
function goneUnsigned(q: Q, r: R): R {
  const strip = (list: R['answer']): R['answer'] =>
    list?.filter((x) => x.type !== T.DNSKEY && x.type !== T.RRSIG)
  const soa = rec(cutOf(q.qname) ?? q.qname, T.SOA, rd.SOA(cutOf(q.qname) ?? q.qname))
  if (q.qtype === T.DNSKEY) return { aa: true, authority: [soa] }
  return { ...r, answer: strip(r.answer), authority: strip(r.authority) }
}
/** test.'s second address still proves there is no DS (it missed the DS being added). */
const noDs = (q: Q, r: R, a: string): R => noDsAt(lab, () => lab.tld[1]!)(q, r, a)

type Hook = (q: Q, r: R, a: string) => R
const cases: [string, Hook, Hook | null][] = [
  ['no DS (signed proof) for children that went unsigned while the DS stayed up', noDs,
    goneUnsigned],
]

describe('children gone unsigned under their DS, one address of test. still proving no DS', () => {
  it('check asks every address and calls every name bogus', async () => {
    const [, tldHook, kidHook] = cases[0]!
    lab.tldHook = tldHook
    lab.kidHook = kidHook
    try {
      for (const k of lab.kids) {
        expect((await lab.check(`www.${k.name}`)).status, k.name).toBe('bogus')
      }
    } finally {
      lab.tldHook = null
      lab.kidHook = null
    }
  }, 60_000)

  for (const [what, tldHook, kidHook] of cases) {
    it.fails(`${what}: each name's lean batch verdict is check's (known gap)`, async () => {
      const { expected, got } = await checkThenLean(lab, tldHook, kidHook)
      expect(got).toEqual(expected)
    }, 60_000)
  }
})
