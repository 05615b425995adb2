// Loads the tool-made fixtures in test/fixtures/dnssec (see its README for the commands).
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { nameFromText, nameToText } from '../../../src/wire/name.js'
import { parseZoneText, rrFromText } from '../../../src/wire/text.js'
import type { DNSKEYData, RR, RRSIGData } from '../../../src/wire/types.js'

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/dnssec/', import.meta.url))

export function readFixture(file: string): string {
  return readFileSync(`${FIXTURE_DIR}${file}`, 'utf8')
}

export function loadZone(file: string, origin: string): RR[] {
  return parseZoneText(readFixture(file), { origin: nameFromText(origin) })
}

export interface KeyFile {
  readonly file: string
  /** Algorithm and key tag as dnssec-keygen / ldns-keygen wrote them in the file name. */
  readonly algorithm: number
  readonly tag: number
  readonly rr: RR<DNSKEYData>
}

/** Parses one K<name>+<alg>+<tag>.key file (comments and a trailing ";{...}" allowed). */
export function loadKeyFile(file: string): KeyFile {
  const match = /\+(\d{3})\+(\d{5})\.key$/.exec(file)
  if (match === null) throw new Error(`not a key file name: ${file}`)
  const line = readFixture(file).split('\n').find((l) => l.trim() !== '' && !l.startsWith(';'))
  if (line === undefined) throw new Error(`no record in ${file}`)
  // Key files carry no TTL.
  const rr = rrFromText(line, { defaultTtl: 3600 })
  if (rr.data.kind !== 'DNSKEY') throw new Error(`${file} holds ${rr.data.kind}, not DNSKEY`)
  return { file, algorithm: Number(match[1]), tag: Number(match[2]), rr: rr as RR<DNSKEYData> }
}

/** Every key file directly in `dir` (relative to the fixture folder). */
export function keyFiles(dir = ''): KeyFile[] {
  return readdirSync(`${FIXTURE_DIR}${dir}`)
    .filter((f) => f.endsWith('.key'))
    .sort()
    .map((f) => loadKeyFile(`${dir}${f}`))
}

export const isRrsig = (rr: RR): rr is RR<RRSIGData> => rr.data.kind === 'RRSIG'

/** The RRset an RRSIG covers: same owner (case-insensitive) and the covered type. */
export function coveredRRset(zone: readonly RR[], sig: RR<RRSIGData>): RR[] {
  const owner = nameToText(sig.name).toLowerCase()
  return zone.filter(
    (rr) => rr.type === sig.data.typeCovered && nameToText(rr.name).toLowerCase() === owner,
  )
}

export const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))
export const hex = (text: string): Uint8Array =>
  new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'))
