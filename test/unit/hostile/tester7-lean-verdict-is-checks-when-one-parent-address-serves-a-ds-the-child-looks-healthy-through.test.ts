// tester7: one of three addresses of test. serves, for every child, a DS set that still lets the
// child "look healthy" to the one-address walk of commit 0892a63 (healthyThrough compares key tag
// and algorithm only, and takes a signed proof of no DS at face value), while the other two
// addresses serve the DS the child really has. `check` asks every address; a lean batch must give
// each name check's verdict whichever address its name hashes to. Expected values: check's, for
// the same names on the same loopback servers.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newP256Key } from '../../support/p256-key.js'
import { keyTag } from './fakeroot.js'
import { encName, type R, rec, T } from './issue5-kit.js'
import type { Q } from './issue5-kit.js'
import { checkThenLean, cutOf, startLab, swapDsAt, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20987, net: 187, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

/** Same key tag, algorithm and digest type as the child's key, but another digest. */
function wrongDigest(q: Q, r: R, a: string): R {
  return swapDsAt(lab, () => lab.tld[1]!, (cut) => {
    const z = lab.net.zones.get(cut)!
    const d = createHash('sha256').update(`not the key of ${cut}`).digest()
    return Buffer.concat([Buffer.from([z.tag >> 8, z.tag & 0xff, 13, 2]), d])
  })(q, r, a)
}

/** A second key per child, published but signing nothing (a standby key). */
const standby = new Map<string, Buffer>()
function standbyOf(cut: string): Buffer {
  let k = standby.get(cut)
  if (k === undefined) {
    k = Buffer.concat([Buffer.from([1, 1, 3, 13]), newP256Key().point])
    standby.set(cut, k)
  }
  return k
}
/** The children publish their standby key next to the signing one. */
function publishStandby(q: Q, r: R): R {
  const cut = cutOf(q.qname)
  if (cut === null || q.qtype !== T.DNSKEY || q.qname !== cut) return r
  const z = lab.net.zones.get(cut)!
  return { ...r, answer: z.signed([rec(cut, T.DNSKEY, z.dnskey, 3600),
    rec(cut, T.DNSKEY, standbyOf(cut), 3600)]) }
}
/** test.'s second address has the DS of the standby key only (a DS swapped in too early). */
function dsOfStandbyOnly(q: Q, r: R, a: string): R {
  return swapDsAt(lab, () => lab.tld[1]!, (cut) => {
    const k = standbyOf(cut)
    const d = createHash('sha256').update(Buffer.concat([encName(cut), k])).digest()
    const t = keyTag(k)
    return Buffer.concat([Buffer.from([t >> 8, t & 0xff, 13, 2]), d])
  })(q, r, a)
}

type Hook = (q: Q, r: R, a: string) => R
const cases: [string, Hook, Hook | null][] = [
  ['a DS with the key tag and algorithm of the child key but a wrong digest', wrongDigest, null],
  ['the DS of a published standby key that signs nothing, in place of the real DS',
    dsOfStandbyOnly, publishStandby],
]

describe('one of three addresses of test. serves a DS the child looks healthy through', () => {
  for (const [what, tldHook, kidHook] of cases) {
    it(`${what}: each name's lean batch verdict is check's`, async () => {
      const { expected, got } = await checkThenLean(lab, tldHook, kidHook)
      expect(got).toEqual(expected)
    }, 60_000)
  }
})
