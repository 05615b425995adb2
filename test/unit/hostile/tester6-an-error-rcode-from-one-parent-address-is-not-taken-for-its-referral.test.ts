// tester6, a guard: an address of test. that answers REFUSED or SERVFAIL while its authority
// section still carries the child's NS records has given no referral (RFC 1035 4.1.1: the rcode
// says the query failed). `check`, which asks every address, follows the others' referral: the
// name is secure, with SERVER_ERROR_RCODE naming the failing address. A lean batch must say the
// same. The one-address walk of commit 0c04e31 (reverted; the present one asks every address
// unless the one referral leads to a healthy child) took such a message for the referral, asked no
// other address, and left the names that hashed to that address `indeterminate`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nameFromText } from '../../../src/wire/name.js'
import { startLab, type Lab } from './tester6-kit.js'

let lab: Lab
beforeAll(async () => {
  lab = await startLab({ port: 20981, net: 181, tldAddresses: 3, kids: 12 })
})
afterAll(async () => { await lab.net.stop() })

const names = (): string[] => lab.kids.map((k) => `www.${k.name}`)

for (const [rcode, text] of [[5, 'REFUSED'], [2, 'SERVFAIL']] as const) {
  describe(`one address of a three-address TLD answers ${text} (the delegation still in its `
    + 'authority section)', () => {
    it('control: check calls every name secure and names the failing address', async () => {
      const bad = lab.tld[1]
      lab.tldHook = (q, r, a) => (a === bad && q.qname !== 'test.' ? { ...r, rcode } : r)
      try {
        for (const n of names()) {
          const report = await lab.check(n)
          expect(report.status, n).toBe('secure')
          expect(report.findings.map((f) => f.code), n).toContain('SERVER_ERROR_RCODE')
        }
      } finally {
        lab.tldHook = null
      }
    }, 60_000)

    it('lean batch: every name is secure, as check says (the others\' referral is '
      + 'followed)', async () => {
      const bad = lab.tld[1]
      lab.tldHook = (q, r, a) => (a === bad && q.qname !== 'test.' ? { ...r, rcode } : r)
      const c = lab.checker()
      const got: string[] = []
      try {
        for (const n of names()) {
          got.push(`${n} ${(await c.run({ name: nameFromText(n), type: 1 })).status}`)
        }
      } finally {
        c.close()
        lab.tldHook = null
      }
      expect(got).toEqual(names().map((n) => `${n} secure`))
    }, 60_000)
  })
}
