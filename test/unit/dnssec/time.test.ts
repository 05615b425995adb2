import { describe, expect, it } from 'vitest'

import {
  dateToRrsigTime, rrsigTimeToDate, serialLessThan, signatureTimeStatus,
} from '../../../src/dnssec/time.js'
import type { RRSIGData } from '../../../src/wire/types.js'
import { isRrsig, loadZone } from './fixtures.js'

const at = (iso: string): Date => new Date(iso)

describe('signatureTimeStatus with the dnssec-signzone fixture', () => {
  // Signed with -s 20240101000000 -e 20340101000000 (see the fixture README).
  const sig = loadZone('crypto.test.signed', 'crypto.test.').find(isRrsig)!.data

  it('the fixture RRSIG carries the times given to dnssec-signzone', () => {
    expect(rrsigTimeToDate(sig.inception, at('2024-06-01T00:00:00Z')).toISOString())
      .toBe('2024-01-01T00:00:00.000Z')
    expect(rrsigTimeToDate(sig.expiration, at('2024-06-01T00:00:00Z')).toISOString())
      .toBe('2034-01-01T00:00:00.000Z')
  })

  it.each([
    ['2023-12-31T23:59:59Z', 'not-yet-valid'],
    ['2024-01-01T00:00:00Z', 'valid'], // inception itself is inside (RFC 4035 5.3.1)
    ['2029-06-15T12:00:00Z', 'valid'],
    ['2034-01-01T00:00:00Z', 'valid'], // expiration itself is inside
    ['2034-01-01T00:00:01Z', 'expired'],
    ['2040-01-01T00:00:00Z', 'expired'],
  ] as const)('signatureTimeStatus at %s is %s', (when, status) => {
    expect(signatureTimeStatus(sig, at(when))).toBe(status)
  })
})

describe('signatureTimeStatus across the 2106 wrap (RFC 4034 3.1.5)', () => {
  // wrap.test.signed: ldns-signzone -i 4294960000 -e 4295000000, which stores the expiration
  // modulo 2^32 as 32704, numerically below the inception. `date -u -d @N` gives the dates:
  // 4294960000 is 2106-02-07T04:26:40Z, 4295000000 is 2106-02-07T15:33:20Z, and the wrap
  // (4294967296) is 2106-02-07T06:28:16Z.
  const sig = loadZone('wrap.test.signed', 'wrap.test.').find(isRrsig)!.data

  it('the wrap fixture has an expiration numerically below its inception', () => {
    expect(sig.inception).toBe(4294960000)
    expect(sig.expiration).toBe(32704)
  })

  it.each([
    ['2106-02-07T04:26:39Z', 'not-yet-valid'],
    ['2106-02-07T04:26:40Z', 'valid'],
    ['2106-02-07T06:28:15Z', 'valid'], // just before the wrap
    ['2106-02-07T06:28:16Z', 'valid'], // the wrap itself: the 32-bit clock reads 0
    ['2106-02-07T15:33:20Z', 'valid'],
    ['2106-02-07T15:33:21Z', 'expired'],
  ] as const)('signatureTimeStatus at %s is %s', (when, status) => {
    expect(signatureTimeStatus(sig, at(when))).toBe(status)
  })

  it('rrsigTimeToDate places both fields around the wrap in 2106', () => {
    const now = at('2106-02-07T10:00:00Z')
    expect(rrsigTimeToDate(sig.inception, now).toISOString()).toBe('2106-02-07T04:26:40.000Z')
    expect(rrsigTimeToDate(sig.expiration, now).toISOString()).toBe('2106-02-07T15:33:20.000Z')
  })
})

describe('serial arithmetic helpers', () => {
  it('dateToRrsigTime reduces seconds modulo 2^32 (2106-02-07T06:28:16Z is 0)', () => {
    expect(dateToRrsigTime(at('2106-02-07T06:28:16Z'))).toBe(0)
    expect(dateToRrsigTime(at('2024-01-01T00:00:00Z'))).toBe(1704067200)
  })

  it('serialLessThan follows RFC 1982 3.2, including across the wrap', () => {
    expect(serialLessThan(1, 2)).toBe(true)
    expect(serialLessThan(2, 1)).toBe(false)
    expect(serialLessThan(0xffffff00, 0x100)).toBe(true)
    expect(serialLessThan(0x100, 0xffffff00)).toBe(false)
    // Exactly 2^31 apart is undefined in RFC 1982; neither side is less.
    expect(serialLessThan(0, 2 ** 31)).toBe(false)
    expect(serialLessThan(2 ** 31, 0)).toBe(false)
  })

  it('rrsigTimeToDate picks the nearer era, before or after `at`', () => {
    // 1970-01-01T00:00:10Z read from 2106 is the instant 2^32 + 10 seconds, after the wrap.
    expect(rrsigTimeToDate(10, at('2106-02-07T06:00:00Z')).toISOString())
      .toBe('2106-02-07T06:28:26.000Z')
    // 4294967290 read from 1970 is six seconds before the epoch.
    expect(rrsigTimeToDate(4294967290, at('1970-01-01T00:01:00Z')).toISOString())
      .toBe('1969-12-31T23:59:54.000Z')
  })

  it('signatureTimeStatus does not compare fields as plain integers', () => {
    // A window from 2106-02-07T06:00:00Z to 2106-02-07T07:00:00Z spans the wrap; a plain
    // comparison would call it expired at 06:30 since expiration < inception numerically.
    const win: RRSIGData = {
      kind: 'RRSIG', typeCovered: 1, algorithm: 13, labels: 2, originalTtl: 3600,
      inception: dateToRrsigTime(at('2106-02-07T06:00:00Z')),
      expiration: dateToRrsigTime(at('2106-02-07T07:00:00Z')),
      keyTag: 1, signerName: [], signature: new Uint8Array(64),
    }
    expect(win.expiration).toBeLessThan(win.inception)
    expect(signatureTimeStatus(win, at('2106-02-07T06:30:00Z'))).toBe('valid')
  })
})
