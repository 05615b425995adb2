// Turning what a user typed into checked values. Every refusal is a UsageError (exit 2) with
// one line saying what was wrong and what to write instead.
import { closeSync, openSync } from 'node:fs'
import { readSmallFile } from '../anchors.js'
import { parseServerList } from '../anchors.js'
import { printable } from '../analysis/resolvers.js'
import { checkDohUrl } from '../net/doh.js'
import { PUBLIC_RESOLVERS, systemResolvers } from '../probe/resolvers.js'
import type { ResolverSpec } from '../probe/resolvers.js'
import { typeFromText } from '../wire/text.js'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Seconds since 1970, or ISO 8601; a date that does not exist (Nov 31) is refused. */
export function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const bad = (): UsageError => new UsageError(`--at: not a time: "${value}" (use ISO 8601, `
    + 'e.g. 2026-12-01 or 2026-12-01T00:00Z, or whole seconds since 1970)')
  if (/^\d{1,12}$/.test(value)) return new Date(Number(value) * 1000)
  const day = '(\\d{4})-(\\d{2})-(\\d{2})'
  const time = '(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?)?'
  const m = new RegExp(`^${day}${time}(Z|[+-]\\d{2}:?\\d{2})?$`).exec(value)
  if (m === null) throw bad()
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? '0'))
  const probe = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h, mi, s))
  // Date() rolls Nov 31 over to Dec 1; a real date survives the round trip.
  if (probe.getUTCMonth() !== (mo ?? 1) - 1 || probe.getUTCDate() !== d
    || (h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 59) throw bad()
  // A time without a zone is UTC, as in every other time this tool prints.
  const date = new Date(m[7] === undefined && m[4] !== undefined ? `${value}Z` : value)
  if (Number.isNaN(date.getTime())) throw bad()
  return date
}

/** A record type to validate: a name (A, DNSKEY, TYPE65534) that is not a meta-type. */
export function parseRecordType(value: string | undefined): number {
  const t = typeFromText(value ?? 'A')
  // Echoed to a terminal: a list's control characters must not reach it raw (CWE-150).
  if (t === null) throw new UsageError(`not a record type: "${printable(value ?? '', 80)}"`)
  // Meta types ask for no RRset that could be validated: OPT, TKEY, TSIG, IXFR, AXFR, ANY...
  if (t === 0 || t === 41 || (t >= 128 && t <= 255)) {
    throw new UsageError(`${printable(value ?? '', 80)} is a query meta-type, not a record type `
      + 'to validate; ask for one type, e.g. A, AAAA, MX, TXT, DNSKEY')
  }
  return t
}

/**
 * What a number option was given. Refusals quote `given`, so that `--workers abc` answers
 * `not "abc"` rather than `not NaN`.
 */
export interface NumberArg {
  /** As yargs' number type would read it: Number() of the text, NaN for a non-number. */
  readonly value: number
  /** A string as typed; a number yargs had already read; true for a missing value;
   *  false for a --no-X form. */
  readonly given: string | number | boolean
}

/** The refusal of a number option: what to give, and what was given instead. */
export function numberRefused(option: string, want: string, arg: NumberArg): UsageError {
  const g = arg.given
  if (g === true) return new UsageError(`${option} needs a value: ${want}`)
  const was = g === false ? `--no-${option.replace(/^--/, '')}`
    // Echoed to a terminal: control characters must not reach it raw (CWE-150).
    : typeof g === 'string' ? `"${printable(g, 80)}"` : String(g)
  return new UsageError(`${option}: give ${want}, not ${was}`)
}

/**
 * A whole number from min to max; `dflt` when the option was not given. Number options carry
 * no yargs default: with one, yargs put it in place of a missing value (`--timeout` at the end
 * of a line ran with 2000), so the defaults are applied here.
 */
export function parseWhole(given: NumberArg | undefined, option: string, min: number,
  max: number, dflt?: number): number {
  if (given === undefined && dflt !== undefined) return dflt
  const arg = given ?? { value: Number.NaN, given: true }
  if (!Number.isInteger(arg.value) || arg.value < min || arg.value > max) {
    throw numberRefused(option, `a whole number from ${min} to ${max}`, arg)
  }
  return arg.value
}

export function parsePort(port: NumberArg | undefined): number | undefined {
  if (port === undefined) return undefined
  if (!Number.isInteger(port.value) || port.value < 1 || port.value > 65535) {
    throw numberRefused('--port', 'a port number from 1 to 65535', port)
  }
  return port.value
}

export function parseWarnDays(given: NumberArg | undefined, dflt = 7): number {
  if (given === undefined) return dflt
  const days = given
  if (!(days.value >= 0 && days.value <= 3650)) {
    throw numberRefused('--warn-days', 'a number of days from 0 to 3650', days)
  }
  return days.value
}

export function parseTimeout(given: NumberArg | undefined, dflt = 2000): number {
  if (given === undefined) return dflt
  const ms = given
  // Fractions of a millisecond above 0 have always been taken; the wording says so.
  if (!(ms.value > 0 && ms.value <= 60_000)) {
    throw numberRefused('--timeout', 'milliseconds, more than 0 and at most 60000', ms)
  }
  return ms.value
}

/** The lines of a --resolver-file, comments and blank lines dropped. */
export function resolverFile(path: string | undefined): string[] {
  if (path === undefined) return []
  let text: string
  try {
    text = readSmallFile(path, 1 << 20)
  } catch (e) {
    throw new UsageError(`--resolver-file: ${e instanceof Error ? e.message : e}`)
  }
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '')
}

/** NAME=ADDR[:PORT] values plus, unless turned off, the public and system resolvers. */
export function resolverSet(given: readonly (string | number)[], defaults: boolean):
  ResolverSpec[] {
  const mine = given.map((v): ResolverSpec => {
    const text = String(v)
    const eq = text.indexOf('=')
    const name = eq > 0 ? text.slice(0, eq) : text
    const where = eq > 0 ? text.slice(eq + 1) : text
    if (/^https:\/\//i.test(where)) return dohResolver(name, where)
    const bad = (): UsageError =>
      new UsageError(`--resolver: give NAME=ADDR[:PORT], not "${printable(text, 80)}"`)
    if (name.trim() === '' || /[\u0000-\u001f\u007f]/.test(text)) throw bad()
    let server: ResolverSpec | undefined
    try {
      ;[server] = parseServerList(where, 53).map((s) => ({ name, ...s }))
    } catch {
      throw bad()
    }
    if (server === undefined) throw bad()
    return server
  })
  return defaults ? [...PUBLIC_RESOLVERS, ...systemResolvers(), ...mine] : mine
}

/** A resolver given as an https URL: DNS over HTTPS to the IP literal in the URL. */
function dohResolver(name: string, text: string): ResolverSpec {
  let url: URL
  try {
    url = new URL(text)
    const target = checkDohUrl(url)
    return { name, address: target.address, port: target.port, url }
  } catch (e) {
    throw new UsageError(`--resolver ${name}: ${e instanceof Error ? e.message : e}`)
  }
}

/** Fails now, not after a long walk, when the file cannot be written. */
export function assertWritable(path: string, option: string): void {
  try {
    closeSync(openSync(path, 'a'))
  } catch (e) {
    throw new UsageError(`${option}: cannot write ${path}: ${e instanceof Error ? e.message : e}`)
  }
}

/** A repeated option takes its last value, as in most tools, never an array. */
export function lastString(v: unknown): string {
  return String(Array.isArray(v) ? v[v.length - 1] : v)
}

/**
 * The coerce of every number option, which is declared without `type: 'number'`: that type
 * turns "abc" into NaN before coerce sees it, and the refusal could not quote it. Untyped,
 * yargs still reads what looks like a number as a number, hands anything else over as typed
 * (a string), `--x` without a value as true and `--no-x` as false; Number() of each is what
 * the number type gave, except a missing value, NaN there too. The last value counts.
 * Shortcomings: text that looks like a number arrives already read, so a refusal of `0x20`
 * names 32; and --help shows no [number] beside these options.
 */
export function lastNumber(v: unknown): NumberArg {
  const last = Array.isArray(v) ? (v as unknown[])[v.length - 1] : v
  // Blank text is no number, though Number('') is 0 (`--warn-days ''` meant a 0-day window).
  if (typeof last === 'string' && last.trim() === '') return { value: Number.NaN, given: last }
  if (typeof last === 'string' || typeof last === 'number') {
    return { value: Number(last), given: last }
  }
  if (typeof last === 'boolean') return { value: last ? Number.NaN : 0, given: last }
  // Dot notation (--port.x 1) gives an object, which the number type read as NaN too.
  return { value: Number.NaN, given: String(last) }
}
