// Whole DNS messages (RFC 1035 section 4.1) with EDNS(0) (RFC 6891) and Extended DNS Errors
// (RFC 8914). Decoding is strict and bounded: every length is checked against the data before
// anything is allocated, and any inconsistency is a WireFormatError with its offset.
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import { readRdata, writeRR } from './rdata.js'
import {
  RRClass, RRType, WireFormatError, type Edns, type EdnsOption, type ExtendedError,
  type HeaderFlags, type Message, type Name, type Question, type RR,
} from './types.js'

const HEADER_LENGTH = 12
/** Smallest question: root name (1) + type (2) + class (2). */
const MIN_QUESTION = 5
/** Smallest RR: root name (1) + type, class (4) + TTL (4) + rdlength (2). */
const MIN_RR = 11
/** RFC 8914 section 2: the Extended DNS Error option code. */
export const EDNS_OPTION_EDE = 15
/** RFC 8914 section 2: info code (2 octets) before the text. */
const EDE_MIN_LENGTH = 2
/** RFC 9715 / DNS flag day 2020 advice: a UDP size that avoids fragmentation. */
export const DEFAULT_UDP_SIZE = 1232

type Section = 'answer' | 'authority' | 'additional'

// Messages decoded by decodeOnce, by the very bytes object: the transport decodes a response
// to match it to its query, the walker then reads the same bytes. Decoded messages are never
// changed, so both may hold one. Weak: entries go with the bytes.
const decoded = new WeakMap<Uint8Array, Message>()

/** decodeMessage, but at most once per bytes object (the result is shared: do not mutate). */
export function decodeOnce(bytes: Uint8Array): Message {
  const hit = decoded.get(bytes)
  if (hit !== undefined) return hit
  const m = decodeMessage(bytes)
  decoded.set(bytes, m)
  return m
}

/**
 * Parses a whole message. The OPT record goes into `edns` (all its options, option 15 also
 * decoded into `extendedErrors`) and its upper rcode bits into `rcode`. Throws WireFormatError
 * on anything malformed; work and allocation are bounded by the input length.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new Reader(bytes)
  if (bytes.length < HEADER_LENGTH) {
    throw new WireFormatError(`message of ${bytes.length} bytes is shorter than a header`, 0)
  }
  const id = r.u16()
  const bits = r.u16()
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const
  const [qd, an, ns, ar] = counts
  // Counts are checked against the smallest possible entries before the loops, so a header
  // claiming 65535 records in 20 bytes fails here instead of after allocating.
  const least = qd * MIN_QUESTION + (an + ns + ar) * MIN_RR
  if (least > r.remaining) {
    throw new WireFormatError(`header counts (${counts.join(', ')}) need at least ${least} ` +
      `bytes, message has ${r.remaining} after the header`, 4)
  }
  const flags: HeaderFlags = {
    qr: (bits & 0x8000) !== 0, opcode: (bits >>> 11) & 0xf, aa: (bits & 0x0400) !== 0,
    tc: (bits & 0x0200) !== 0, rd: (bits & 0x0100) !== 0, ra: (bits & 0x0080) !== 0,
    ad: (bits & 0x0020) !== 0, cd: (bits & 0x0010) !== 0,
  }
  const question: Question[] = []
  for (let i = 0; i < qd; i++) {
    question.push({
      name: r.name({ compression: true, what: 'question name' }), type: r.u16('question type'),
      class: r.u16('question class'),
    })
  }
  let edns: Edns | null = null
  let extendedRcode = 0
  const readSection = (count: number, section: Section): RR[] => {
    const out: RR[] = []
    for (let i = 0; i < count; i++) {
      const start = r.offset
      const name = r.name({ compression: true, what: `${section} owner name` })
      const type = r.u16('RR type')
      const klass = r.u16('RR class')
      const ttl = r.u32('RR TTL')
      const rdlength = r.u16('RR rdlength')
      if (type === RRType.OPT) {
        // RFC 6891 section 6.1.1: one OPT, in the additional section, owned by the root.
        if (section !== 'additional') {
          throw new WireFormatError(`OPT record in the ${section} section`, start)
        }
        if (edns !== null) throw new WireFormatError('second OPT record', start)
        if (name.length !== 0) throw new WireFormatError('OPT owner is not the root', start)
        const options = r.sub(rdlength, readEdnsOptions, 'OPT rdata')
        extendedRcode = ttl >>> 24
        edns = {
          udpSize: klass, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0,
          options, extendedErrors: decodeExtendedErrors(options),
        }
        continue
      }
      const data = r.sub(rdlength, (sub) => readRdata(sub, type, { compression: true }),
        `type ${type} rdata`)
      // RFC 2181 section 8: a TTL with the top bit set is treated as zero (unbound's parser
      // does the same), so such a record is never cached nor compared as if it lived 68 years.
      out.push({ name, type, class: klass, ttl: ttl >= 0x80000000 ? 0 : ttl, data })
    }
    return out
  }
  const answer = readSection(an, 'answer')
  const authority = readSection(ns, 'authority')
  const additional = readSection(ar, 'additional')
  if (r.remaining !== 0) {
    throw new WireFormatError(`${r.remaining} bytes after the last record`, r.offset)
  }
  return {
    id, flags, rcode: (extendedRcode << 4) | (bits & 0xf), question, answer, authority,
    additional, edns,
  }
}

function readEdnsOptions(r: Reader): EdnsOption[] {
  const options: EdnsOption[] = []
  while (r.remaining > 0) {
    const code = r.u16('EDNS option code')
    const length = r.u16('EDNS option length')
    options.push({ code, data: r.bytes(length, `EDNS option ${code}`) })
  }
  return options
}

/**
 * RFC 8914 section 2: INFO-CODE then UTF-8 EXTRA-TEXT. Malformed text is decoded with
 * replacement characters (it is only for humans); an option too short for its code is left
 * out (it stays in `options`), so a resolver's broken option does not discard its answer.
 */
function decodeExtendedErrors(options: readonly EdnsOption[]): ExtendedError[] {
  const decoder = new TextDecoder('utf-8', { fatal: false })
  return options.filter((o) => o.code === EDNS_OPTION_EDE && o.data.length >= EDE_MIN_LENGTH)
    .map((o) => {
      const code = ((o.data[0] as number) << 8) | (o.data[1] as number)
      return { code, text: decoder.decode(o.data.subarray(EDE_MIN_LENGTH)) }
    })
}

/**
 * Wire form without compression. The OPT record, when `edns` is set, is written last in the
 * additional section from `edns.options` (extendedErrors is derived data and not re-encoded),
 * with the upper bits of `rcode` in its TTL.
 */
export function encodeMessage(msg: Message): Uint8Array {
  if (msg.edns === null && msg.rcode > 0xf) {
    throw new RangeError(`rcode ${msg.rcode} needs an OPT record`)
  }
  if (msg.rcode < 0 || msg.rcode > 0xfff) throw new RangeError(`rcode ${msg.rcode}`)
  const f = msg.flags
  const w = new Writer()
  w.u16(msg.id)
  w.u16((f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) | (f.rd ? 0x0100 : 0) | (f.ra ? 0x0080 : 0) | (f.ad ? 0x0020 : 0) |
    (f.cd ? 0x0010 : 0) | (msg.rcode & 0xf))
  w.u16(msg.question.length).u16(msg.answer.length).u16(msg.authority.length)
  w.u16(msg.additional.length + (msg.edns === null ? 0 : 1))
  for (const q of msg.question) w.name(q.name).u16(q.type).u16(q.class)
  for (const rr of [...msg.answer, ...msg.authority, ...msg.additional]) writeRR(w, rr)
  if (msg.edns !== null) {
    const e = msg.edns
    w.u8(0).u16(RRType.OPT).u16(e.udpSize)
    w.u8(msg.rcode >>> 4).u8(e.version).u16(e.dnssecOk ? 0x8000 : 0)
    w.lengthPrefixed16((inner) => {
      for (const o of e.options) inner.u16(o.code).u16(o.data.length).bytes(o.data)
    })
  }
  return w.finish()
}

/**
 * A query with an EDNS(0) OPT record. Defaults follow dig: RD set, CD clear, DO set (we always
 * want signatures), UDP size 1232.
 */
export function buildQuery(opts: {
  id: number; name: Name; type: number; rd?: boolean; cd?: boolean; ad?: boolean
  dnssecOk?: boolean
  udpSize?: number
}): Uint8Array {
  const udpSize = opts.udpSize ?? DEFAULT_UDP_SIZE
  // RFC 6891 section 6.2.5: values below 512 are treated as 512.
  if (!Number.isInteger(udpSize) || udpSize < 512 || udpSize > 0xffff) {
    throw new RangeError(`UDP size ${udpSize} outside 512..65535`)
  }
  return encodeMessage({
    id: opts.id,
    flags: {
      qr: false, opcode: 0, aa: false, tc: false, rd: opts.rd ?? true, ra: false,
      ad: opts.ad ?? false,
      cd: opts.cd ?? false,
    },
    rcode: 0,
    question: [{ name: opts.name, type: opts.type, class: RRClass.IN }],
    answer: [], authority: [], additional: [],
    edns: {
      udpSize, version: 0, dnssecOk: opts.dnssecOk ?? true, options: [], extendedErrors: [],
    },
  })
}
