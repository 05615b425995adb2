// tester6, a guard: a zone that both refers (c1.host.test.) and answers names itself
// (n1..n12.sub.host.test.), with a stale secondary (its second address) still holding an old
// insecure delegation of sub.host.test. to a server that is gone. `check` asks every address: each
// name is secure and the stale address is named (SERVER_ERROR_RCODE). A lean batch must say the
// same. A walk that asked a referring zone one address per name (commit 0c04e31, reverted; the
// present one asks every address unless the one referral leads to a healthy child) followed the
// stale referral for the first name that hashed to that address and kept sub.host.test. in the
// session as a zone: 11 of the 12 names came out `insecure`. Expected values: check's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nameFromText } from '../../../src/wire/name.js'
import { rd, rec, T } from './issue5-kit.js'
import type { ZoneSpec } from './issue5-kit.js'
import { startLab, type Lab } from './tester6-kit.js'

const HOST = ['127.0.187.20', '127.0.187.21', '127.0.187.22']
const STALE = HOST[1]!
const C1 = '127.0.187.30'
const names = Array.from({ length: 12 }, (_, i) => `n${i + 1}.sub.host.test.`)
let lab: Lab

beforeAll(async () => {
  const hostNs = HOST.flatMap((a, i) => [rec('host.test.', T.NS, rd.name(`ns${i + 1}.host.test.`)),
    rec(`ns${i + 1}.host.test.`, T.A, rd.A(a))])
  const host: ZoneSpec = { name: 'host.test.', addresses: HOST, records: [...hostNs,
    rec('c1.host.test.', T.NS, rd.name('ns.c1.host.test.')),
    rec('ns.c1.host.test.', T.A, rd.A(C1)), ...names.map((n) => rec(n, T.A, rd.A('127.0.0.90')))],
  hook: (q, r, a) => {
    if (a !== STALE || !q.qname.endsWith('sub.host.test.')) return r
    // The old delegation: NS and glue, and the signed NSEC that says sub.host.test. has no DS.
    const z = lab.net.zones.get('host.test.')!
    const nsec = rec('sub.host.test.', T.NSEC, Buffer.concat([rd.name('\\000.sub.host.test.'),
      rd.bitmap([T.NS, T.RRSIG, T.NSEC])]))
    return { authority: [rec('sub.host.test.', T.NS, rd.name('ns.sub.host.test.')), nsec,
      z.sig([nsec])], additional: [rec('ns.sub.host.test.', T.A, rd.A('127.0.187.250'))] }
  } }
  const c1: ZoneSpec = { name: 'c1.host.test.', addresses: [C1], records: [
    rec('c1.host.test.', T.NS, rd.name('ns.c1.host.test.')), rec('ns.c1.host.test.', T.A, rd.A(C1)),
    rec('www.c1.host.test.', T.A, rd.A('127.0.0.91'))] }
  lab = await startLab({ port: 20987, net: 187, tldAddresses: 1, kids: 1, extra: [host, c1],
    extraTld: () => hostNs })
}, 60_000)
afterAll(async () => { await lab.net.stop() })

describe('a stale secondary of host.test. with an old delegation below it', () => {
  it('control: check calls each name secure and names the stale address', async () => {
    for (const n of names) {
      const report = await lab.check(n)
      expect(report.status, n).toBe('secure')
      expect(report.findings.filter((f) => f.code === 'SERVER_ERROR_RCODE')
        .flatMap((f) => f.servers ?? []).join(' '), n).toContain(STALE)
    }
  }, 60_000)

  it('lean batch, after a name whose referral host.test. gave: each name is secure, as '
    + 'check says', async () => {
    const c = lab.checker({ timeoutMs: 300 })
    const got: string[] = []
    try {
      expect((await c.run({ name: nameFromText('www.c1.host.test.'), type: 1 })).status)
        .toBe('secure')
      for (const n of names) {
        got.push(`${n} ${(await c.run({ name: nameFromText(n), type: 1 })).status}`)
      }
    } finally {
      c.close()
    }
    expect(got).toEqual(names.map((n) => `${n} secure`))
  }, 60_000)
})
