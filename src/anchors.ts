// Trust anchors (RFC 7958 XML or DS/DNSKEY lines in zone-file syntax) and root server hints.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nameFromText, nameToText } from './wire/name.js'
import { parseZoneText } from './wire/text.js'
import type { DNSKEYData, DSData, Name, RR } from './wire/types.js'
import { RRClass, RRType } from './wire/types.js'

/** Raised for a trust anchor file or root hint the user gave that cannot be used. */
export class AnchorError extends Error {
  override readonly name = 'AnchorError'
}

export interface TrustAnchors {
  readonly zone: Name
  readonly ds: readonly DSData[]
  readonly dnskeys: readonly DNSKEYData[]
  /** Where they came from, for the report. */
  readonly source: string
}

const here = dirname(fileURLToPath(import.meta.url))
/** The shipped root anchors; found from src/ and from dist/src/ alike. */
export const DEFAULT_ANCHOR_FILE = [join(here, '..', 'trust-anchors', 'root-anchors.xml'),
  join(here, '..', '..', 'trust-anchors', 'root-anchors.xml')]

export function loadTrustAnchors(path: string | null, at: Date): TrustAnchors {
  const candidates = path === null ? DEFAULT_ANCHOR_FILE : [path]
  for (const file of candidates) {
    let text: string
    try {
      text = readSmallFile(file, 1 << 20)
    } catch (e) {
      if (e instanceof AnchorError) throw e
      continue
    }
    return parseTrustAnchors(text, file, at)
  }
  throw new AnchorError(`cannot read the trust anchor file ${candidates.join(' or ')}`)
}

/** Reads a regular file of at most `limit` bytes (not /dev/zero, not a 10 GB mistake). */
export function readSmallFile(path: string, limit: number): string {
  const st = statSync(path)
  if (!st.isFile()) throw new AnchorError(`${path} is not a regular file`)
  if (st.size > limit) throw new AnchorError(`${path} is larger than ${limit} bytes`)
  return readFileSync(path, 'utf8')
}

const DIGEST_LENGTH: Record<number, number> = { 1: 20, 2: 32, 4: 48 }

/** A DS anchor's fields must be in range, and a known digest type must have its length. */
function checkDs(d: DSData, source: string): void {
  const len = DIGEST_LENGTH[d.digestType]
  if (d.keyTag > 0xffff || d.algorithm > 0xff || d.digestType > 0xff
    || (len !== undefined && d.digest.length !== len)) {
    throw new AnchorError(`${source}: the anchor for key ${d.keyTag} is out of range (key tag `
      + `0-65535, algorithm and digest type 0-255${len === undefined ? ''
        : `, a type ${d.digestType} digest has ${len} bytes`})`)
  }
}

/** Reads either format; the XML's validity dates are applied at `at` (RFC 7958 section 2). */
export function parseTrustAnchors(text: string, source: string, at: Date): TrustAnchors {
  if (/<TrustAnchor[\s>]/.test(text)) return parseXmlAnchors(text, source, at)
  let rrs: RR[]
  try {
    // Anchor lines usually have no TTL (dnssec-dsfromkey, *.key files); it does not matter.
    rrs = parseZoneText(`$TTL 0\n${text}`)
  } catch (e) {
    throw new AnchorError(`${source}: not RFC 7958 XML, and not zone-file DS/DNSKEY lines: ${
      e instanceof Error ? e.message : String(e)}`)
  }
  const ds: DSData[] = []
  const dnskeys: DNSKEYData[] = []
  let zone: Name | null = null
  for (const rr of rrs) {
    if (rr.data.kind === 'DS') ds.push(rr.data)
    else if (rr.data.kind === 'DNSKEY') dnskeys.push(rr.data)
    else continue
    if (zone !== null && nameToText(zone) !== nameToText(rr.name)) {
      throw new AnchorError(`${source}: anchors for more than one zone are not supported`)
    }
    zone = rr.name
  }
  if (zone === null) throw new AnchorError(`${source}: no DS or DNSKEY record found`)
  return checked({ zone, ds, dnskeys, source })
}

function parseXmlAnchors(text: string, source: string, at: Date): TrustAnchors {
  const zoneText = /<Zone>\s*([^<]*?)\s*<\/Zone>/.exec(text)?.[1]
  if (zoneText === undefined) throw new AnchorError(`${source}: no <Zone> element`)
  const zone = nameFromText(zoneText)
  const ds: DSData[] = []
  const dnskeys: DNSKEYData[] = []
  // Bounded: each match consumes input, and the file is a user's local file.
  for (const m of text.matchAll(/<KeyDigest\b([^>]*)>([\s\S]*?)<\/KeyDigest>/g)) {
    const attrs = m[1] ?? ''
    const body = m[2] ?? ''
    const from = /validFrom="([^"]+)"/.exec(attrs)?.[1]
    const until = /validUntil="([^"]+)"/.exec(attrs)?.[1]
    for (const t of [from, until]) {
      if (t !== undefined && Number.isNaN(Date.parse(t))) {
        throw new AnchorError(`${source}: "${t}" is not a date (RFC 7958 uses xsd:dateTime)`)
      }
    }
    if (from !== undefined && Date.parse(from) > at.getTime()) continue
    if (until !== undefined && Date.parse(until) <= at.getTime()) continue
    const field = (tag: string): string | undefined =>
      new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(body)?.[1]?.replace(/\s+/g, '')
    const keyTag = Number(field('KeyTag'))
    const algorithm = Number(field('Algorithm'))
    const digestType = Number(field('DigestType'))
    const digest = field('Digest')
    if (![keyTag, algorithm, digestType].every(Number.isInteger) || digest === undefined
      || !/^([0-9a-fA-F]{2})+$/.test(digest)) {
      throw new AnchorError(`${source}: a KeyDigest lacks KeyTag, Algorithm, DigestType or Digest`)
    }
    ds.push({ kind: 'DS', keyTag, algorithm, digestType, digest: Buffer.from(digest, 'hex') })
    const publicKey = field('PublicKey')
    const flags = Number(field('Flags'))
    if (publicKey !== undefined && Number.isInteger(flags)) {
      dnskeys.push({ kind: 'DNSKEY', flags, protocol: 3, algorithm,
        publicKey: Buffer.from(publicKey, 'base64') })
    }
  }
  if (ds.length === 0) {
    throw new AnchorError(`${source}: no KeyDigest is valid at ${at.toISOString()}`)
  }
  return checked({ zone, ds, dnskeys, source })
}

function checked(a: TrustAnchors): TrustAnchors {
  // The walk starts at the root; an anchor for another zone would be applied to the root.
  // TODO(anchors): islands of trust (an anchor below the root) need the walk to start trusting
  // at that zone; until then such files are refused rather than misapplied.
  if (a.zone.length !== 0) {
    throw new AnchorError(`${a.source}: the anchor is for ${nameToText(a.zone)}; only root (.) `
      + 'trust anchors are supported')
  }
  for (const d of a.ds) checkDs(d, a.source)
  return a
}

// Every check of a batch names the same anchors in its capture and report: their text is
// made once per anchors object.
const anchorText = new WeakMap<TrustAnchors, readonly string[]>()

/** Anchors as zone-file lines, for the capture and the report. */
export function anchorsToText(anchors: TrustAnchors): string[] {
  const hit = anchorText.get(anchors)
  if (hit !== undefined) return [...hit]
  const owner = nameToText(anchors.zone)
  const lines = anchors.ds.map((d) => `${owner} IN DS ${d.keyTag} ${d.algorithm} ${
    d.digestType} ${Buffer.from(d.digest).toString('hex').toUpperCase()}`)
  anchorText.set(anchors, lines)
  return [...lines]
}

export interface ServerAddress { readonly address: string; readonly port: number }

/** The root servers' IPv4 addresses (IANA root hints, as Debian's dns-root-data ships them). */
export const ROOT_SERVERS_V4 = [
  '198.41.0.4', '170.247.170.2', '192.33.4.12', '199.7.91.13', '192.203.230.10', '192.5.5.241',
  '192.112.36.4', '198.97.190.53', '192.36.148.17', '192.58.128.30', '193.0.14.129',
  '199.7.83.42', '202.12.27.33',
]

/** Parses `ADDR[:PORT],...`; IPv6 with a port is written `[ADDR]:PORT`. */
export function parseServerList(spec: string, defaultPort: number): ServerAddress[] {
  const out: ServerAddress[] = []
  for (const raw of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(raw)
      ?? /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(raw)
      ?? /^([0-9a-fA-F:]+:[0-9a-fA-F:.]*)()$/.exec(raw)
    const port = m?.[2] ? Number(m[2]) : defaultPort
    if (!m || !m[1] || port < 1 || port > 65535 || !isIpLiteral(m[1])) {
      throw new AnchorError(`not a server address: "${raw}" (write ADDR, ADDR:PORT or [IPv6]:PORT)`)
    }
    out.push({ address: m[1], port })
  }
  if (out.length === 0) throw new AnchorError('the server list is empty')
  return out
}

function isIpLiteral(s: string): boolean {
  if (s.includes(':')) return /^[0-9a-fA-F:.]+$/.test(s)
  return s.split('.').every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

export function anchorRRs(anchors: TrustAnchors): RR<DSData>[] {
  return anchors.ds.map((data) => ({ name: anchors.zone, type: RRType.DS, class: RRClass.IN,
    ttl: 0, data }))
}
