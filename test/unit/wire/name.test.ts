import { describe, expect, it } from 'vitest'
import {
  NameSyntaxError, canonicalName, compareNames, isSubdomain, nameEquals, nameFromText,
  nameToText, nameToWire, parentName,
} from '../../../src/wire/name.js'

const labels = (text: string): string[] =>
  nameFromText(text).map((l) => Buffer.from(l).toString('latin1'))

describe('nameFromText', () => {
  it('keeps case and treats relative names as absolute', () => {
    expect(labels('www.Example.test')).toEqual(['www', 'Example', 'test'])
    expect(labels('www.Example.test.')).toEqual(['www', 'Example', 'test'])
  })

  it('reads "." as the root', () => {
    expect(nameFromText('.')).toEqual([])
  })

  it('decodes \\DDD and \\X escapes (RFC 1035 section 5.1)', () => {
    expect(labels('a\\046b.test')).toEqual(['a.b', 'test'])
    expect(labels('a\\.b.test')).toEqual(['a.b', 'test'])
    expect(labels('a\\032b.test')).toEqual(['a b', 'test'])
    expect(nameFromText('\\255.test')[0]).toEqual(Uint8Array.of(255))
  })

  it('allows underscore labels and a wildcard first label', () => {
    expect(labels('_dmarc.example.test')).toEqual(['_dmarc', 'example', 'test'])
    expect(labels('*.example.test')).toEqual(['*', 'example', 'test'])
  })

  it('converts internationalised names to A-labels (RFC 5891)', () => {
    // "bücher" is the IDNA example whose A-label is xn--bcher-kva.
    expect(labels('bücher.example')).toEqual(['xn--bcher-kva', 'example'])
    expect(labels('Bücher.example.')).toEqual(['xn--bcher-kva', 'example'])
  })

  it('accepts a label of 63 octets and a name of 255 octets', () => {
    const l63 = 'a'.repeat(63)
    expect(nameFromText(l63)[0]).toHaveLength(63)
    // 3 x (1 + 63) + (1 + 61) + 1 = 255 octets on the wire.
    expect(nameToWire(nameFromText(`${l63}.${l63}.${l63}.${'b'.repeat(61)}`))).toHaveLength(255)
  })

  const bad: [string, RegExp][] = [
    ['', /empty name/],
    ['a..b', /empty label/],
    ['.a', /empty label/],
    [`${'a'.repeat(64)}.test`, /label of 64 octets/],
    [Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'), /257 octets/],
    ['a b.test', /character " " is not allowed/],
    ['a/b.test', /"\/" is not allowed/],
    ['user@example.test', /"@" is not allowed/],
    ['a,b.test', /"," is not allowed/],
    ['tab\t.test', /code 9 is not allowed/],
    ['a*.test', /only allowed as the whole first label/],
    ['a.*.test', /only allowed as the whole first label/],
    ['a\\256.test', /above 255/],
    ['a\\12.test', /three digits/],
    ['a\\', /lone backslash/],
    ['bücher\\.example', /escapes cannot be mixed/],
  ]
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '...' : text)}`, () => {
      expect(() => nameFromText(text)).toThrow(NameSyntaxError)
      expect(() => nameFromText(text)).toThrow(message)
    })
  }
})

describe('nameToText', () => {
  it('prints the root as "."', () => {
    expect(nameToText([])).toBe('.')
  })

  it('escapes like dig: specials as \\X, space and non-ASCII as \\DDD', () => {
    // dig printed this owner as a\032b\.c.example.test. (fixture example-escaped).
    expect(nameToText(nameFromText('a\\032b\\.c.example.test'))).toBe('a\\032b\\.c.example.test.')
    expect(nameToText(nameFromText('\\255\\"\\;\\@\\$\\(\\).test')))
      .toBe('\\255\\"\\;\\@\\$\\(\\).test.')
    expect(nameToText(nameFromText('*._tcp.a-b.test'))).toBe('*._tcp.a-b.test.')
  })
})

describe('canonical order (RFC 4034 section 6.1)', () => {
  // The example list of RFC 4034 section 6.1, in canonical order.
  const ordered = [
    'example', 'a.example', 'yljkjljk.a.example', 'Z.a.example', 'zABC.a.EXAMPLE',
    'z.example', '\\001.z.example', '*.z.example', '\\200.z.example',
  ]

  it('sorts the RFC example names into the RFC order', () => {
    const names = ordered.map(nameFromText)
    const shuffled = [4, 8, 0, 6, 2, 7, 1, 5, 3].map((i) => names[i] as (typeof names)[number])
    const sorted = [...shuffled].sort(compareNames).map(nameToText)
    expect(sorted).toEqual(names.map(nameToText))
  })

  it('compares case-insensitively and puts the parent first', () => {
    expect(compareNames(nameFromText('A.Example'), nameFromText('a.example'))).toBe(0)
    expect(compareNames(nameFromText('example'), nameFromText('a.example'))).toBeLessThan(0)
    expect(compareNames(nameFromText('b.example'), nameFromText('a.example'))).toBeGreaterThan(0)
  })
})

describe('name helpers', () => {
  it('nameEquals ignores ASCII case only', () => {
    expect(nameEquals(nameFromText('WWW.example'), nameFromText('www.EXAMPLE'))).toBe(true)
    expect(nameEquals(nameFromText('\\200'), nameFromText('\\232'))).toBe(false)
    expect(nameEquals(nameFromText('a.example'), nameFromText('example'))).toBe(false)
  })

  it('canonicalName lowercases ASCII letters and nothing else', () => {
    const n = canonicalName(nameFromText('WwW.\\200Z.test'))
    expect(nameToText(n)).toBe('www.\\200z.test.')
  })

  it('isSubdomain covers the name itself and its descendants only', () => {
    expect(isSubdomain(nameFromText('a.b.Example'), nameFromText('example'))).toBe(true)
    expect(isSubdomain(nameFromText('example'), nameFromText('example'))).toBe(true)
    expect(isSubdomain(nameFromText('notexample'), nameFromText('example'))).toBe(false)
    expect(isSubdomain(nameFromText('example'), [])).toBe(true)
  })

  it('parentName drops the first label and stops at the root', () => {
    expect(nameToText(parentName(nameFromText('a.example')))).toBe('example.')
    expect(parentName([])).toEqual([])
  })

  it('nameToWire writes length-prefixed labels and the root octet (RFC 1035 section 3.1)', () => {
    expect(Array.from(nameToWire(nameFromText('ab.c')))).toEqual([2, 0x61, 0x62, 1, 0x63, 0])
    expect(Array.from(nameToWire([]))).toEqual([0])
  })
})
