// KeySet (src/batch/keyset.ts): what the batch uses to check each name once. It must say
// "seen" for every key added, in any case of growth, and (64-bit fingerprints) never for
// another key in lists of this size.
import { describe, expect, it } from 'vitest'
import { KeySet } from '../../../src/batch/keyset.js'

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
})
