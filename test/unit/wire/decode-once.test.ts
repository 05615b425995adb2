// The transport decodes a response to match it to its query, and the walker reads the same
// bytes: decodeOnce makes that one decode. The bytes are a real response (dig's, in
// test/fixtures/wire); dig's own reading of it is checked in dig-fixtures.test.ts.
import { describe, expect, it } from 'vitest'
import { decodeMessage, decodeOnce } from '../../../src/wire/message.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const path = fileURLToPath(new URL('../../fixtures/wire/example-aaaa.hex', import.meta.url))
const bytes = (): Uint8Array =>
  new Uint8Array(Buffer.from(readFileSync(path, 'utf8').replace(/\s+/g, ''), 'hex'))

describe('decodeOnce', () => {
  it('gives the same decoded message for the same bytes object, as decodeMessage reads it', () => {
    const b = bytes()
    const first = decodeOnce(b)
    expect(decodeOnce(b)).toBe(first)
    expect(first).toEqual(decodeMessage(b))
  })

  it('decodes other bytes afresh, even when they are equal', () => {
    const a = bytes()
    const b = bytes()
    expect(decodeOnce(a)).not.toBe(decodeOnce(b))
    expect(decodeOnce(a)).toEqual(decodeOnce(b))
  })

  it('throws for malformed bytes every time, caching nothing', () => {
    const broken = bytes().subarray(0, 20)
    expect(() => decodeOnce(broken)).toThrow()
    expect(() => decodeOnce(broken)).toThrow()
  })
})
