// A forged answer carrying many bad signatures: once the per-RRset verification budget is
// spent the RRset is "indeterminate" with no finding code, and the answer check only stops on
// a code, so the forged answer is reported as validated and the verdict is SECURE (exit 0).
// Any server on the path can do this to any signed zone: no key material is needed.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exitCodeFor } from '../../../src/cli/main.js'
import { renderText } from '../../../src/report/text.js'
import { type FakeRoot, rd, rec, startFakeRoot, T } from './fakeroot.js'
import { checkAgainst } from './helpers.js'

const ROOT = '127.0.66.50'
const PORT = 20550
let fake: FakeRoot

beforeAll(async () => {
  fake = await startFakeRoot({ rootAddress: ROOT, childAddress: '127.0.66.51', port: PORT,
    root: (q, signed) => {
      if (q.qname !== 'forged.example.') return null
      const a = rec('forged.example.', T.A, rd.A('127.6.6.6'))
      // A genuine RRSIG shape by the real key, then its signature bytes damaged: 12 copies.
      const sig = signed([a])[1]!
      const bad = Array.from({ length: 12 }, (_, i) => {
        const data = Buffer.from(sig.data)
        data[data.length - 1 - i] = (data[data.length - 1 - i] ?? 0) ^ 0xff
        return { ...sig, data }
      })
      return { aa: true, answer: [a, ...bad] }
    } })
})
afterAll(async () => { await fake.stop() })

it('a forged answer is never reported as secure or validated', async () => {
  const r = await checkAgainst(fake.anchor, ROOT, PORT, 'forged.example.')
  if (process.env.SHOW) console.log(renderText(r))
  expect(r.status).not.toBe('secure')
  expect(exitCodeFor(r)).not.toBe(0)
})

it('control: one damaged signature is bogus', async () => {
  // Same forged record with a single bad signature: caught (RRSIG invalid).
  const one = await startFakeRoot({ rootAddress: '127.0.66.52', childAddress: '127.0.66.53',
    port: 20552, root: (q, signed) => {
      if (q.qname !== 'forged.example.') return null
      const a = rec('forged.example.', T.A, rd.A('127.6.6.6'))
      const sig = signed([a])[1]!
      const data = Buffer.from(sig.data)
      data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 0xff
      return { aa: true, answer: [a, { ...sig, data }] }
    } })
  try {
    const r = await checkAgainst(one.anchor, '127.0.66.52', 20552, 'forged.example.')
    expect(r.status).toBe('bogus')
  } finally {
    await one.stop()
  }
})
