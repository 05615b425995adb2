// An NXDOMAIN proven with NSEC3 at 2500 iterations: validators treat it as insecure (RFC 9276
// 3.2). Found by hand: the report says "SECURE ... validated", no NSEC3_ITERATIONS_EXCESSIVE
// finding, exit 0, while its own answer text says validators treat the zone as insecure.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeRoot, rd, rec, startFakeRoot, T } from './fakeroot.js'
import { checkAgainst } from './helpers.js'

const ROOT = '127.0.66.43'
const PORT = 20543
let fake: FakeRoot
const b32 = (): string => Array.from(randomBytes(32), (b) =>
  '0123456789abcdefghijklmnopqrstuv'[b & 31]).join('')

beforeAll(async () => {
  fake = await startFakeRoot({ rootAddress: ROOT, childAddress: '127.0.66.44', port: PORT,
    root: (q, signed) => q.qname === 'nx.example.' ? { aa: true, rcode: 3, authority: [
      ...signed([rec('.', T.SOA, rd.SOA('a.root.'))]),
      ...signed([rec(`${b32()}.`, T.NSEC3, rd.NSEC3(2500, randomBytes(20), [T.A]))]),
      ...signed([rec(`${b32()}.`, T.NSEC3, rd.NSEC3(2500, randomBytes(20), [T.A]))])] } : null })
})
afterAll(async () => { await fake.stop() })

it('an NSEC3 proof over the iteration limit is not reported as secure', async () => {
  const r = await checkAgainst(fake.anchor, ROOT, PORT, 'nx.example.')
  expect(r.status).not.toBe('secure')
  expect(r.findings.map((f) => f.code)).toContain('NSEC3_ITERATIONS_EXCESSIVE')
})
