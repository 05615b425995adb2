// Domain names: parsing from user text, presentation, canonical order (RFC 4034 section 6.1).
// Names are arrays of raw label bytes; text is only ever derived from them.
import { domainToASCII } from 'node:url'
import type { Name } from './types.js'

/** Raised for a name a user typed that is not a valid domain name. */
export class NameSyntaxError extends SyntaxError {
  override readonly name = 'NameSyntaxError'
}

const MAX_LABEL = 63
const MAX_WIRE = 255

/**
 * Parses presentation text ("www.Example.test", "example.test.", "\\046", "\\.") into labels.
 * Relative names are taken as absolute; "." is the root. Internationalised names are
 * converted to their ASCII (A-label) form first (UTS 46 via node:url; escapes may not be mixed
 * with non-ASCII text). Throws NameSyntaxError on an empty name or label, a label over 63
 * octets, a name over 255 octets on the wire, or a character a user cannot mean.
 *
 * Allowed unescaped: ASCII letters, digits, "-", "_" (service labels such as _dmarc) and "*"
 * as the whole first label (wildcards). Anything else (spaces, control characters, "/", "@",
 * ",", ":", quotes, ...) must be written as \DDD or \X, so a typo is never taken literally.
 */
export function nameFromText(text: string): Name {
  let ascii = text
  if (/[^\x00-\x7f]/.test(text)) {
    if (text.includes('\\')) {
      throw new NameSyntaxError(`name ${JSON.stringify(text)}: escapes cannot be mixed with ` +
        'internationalised characters')
    }
    const trailingDot = text.endsWith('.') && text !== '.'
    const converted = domainToASCII(trailingDot ? text.slice(0, -1) : text)
    if (converted === '') {
      throw new NameSyntaxError(`name ${JSON.stringify(text)} is not a valid internationalised ` +
        'domain name')
    }
    ascii = converted + (trailingDot ? '.' : '')
  }
  return parseName(ascii, { strict: true, display: text }).labels
}

/**
 * Zone-file flavour used by the presentation parser in text.ts: any printable character is
 * taken literally (a master file may hold "0/25" or "a@b"), non-ASCII text is taken as its
 * UTF-8 bytes, and a name without a trailing dot is relative to `origin` (RFC 1035 section
 * 5.1). "@" alone is the origin. Lengths are checked as in nameFromText.
 */
export function nameFromZoneText(text: string, opts: { origin?: Name } = {}): Name {
  if (text === '@') {
    if (opts.origin === undefined) throw new NameSyntaxError('"@" used without an origin')
    return opts.origin
  }
  const { labels, absolute } = parseName(text, { strict: false, display: text })
  if (absolute || opts.origin === undefined) return labels
  const joined = [...labels, ...opts.origin]
  checkWireLength(joined, text)
  return joined
}

function parseName(text: string, opts: { strict: boolean; display: string }):
  { labels: Name; absolute: boolean } {
  const quoted = JSON.stringify(opts.display)
  const fail = (why: string): never => {
    throw new NameSyntaxError(`name ${quoted}: ${why}`)
  }
  if (text === '') fail('empty name')
  if (text === '.') return { labels: [], absolute: true }
  const labels: Uint8Array[] = []
  let label: number[] = []
  // Whether the current label holds an unescaped "*", which is only a wildcard alone.
  let star = false
  let absolute = false
  const endLabel = (): void => {
    if (label.length === 0) fail('empty label (two dots in a row, or a leading dot)')
    if (label.length > MAX_LABEL) {
      fail(`label of ${label.length} octets is longer than ${MAX_LABEL}`)
    }
    if (star && opts.strict && (labels.length > 0 || label.length !== 1)) {
      fail('"*" is only allowed as the whole first label (a wildcard)')
    }
    labels.push(Uint8Array.from(label))
    label = []
    star = false
  }
  const encoder = new TextEncoder()
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '.') {
      endLabel()
      if (i === text.length - 1) absolute = true
      continue
    }
    if (c === '\\') {
      const next = text[i + 1]
      if (next === undefined) fail('ends with a lone backslash')
      if (/[0-9]/.test(next as string)) {
        const digits = text.slice(i + 1, i + 4)
        if (!/^[0-9]{3}$/.test(digits)) fail(`\\DDD escape needs three digits, got "\\${digits}"`)
        const value = Number(digits)
        if (value > 255) fail(`escape \\${digits} is above 255`)
        label.push(value)
        i += 3
      } else {
        const code = (next as string).codePointAt(0) as number
        if (code > 0x7e || code < 0x20) fail('only printable ASCII may follow a backslash')
        label.push(code)
        i += 1
      }
      continue
    }
    const code = c.codePointAt(0) as number
    if (opts.strict) {
      if (c === '*') {
        star = true
      } else if (!/[A-Za-z0-9_-]/.test(c)) {
        const shown = code < 0x20 || code === 0x7f ? `code ${code}` : `"${c}"`
        fail(`character ${shown} is not allowed in a domain name (write it as ` +
          `\\${String(code).padStart(3, '0')} if you mean it)`)
      }
      label.push(code)
    } else if (code <= 0x20 || code === 0x7f) {
      fail(`control or space character (code ${code}) must be escaped`)
    } else if (code < 0x80) {
      label.push(code)
    } else {
      // One code point (a surrogate pair in UTF-16) as its UTF-8 bytes.
      const cp = String.fromCodePoint(code)
      label.push(...encoder.encode(cp))
      i += cp.length - 1
    }
  }
  if (!absolute) endLabel()
  checkWireLength(labels, opts.display)
  return { labels, absolute }
}

function checkWireLength(labels: Name, display: string): void {
  const length = labels.reduce((n, l) => n + l.length + 1, 1)
  if (length > MAX_WIRE) {
    throw new NameSyntaxError(`name ${JSON.stringify(display)}: ${length} octets on the wire, ` +
      `more than ${MAX_WIRE}`)
  }
}

/**
 * Presentation form with a trailing dot, as dig prints it: the characters that are special in
 * master files (. " ( ) ; \ @ $) as \X, space, control and non-ASCII bytes as \DDD, every
 * other printable ASCII byte (including "_", "*" and "/") as is.
 */
export function nameToText(name: Name): string {
  if (name.length === 0) return '.'
  let out = ''
  for (const label of name) {
    for (const b of label) out += OCTET_TEXT[b]
    out += '.'
  }
  return out
}

// Each octet's presentation form (RFC 1035 5.1): \DDD outside printable ASCII, a backslash
// before the characters that mean something in zone files, else itself. A table: names are
// turned into text for every record of every report.
const OCTET_TEXT: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  if (b <= 0x20 || b >= 0x7f) return '\\' + String(b).padStart(3, '0')
  const c = String.fromCharCode(b)
  return '."();\\@$'.includes(c) ? '\\' + c : c
})

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b
}

function compareLabels(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = lower(a[i] as number) - lower(b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Case-insensitive (ASCII only) equality. */
export function nameEquals(a: Name, b: Name): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (compareLabels(a[i] as Uint8Array, b[i] as Uint8Array) !== 0) return false
  }
  return true
}

/** ASCII letters lowercased, as canonical form requires (RFC 4034 section 6.2). */
export function canonicalName(name: Name): Name {
  return name.map((label) => label.map(lower))
}

/**
 * Canonical DNS name order (RFC 4034 section 6.1): labels compared from the root down as
 * lowercased octet strings, a missing label sorting first. Negative, zero or positive.
 */
export function compareNames(a: Name, b: Name): number {
  const n = Math.min(a.length, b.length)
  for (let i = 1; i <= n; i++) {
    const d = compareLabels(a[a.length - i] as Uint8Array, b[b.length - i] as Uint8Array)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** True when `name` is `ancestor` or below it. */
export function isSubdomain(name: Name, ancestor: Name): boolean {
  if (ancestor.length > name.length) return false
  return nameEquals(name.slice(name.length - ancestor.length), ancestor)
}

/** The name with its first label removed; the root's parent is the root. */
export function parentName(name: Name): Name {
  return name.slice(1)
}

/** Uncompressed wire form. Throws RangeError for labels or names too long to encode. */
export function nameToWire(name: Name): Uint8Array {
  const out = new Uint8Array(name.reduce((n, l) => n + l.length + 1, 1))
  if (out.length > MAX_WIRE) throw new RangeError(`name of ${out.length} octets`)
  let at = 0
  for (const label of name) {
    if (label.length === 0 || label.length > MAX_LABEL) {
      throw new RangeError(`label of ${label.length} octets`)
    }
    out[at++] = label.length
    out.set(label, at)
    at += label.length
  }
  return out
}
