// RRSIG validity times. The inception and expiration fields are seconds since 1970 modulo
// 2^32 and MUST be compared with serial number arithmetic (RFC 4034 section 3.1.5, RFC 1982),
// so a window that spans the 2106 wrap (expiration numerically below inception) still works.
import type { RRSIGData } from '../wire/types.js'

const TWO_32 = 2 ** 32
const HALF = 2 ** 31

export type SignatureTimeStatus = 'valid' | 'expired' | 'not-yet-valid'

/** `at` as an RRSIG time field: whole seconds since the epoch, modulo 2^32. */
export function dateToRrsigTime(at: Date): number {
  const seconds = Math.floor(at.getTime() / 1000)
  return ((seconds % TWO_32) + TWO_32) % TWO_32
}

/**
 * RFC 1982 section 3.2 "less than" for 32-bit serials. Pairs exactly 2^31 apart are
 * undefined there; they count as not less here, in either direction.
 */
export function serialLessThan(a: number, b: number): boolean {
  const x = a >>> 0
  const y = b >>> 0
  return (x < y && y - x < HALF) || (x > y && x - y > HALF)
}

/**
 * Whether `at` falls inside the signature's validity period (RFC 4035 section 5.3.1: both
 * ends inclusive). Expiry is checked first, as the RFC lists it first.
 */
export function signatureTimeStatus(sig: RRSIGData, at: Date): SignatureTimeStatus {
  const now = dateToRrsigTime(at)
  if (serialLessThan(sig.expiration, now)) return 'expired'
  if (serialLessThan(now, sig.inception)) return 'not-yet-valid'
  return 'valid'
}

/**
 * The absolute date of an RRSIG time field: of all instants congruent to `t` modulo 2^32
 * seconds, the one closest to `at` (the reading RFC 1982 arithmetic implies).
 */
export function rrsigTimeToDate(t: number, at: Date): Date {
  const now = Math.floor(at.getTime() / 1000)
  const base = now - (((now % TWO_32) + TWO_32) % TWO_32)
  let candidate = base + (t >>> 0)
  if (candidate - now > HALF) candidate -= TWO_32
  else if (now - candidate > HALF) candidate += TWO_32
  return new Date(candidate * 1000)
}
