// The loop of issue5-ns-lookup-loop, split over two walks of one batch session: the walk for
// www.a.test. visits a.test. and needs ns.c.test. (a.test. lists it in its own NS set), while
// the walk for www.c.test. visits c.test. and needs ns.a.test. (glueless referral). Each waits
// for the zone visit the other holds; neither walk's own chain of zones shows the loop. Both
// checks must still end, each within a bounded wait (RFC 1034 5.3.3 asks resolvers to bound
// their work); www.a.test. is served by a.test.'s glued server, so it stays secure.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseTrustAnchors } from '../../../src/anchors.js'
import { check, newCheckSession } from '../../../src/check.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { type Net, rd, rec, startNet, T } from './issue5-kit.js'

const PORT = 20592
let net: Net
beforeAll(async () => {
  net = await startNet([
    { name: '.', addresses: ['127.0.92.1'], records: [
      rec('.', T.NS, rd.name('a.root.')), rec('a.root.', T.A, rd.A('127.0.92.1')),
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.92.2'))] },
    { name: 'test.', addresses: ['127.0.92.2'], records: [
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.92.2')),
      rec('a.test.', T.NS, rd.name('ns.a.test.')), rec('ns.a.test.', T.A, rd.A('127.0.92.3')),
      rec('c.test.', T.NS, rd.name('ns.a.test.'))],
    hook: (q, r) => (q.qname.endsWith('c.test.') ? { ...r, additional: [] } : r) },
    { name: 'a.test.', addresses: ['127.0.92.3'], records: [
      rec('a.test.', T.NS, rd.name('ns.a.test.')), rec('a.test.', T.NS, rd.name('ns.c.test.')),
      rec('ns.a.test.', T.A, rd.A('127.0.92.3')), rec('www.a.test.', T.A, rd.A('127.0.0.80'))] },
    { name: 'c.test.', addresses: ['127.0.92.4'], records: [
      rec('c.test.', T.NS, rd.name('ns.a.test.')), rec('www.c.test.', T.A, rd.A('127.0.0.81'))] },
  ], PORT)
})
afterAll(async () => { await net.stop() })

it('two walks of one session that each wait for the other\'s zone visit both end', async () => {
  const session = newCheckSession({ lean: false })
  const one = (name: string): Promise<string> => check({ name: nameFromText(name), type: 1 }, {
    anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
    rootServers: [{ address: '127.0.92.1', port: PORT }], session,
    guard: guardFromEnv({}, '127.0.0.0/8'), authPort: PORT, timeoutMs: 500 })
    .then((r) => r.report.status)
  const both = Promise.all([one('www.a.test.'), one('www.c.test.')])
  const outcome = await Promise.race([both, new Promise<string>((resolve) => {
    setTimeout(() => resolve('still waiting'), 15_000)
  })])
  expect(outcome).not.toBe('still waiting')
  expect((outcome as string[])[0]).toBe('secure')
}, 20_000)
