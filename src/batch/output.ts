// What a batch writes per name: the `check --json` report as one JSON line, a CSV record, or
// a row of the table printed at the end. All of them are built here as whole strings, so the
// writer can put each on disk in one write (see LineFile).
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { table } from 'table'
import type { Report, Status, ZoneReport } from '../analysis/types.js'

export type BatchFormat = 'jsonl' | 'csv' | 'table'

export const CSV_COLUMNS =
  ['name', 'type', 'status', 'code', 'zone', 'servers', 'message'] as const

/** The one thing a row says about a report: the broken link, else the first problem. */
export interface Headline {
  readonly code: string
  readonly zone: string
  readonly servers: readonly string[]
  readonly message: string
}

export function headline(r: Report): Headline {
  const b = r.brokenLink
  if (b !== null) return { code: b.code, zone: b.zone, servers: b.servers, message: b.message }
  // Findings come errors first; a warning (a dead or stale server) is still worth the row.
  const f = r.findings.find((x) => x.severity === 'error')
    ?? r.findings.find((x) => x.severity === 'warning')
  if (r.status === 'indeterminate' && r.undecidedAt !== null) {
    return { code: f?.code ?? '', zone: r.undecidedAt.zone, servers: f?.servers ?? [],
      message: r.undecidedAt.reason }
  }
  if (f !== undefined) {
    return { code: f.code, zone: f.zone, servers: f.servers ?? [], message: f.message }
  }
  if (r.insecureAt !== null) {
    return { code: '', zone: r.insecureAt.zone, servers: [], message: r.insecureAt.reason }
  }
  return { code: '', zone: '', servers: [], message: '' }
}

/** The schema of the line a batch writes for a name whose check threw (docs/json.md). */
export const BATCH_ERROR_SCHEMA = 'dnssec-doctor/batch-error/1'

/** A name whose check threw instead of giving a report: what a results line says of it. */
export interface CheckError {
  /** Presentation form, as a report's query.name. */
  readonly name: string
  readonly type: string
  readonly message: string
}

/**
 * The results line for a check that threw: a line of its own schema, so that a reader that
 * expects reports can tell it apart, with the query as a report has it (--resume reads it).
 */
export function errorJsonLine(e: CheckError): string {
  return `${JSON.stringify({ schema: BATCH_ERROR_SCHEMA, query: { name: e.name, type: e.type },
    status: 'error', error: e.message })}\n`
}

export function errorCsvLine(e: CheckError): string {
  return csvRecord([e.name, e.type, 'error', '', '', '', e.message])
}

/**
 * The zone entries already put into JSON. In a batch most of a report's bytes are the zones
 * above the name (the root, the TLD, the DNS host's zone), the same objects for every name
 * below them (the session judges a zone once): each is turned into text once.
 */
const zoneJson = new WeakMap<ZoneReport, string>()

function zoneText(z: ZoneReport): string {
  let text = zoneJson.get(z)
  if (text === undefined) {
    text = JSON.stringify(z)
    zoneJson.set(z, text)
  }
  return text
}

/**
 * The report as `check --json` gives it, compact, on one line: the text JSON.stringify makes
 * of it (same keys in the same order), with each zone entry's text reused.
 */
export function jsonLine(r: Report): string {
  // JSON.stringify escapes every control character, so the line holds no raw newline.
  let out = ''
  for (const [k, v] of Object.entries(r) as [string, unknown][]) {
    // JSON.stringify leaves out undefined members; a report has no functions or symbols.
    if (v === undefined) continue
    const text = k === 'chain' ? `[${(v as readonly ZoneReport[]).map(zoneText).join(',')}]`
      : JSON.stringify(v)
    out += `${out === '' ? '{' : ','}${JSON.stringify(k)}:${text}`
  }
  return `${out === '' ? '{' : out}}\n`
}

/**
 * A cell a spreadsheet would take for a formula: one that begins with =, +, -, @, a tab or a
 * CR (OWASP "CSV Injection"). A name may begin with '-', and a message quotes what servers
 * sent, so any of them can reach a cell.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field (RFC 4180 section 2, rules 5-7): enclosed in double quotes when it holds a
 * quote, a comma, CR or LF, with each quote inside doubled. A field that a spreadsheet would
 * run as a formula gets a leading apostrophe first, as OWASP advises: the text then shows as
 * text, and a program reading the CSV sees the apostrophe.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** One CSV record, ended by CRLF as RFC 4180 section 2 rule 1 has it. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`
}

export const CSV_HEADER = csvRecord(CSV_COLUMNS)

export function csvLine(r: Report): string {
  const h = headline(r)
  return csvRecord([r.query.name, r.query.type, r.status, h.code, h.zone, h.servers.join(' '),
    h.message])
}

/** What the table keeps per name: a few short strings, never the whole report. */
export interface TableRow {
  readonly line: number
  readonly name: string
  readonly type: string
  readonly status: Status | 'error'
  readonly code: string
  readonly zone: string
  readonly ms: number
}

export function tableRow(line: number, r: Report, ms: number): TableRow {
  const h = headline(r)
  return { line, name: r.query.name, type: r.query.type, status: r.status, code: h.code,
    zone: h.zone, ms }
}

export function errorRow(line: number, e: CheckError, ms: number): TableRow {
  return { line, name: e.name, type: e.type, status: 'error', code: '', zone: '', ms }
}

/** The rows in input order (checks finish in any order), as one aligned table. */
export function renderResultTable(rows: readonly TableRow[]): string {
  const sorted = [...rows].sort((a, b) => a.line - b.line)
  if (sorted.length === 0) return ''
  return table([['name', 'type', 'status', 'code', 'zone', 'seconds'],
    ...sorted.map((r) => [r.name, r.type, r.status, r.code, r.zone, (r.ms / 1000).toFixed(1)])])
}

/**
 * A file opened for appending whole lines. Each line goes to the kernel in one write(2) on
 * an O_APPEND descriptor before the next result is taken, so a process killed between lines
 * leaves only whole lines; a kill during a write can at worst leave the last line cut short,
 * which dropPartialLine removes before a resumed run appends.
 */
export class LineFile {
  readonly startedEmpty: boolean

  private constructor(private readonly fd: number, private size: number) {
    this.startedEmpty = size === 0
  }

  static open(path: string): LineFile {
    const fd = openSync(path, 'a')
    return new LineFile(fd, fstatSync(fd).size)
  }

  /**
   * Appends one line whole, or not at all: when a write fails part way (a full disk, a file
   * size limit) the part written is cut off again, so the file still ends with a whole line.
   */
  write(text: string): void {
    const bytes = Buffer.from(text, 'utf8')
    let done = 0
    try {
      // writeSync may write less than asked (a signal); go on from there.
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done)
    } catch (e) {
      if (done > 0) {
        try { ftruncateSync(this.fd, this.size) } catch { /* the write error says enough */ }
      }
      throw e
    }
    this.size += bytes.length
  }

  close(): void {
    closeSync(this.fd)
  }
}
