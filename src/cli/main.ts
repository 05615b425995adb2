// The command line. Results go to stdout, everything else to stderr. Exit codes: 0 nothing
// wrong (secure, or insecure by design), 1 a DNSSEC or DNS problem, 2 bad usage or input,
// 3 could not determine.
import { closeSync, openSync, writeFileSync } from 'node:fs'
import yargs from 'yargs'
import type { Report } from '../analysis/types.js'
import {
  AnchorError, loadTrustAnchors, parseServerList, readSmallFile, ROOT_SERVERS_V4,
} from '../anchors.js'
import {
  captureAnchors, CaptureError, check, compareResolvers, readCapture, replay,
} from '../check.js'
import { PUBLIC_RESOLVERS, systemResolvers } from '../probe/resolvers.js'
import type { ResolverSpec } from '../probe/resolvers.js'
import { GuardSyntaxError, guardFromEnv, publicOnlyGuard } from '../net/guard.js'
import { renderResolvers, renderTable, renderText } from '../report/text.js'
import { nameFromText, NameSyntaxError } from '../wire/name.js'
import { typeFromText } from '../wire/text.js'
import { runDemo } from './demo.js'

const RESOLVER_OPTION = { type: 'string', array: true, describe: 'Also compare this '
  + 'resolver: NAME=ADDR[:PORT] (repeatable)' } as const
const DEFAULT_RESOLVERS_OPTION = { type: 'boolean', describe: 'Compare Google, Cloudflare, '
  + 'Quad9, OpenDNS and the system resolvers (on unless --root-hints names a private root; '
  + '--no-default-resolvers: never)' } as const

const RESOLVER_FILE_OPTION = { type: 'string', coerce: lastString, describe: 'A file naming '
  + 'resolvers to compare, one NAME=ADDR[:PORT] per line (# starts a comment)' } as const

/** The lines of a --resolver-file, comments and blank lines dropped. */
function resolverFile(path: string | undefined): string[] {
  if (path === undefined) return []
  let text: string
  try {
    text = readSmallFile(path, 1 << 20)
  } catch (e) {
    throw new UsageError(`--resolver-file: ${e instanceof Error ? e.message : e}`)
  }
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '')
}

/** --resolver NAME=ADDR[:PORT] values plus, unless turned off, the public and system ones. */
export function resolverSet(given: readonly (string | number)[] | undefined,
  defaults: boolean): ResolverSpec[] {
  const mine = (given ?? []).map((v) => {
    const text = String(v)
    const eq = text.indexOf('=')
    const name = eq > 0 ? text.slice(0, eq) : text
    const [server] = parseServerList(eq > 0 ? text.slice(eq + 1) : text, 53)
    if (server === undefined || name.trim() === '') {
      throw new UsageError(`--resolver: give NAME=ADDR[:PORT], not "${text}"`)
    }
    return { name, ...server }
  })
  return defaults ? [...PUBLIC_RESOLVERS, ...systemResolvers(), ...mine] : mine
}

function writable(path: string): void {
  try {
    closeSync(openSync(path, 'a'))
  } catch (e) {
    throw new UsageError(`--save: cannot write ${path}: ${e instanceof Error ? e.message : e}`)
  }
}

/** A repeated option takes its last value, as in most tools, never an array. */
function lastOf(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v
}
function lastString(v: unknown): string {
  return String(lastOf(v))
}
function lastNumber(v: unknown): number {
  return Number(lastOf(v))
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const EXIT = { ok: 0, problem: 1, usage: 2, undetermined: 3 } as const

export function exitCodeFor(r: Report): number {
  if (r.status === 'indeterminate') return EXIT.undetermined
  // A dead or stale server is a problem to fix even while the name validates; a query the
  // user's own --allow-net stopped is not.
  const problem = r.findings.some((f) => f.severity === 'error'
    || (f.severity === 'warning' && f.code !== 'QUERY_BLOCKED'))
  return r.status === 'bogus' || problem ? EXIT.problem : EXIT.ok
}

type Format = 'text' | 'json' | 'table'

export function render(r: Report, format: Format): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`
  if (format === 'table') return renderTable(r)
  return renderText(r)
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
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((x) => x ?? '0')
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi),
    Number(s)))
  // Date() rolls Nov 31 over to Dec 1; a real date survives the round trip.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)
    || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad()
  const date = new Date(m[7] === undefined && m[4] !== undefined ? `${value}Z` : value)
  if (Number.isNaN(date.getTime())) throw bad()
  return date
}

function parseType(value: string | undefined): number {
  const t = typeFromText(value ?? 'A')
  if (t === null) throw new UsageError(`not a record type: "${value}"`)
  // Meta types ask for no RRset that could be validated: OPT, TKEY, TSIG, IXFR, AXFR, ANY...
  if (t === 0 || t === 41 || (t >= 128 && t <= 255)) {
    throw new UsageError(`${value} is a query meta-type, not a record type to validate; `
      + 'ask for one type, e.g. A, AAAA, MX, TXT, DNSKEY')
  }
  return t
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok
  const out = (s: string): void => { process.stdout.write(s) }
  const parser = yargs(argv)
    .scriptName('dnssec-doctor')
    .usage('$0 <command> [options]\n\nTells why a domain fails to resolve when DNSSEC is involved.')
    .option('format', { choices: ['text', 'json', 'table'] as const, default: 'text' as Format,
      describe: 'Output format' })
    .option('json', { type: 'boolean', describe: 'Same as --format json' })
    .option('at', { type: 'string', coerce: lastString,
      describe: 'Validate as of this time (ISO 8601 or epoch s)' })
    .option('trust-anchor', { type: 'string', coerce: lastString,
      describe: 'Trust anchor file: RFC 7958 XML, or '
      + 'DS/DNSKEY lines in zone-file syntax (default: the root KSK-2017 and KSK-2024)' })
    .option('allow-net', { type: 'string', coerce: lastString,
      describe: 'Only send queries to these networks, e.g. '
      + '127.0.0.0/8 (or set DNSSEC_DOCTOR_ALLOW_NET)' })
    .command('check <name> [type]', 'Walk the chain of trust from the root and find the broken '
      + 'link', (y) => y
      .positional('name', { type: 'string', describe: 'Domain name' })
      .positional('type', { type: 'string', describe: 'Record type (default A)' })
      .option('root-hints', { type: 'string', coerce: lastString,
      describe: 'Root servers: ADDR[:PORT],...' })
      .option('port', { type: 'number', coerce: lastNumber,
      describe: 'Ask every authoritative server on this port '
        + '(lab use)' })
      .option('timeout', { type: 'number', coerce: lastNumber, default: 2000,
      describe: 'Per-query timeout, ms' })
      .option('ipv6', { type: 'boolean', default: false, describe: 'Also ask IPv6 addresses' })
      .option('save', { type: 'string', coerce: lastString,
      describe: 'Write the capture (every query and response) '
        + 'to this file, for `replay` or a support ticket' })
      .option('resolver', RESOLVER_OPTION)
      .option('resolver-file', RESOLVER_FILE_OPTION)
      .option('default-resolvers', DEFAULT_RESOLVERS_OPTION), async (a) => {
      const name = nameFromText(String(a.name ?? ''))
      const type = parseType(a.type)
      const at = parseAt(a.at)
      const anchors = loadTrustAnchors(a['trust-anchor'] ?? null, at ?? new Date())
      const guard = guardFromEnv(process.env, a['allow-net']) ?? publicOnlyGuard()
      const port = a.port
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
        throw new UsageError(`--port: not a port number: ${port}`)
      }
      if (!(a.timeout > 0 && a.timeout <= 60_000)) {
        throw new UsageError('--timeout: give milliseconds between 1 and 60000')
      }
      const rootServers = a['root-hints'] === undefined
        ? ROOT_SERVERS_V4.map((address) => ({ address, port: 53 }))
        : parseServerList(a['root-hints'], port ?? 53)
      // A private root (a lab, an internal DNS) holds names public resolvers must not be
      // asked about: they would leak and could not answer.
      const resolvers = resolverSet([...a.resolver ?? [], ...resolverFile(a['resolver-file'])],
        a['default-resolvers'] ?? a['root-hints'] === undefined)
      // Find out now, not after a long walk, that the capture cannot be written.
      if (a.save !== undefined) writable(a.save)
      const { report, capture } = await check({ name, type }, { anchors, rootServers, guard,
        resolvers, timeoutMs: a.timeout, ipv6: a.ipv6, ...(at === undefined ? {} : { at }),
        ...(port === undefined ? {} : { authPort: port }) })
      if (a.save !== undefined) writeFileSync(a.save, `${JSON.stringify(capture, null, 1)}\n`)
      out(render(report, a.json === true ? 'json' : a.format))
      code = exitCodeFor(report)
    })
    .command('resolvers <name> [type]', 'Compare what recursive resolvers answer, with and '
      + 'without checking disabled', (y) => y
      .positional('name', { type: 'string', describe: 'Domain name' })
      .positional('type', { type: 'string', describe: 'Record type (default A)' })
      .option('resolver', RESOLVER_OPTION)
      .option('resolver-file', RESOLVER_FILE_OPTION)
      .option('default-resolvers', DEFAULT_RESOLVERS_OPTION)
      .option('timeout', { type: 'number', coerce: lastNumber, default: 4000,
      describe: 'Per-query timeout, ms' }),
    async (a) => {
      const name = nameFromText(String(a.name ?? ''))
      const type = parseType(a.type)
      const guard = guardFromEnv(process.env, a['allow-net']) ?? publicOnlyGuard()
      const resolvers = resolverSet([...a.resolver ?? [], ...resolverFile(a['resolver-file'])],
        a['default-resolvers'] ?? true)
      if (resolvers.length === 0) throw new UsageError('no resolver to ask: give --resolver')
      const list = await compareResolvers({ name, type }, resolvers, { guard,
        timeoutMs: a.timeout })
      out(a.json === true || a.format === 'json' ? `${JSON.stringify({ resolvers: list },
        null, 2)}\n` : renderResolvers(list))
      code = list.some((o) => o.verdict === 'validation-failure' || o.verdict === 'other-failure')
        ? EXIT.problem : list.every((o) => o.rcode === null) ? EXIT.undetermined : EXIT.ok
    })
    .command('replay <file>', 'Re-analyse a capture saved with `check --save`, offline',
      (y) => y.positional('file', { type: 'string' }), async (a) => {
        const capture = readCapture(String(a.file))
        const at = parseAt(a.at)
        // Without --trust-anchor, the anchor the capture was made with (a lab, a test root).
        const anchors = a['trust-anchor'] === undefined ? captureAnchors(capture)
          : loadTrustAnchors(a['trust-anchor'], at ?? new Date(capture.startedAt))
        const report = await replay(capture, { anchors, ...(at === undefined ? {} : { at }) })
        out(render(report, a.json === true ? 'json' : a.format))
        code = exitCodeFor(report)
      })
    .command('demo [scenario]', 'Diagnose the built-in lab of signed zones, offline',
      (y) => y.positional('scenario', { type: 'string',
        describe: 'One scenario, e.g. ds-mismatch' }),
      async (a) => {
        code = await runDemo({ format: a.json === true ? 'json' : a.format,
          ...(a.scenario === undefined ? {} : { only: a.scenario }), write: out,
          render })
      })
    .demandCommand(1, 'Give a command: check, resolvers, replay or demo')
    .strict()
    .help()
    .version(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg)
    })
    .wrap(Math.min(100, process.stdout.columns ?? 100))
  try {
    await parser.parseAsync()
  } catch (e) {
    const known = e instanceof UsageError || e instanceof NameSyntaxError
      || e instanceof AnchorError || e instanceof GuardSyntaxError || e instanceof CaptureError
    process.stderr.write(`dnssec-doctor: ${e instanceof Error ? e.message : String(e)}\n`)
    if (known) process.stderr.write('Try `dnssec-doctor --help`.\n')
    else if (process.env.DNSSEC_DOCTOR_DEBUG && e instanceof Error) {
      process.stderr.write(`${e.stack}\n`)
    }
    return known ? EXIT.usage : EXIT.undetermined
  }
  return code
}
