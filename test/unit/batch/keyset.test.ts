// KeySet (src/batch/keyset.ts): what the batch uses to check each name once. It must say
// "seen" for every key added, in any case of growth, and never for another key, even one whose
// hash is the same (a batch must lose no name's result).
import { describe, expect, it } from 'vitest'
import { KeySet, keyHash } from '../../../src/batch/keyset.js'

const key = (i: number, type = 'A'): string => `n${i}.z${i % 997}.example. ${type}`

describe('KeySet', () => {
  it('finds every key added across many growths, and takes a repeat for a repeat', () => {
    const s = new KeySet()
    for (let i = 0; i < 200_000; i++) expect(s.add(key(i))).toBe(true)
    expect(s.size).toBe(200_000)
    for (let i = 0; i < 200_000; i += 7) expect(s.has(key(i))).toBe(true)
    expect(s.add(key(12_345))).toBe(false)
    expect(s.size).toBe(200_000)
  })

  it('does not take other keys for added ones: other names, other types, one letter apart',
    () => {
      const s = new KeySet()
      for (let i = 0; i < 200_000; i++) s.add(key(i))
      let false_ = 0
      for (let i = 200_000; i < 400_000; i++) if (s.has(key(i))) false_++
      for (let i = 0; i < 200_000; i++) if (s.has(key(i, 'AAAA'))) false_++
      expect(false_).toBe(0)
      expect(s.has('')).toBe(false)
      expect(s.add('')).toBe(true)
      expect(s.has('')).toBe(true)
    })

  it('keeps two different keys whose 32-bit hashes collide as two', () => {
    // Birthday search: among 300,000 keys two 32-bit hashes meet with probability near 1.
    const seen = new Map<number, string>()
    let pair: [string, string] | null = null
    for (let i = 0; i < 300_000 && pair === null; i++) {
      const k = key(i)
      const h = keyHash(new TextEncoder().encode(k))
      const other = seen.get(h)
      if (other !== undefined) pair = [other, k]
      else seen.set(h, k)
    }
    if (pair === null) throw new Error('no colliding pair found')
    const s = new KeySet()
    expect(s.add(pair[0])).toBe(true)
    expect(s.has(pair[1])).toBe(false)
    expect(s.add(pair[1])).toBe(true)
    expect([s.has(pair[0]), s.has(pair[1]), s.size]).toEqual([true, true, 2])
  })
})
