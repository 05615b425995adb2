// Presentation format (RFC 1035 section 5, RFC 3597 section 5, RFC 4034 sections 2.2-5.3,
// RFC 5155 section 3.3): rendering records the way dig prints them, and parsing the master
// file subset that trust anchor files, dnssec-signzone and ldns-signzone produce.
import { base32HexDecode, base32HexEncode } from './base32hex.js'
import { nameFromZoneText, nameToText } from './name.js'
import { Reader } from './reader.js'
import {
  NAME_TEXT_LAYOUTS, ipv4FromText, ipv6FromText, ipv6ToText, rdataKind, readRdata,
} from './rdata.js'
import { RRClass, type Name, type RR, type Rdata } from './types.js'

/** Raised for presentation text that cannot be parsed; `line` counts from 1. */
export class PresentationSyntaxError extends SyntaxError {
  override readonly name = 'PresentationSyntaxError'
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`)
  }
}

// IANA "Resource Record (RR) TYPEs" registry: mnemonics we print and accept.
const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [3, 'MD'], [4, 'MF'], [5, 'CNAME'], [6, 'SOA'], [7, 'MB'], [8, 'MG'],
  [9, 'MR'], [10, 'NULL'], [11, 'WKS'], [12, 'PTR'], [13, 'HINFO'], [14, 'MINFO'], [15, 'MX'],
  [16, 'TXT'], [17, 'RP'], [18, 'AFSDB'], [19, 'X25'], [20, 'ISDN'], [21, 'RT'], [22, 'NSAP'],
  [23, 'NSAP-PTR'], [24, 'SIG'], [25, 'KEY'], [26, 'PX'], [27, 'GPOS'], [28, 'AAAA'],
  [29, 'LOC'], [30, 'NXT'], [33, 'SRV'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'], [38, 'A6'],
  [39, 'DNAME'], [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'], [45, 'IPSECKEY'],
  [46, 'RRSIG'], [47, 'NSEC'], [48, 'DNSKEY'], [49, 'DHCID'], [50, 'NSEC3'],
  [51, 'NSEC3PARAM'], [52, 'TLSA'], [53, 'SMIMEA'], [55, 'HIP'], [59, 'CDS'], [60, 'CDNSKEY'],
  [61, 'OPENPGPKEY'], [62, 'CSYNC'], [63, 'ZONEMD'], [64, 'SVCB'], [65, 'HTTPS'], [99, 'SPF'],
  [108, 'EUI48'], [109, 'EUI64'], [249, 'TKEY'], [250, 'TSIG'], [251, 'IXFR'], [252, 'AXFR'],
  [255, 'ANY'], [256, 'URI'], [257, 'CAA'], [32768, 'TA'], [32769, 'DLV'],
])
const TYPE_NUMBERS: ReadonlyMap<string, number> =
  new Map([...TYPE_NAMES].map(([n, s]) => [s, n]))

const CLASS_NAMES: ReadonlyMap<number, string> =
  new Map([[1, 'IN'], [3, 'CH'], [4, 'HS'], [254, 'NONE'], [255, 'ANY']])
const CLASS_NUMBERS: ReadonlyMap<string, number> =
  new Map([...CLASS_NAMES].map(([n, s]) => [s, n]))

// IANA "DNS RCODEs" registry (16 is BADVERS in the EDNS context we use).
const RCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NOERROR'], [1, 'FORMERR'], [2, 'SERVFAIL'], [3, 'NXDOMAIN'], [4, 'NOTIMP'],
  [5, 'REFUSED'], [6, 'YXDOMAIN'], [7, 'YXRRSET'], [8, 'NXRRSET'], [9, 'NOTAUTH'],
  [10, 'NOTZONE'], [11, 'DSOTYPENI'], [16, 'BADVERS'], [17, 'BADKEY'], [18, 'BADTIME'],
  [19, 'BADMODE'], [20, 'BADNAME'], [21, 'BADALG'], [22, 'BADTRUNC'], [23, 'BADCOOKIE'],
])

/** "A", "DNSKEY", ...; RFC 3597 section 5 "TYPE65534" for types without a mnemonic. */
export function typeToText(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`
}

/** Mnemonic (any case) or RFC 3597 "TYPEnnn"; null when neither. */
export function typeFromText(text: string): number | null {
  const upper = text.toUpperCase()
  const known = TYPE_NUMBERS.get(upper)
  if (known !== undefined) return known
  const m = /^TYPE([0-9]{1,5})$/.exec(upper)
  if (m === null) return null
  const n = Number(m[1])
  return n <= 0xffff ? n : null
}

export function classToText(klass: number): string {
  return CLASS_NAMES.get(klass) ?? `CLASS${klass}`
}

export function classFromText(text: string): number | null {
  const upper = text.toUpperCase()
  const known = CLASS_NUMBERS.get(upper)
  if (known !== undefined) return known
  const m = /^CLASS([0-9]{1,5})$/.exec(upper)
  if (m === null) return null
  const n = Number(m[1])
  return n <= 0xffff ? n : null
}

/** "NOERROR", "NXDOMAIN", ...; "RCODE4000" for unassigned values. */
export function rcodeToText(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`
}

// ---------------------------------------------------------------------------------------
// Rendering

/** dig breaks base64 and hex blobs into 56-character chunks separated by single spaces. */
const CHUNK = 56

function chunked(text: string): string {
  const parts: string[] = []
  for (let i = 0; i < text.length; i += CHUNK) parts.push(text.slice(i, i + CHUNK))
  return parts.join(' ')
}

function hexUpper(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase()
}

function base64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64')
}


/** RFC 4034 section 3.2: YYYYMMDDHHmmSS in UTC. */
export function timeToText(seconds: number): string {
  // TODO(wire): values are read as seconds since 1970 without the serial-number wrap of
  // RFC 4034 section 3.1.5, so times after 2106 print wrongly; nothing signs that far out.
  const d = new Date(seconds * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`
}

/** A quoted <character-string>: \" and \\ escaped, other non-printable bytes as \DDD. */
function charStringToText(b: Uint8Array): string {
  let out = '"'
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c)
    else if (c < 0x20 || c > 0x7e) out += '\\' + String(c).padStart(3, '0')
    else out += String.fromCharCode(c)
  }
  return out + '"'
}

function typesToText(types: readonly number[]): string {
  return types.map(typeToText).join(' ')
}

/** The rdata as dig prints it on one line. */
export function rdataToText(rdata: Rdata): string {
  switch (rdata.kind) {
    case 'A':
    case 'AAAA':
      return rdata.address
    case 'NS':
    case 'CNAME':
    case 'DNAME':
      return nameToText(rdata.target)
    case 'SOA':
      return [nameToText(rdata.mname), nameToText(rdata.rname), rdata.serial, rdata.refresh,
        rdata.retry, rdata.expire, rdata.minimum].join(' ')
    case 'MX':
      return `${rdata.preference} ${nameToText(rdata.exchange)}`
    case 'TXT':
      return rdata.strings.map(charStringToText).join(' ')
    case 'DS':
    case 'CDS':
      return `${rdata.keyTag} ${rdata.algorithm} ${rdata.digestType} ` +
        chunked(hexUpper(rdata.digest))
    case 'DNSKEY':
    case 'CDNSKEY':
      return `${rdata.flags} ${rdata.protocol} ${rdata.algorithm} ` +
        chunked(base64(rdata.publicKey))
    case 'RRSIG':
      return [typeToText(rdata.typeCovered), rdata.algorithm, rdata.labels, rdata.originalTtl,
        timeToText(rdata.expiration), timeToText(rdata.inception), rdata.keyTag,
        nameToText(rdata.signerName), chunked(base64(rdata.signature))].join(' ')
    case 'NSEC':
      return [nameToText(rdata.next), typesToText(rdata.types)].filter((s) => s !== '')
        .join(' ')
    case 'NSEC3':
      return [rdata.hashAlgorithm, rdata.flags, rdata.iterations, saltToText(rdata.salt),
        base32HexEncode(rdata.nextHashed).toUpperCase(), typesToText(rdata.types)]
        .filter((s) => s !== '')
        .join(' ')
    case 'NSEC3PARAM':
      return [rdata.hashAlgorithm, rdata.flags, rdata.iterations, saltToText(rdata.salt)]
        .join(' ')
    case 'UNKNOWN':
      return rdata.data.length === 0 ? '\\# 0'
        : `\\# ${rdata.data.length} ${chunked(hexUpper(rdata.data))}`
  }
}

function saltToText(salt: Uint8Array): string {
  return salt.length === 0 ? '-' : hexUpper(salt)
}

/**
 * One record on one line, fields separated by single spaces: owner TTL class type rdata.
 * Opaque types whose layout we know (PTR, SRV, ...) are printed in their usual form.
 */
export function rrToText(rr: RR): string {
  return `${nameToText(rr.name)} ${rr.ttl} ${classToText(rr.class)} ${typeToText(rr.type)} ` +
    (rr.data.kind === 'UNKNOWN' ? layoutToText(rr.type, rr.data.data) : rdataToText(rr.data))
}

function layoutToText(type: number, data: Uint8Array): string {
  const layout = NAME_TEXT_LAYOUTS.get(type)
  const generic = rdataToText({ kind: 'UNKNOWN', data })
  if (layout === undefined) return generic
  try {
    const r = new Reader(data)
    const parts: string[] = []
    for (const field of layout) {
      if (field === 'name') parts.push(nameToText(r.name({ compression: false })))
      else if (field === 'charString') parts.push(charStringToText(r.charString()))
      else parts.push(String(r.u16()))
    }
    return r.remaining === 0 ? parts.join(' ') : generic
  } catch {
    // Data that does not fit the layout still has a faithful generic form.
    return generic
  }
}

// ---------------------------------------------------------------------------------------
// Parsing

interface Token { readonly text: string; readonly quoted: boolean }
interface Entry { readonly tokens: readonly Token[]; readonly blankOwner: boolean
  readonly line: number }

/**
 * Splits master-file text into logical entries (RFC 1035 section 5.1): ";" comments,
 * parentheses joining lines, quoted strings, backslash escapes kept in the token text for the
 * field parsers. One linear pass, no backtracking.
 */
function splitEntries(text: string): Entry[] {
  const entries: Entry[] = []
  let tokens: Token[] = []
  let depth = 0
  let line = 1
  let entryLine = 1
  let blankOwner = false
  let atLineStart = true
  const flush = (): void => {
    if (tokens.length > 0) entries.push({ tokens, blankOwner, line: entryLine })
    tokens = []
  }
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (atLineStart && depth === 0) {
      blankOwner = c === ' ' || c === '\t'
      entryLine = line
    }
    atLineStart = false
    if (c === '\n') {
      line++
      if (depth === 0) { flush(); atLineStart = true }
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '(') {
      depth++
      i++
    } else if (c === ')') {
      if (depth === 0) throw new PresentationSyntaxError('")" without "("', line)
      depth--
      i++
    } else if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') throw new PresentationSyntaxError('newline inside quotes', line)
        j += text[j] === '\\' ? 2 : 1
      }
      if (j >= text.length) throw new PresentationSyntaxError('unterminated quote', line)
      tokens.push({ text: text.slice(i + 1, j), quoted: true })
      i = j + 1
    } else {
      let j = i
      while (j < text.length && !' \t\r\n;()"'.includes(text[j] as string)) {
        j += text[j] === '\\' ? 2 : 1
      }
      j = Math.min(j, text.length)
      tokens.push({ text: text.slice(i, j), quoted: false })
      i = j
    }
  }
  if (depth !== 0) throw new PresentationSyntaxError('unbalanced "("', line)
  flush()
  return entries
}

interface ParseContext {
  origin?: Name
  defaultTtl?: number
  previousOwner?: Name
  previousTtl?: number
}

/**
 * Parses one presentation line "owner [ttl] [class] type rdata" (TTL and class in either
 * order; class IN when absent; TTL from `defaultTtl` when absent). Names without a trailing
 * dot are relative to `origin` when given, else absolute. Accepts RFC 3597 "\# len hex" for
 * any type.
 */
export function rrFromText(line: string, opts: { origin?: Name; defaultTtl?: number } = {}):
  RR {
  const entries = splitEntries(line)
  if (entries.length !== 1) {
    throw new PresentationSyntaxError(`expected one record, found ${entries.length}`, 1)
  }
  const entry = entries[0] as Entry
  const ctx: ParseContext = {}
  if (opts.origin !== undefined) ctx.origin = opts.origin
  if (opts.defaultTtl !== undefined) ctx.defaultTtl = opts.defaultTtl
  return parseEntry(entry, ctx)
}

/**
 * The master-file subset signers emit: comments, $ORIGIN, $TTL, parentheses, blank owners
 * (the previous owner), relative names. $INCLUDE and $GENERATE are refused.
 */
export function parseZoneText(text: string, opts: { origin?: Name } = {}): RR[] {
  const ctx: ParseContext = {}
  if (opts.origin !== undefined) ctx.origin = opts.origin
  const out: RR[] = []
  for (const entry of splitEntries(text)) {
    const first = entry.tokens[0] as Token
    if (!first.quoted && first.text.startsWith('$') && !entry.blankOwner) {
      const directive = first.text.toUpperCase()
      const arg = entry.tokens[1]
      if (arg === undefined || entry.tokens.length > 2) {
        throw new PresentationSyntaxError(`${first.text} needs exactly one argument`, entry.line)
      }
      if (directive === '$ORIGIN') {
        ctx.origin = guard(entry.line, () => nameFromZoneText(arg.text, optsOf(ctx)))
      } else if (directive === '$TTL') {
        ctx.defaultTtl = guard(entry.line, () => parseTtl(arg.text, 'TTL'))
      } else {
        throw new PresentationSyntaxError(`${first.text} is not supported`, entry.line)
      }
      continue
    }
    const rr = parseEntry(entry, ctx)
    ctx.previousOwner = rr.name
    ctx.previousTtl = rr.ttl
    out.push(rr)
  }
  return out
}

function optsOf(ctx: ParseContext): { origin?: Name } {
  return ctx.origin === undefined ? {} : { origin: ctx.origin }
}

/** Runs `fn`, turning any error into a PresentationSyntaxError on `line`. */
function guard<T>(line: number, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof PresentationSyntaxError) throw e
    throw new PresentationSyntaxError(e instanceof Error ? e.message : String(e), line)
  }
}

function parseEntry(entry: Entry, ctx: ParseContext): RR {
  return guard(entry.line, () => {
    const tokens = entry.tokens
    let i = 0
    let owner: Name
    if (entry.blankOwner) {
      if (ctx.previousOwner === undefined) throw new SyntaxError('no previous owner name')
      owner = ctx.previousOwner
    } else {
      owner = nameFromZoneText(plain(tokens[i++], 'owner name'), optsOf(ctx))
    }
    let ttl: number | undefined
    let klass: number | undefined
    for (let k = 0; k < 2 && i < tokens.length; k++) {
      const t = tokens[i] as Token
      if (t.quoted) break
      if (ttl === undefined && /^[0-9]/.test(t.text)) {
        ttl = parseTtl(t.text, 'TTL')
      } else if (klass === undefined && classFromText(t.text) !== null) {
        klass = classFromText(t.text) as number
      } else {
        break
      }
      i++
    }
    const typeText = plain(tokens[i++], 'type')
    const type = typeFromText(typeText)
    if (type === null) throw new SyntaxError(`unknown type "${typeText}"`)
    ttl ??= ctx.defaultTtl ?? ctx.previousTtl
    if (ttl === undefined) throw new SyntaxError('no TTL and no $TTL')
    const data = parseRdata(type, tokens.slice(i), optsOf(ctx))
    return { name: owner, type, class: klass ?? RRClass.IN, ttl, data }
  })
}

function plain(t: Token | undefined, what: string): string {
  if (t === undefined) throw new SyntaxError(`missing ${what}`)
  if (t.quoted) throw new SyntaxError(`${what} may not be quoted`)
  return t.text
}

/** A cursor over rdata tokens. */
class Fields {
  #i = 0
  constructor(readonly tokens: readonly Token[]) {}
  next(what: string): string { return plain(this.tokens[this.#i++], what) }
  token(what: string): Token {
    const t = this.tokens[this.#i++]
    if (t === undefined) throw new SyntaxError(`missing ${what}`)
    return t
  }
  /** All remaining tokens, joined (base64 and hex may be split by spaces). */
  rest(what: string, opts: { atLeastOne: boolean }): string {
    const rest = this.tokens.slice(this.#i).map((t) => plain(t, what))
    this.#i = this.tokens.length
    if (opts.atLeastOne && rest.length === 0) throw new SyntaxError(`missing ${what}`)
    return rest.join('')
  }
  remainingTokens(): Token[] {
    const rest = this.tokens.slice(this.#i)
    this.#i = this.tokens.length
    return rest
  }
  done(): void {
    if (this.#i < this.tokens.length) {
      throw new SyntaxError(`unexpected "${(this.tokens[this.#i] as Token).text}"`)
    }
  }
}

function parseUint(text: string, max: number, what: string): number {
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > max) {
    throw new SyntaxError(`${what} "${text}" is not a number in 0..${max}`)
  }
  return Number(text)
}

/** Seconds, or BIND's unit form such as 1h30m or 2W (RFC 1035 allows only the former). */
function parseTtl(text: string, what: string): number {
  if (/^[0-9]+$/.test(text)) return parseUint(text, 0xffffffff, what)
  const units: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 }
  if (!/^([0-9]+[wdhmsWDHMS])+$/.test(text)) {
    throw new SyntaxError(`${what} "${text}" is not a TTL`)
  }
  let total = 0
  for (const m of text.matchAll(/([0-9]+)([a-zA-Z])/g)) {
    total += Number(m[1]) * (units[(m[2] as string).toLowerCase()] as number)
  }
  if (total > 0xffffffff) throw new SyntaxError(`${what} "${text}" is too large`)
  return total
}

function parseHex(text: string, what: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new SyntaxError(`${what} is not hex`)
  return Uint8Array.from(Buffer.from(text, 'hex'))
}

function parseBase64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new SyntaxError(`${what} is not base64`)
  }
  return Uint8Array.from(Buffer.from(text, 'base64'))
}

/** RFC 4034 section 3.2: YYYYMMDDHHmmSS (UTC) or seconds since 1970. */
function parseTime(text: string, what: string): number {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(text)
  if (m === null) return parseUint(text, 0xffffffff, what)
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number,
    number, number]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new SyntaxError(`${what} "${text}" is not a valid date`)
  }
  // Serial-number arithmetic (RFC 4034 section 3.1.5): only the low 32 bits are kept.
  return (ms / 1000) % 0x100000000
}

/** RFC 1035 section 5.1 <character-string> text: \DDD and \X escapes, UTF-8 otherwise. */
function charStringFromText(text: string): Uint8Array {
  const out: number[] = []
  const enc = new TextEncoder()
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c !== '\\') {
      const cp = String.fromCodePoint(text.codePointAt(i) as number)
      out.push(...enc.encode(cp))
      i += cp.length - 1
      continue
    }
    const digits = text.slice(i + 1, i + 4)
    if (/^[0-9]{3}$/.test(digits) && Number(digits) <= 255) {
      out.push(Number(digits))
      i += 3
    } else if (i + 1 < text.length && !/[0-9]/.test(text[i + 1] as string)) {
      out.push(...enc.encode(text[i + 1] as string))
      i += 1
    } else {
      throw new SyntaxError(`bad escape in "${text}"`)
    }
  }
  if (out.length > 255) throw new SyntaxError('character-string longer than 255 bytes')
  return Uint8Array.from(out)
}

function parseTypeList(f: Fields): number[] {
  return f.remainingTokens().map((t) => {
    const type = typeFromText(plain(t, 'type'))
    if (type === null) throw new SyntaxError(`unknown type "${t.text}" in type list`)
    return type
  }).sort((a, b) => a - b)
}

function parseSalt(text: string): Uint8Array {
  if (text === '-') return new Uint8Array(0)
  const salt = parseHex(text, 'salt')
  if (salt.length === 0 || salt.length > 255) throw new SyntaxError('salt length out of range')
  return salt
}

function parseRdata(type: number, tokens: readonly Token[], opts: { origin?: Name }): Rdata {
  const f = new Fields(tokens)
  const first = tokens[0]
  if (first !== undefined && !first.quoted && first.text === '\\#') {
    // RFC 3597 section 5: \# length hex, valid for every type.
    f.next('\\#')
    const length = parseUint(f.next('rdata length'), 0xffff, 'rdata length')
    const data = parseHex(f.rest('rdata hex', { atLeastOne: length > 0 }), 'rdata')
    if (data.length !== length) {
      throw new SyntaxError(`\\# says ${length} bytes, hex has ${data.length}`)
    }
    const r = new Reader(data)
    const rdata = readRdata(r, type, { compression: false })
    if (r.remaining !== 0) throw new SyntaxError(`${r.remaining} bytes left in \\# rdata`)
    return rdata
  }
  const name = (what: string): Name => nameFromZoneText(f.next(what), opts)
  const u8 = (what: string): number => parseUint(f.next(what), 0xff, what)
  const u16 = (what: string): number => parseUint(f.next(what), 0xffff, what)
  const u32 = (what: string): number => parseUint(f.next(what), 0xffffffff, what)
  let rdata: Rdata
  switch (rdataKind(type)) {
    case 'A':
      ipv4FromText(f.next('address'))
      rdata = { kind: 'A', address: (tokens[0] as Token).text }
      break
    case 'AAAA':
      rdata = { kind: 'AAAA', address: ipv6ToText(ipv6FromText(f.next('address'))) }
      break
    case 'NS':
      rdata = { kind: 'NS', target: name('NS target') }
      break
    case 'CNAME':
      rdata = { kind: 'CNAME', target: name('CNAME target') }
      break
    case 'DNAME':
      rdata = { kind: 'DNAME', target: name('DNAME target') }
      break
    case 'SOA':
      rdata = {
        kind: 'SOA', mname: name('SOA mname'), rname: name('SOA rname'), serial: u32('serial'),
        refresh: parseTtl(f.next('refresh'), 'refresh'), retry: parseTtl(f.next('retry'), 'retry'),
        expire: parseTtl(f.next('expire'), 'expire'),
        minimum: parseTtl(f.next('minimum'), 'minimum'),
      }
      break
    case 'MX':
      rdata = { kind: 'MX', preference: u16('preference'), exchange: name('MX exchange') }
      break
    case 'TXT': {
      const strings = f.remainingTokens().map((t) => charStringFromText(t.text))
      if (strings.length === 0) throw new SyntaxError('TXT needs at least one string')
      rdata = { kind: 'TXT', strings }
      break
    }
    case 'DS':
    case 'CDS':
      rdata = {
        kind: rdataKind(type) as 'DS' | 'CDS', keyTag: u16('key tag'), algorithm: u8('algorithm'),
        digestType: u8('digest type'),
        digest: parseHex(f.rest('digest', { atLeastOne: true }), 'digest'),
      }
      break
    case 'DNSKEY':
    case 'CDNSKEY':
      rdata = {
        kind: rdataKind(type) as 'DNSKEY' | 'CDNSKEY', flags: u16('flags'),
        protocol: u8('protocol'), algorithm: u8('algorithm'),
        publicKey: parseBase64(f.rest('public key', { atLeastOne: true }), 'public key'),
      }
      break
    case 'RRSIG': {
      const coveredText = f.next('type covered')
      const typeCovered = typeFromText(coveredText)
      if (typeCovered === null) throw new SyntaxError(`unknown type covered "${coveredText}"`)
      rdata = {
        kind: 'RRSIG', typeCovered, algorithm: u8('algorithm'), labels: u8('labels'),
        originalTtl: u32('original TTL'),
        expiration: parseTime(f.next('expiration'), 'expiration'),
        inception: parseTime(f.next('inception'), 'inception'), keyTag: u16('key tag'),
        signerName: name('signer name'),
        signature: parseBase64(f.rest('signature', { atLeastOne: true }), 'signature'),
      }
      break
    }
    case 'NSEC':
      rdata = { kind: 'NSEC', next: name('next name'), types: parseTypeList(f) }
      break
    case 'NSEC3': {
      const hashAlgorithm = u8('hash algorithm')
      const flags = u8('flags')
      const iterations = u16('iterations')
      const salt = parseSalt(f.next('salt'))
      const hashText = f.next('next hashed owner')
      const nextHashed = base32HexDecode(hashText)
      if (nextHashed === null || nextHashed.length === 0) {
        throw new SyntaxError(`next hashed owner "${hashText}" is not base32hex`)
      }
      rdata = {
        kind: 'NSEC3', hashAlgorithm, flags, iterations, salt, nextHashed,
        types: parseTypeList(f),
      }
      break
    }
    case 'NSEC3PARAM':
      rdata = {
        kind: 'NSEC3PARAM', hashAlgorithm: u8('hash algorithm'), flags: u8('flags'),
        iterations: u16('iterations'), salt: parseSalt(f.next('salt')),
      }
      break
    case 'UNKNOWN':
      rdata = { kind: 'UNKNOWN', data: layoutFromText(type, f, opts) }
      break
  }
  f.done()
  return rdata
}

/** Opaque types with a simple text layout (PTR, SRV, ...) in their usual presentation. */
function layoutFromText(type: number, f: Fields, opts: { origin?: Name }): Uint8Array {
  const layout = NAME_TEXT_LAYOUTS.get(type)
  if (layout === undefined) {
    throw new SyntaxError(`type ${typeToText(type)} is only accepted in RFC 3597 "\\#" form`)
  }
  const parts: number[] = []
  for (const field of layout) {
    if (field === 'name') {
      for (const label of nameFromZoneText(f.next('name'), opts)) {
        parts.push(label.length, ...label)
      }
      parts.push(0)
    } else if (field === 'charString') {
      const s = charStringFromText(f.token('string').text)
      parts.push(s.length, ...s)
    } else {
      const v = parseUint(f.next('number'), 0xffff, 'number')
      parts.push(v >>> 8, v & 0xff)
    }
  }
  return Uint8Array.from(parts)
}
