// Signature checks through node:crypto, synchronously. DNSKEY public keys are turned into JWKs
// and imported with createPublicKey; the imported KeyObjects are cached, because P-256 and RSA
// verify about twice as fast with a cached key. node:crypto rather than WebCrypto, measured in
// bench/crypto.ts: one call at a time it is 1.4-2x faster than crypto.subtle and 2-6x faster
// than @peculiar/webcrypto, and it keeps the validator synchronous. (crypto.subtle with many
// verifies in flight can pass it by using a second core; a validator checks few signatures.)
//
// Results keep "could not check" (unsupported-algorithm, bad-key, bad-signature-format) apart
// from "checked and wrong" (invalid-signature): a doctor must not call a zone bogus because
// this machine lacks an algorithm.
import {
  createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject,
} from 'node:crypto'

import type { DNSKEYData, RR, RRSIGData } from '../wire/types.js'
import { algorithmInfo, type KeyFamily } from './algorithms.js'
import { labelCount, signedData } from './canonical.js'

export type VerifyFailureReason =
  | 'invalid-signature'
  | 'unsupported-algorithm'
  | 'bad-key'
  | 'bad-signature-format'

export interface VerifyFailure {
  readonly ok: false
  readonly reason: VerifyFailureReason
  readonly detail: string
}

export type VerifyResult = { readonly ok: true } | VerifyFailure

/** A DNSKEY public key as a JWK, plus the signature length its algorithm produces. */
export interface DnskeyJwk {
  readonly ok: true
  readonly jwk: JsonWebKey
  /** Exact signature length in octets (for RSA: the modulus length). */
  readonly signatureLength: number
}

/** How many imported keys verifySignature keeps. */
export const KEY_CACHE_LIMIT = 10_000

const OK: VerifyResult = Object.freeze({ ok: true })

function fail(reason: VerifyFailureReason, detail: string): VerifyFailure {
  return { ok: false, reason, detail }
}

function unsupported(mnemonic: string, algorithm: number): VerifyFailure {
  return fail('unsupported-algorithm', `algorithm ${mnemonic} (${algorithm}) is not supported`)
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  return bytes.subarray(i)
}

// RFC 3110 section 2: exponent length in one octet, or a zero octet then two octets when the
// exponent is longer than 255 octets; then the exponent; then the modulus.
function rsaJwk(key: Uint8Array): DnskeyJwk | VerifyFailure {
  if (key.length < 1) return fail('bad-key', 'RSA key is empty')
  let expLen = key[0]!
  let offset = 1
  if (expLen === 0) {
    if (key.length < 3) return fail('bad-key', 'RSA key ends inside its exponent length')
    expLen = (key[1]! << 8) | key[2]!
    offset = 3
  }
  if (expLen === 0) return fail('bad-key', 'RSA key has a zero-length exponent')
  if (offset + expLen >= key.length) {
    return fail('bad-key', `RSA key too short for its ${expLen}-octet exponent and a modulus`)
  }
  const exponent = stripLeadingZeros(key.subarray(offset, offset + expLen))
  const modulus = stripLeadingZeros(key.subarray(offset + expLen))
  if (modulus.length === 1 && modulus[0] === 0) return fail('bad-key', 'RSA modulus is zero')
  return {
    ok: true,
    jwk: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) },
    signatureLength: modulus.length,
  }
}

// RFC 6605 section 4: the key is the raw point x | y, each coordinate of the curve's size;
// signatures are r | s of the same sizes.
function ecJwk(key: Uint8Array, crv: 'P-256' | 'P-384', size: number): DnskeyJwk | VerifyFailure {
  if (key.length !== 2 * size) {
    return fail('bad-key', `${crv} key is ${key.length} octets, expected ${2 * size}`)
  }
  return {
    ok: true,
    jwk: { kty: 'EC', crv, x: b64url(key.subarray(0, size)), y: b64url(key.subarray(size)) },
    signatureLength: 2 * size,
  }
}

// RFC 8080 section 3: the raw public key of RFC 8032; signatures of RFC 8032 section 5.
function okpJwk(key: Uint8Array, crv: 'Ed25519' | 'Ed448'): DnskeyJwk | VerifyFailure {
  const size = crv === 'Ed25519' ? 32 : 57
  if (key.length !== size) {
    return fail('bad-key', `${crv} key is ${key.length} octets, expected ${size}`)
  }
  return { ok: true, jwk: { kty: 'OKP', crv, x: b64url(key) }, signatureLength: 2 * size }
}

function familyJwk(family: KeyFamily, key: Uint8Array): DnskeyJwk | VerifyFailure {
  switch (family) {
    case 'rsa': return rsaJwk(key)
    case 'ecdsa-p256': return ecJwk(key, 'P-256', 32)
    case 'ecdsa-p384': return ecJwk(key, 'P-384', 48)
    case 'ed25519': return okpJwk(key, 'Ed25519')
    case 'ed448': return okpJwk(key, 'Ed448')
  }
}

/**
 * The JWK form of a DNSKEY public key for `algorithm`, for node:crypto or WebCrypto import.
 * Fails with unsupported-algorithm or bad-key (malformed field) without touching crypto.
 */
export function dnskeyJwk(algorithm: number, publicKey: Uint8Array): DnskeyJwk | VerifyFailure {
  const info = algorithmInfo(algorithm)
  if (info.crypto === null) {
    return unsupported(info.mnemonic, algorithm)
  }
  return familyJwk(info.crypto.family, publicKey)
}

interface ImportedKey {
  readonly ok: true
  readonly key: KeyObject
  readonly signatureLength: number
}

// Insertion-ordered Map used as an LRU: a hit moves the entry to the end, and the oldest
// entry goes when the limit is passed. Import failures are cached too: they are as stable.
const keyCache = new Map<string, ImportedKey | VerifyFailure>()

function importKey(algorithm: number, publicKey: Uint8Array): ImportedKey | VerifyFailure {
  const cacheKey = `${algorithm}/${Buffer.from(publicKey).toString('base64')}`
  const hit = keyCache.get(cacheKey)
  if (hit !== undefined) {
    keyCache.delete(cacheKey)
    keyCache.set(cacheKey, hit)
    return hit
  }
  const built = dnskeyJwk(algorithm, publicKey)
  let result: ImportedKey | VerifyFailure
  if (!built.ok) {
    result = built
  } else {
    try {
      const key = createPublicKey({ key: built.jwk, format: 'jwk' })
      result = { ok: true, key, signatureLength: built.signatureLength }
    } catch (err) {
      // A point off the curve, an RSA key OpenSSL rejects, ...: the key is unusable, which
      // is not the same as a wrong signature.
      const message = err instanceof Error ? err.message : String(err)
      result = fail('bad-key', `${algorithmInfo(algorithm).mnemonic} key import failed: ${message}`)
    }
  }
  keyCache.set(cacheKey, result)
  if (keyCache.size > KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next()
    if (oldest.done !== true) keyCache.delete(oldest.value)
  }
  return result
}

/** Number of imported keys held (for tests and the bench). */
export function keyCacheSize(): number {
  return keyCache.size
}

/** Signature checks handed to node:crypto by this thread so far (the bench reports them). */
let verifications = 0

export function verificationCount(): number {
  return verifications
}

/** Forgets every imported key (for tests and the bench). */
export function clearKeyCache(): void {
  keyCache.clear()
}

/**
 * Checks `signature` over `data` with a DNSKEY public key field, for DNSSEC algorithm
 * `algorithm`. ok:false with reason invalid-signature only when the check ran and failed.
 */
export function verifySignature(
  algorithm: number,
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): VerifyResult {
  const info = algorithmInfo(algorithm)
  if (info.crypto === null) {
    return unsupported(info.mnemonic, algorithm)
  }
  const imported = importKey(algorithm, publicKey)
  if (!imported.ok) return imported

  let sig = signature
  if (info.crypto.family === 'rsa' && sig.length < imported.signatureLength && sig.length > 0) {
    // RFC 3110 signatures are the modulus length; some signers drop leading zero octets.
    // Left-padding keeps the same integer and lets OpenSSL, which wants the exact length, run.
    sig = new Uint8Array(imported.signatureLength)
    sig.set(signature, imported.signatureLength - signature.length)
  }
  if (sig.length !== imported.signatureLength) {
    return fail(
      'bad-signature-format',
      `${info.mnemonic} signature is ${signature.length} octets, expected ` +
        `${imported.signatureLength}`,
    )
  }

  let good: boolean
  verifications++
  try {
    good = cryptoVerify(
      info.crypto.hash,
      data,
      // ECDSA signatures in DNSSEC are raw r | s (RFC 6605 section 4), not DER.
      { key: imported.key, dsaEncoding: 'ieee-p1363' },
      sig,
    )
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return fail('bad-signature-format', `${info.mnemonic} verification could not run: ${message}`)
  }
  // TODO(crypto): a crypto policy that forbids SHA-1 (as on some hardened OpenSSL builds)
  // makes RSASHA1 verifies return false, which we would report as invalid-signature.
  return good
    ? OK
    : fail('invalid-signature', `${info.mnemonic} signature does not match the data and key`)
}

/**
 * Checks an RRSIG over an RRset with one DNSKEY: builds the signed data (canonical.ts) and
 * verifies it. It does not look at times, key tags or signer names; callers check those.
 * Throws RangeError for an empty RRset (a caller bug, not a zone fault).
 */
export function verifyRrsig(
  rrset: readonly RR[],
  rrsig: RR<RRSIGData>,
  key: DNSKEYData,
): VerifyResult {
  const sig = rrsig.data
  const first = rrset[0]
  if (first === undefined) throw new RangeError('Cannot verify an RRSIG over an empty RRset')
  if (key.algorithm !== sig.algorithm) {
    return fail(
      'bad-key',
      `DNSKEY algorithm ${key.algorithm} cannot check an RRSIG of algorithm ${sig.algorithm}`,
    )
  }
  // RFC 4034 section 2.1.2: a key whose protocol is not 3 is invalid for verification.
  if (key.protocol !== 3) return fail('bad-key', `DNSKEY protocol is ${key.protocol}, not 3`)
  // RFC 4035 section 5.3.1: the labels field must not exceed the owner's label count.
  const owned = labelCount(first.name)
  if (sig.labels > owned) {
    return fail(
      'invalid-signature',
      `RRSIG labels field ${sig.labels} exceeds the owner's ${owned} labels`,
    )
  }
  return verifySignature(sig.algorithm, key.publicKey, signedData(rrset, sig), sig.signature)
}
