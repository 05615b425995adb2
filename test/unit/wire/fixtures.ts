// Loads the recorded NSD responses and dig's printout of them (test/fixtures/wire/README.md).
import { readdirSync, readFileSync } from 'node:fs'

export const FIXTURE_DIR = new URL('../../fixtures/wire/', import.meta.url)

export interface DigRecord {
  readonly owner: string; readonly ttl: string; readonly klass: string; readonly type: string
  readonly rdata: string; readonly line: string
}

export interface DigOutput {
  readonly status: string
  readonly id: number
  readonly flags: readonly string[]
  /** The "; EDNS:" line, e.g. "version: 0, flags: do; udp: 1232". */
  readonly edns: string | null
  readonly sections: Readonly<Record<'answer' | 'authority' | 'additional', DigRecord[]>>
}

export interface Fixture {
  readonly name: string
  readonly response: Uint8Array
  readonly query: Uint8Array
  readonly dig: DigOutput
  readonly digText: string
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.trim(), 'hex'))
}

/** Splits a dig record line on its first four whitespace runs. */
export function splitDigRecord(line: string): DigRecord {
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line)
  if (m === null) throw new Error(`not a record line: ${line}`)
  return {
    owner: m[1] as string, ttl: m[2] as string, klass: m[3] as string, type: m[4] as string,
    rdata: m[5] as string, line,
  }
}

export function parseDig(text: string): DigOutput {
  const header = /status: (\w+), id: (\d+)/.exec(text)
  const flags = /;; flags:([^;]*);/.exec(text)
  if (header === null || flags === null) throw new Error('no dig header')
  const edns = /^; EDNS: (.*)$/m.exec(text)
  const sections = { answer: [] as DigRecord[], authority: [] as DigRecord[],
    additional: [] as DigRecord[] }
  let current: DigRecord[] | null = null
  for (const line of text.split('\n')) {
    if (line === ';; ANSWER SECTION:') current = sections.answer
    else if (line === ';; AUTHORITY SECTION:') current = sections.authority
    else if (line === ';; ADDITIONAL SECTION:') current = sections.additional
    else if (line === '' || line.startsWith(';')) current = null
    else if (current !== null) current.push(splitDigRecord(line))
  }
  return {
    status: header[1] as string, id: Number(header[2]),
    flags: (flags[1] as string).trim().split(/\s+/), edns: edns?.[1] ?? null, sections,
  }
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.dig.txt')).sort().map((f) => {
    const name = f.slice(0, -'.dig.txt'.length)
    const digText = readFileSync(new URL(f, FIXTURE_DIR), 'utf8')
    return {
      name, digText, dig: parseDig(digText),
      response: hex(readFileSync(new URL(`${name}.hex`, FIXTURE_DIR), 'utf8')),
      query: hex(readFileSync(new URL(`${name}.query.hex`, FIXTURE_DIR), 'utf8')),
    }
  })
}

export function readFixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURE_DIR), 'utf8')
}
