// Plain data types for DNS messages and records. Every module above the wire layer works on
// these; nothing here does I/O.

/**
 * A domain name as its raw label bytes, root = []. Labels are never decoded to text, so
 * case and any byte survive for canonical form (RFC 4034 section 6.2).
 */
export type Name = readonly Uint8Array[]

/** RR type numbers used by the tool (IANA registry). */
export const RRType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, DNAME: 39, OPT: 41,
  DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, NSEC3PARAM: 51,
  CDS: 59, CDNSKEY: 60, ANY: 255,
} as const

export const RRClass = { IN: 1 } as const

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16,
} as const

export interface AData { readonly kind: 'A'; readonly address: string }
export interface AAAAData { readonly kind: 'AAAA'; readonly address: string }
/** NS, CNAME and DNAME: one target name. */
export interface TargetData { readonly kind: 'NS' | 'CNAME' | 'DNAME'; readonly target: Name }
export interface SOAData {
  readonly kind: 'SOA'; readonly mname: Name; readonly rname: Name; readonly serial: number
  readonly refresh: number; readonly retry: number; readonly expire: number
  readonly minimum: number
}
export interface MXData {
  readonly kind: 'MX'; readonly preference: number; readonly exchange: Name
}
export interface TXTData { readonly kind: 'TXT'; readonly strings: readonly Uint8Array[] }
/** DS and CDS share one layout (RFC 4034 section 5, RFC 7344). */
export interface DSData {
  readonly kind: 'DS' | 'CDS'; readonly keyTag: number; readonly algorithm: number
  readonly digestType: number; readonly digest: Uint8Array
}
/** DNSKEY and CDNSKEY share one layout (RFC 4034 section 2). */
export interface DNSKEYData {
  readonly kind: 'DNSKEY' | 'CDNSKEY'; readonly flags: number; readonly protocol: number
  readonly algorithm: number; readonly publicKey: Uint8Array
}
export interface RRSIGData {
  readonly kind: 'RRSIG'; readonly typeCovered: number; readonly algorithm: number
  readonly labels: number; readonly originalTtl: number
  /** Seconds since the epoch modulo 2^32, as on the wire (RFC 4034 section 3.1.5). */
  readonly expiration: number; readonly inception: number
  readonly keyTag: number; readonly signerName: Name; readonly signature: Uint8Array
}
export interface NSECData {
  readonly kind: 'NSEC'; readonly next: Name; readonly types: readonly number[]
}
export interface NSEC3Data {
  readonly kind: 'NSEC3'; readonly hashAlgorithm: number; readonly flags: number
  readonly iterations: number; readonly salt: Uint8Array
  /** The next hashed owner name, raw (not base32). */
  readonly nextHashed: Uint8Array; readonly types: readonly number[]
}
export interface NSEC3PARAMData {
  readonly kind: 'NSEC3PARAM'; readonly hashAlgorithm: number; readonly flags: number
  readonly iterations: number; readonly salt: Uint8Array
}
/** Any type we do not decode, kept as RFC 3597 opaque bytes. */
export interface UnknownData { readonly kind: 'UNKNOWN'; readonly data: Uint8Array }

export type Rdata =
  | AData | AAAAData | TargetData | SOAData | MXData | TXTData | DSData | DNSKEYData
  | RRSIGData | NSECData | NSEC3Data | NSEC3PARAMData | UnknownData

export interface RR<D extends Rdata = Rdata> {
  readonly name: Name
  readonly type: number
  readonly class: number
  /** Decoded from the wire, 2^31 and above reads as 0 (RFC 2181 section 8). */
  readonly ttl: number
  readonly data: D
}

export interface Question { readonly name: Name; readonly type: number; readonly class: number }

export interface EdnsOption { readonly code: number; readonly data: Uint8Array }

/** RFC 8914 Extended DNS Error, decoded from EDNS option 15. */
export interface ExtendedError { readonly code: number; readonly text: string }

export interface Edns {
  readonly udpSize: number
  readonly version: number
  readonly dnssecOk: boolean
  readonly options: readonly EdnsOption[]
  readonly extendedErrors: readonly ExtendedError[]
}

export interface HeaderFlags {
  readonly qr: boolean; readonly opcode: number; readonly aa: boolean; readonly tc: boolean
  readonly rd: boolean; readonly ra: boolean; readonly ad: boolean; readonly cd: boolean
}

export interface Message {
  readonly id: number
  readonly flags: HeaderFlags
  /** The full rcode: the header's 4 bits plus the OPT record's upper 8 bits. */
  readonly rcode: number
  readonly question: readonly Question[]
  readonly answer: readonly RR[]
  readonly authority: readonly RR[]
  /** The additional section without the OPT pseudo-record, which is in `edns`. */
  readonly additional: readonly RR[]
  readonly edns: Edns | null
}

/** Raised when bytes from the network cannot be parsed; carries where it went wrong. */
export class WireFormatError extends RangeError {
  override readonly name = 'WireFormatError'
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`)
  }
}
