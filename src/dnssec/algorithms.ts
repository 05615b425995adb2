// The one table of DNSSEC algorithms and DS digest types. Every other module asks here
// (algorithmInfo, digestInfo) instead of listing numbers of its own.
//
// Numbers: IANA "DNS Security Algorithm Numbers" and "Delegation Signer (DS) Resource Record
// Digest Algorithms" registries. Recommendations: RFC 8624 section 3.1 (algorithms) and
// section 3.3 (digests).

/** Requirement levels used by the RFC 8624 tables. */
export type Rfc8624Level = 'MUST NOT' | 'NOT RECOMMENDED' | 'MAY' | 'RECOMMENDED' | 'MUST'

/** Which key decoder and verify call an algorithm needs; verify.ts switches on this. */
export type KeyFamily = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'ed448'

/** Hash names as node:crypto spells them; null for EdDSA, which hashes internally. */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512'

export interface AlgorithmInfo {
  readonly number: number
  /** The mnemonic as RFC 8624 section 3.1 prints it, or "ALG<n>" for numbers we do not know. */
  readonly mnemonic: string
  /** True when this tool can verify signatures made with it. */
  readonly supported: boolean
  /** RFC 8624 section 3.1 advice; null when the RFC does not list the number. */
  readonly signing: Rfc8624Level | null
  readonly validation: Rfc8624Level | null
  /** Built on MD5, SHA-1, DSA or GOST: still met in the wild but on its way out. */
  readonly deprecated: boolean
  /** How to check a signature; null when unsupported. */
  readonly crypto: { readonly family: KeyFamily; readonly hash: HashName | null } | null
}

export interface DigestInfo {
  readonly number: number
  /** "SHA-1", "SHA-256", ...; "DIGEST<n>" for numbers we do not know. */
  readonly mnemonic: string
  readonly supported: boolean
  /** RFC 8624 section 3.3 advice for DS records; null when the RFC does not list the number. */
  readonly signing: Rfc8624Level | null
  readonly validation: Rfc8624Level | null
  readonly deprecated: boolean
  /** node:crypto hash name; null when unsupported. */
  readonly hash: HashName | null
}

function alg(
  number: number,
  mnemonic: string,
  signing: Rfc8624Level,
  validation: Rfc8624Level,
  deprecated: boolean,
  crypto: AlgorithmInfo['crypto'],
): AlgorithmInfo {
  return { number, mnemonic, supported: crypto !== null, signing, validation, deprecated, crypto }
}

function rsa(hash: HashName): AlgorithmInfo['crypto'] {
  return { family: 'rsa', hash }
}

// RFC 8624 section 3.1, row by row. Unsupported on purpose: RSAMD5 and the DSA algorithms,
// which RFC 8624 says MUST NOT be validated, and ECC-GOST, which node:crypto cannot do.
const ALGORITHMS: ReadonlyMap<number, AlgorithmInfo> = new Map(
  [
    alg(1, 'RSAMD5', 'MUST NOT', 'MUST NOT', true, null),
    alg(3, 'DSA', 'MUST NOT', 'MUST NOT', true, null),
    alg(5, 'RSASHA1', 'NOT RECOMMENDED', 'MUST', true, rsa('sha1')),
    alg(6, 'DSA-NSEC3-SHA1', 'MUST NOT', 'MUST NOT', true, null),
    alg(7, 'RSASHA1-NSEC3-SHA1', 'NOT RECOMMENDED', 'MUST', true, rsa('sha1')),
    alg(8, 'RSASHA256', 'MUST', 'MUST', false, rsa('sha256')),
    alg(10, 'RSASHA512', 'NOT RECOMMENDED', 'MUST', false, rsa('sha512')),
    alg(12, 'ECC-GOST', 'MUST NOT', 'MAY', true, null),
    alg(13, 'ECDSAP256SHA256', 'MUST', 'MUST', false, { family: 'ecdsa-p256', hash: 'sha256' }),
    alg(14, 'ECDSAP384SHA384', 'MAY', 'RECOMMENDED', false, {
      family: 'ecdsa-p384',
      hash: 'sha384',
    }),
    alg(15, 'ED25519', 'RECOMMENDED', 'RECOMMENDED', false, { family: 'ed25519', hash: null }),
    alg(16, 'ED448', 'MAY', 'RECOMMENDED', false, { family: 'ed448', hash: null }),
  ].map((a) => [a.number, a]),
)

function digest(
  number: number,
  mnemonic: string,
  signing: Rfc8624Level,
  validation: Rfc8624Level,
  deprecated: boolean,
  hash: HashName | null,
): DigestInfo {
  return { number, mnemonic, supported: hash !== null, signing, validation, deprecated, hash }
}

// RFC 8624 section 3.3. Type 0 only means something in a CDS "delete" record (RFC 8078).
const DIGESTS: ReadonlyMap<number, DigestInfo> = new Map(
  [
    digest(0, 'NULL', 'MUST NOT', 'MUST NOT', false, null),
    digest(1, 'SHA-1', 'MUST NOT', 'MUST', true, 'sha1'),
    digest(2, 'SHA-256', 'MUST', 'MUST', false, 'sha256'),
    digest(3, 'GOST R 34.11-94', 'MUST NOT', 'MAY', true, null),
    digest(4, 'SHA-384', 'MAY', 'RECOMMENDED', false, 'sha384'),
  ].map((d) => [d.number, d]),
)

/** The descriptor for a DNSSEC algorithm number; unknown numbers come back unsupported. */
export function algorithmInfo(n: number): AlgorithmInfo {
  return ALGORITHMS.get(n) ?? {
    number: n, mnemonic: `ALG${n}`, supported: false, signing: null, validation: null,
    deprecated: false, crypto: null,
  }
}

/** The descriptor for a DS digest type; unknown numbers come back unsupported. */
export function digestInfo(n: number): DigestInfo {
  return DIGESTS.get(n) ?? {
    number: n, mnemonic: `DIGEST${n}`, supported: false, signing: null, validation: null,
    deprecated: false, hash: null,
  }
}

/** Every algorithm number the table knows, ascending (for reports and the bench). */
export function knownAlgorithms(): readonly AlgorithmInfo[] {
  return [...ALGORITHMS.values()]
}
