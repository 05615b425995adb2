// RDATA codecs for the types the tool reasons about, plus RFC 3597 opaque data for the rest.
//
// Name compression inside RDATA (RFC 3597 section 4): receivers MUST decompress the RFC 1035
// types and SHOULD decompress RP, AFSDB, RT, SIG, PX, NXT, NAPTR and SRV; every later type
// forbids compression. We follow exactly that: pointers are followed in NS, CNAME, SOA, MX and
// the opaque types listed in NAME_LAYOUTS as compressible, and REJECTED (WireFormatError)
// everywhere else, notably in DNAME (RFC 6672 section 2.1), the RRSIG signer name (RFC 4034
// section 3.1.7) and the NSEC next name (RFC 4034 section 4.1.1): a server compressing those
// is broken, and a validator would otherwise rebuild signed data from bytes it never saw.
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import { RRType, WireFormatError, type RR, type Rdata } from './types.js'

/** Rdata type numbers this module decodes into a structure, by mnemonic. */
const KIND_BY_TYPE: ReadonlyMap<number, Rdata['kind']> = new Map<number, Rdata['kind']>([
  [RRType.A, 'A'], [RRType.AAAA, 'AAAA'], [RRType.NS, 'NS'], [RRType.CNAME, 'CNAME'],
  [RRType.DNAME, 'DNAME'], [RRType.SOA, 'SOA'], [RRType.MX, 'MX'], [RRType.TXT, 'TXT'],
  [RRType.DS, 'DS'], [RRType.CDS, 'CDS'], [RRType.DNSKEY, 'DNSKEY'],
  [RRType.CDNSKEY, 'CDNSKEY'], [RRType.RRSIG, 'RRSIG'], [RRType.NSEC, 'NSEC'],
  [RRType.NSEC3, 'NSEC3'], [RRType.NSEC3PARAM, 'NSEC3PARAM'],
])

/** The kind of structure `type` decodes to, 'UNKNOWN' for opaque types. */
export function rdataKind(type: number): Rdata['kind'] {
  return KIND_BY_TYPE.get(type) ?? 'UNKNOWN'
}

/**
 * RFC 4034 section 6.2 item 3 as corrected by RFC 6840 section 5.1 (NSEC removed): the types
 * whose embedded names are lowercased in canonical form. HINFO is on the RFC's list but holds
 * no names.
 */
export const CANONICAL_LOWERCASE_TYPES: ReadonlySet<number> = new Set([
  2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 17, 18, 21, 24, 26, 30, 35, 36, 33, 39, 38, 46,
])

type Field = number | 'name' | 'charString' | 'rest'
/**
 * Layouts of opaque types that embed names, so we can decompress them on receipt and lowercase
 * them in canonical form even though we keep them as UnknownData. A number is a fixed-size
 * run of octets.
 */
const NAME_LAYOUTS: ReadonlyMap<number, { fields: readonly Field[]; compressible: boolean }> =
  new Map([
    // RFC 1035: MD, MF, MB, MG, MR, PTR, MINFO (receivers MUST decompress).
    [3, { fields: ['name'], compressible: true }],
    [4, { fields: ['name'], compressible: true }],
    [7, { fields: ['name'], compressible: true }],
    [8, { fields: ['name'], compressible: true }],
    [9, { fields: ['name'], compressible: true }],
    [12, { fields: ['name'], compressible: true }],
    [14, { fields: ['name', 'name'], compressible: true }],
    // RFC 3597 section 4 SHOULD list: RP, AFSDB, RT, SIG, PX, NXT, NAPTR, SRV.
    [17, { fields: ['name', 'name'], compressible: true }],
    [18, { fields: [2, 'name'], compressible: true }],
    [21, { fields: [2, 'name'], compressible: true }],
    [24, { fields: [18, 'name', 'rest'], compressible: true }],
    [26, { fields: [2, 'name', 'name'], compressible: true }],
    [30, { fields: ['name', 'rest'], compressible: true }],
    [35, { fields: [4, 'charString', 'charString', 'charString', 'name'],
      compressible: true }],
    [33, { fields: [6, 'name'], compressible: true }],
    // KX (RFC 2230) is on the canonical list but may not be compressed.
    [36, { fields: [2, 'name'], compressible: false }],
    // TODO(wire): A6 (38) has a variable layout; it is historic (RFC 6563) so its name is
    // neither decompressed nor lowercased.
  ])

/**
 * Presentation layouts of the opaque types above whose fixed parts are 16-bit numbers (PTR,
 * MX-like, SRV, NAPTR, ...), so text.ts can print and parse them in their usual form.
 */
export const NAME_TEXT_LAYOUTS: ReadonlyMap<number, readonly ('name' | 'charString' | 'u16')[]> =
  new Map([...NAME_LAYOUTS]
    .filter(([, l]) => l.fields.every((f) => f !== 'rest' && (typeof f !== 'number' ||
      f % 2 === 0)))
    .map(([type, l]) => [type, l.fields.flatMap((f) => typeof f === 'number'
      ? new Array<'u16'>(f / 2).fill('u16') : [f as 'name' | 'charString'])]))

/**
 * Decodes the `length` bytes of rdata at `offset` in `msg`. Pointers (where allowed, see
 * above) may point anywhere earlier in `msg`. Throws WireFormatError unless the rdata parses
 * and is consumed exactly.
 */
export function decodeRdata(type: number, msg: Uint8Array, offset: number, length: number):
  Rdata {
  const r = new Reader(msg, { offset, end: offset + length })
  const data = readRdata(r, type, { compression: true })
  if (r.remaining !== 0) {
    throw new WireFormatError(`${r.remaining} bytes left after type ${type} rdata`, r.offset)
  }
  return data
}

/**
 * Reads one rdata filling `r` up to its bound (callers give a bounded sub-reader).
 * `compression: false` is for rdata that does not sit inside a message (RFC 3597 text form).
 */
export function readRdata(r: Reader, type: number, opts: { compression: boolean }): Rdata {
  const c = opts.compression
  switch (rdataKind(type)) {
    case 'A':
      return { kind: 'A', address: ipv4ToText(r.bytes(4, 'A address')) }
    case 'AAAA':
      return { kind: 'AAAA', address: ipv6ToText(r.bytes(16, 'AAAA address')) }
    case 'NS':
      return { kind: 'NS', target: r.name({ compression: c, what: 'NS target' }) }
    case 'CNAME':
      return { kind: 'CNAME', target: r.name({ compression: c, what: 'CNAME target' }) }
    case 'DNAME':
      return { kind: 'DNAME', target: r.name({ compression: false, what: 'DNAME target' }) }
    case 'SOA':
      return {
        kind: 'SOA', mname: r.name({ compression: c, what: 'SOA mname' }),
        rname: r.name({ compression: c, what: 'SOA rname' }), serial: r.u32('SOA serial'),
        refresh: r.u32('SOA refresh'), retry: r.u32('SOA retry'), expire: r.u32('SOA expire'),
        minimum: r.u32('SOA minimum'),
      }
    case 'MX':
      return {
        kind: 'MX', preference: r.u16('MX preference'),
        exchange: r.name({ compression: c, what: 'MX exchange' }),
      }
    case 'TXT': {
      // RFC 1035 section 3.3.14: one or more character-strings, so empty rdata is malformed.
      const strings: Uint8Array[] = []
      do strings.push(r.charString('TXT string'))
      while (r.remaining > 0)
      return { kind: 'TXT', strings }
    }
    case 'DS':
    case 'CDS':
      return {
        kind: type === RRType.DS ? 'DS' : 'CDS', keyTag: r.u16('DS key tag'),
        algorithm: r.u8('DS algorithm'), digestType: r.u8('DS digest type'), digest: r.rest(),
      }
    case 'DNSKEY':
    case 'CDNSKEY':
      return {
        kind: type === RRType.DNSKEY ? 'DNSKEY' : 'CDNSKEY', flags: r.u16('DNSKEY flags'),
        protocol: r.u8('DNSKEY protocol'), algorithm: r.u8('DNSKEY algorithm'),
        publicKey: r.rest(),
      }
    case 'RRSIG':
      return {
        kind: 'RRSIG', typeCovered: r.u16('RRSIG type covered'),
        algorithm: r.u8('RRSIG algorithm'), labels: r.u8('RRSIG labels'),
        originalTtl: r.u32('RRSIG original TTL'), expiration: r.u32('RRSIG expiration'),
        inception: r.u32('RRSIG inception'), keyTag: r.u16('RRSIG key tag'),
        signerName: r.name({ compression: false, what: 'RRSIG signer name' }),
        signature: r.rest(),
      }
    case 'NSEC':
      return {
        kind: 'NSEC', next: r.name({ compression: false, what: 'NSEC next name' }),
        types: readTypeBitmap(r),
      }
    case 'NSEC3': {
      const hashAlgorithm = r.u8('NSEC3 hash algorithm')
      const flags = r.u8('NSEC3 flags')
      const iterations = r.u16('NSEC3 iterations')
      const salt = r.charString('NSEC3 salt')
      const hashStart = r.offset
      const nextHashed = r.charString('NSEC3 next hashed owner')
      // RFC 5155 section 3.2: the hash length ranges from 1 to 255.
      if (nextHashed.length === 0) {
        throw new WireFormatError('NSEC3 next hashed owner name is empty', hashStart)
      }
      return {
        kind: 'NSEC3', hashAlgorithm, flags, iterations, salt, nextHashed,
        types: readTypeBitmap(r),
      }
    }
    case 'NSEC3PARAM':
      return {
        kind: 'NSEC3PARAM', hashAlgorithm: r.u8('NSEC3PARAM hash algorithm'),
        flags: r.u8('NSEC3PARAM flags'), iterations: r.u16('NSEC3PARAM iterations'),
        salt: r.charString('NSEC3PARAM salt'),
      }
    case 'UNKNOWN': {
      const layout = NAME_LAYOUTS.get(type)
      if (layout === undefined) return { kind: 'UNKNOWN', data: r.rest() }
      // Re-encoded uncompressed, so the bytes no longer depend on the surrounding message.
      const w = new Writer()
      copyWithLayout(r, w, layout.fields, {
        compression: c && layout.compressible, lower: false, type,
      })
      return { kind: 'UNKNOWN', data: w.finish() }
    }
  }
}

function copyWithLayout(r: Reader, w: Writer, fields: readonly Field[],
  opts: { compression: boolean; lower: boolean; type: number }): void {
  for (const field of fields) {
    if (field === 'name') {
      w.name(r.name({ compression: opts.compression, what: `type ${opts.type} name` }),
        { lower: opts.lower })
    } else if (field === 'charString') {
      w.charString(r.charString())
    } else if (field === 'rest') {
      w.bytes(r.rest())
    } else {
      w.bytes(r.bytes(field, `type ${opts.type} fixed field`))
    }
  }
  if (r.remaining !== 0) {
    throw new WireFormatError(`${r.remaining} bytes left after type ${opts.type} rdata`,
      r.offset)
  }
}

/**
 * Type bitmap (RFC 4034 section 4.1.2): window blocks in strictly increasing order, each
 * 1 to 32 octets long without trailing zero octets. Returns the type numbers, ascending.
 */
export function readTypeBitmap(r: Reader): number[] {
  const types: number[] = []
  let lastWindow = -1
  while (r.remaining > 0) {
    const at = r.offset
    const window = r.u8('type bitmap window')
    const length = r.u8('type bitmap length')
    if (window <= lastWindow) {
      throw new WireFormatError(`type bitmap window ${window} after window ${lastWindow}`, at)
    }
    if (length < 1 || length > 32) {
      throw new WireFormatError(`type bitmap window ${window} has length ${length}`, at)
    }
    const bits = r.bytes(length, 'type bitmap')
    if (bits[length - 1] === 0) {
      throw new WireFormatError(`type bitmap window ${window} ends in a zero octet`, at)
    }
    for (let i = 0; i < length; i++) {
      const octet = bits[i] as number
      for (let bit = 0; bit < 8; bit++) {
        if ((octet & (0x80 >> bit)) !== 0) types.push(window * 256 + i * 8 + bit)
      }
    }
    lastWindow = window
  }
  return types
}

export function writeTypeBitmap(w: Writer, types: readonly number[]): void {
  const sorted = [...new Set(types)].sort((a, b) => a - b)
  let i = 0
  while (i < sorted.length) {
    const window = (sorted[i] as number) >>> 8
    const bits = new Uint8Array(32)
    let length = 0
    for (; i < sorted.length && (sorted[i] as number) >>> 8 === window; i++) {
      const t = sorted[i] as number
      if (!Number.isInteger(t) || t < 0 || t > 0xffff) throw new RangeError(`bad type ${t}`)
      const low = t & 0xff
      bits[low >>> 3] = (bits[low >>> 3] as number) | (0x80 >> (low & 7))
      length = (low >>> 3) + 1
    }
    w.u8(window).u8(length).bytes(bits.subarray(0, length))
  }
}

/**
 * Uncompressed rdata. With `canonical`, embedded names of the types in
 * CANONICAL_LOWERCASE_TYPES are lowercased; for UnknownData pass `type` so opaque types that
 * embed names (PTR, SRV, ...) can be lowercased too (without it they are copied as they are).
 */
export function encodeRdata(rdata: Rdata, opts: { canonical?: boolean; type?: number } = {}):
  Uint8Array {
  const w = new Writer()
  writeRdata(w, rdata, opts)
  return w.finish()
}

export function writeRdata(w: Writer, rdata: Rdata,
  opts: { canonical?: boolean; type?: number } = {}): void {
  const lower = opts.canonical === true
  switch (rdata.kind) {
    case 'A':
      w.bytes(ipv4FromText(rdata.address))
      return
    case 'AAAA':
      w.bytes(ipv6FromText(rdata.address))
      return
    case 'NS':
    case 'CNAME':
    case 'DNAME':
      w.name(rdata.target, { lower })
      return
    case 'SOA':
      w.name(rdata.mname, { lower }).name(rdata.rname, { lower }).u32(rdata.serial)
        .u32(rdata.refresh).u32(rdata.retry).u32(rdata.expire).u32(rdata.minimum)
      return
    case 'MX':
      w.u16(rdata.preference).name(rdata.exchange, { lower })
      return
    case 'TXT':
      if (rdata.strings.length === 0) throw new RangeError('TXT needs at least one string')
      for (const s of rdata.strings) w.charString(s)
      return
    case 'DS':
    case 'CDS':
      w.u16(rdata.keyTag).u8(rdata.algorithm).u8(rdata.digestType).bytes(rdata.digest)
      return
    case 'DNSKEY':
    case 'CDNSKEY':
      w.u16(rdata.flags).u8(rdata.protocol).u8(rdata.algorithm).bytes(rdata.publicKey)
      return
    case 'RRSIG':
      w.u16(rdata.typeCovered).u8(rdata.algorithm).u8(rdata.labels).u32(rdata.originalTtl)
        .u32(rdata.expiration).u32(rdata.inception).u16(rdata.keyTag)
        .name(rdata.signerName, { lower }).bytes(rdata.signature)
      return
    case 'NSEC':
      // RFC 6840 section 5.1: the NSEC next name keeps its case in canonical form.
      w.name(rdata.next)
      writeTypeBitmap(w, rdata.types)
      return
    case 'NSEC3':
      if (rdata.nextHashed.length === 0) throw new RangeError('NSEC3 next hash is empty')
      w.u8(rdata.hashAlgorithm).u8(rdata.flags).u16(rdata.iterations).charString(rdata.salt)
        .charString(rdata.nextHashed)
      writeTypeBitmap(w, rdata.types)
      return
    case 'NSEC3PARAM':
      w.u8(rdata.hashAlgorithm).u8(rdata.flags).u16(rdata.iterations).charString(rdata.salt)
      return
    case 'UNKNOWN': {
      const type = opts.type ?? -1
      const layout = NAME_LAYOUTS.get(type)
      if (!lower || layout === undefined || !CANONICAL_LOWERCASE_TYPES.has(type)) {
        w.bytes(rdata.data)
        return
      }
      const r = new Reader(rdata.data)
      copyWithLayout(r, w, layout.fields, { compression: false, lower: true, type })
    }
  }
}

/**
 * One RR in wire form: owner, type, class, TTL, rdlength, rdata (RFC 1035 section 4.1.3),
 * uncompressed. With `canonical` the owner and the names RFC 4034 section 6.2 lists are
 * lowercased; the caller substitutes the original TTL and any wildcard owner itself.
 */
export function encodeRR(rr: RR, opts: { canonical?: boolean } = {}): Uint8Array {
  const w = new Writer()
  writeRR(w, rr, opts)
  return w.finish()
}

export function writeRR(w: Writer, rr: RR, opts: { canonical?: boolean } = {}): void {
  checkKind(rr)
  w.name(rr.name, { lower: opts.canonical === true }).u16(rr.type).u16(rr.class).u32(rr.ttl)
  w.lengthPrefixed16((inner) => writeRdata(inner, rr.data, { ...opts, type: rr.type }))
}

function checkKind(rr: RR): void {
  const expected = rdataKind(rr.type)
  if (rr.data.kind !== expected) {
    throw new RangeError(`type ${rr.type} record carries ${rr.data.kind} data, not ${expected}`)
  }
}

function ipv4ToText(b: Uint8Array): string {
  return Array.from(b).join('.')
}

/** Strict dotted quad: four decimal octets without leading zeros. */
export function ipv4FromText(text: string): Uint8Array {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) &&
    Number(p) <= 255)) {
    throw new SyntaxError(`not an IPv4 address: ${JSON.stringify(text)}`)
  }
  return Uint8Array.from(parts.map(Number))
}

/**
 * RFC 5952 text: lowercase hex, leading zeros dropped, the longest run (first on a tie) of
 * two or more zero groups as "::", and IPv4-mapped addresses as ::ffff:a.b.c.d (section 5).
 */
export function ipv6ToText(b: Uint8Array): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number))
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4ToText(b.subarray(12, 16))}`
  }
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** Any RFC 4291 section 2.2 text form, including a trailing dotted quad. */
export function ipv6FromText(text: string): Uint8Array {
  const bad = (): never => {
    throw new SyntaxError(`not an IPv6 address: ${JSON.stringify(text)}`)
  }
  let body = text
  let tail: number[] = []
  const lastColon = body.lastIndexOf(':')
  if (body.includes('.')) {
    const v4 = ipv4FromText(body.slice(lastColon + 1))
    tail = [((v4[0] as number) << 8) | (v4[1] as number),
      ((v4[2] as number) << 8) | (v4[3] as number)]
    body = body.slice(0, lastColon + 1)
    // Drop the colon that separated the groups from the quad, unless it is part of "::".
    if (!body.endsWith('::')) body = body.slice(0, -1)
  }
  const halves = body.split('::')
  if (halves.length > 2) bad()
  const parse = (s: string): number[] => s === '' ? [] : s.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) bad()
    return parseInt(g, 16)
  })
  const head = parse(halves[0] as string)
  const rest = halves.length === 2 ? parse(halves[1] as string) : []
  const total = head.length + rest.length + tail.length
  let groups: number[]
  if (halves.length === 2) {
    if (total > 7) bad()
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail]
  } else {
    if (total !== 8) bad()
    groups = [...head, ...tail]
  }
  const out = new Uint8Array(16)
  groups.forEach((g, i) => { out[2 * i] = g >>> 8; out[2 * i + 1] = g & 0xff })
  return out
}
