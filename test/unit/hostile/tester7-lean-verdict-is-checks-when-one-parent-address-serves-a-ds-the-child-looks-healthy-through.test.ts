// tester7: one of three addresses of test. serves, for every child, a DS set that still lets the
// child "look healthy" to the one-address walk of commit 0892a63 (healthyThrough compares key tag
// and algorithm only, and takes a signed proof of no DS at face value), while the other two
// addresses serve the DS the child really has. `check` asks every address; a lean batch must give
// each name check's verdict whichever address its name hashes to. Expected values: check's, for
// the same names on the same loopback servers.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nameFromText } from '../../../src/wire/name.js'
import { newP256Key } from '../../support/p256-key.js'
import { keyTag } from './fakeroot.js'
import { encName, type R, rec, T } from './issue5-kit.js'
import type { Q } from './issue5-kit.js'
import { startLab, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20987, net: 187, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

const names = (): string[] => lab.kids.map((k) => `www.${k.name}`)
const cutOf = (qname: string): string | null => /(k\d\d\.test\.)$/.exec(qname)?.[1] ?? null
const isDsOrItsSig = (cut: string) => (x: { name: string; type: number; data: Buffer }): boolean =>
  x.name === cut && (x.type === T.DS || (x.type === T.RRSIG && x.data.readUInt16BE(0) === T.DS))

/** Replaces the DS (and its RRSIG) of the cut in a reply of test.'s second address. */
function swapDs(q: Q, r: R, a: string, make: (cut: string) => Buffer): R {
  const cut = cutOf(q.qname)
  if (a !== lab.tld[1] || cut === null) return r
  const tz = lab.net.zones.get('test.')!
  const ds = rec(cut, T.DS, make(cut), 3600)
  const swap = (list: R['answer']): R['answer'] =>
    list?.some((x) => x.type === T.DS && x.name === cut) === true
      ? [...list.filter((x) => !isDsOrItsSig(cut)(x)), ds, tz.sig([ds])] : list
  return { ...r, answer: swap(r.answer), authority: swap(r.authority) }
}

/** Same key tag, algorithm and digest type as the child's key, but another digest. */
function wrongDigest(q: Q, r: R, a: string): R {
  return swapDs(q, r, a, (cut) => {
    const z = lab.net.zones.get(cut)!
    const d = createHash('sha256').update(`not the key of ${cut}`).digest()
    return Buffer.concat([Buffer.from([z.tag >> 8, z.tag & 0xff, 13, 2]), d])
  })
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
  return swapDs(q, r, a, (cut) => {
    const k = standbyOf(cut)
    const d = createHash('sha256').update(Buffer.concat([encName(cut), k])).digest()
    const t = keyTag(k)
    return Buffer.concat([Buffer.from([t >> 8, t & 0xff, 13, 2]), d])
  })
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
      lab.tldHook = tldHook
      lab.kidHook = kidHook
      const c = lab.checker()
      const expected: string[] = []
      const got: string[] = []
      try {
        for (const n of names()) {
          const report = await lab.check(n)
          expected.push(`${n} ${report.status}`)
          got.push(`${n} ${(await c.run({ name: nameFromText(n), type: 1 })).status}`)
        }
      } finally {
        c.close()
        lab.tldHook = null
        lab.kidHook = null
      }
      expect(got).toEqual(expected)
    }, 60_000)
  }
})
