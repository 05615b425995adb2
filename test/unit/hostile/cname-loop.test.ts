// A CNAME loop in an insecure zone: resolvers answer SERVFAIL, so the doctor must not say
// "nothing wrong, resolvers will answer" (exit 0). Found by hand: INSECURE, no finding, exit 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../../src/cli/main.js'
import { type FakeRoot, rd, rec, startFakeRoot, T } from './fakeroot.js'
import { checkAgainst } from './helpers.js'

const ROOT = '127.0.66.41'
const PORT = 20541
let fake: FakeRoot

beforeAll(async () => {
  fake = await startFakeRoot({ rootAddress: ROOT, childAddress: '127.0.66.42', port: PORT,
    child: (q) => {
      if (q.qname === 'a.test.' || q.qname === 'b.test.') {
        return { aa: true, answer: [rec('a.test.', T.CNAME, rd.name('b.test.')),
          rec('b.test.', T.CNAME, rd.name('a.test.'))] }
      }
      if (q.qname === 'self.test.') {
        return { aa: true, answer: [rec('self.test.', T.CNAME, rd.name('self.test.'))] }
      }
      if (q.qname === 'x.test.') return { aa: true, answer: [rec('x.test.', T.CNAME, rd.name('y.test.'))] }
      if (q.qname === 'y.test.') return { aa: true, answer: [rec('y.test.', T.CNAME, rd.name('x.test.'))] }
      if (q.qname === 'www.test.') return { aa: true, answer: [rec('www.test.', T.A, rd.A('127.0.0.80'))] }
      return null
    } })
})
afterAll(async () => { await fake.stop() })

describe('CNAME loops are reported', () => {
  it('control: a plain insecure answer is insecure, exit 0', async () => {
    const r = await checkAgainst(fake.anchor, ROOT, PORT, 'www.test.')
    expect(r.status).toBe('insecure')
    expect(exitCodeFor(r)).toBe(0)
  })

  it.each([
    ['a -> b -> a in one answer', 'a.test.'],
    ['a name that is its own alias', 'self.test.'],
    ['x -> y -> x over two answers', 'x.test.'],
  ])('%s gives a finding and a non-zero exit code', async (_what, name) => {
    const r = await checkAgainst(fake.anchor, ROOT, PORT, name)
    expect(r.findings.map((f) => f.code)).not.toEqual([])
    expect(exitCodeFor(r)).not.toBe(0)
  })
})
