// tester6: a lean batch asks a parent that has referred before at one address per name and
// avoids an address that went silent lately (src/probe/walker.ts askOne, WalkSession.silent).
// Pinned here, each within 30 s of the dead address's first timeout:
// - at the default --concurrency (64), the names in flight when test. is first asked do not
//   each ask every address (they wait for the first one's exchange, firstContact), so few
//   queries reach the dead address, not one queued behind the --per-server cap per name
//   (measured before the fix with the built command: 20,000 names, --timeout 2000, 88 s and
//   about 130 datagrams to the dead address, against 37 s and 16 at --concurrency 8);
// - a parent with two addresses, one dead: the one live address is picked;
// - an address that truncates and never answers over TCP is avoided like a silent one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CONCURRENCY, runBounded } from '../../../src/batch/runner.js'
import { nameFromText } from '../../../src/wire/name.js'
import { startLab, type Lab } from './tester6-kit.js'

let three: Lab
let two: Lab
let tcp: Lab
beforeAll(async () => {
  three = await startLab({ port: 20982, net: 182, tldAddresses: 3, kids: 150 })
  two = await startLab({ port: 20983, net: 183, tldAddresses: 2, kids: 12 })
  tcp = await startLab({ port: 20988, net: 188, tldAddresses: 3, kids: 12, tcp: true })
}, 60_000)
afterAll(async () => { await three.net.stop(); await two.net.stop(); await tcp.net.stop() })

/** Questions about names below test. (referrals) that an address of test. got. */
const referrals = (lab: Lab, address: string): number =>
  lab.asked(address, (n) => n !== 'test.')

/** --per-server's default, and the one UDP retry of each query (src/probe/transports.ts). */
const PER_SERVER = 4
const ATTEMPTS = 2

describe('a dead address of test. is left alone once it has let a question time out', () => {
  it('150 names at the default concurrency under a three-address TLD: no more questions to '
    + 'the dead address than fit under the per-server cap before its first timeout', async () => {
    const dead = three.tld[1]!
    three.tldHook = (q, r, a) => (a === dead && q.qname !== 'test.' ? 'drop' : r)
    const c = three.checker({ timeoutMs: 500, perServer: PER_SERVER })
    try {
      async function* list(): AsyncGenerator<string> {
        for (const k of three.kids) yield `www.${k.name}`
      }
      const statuses: string[] = []
      const t0 = Date.now()
      await runBounded(list(), { concurrency: DEFAULT_CONCURRENCY,
        work: (n) => c.run({ name: nameFromText(n), type: 1 }),
        onResult: (_n, o) => { statuses.push(o.status) },
        onError: (_n, e) => { statuses.push(String(e)) } })
      expect(Date.now() - t0).toBeLessThan(30_000)
      expect(statuses.filter((s) => s !== 'secure')).toEqual([])
      // The questions in flight when the first timeout came back; none after it.
      expect(referrals(three, dead)).toBeLessThanOrEqual(PER_SERVER * ATTEMPTS)
    } finally {
      c.close()
      three.tldHook = null
    }
  }, 120_000)

  it('a warm run (one name has met the dead address) then 149 names at the default '
    + 'concurrency: none to the dead address (holds today)', async () => {
    three.log.length = 0
    const dead = three.tld[1]!
    three.tldHook = (q, r, a) => (a === dead && q.qname !== 'test.' ? 'drop' : r)
    const c = three.checker({ timeoutMs: 500, perServer: PER_SERVER })
    try {
      const [first, ...rest] = three.kids.map((k) => `www.${k.name}`)
      expect((await c.run({ name: nameFromText(first!), type: 1 })).status).toBe('secure')
      const before = referrals(three, dead)
      expect(before).toBeGreaterThan(0)
      async function* list(): AsyncGenerator<string> { yield* rest }
      const statuses: string[] = []
      await runBounded(list(), { concurrency: DEFAULT_CONCURRENCY,
        work: (n) => c.run({ name: nameFromText(n), type: 1 }),
        onResult: (_n, o) => { statuses.push(o.status) },
        onError: (_n, e) => { statuses.push(String(e)) } })
      expect(statuses.filter((s) => s !== 'secure')).toEqual([])
      expect(referrals(three, dead) - before).toBe(0)
    } finally {
      c.close()
      three.tldHook = null
    }
  }, 120_000)

  it('twelve names one after the other under a two-address TLD whose second address is '
    + 'dead: none to the dead address after the first name', async () => {
    const dead = two.tld[1]!
    two.tldHook = (q, r, a) => (a === dead && q.qname !== 'test.' ? 'drop' : r)
    const c = two.checker({ timeoutMs: 300 })
    try {
      const [first, ...rest] = two.kids.map((k) => `www.${k.name}`)
      expect((await c.run({ name: nameFromText(first!), type: 1 })).status).toBe('secure')
      const before = referrals(two, dead)
      expect(before).toBeGreaterThan(0)
      for (const n of rest) {
        expect((await c.run({ name: nameFromText(n), type: 1 })).status, n).toBe('secure')
      }
      // Today: 22 more (11 names, a query and its retry each), 300 ms x 2 per name.
      expect(referrals(two, dead) - before).toBe(0)
    } finally {
      c.close()
      two.tldHook = null
    }
  }, 120_000)

  it('twelve names one after the other under a three-address TLD whose second address '
    + 'truncates every answer and never answers over TCP: none to it after its first '
    + 'timeout', async () => {
    const dead = tcp.tld[1]!
    tcp.tldHook = (q, r, a, overTcp) => (a !== dead || q.qname === 'test.' ? r
      : overTcp ? 'hang' : { ...r, tc: true, authority: [], additional: [] })
    const c = tcp.checker({ timeoutMs: 300 })
    try {
      const [first, ...rest] = tcp.kids.map((k) => `www.${k.name}`)
      expect((await c.run({ name: nameFromText(first!), type: 1 })).status).toBe('secure')
      const before = referrals(tcp, dead)
      expect(before).toBeGreaterThan(0)
      for (const n of rest) {
        expect((await c.run({ name: nameFromText(n), type: 1 })).status, n).toBe('secure')
      }
      // Today: the names that hash to it ask it again (UDP, then TCP until the timeout).
      expect(referrals(tcp, dead) - before).toBe(0)
    } finally {
      c.close()
      tcp.tldHook = null
    }
  }, 120_000)
})
