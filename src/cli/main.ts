// The command line. Results go to stdout, everything else to stderr. Exit codes: 0 nothing
// wrong (secure, or insecure by design), 1 a DNSSEC or DNS problem, 2 bad usage or input,
// 3 could not determine.
import { writeFileSync } from 'node:fs'
import yargs from 'yargs'
import type { Argv } from 'yargs'
import type { Report } from '../analysis/types.js'
import {
  AnchorError, loadTrustAnchors, parseServerList, readSmallFile, ROOT_SERVERS_V4,
} from '../anchors.js'
import {
  captureAnchors, CaptureError, check, compareResolvers, readCapture, replay,
} from '../check.js'
import { GuardSyntaxError, guardFromEnv, publicOnlyGuard } from '../net/guard.js'
import type { AddressGuard } from '../net/guard.js'
import { renderResolvers, renderTable, renderText } from '../report/text.js'
import { nameFromText, NameSyntaxError } from '../wire/name.js'
import { batchCommand } from './batch.js'
import { runDemo } from './demo.js'
import { withTrustOptions, withWalkOptions } from './options.js'
import { EXIT, exitCodeFor } from './exit.js'
import {
  assertWritable, lastNumber, lastString, parseAt, parsePort, parseRecordType, parseTimeout,
  parseWarnDays,
  resolverFile, resolverSet, UsageError,
} from './input.js'

export { UsageError } from './input.js'

export { EXIT, exitCodeFor } from './exit.js'

type Format = 'text' | 'json' | 'table'

export function render(r: Report, format: Format): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`
  if (format === 'table') return renderTable(r)
  return renderText(r)
}

/** Errors that mean the user's input was wrong: exit 2 with one line, never a trace. */
function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || e instanceof NameSyntaxError || e instanceof AnchorError
    || e instanceof GuardSyntaxError || e instanceof CaptureError
}

/** The address guard: --allow-net, else the environment, else public addresses only. */
function guardOf(allowNet: string | undefined): AddressGuard {
  return guardFromEnv(process.env, allowNet) ?? publicOnlyGuard()
}

/** --format for the commands that print one report (batch has formats of its own). */
function withFormat<T>(y: Argv<T>) {
  return y
    .option('format', { choices: ['text', 'json', 'table'] as const, default: 'text' as Format,
      describe: 'Output format' })
    .option('json', { type: 'boolean', describe: 'Same as --format json' })
}

/** The options `check` and `resolvers` share for choosing resolvers. */
function withResolverOptions<T>(y: Argv<T>) {
  return y
    .option('resolver', { type: 'string', array: true,
      describe: 'Also compare this resolver: NAME=ADDR[:PORT] (repeatable)' })
    .option('resolver-file', { type: 'string', coerce: lastString,
      describe: 'A file naming resolvers to compare, one NAME=ADDR[:PORT] per line' })
    .option('doh-ca', { type: 'string', coerce: lastString, describe: 'CA certificates (PEM) '
      + 'for resolvers given as https://IP/path URLs, instead of the system\'s' })
    .option('default-resolvers', { type: 'boolean', describe: 'Compare Google, Cloudflare, '
      + 'Quad9, OpenDNS and the system resolvers (on unless --root-hints names a private '
      + 'root; --no-default-resolvers: never)' })
}

/** The --doh-ca file's text, read once. */
function dohCaOf(path: string | undefined): { dohCa?: string } {
  if (path === undefined) return {}
  try {
    return { dohCa: readSmallFile(path, 1 << 20) }
  } catch (e) {
    throw new UsageError(`--doh-ca: ${e instanceof Error ? e.message : e}`)
  }
}

function chosenResolvers(a: { resolver?: (string | number)[] | undefined;
  'resolver-file'?: string | undefined }, defaults: boolean) {
  return resolverSet([...a.resolver ?? [], ...resolverFile(a['resolver-file'])], defaults)
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok
  const out = (s: string): void => { process.stdout.write(s) }
  const formatOf = (a: { json?: boolean | undefined; format: Format }): Format =>
    a.json === true ? 'json' : a.format
  const parser = withTrustOptions(yargs(argv)
    .scriptName('dnssec-doctor')
    .usage('$0 <command> [options]\n\n'
      + 'Tells why a domain fails to resolve when DNSSEC is involved.'))
    .command('check <name> [type]',
      'Walk the chain of trust from the root and find the broken link',
      (y) => withFormat(withResolverOptions(withWalkOptions(y)
        .positional('name', { type: 'string', describe: 'Domain name' })
        .positional('type', { type: 'string', describe: 'Record type (default A)' })
        .option('save', { type: 'string', coerce: lastString, describe: 'Write the capture '
          + '(every query and response) to this file, for `replay` or a support ticket' }))),
      async (a) => {
        const name = nameFromText(String(a.name ?? ''))
        const type = parseRecordType(a.type)
        const at = parseAt(a.at)
        const port = parsePort(a.port)
        // Every number checked before anything is read or asked.
        const timeoutMs = parseTimeout(a.timeout)
        const warnDays = parseWarnDays(a['warn-days'])
        const anchors = loadTrustAnchors(a['trust-anchor'] ?? null, at ?? new Date())
        const rootServers = a['root-hints'] === undefined
          ? ROOT_SERVERS_V4.map((address) => ({ address, port: 53 }))
          : parseServerList(a['root-hints'], port ?? 53)
        // A private root (a lab, an internal DNS) holds names public resolvers must not be
        // asked about: they would leak and could not answer.
        const resolvers = chosenResolvers(a,
          a['default-resolvers'] ?? a['root-hints'] === undefined)
        if (a.save !== undefined) assertWritable(a.save, '--save')
        const { report, capture } = await check({ name, type }, { anchors, rootServers,
          guard: guardOf(a['allow-net']), resolvers, timeoutMs, warnDays,
          ...dohCaOf(a['doh-ca']),
          ipv6: a.ipv6, ...(at === undefined ? {} : { at }),
          ...(port === undefined ? {} : { authPort: port }) })
        if (a.save !== undefined) writeFileSync(a.save, `${JSON.stringify(capture, null, 1)}\n`)
        out(render(report, formatOf(a)))
        code = exitCodeFor(report)
      })
    .command('resolvers <name> [type]',
      'Compare what recursive resolvers answer, with and without checking disabled',
      (y) => withFormat(withResolverOptions(y
        .positional('name', { type: 'string', describe: 'Domain name' })
        .positional('type', { type: 'string', describe: 'Record type (default A)' })
        .option('timeout', { coerce: lastNumber, defaultDescription: '4000',
          describe: 'Per-query timeout, ms' }))),
      async (a) => {
        const name = nameFromText(String(a.name ?? ''))
        const type = parseRecordType(a.type)
        const timeoutMs = parseTimeout(a.timeout, 4000)
        const resolvers = chosenResolvers(a, a['default-resolvers'] ?? true)
        if (resolvers.length === 0) throw new UsageError('no resolver to ask: give --resolver')
        const list = await compareResolvers({ name, type }, resolvers,
          { guard: guardOf(a['allow-net']), timeoutMs,
            ...dohCaOf(a['doh-ca']) })
        out(formatOf(a) === 'json' ? `${JSON.stringify({ resolvers: list }, null, 2)}\n`
          : renderResolvers(list))
        // No answer from everyone: could not determine; a failure or a silent resolver among
        // others: a problem to look at.
        const failed = list.some((o) => o.verdict === 'validation-failure'
          || o.verdict === 'other-failure' || o.verdict === 'no-response')
        code = list.every((o) => o.rcode === null) ? EXIT.undetermined
          : failed ? EXIT.problem : EXIT.ok
      })
    .command('replay <file>', 'Re-analyse a capture saved with `check --save`, offline',
      (y) => withFormat(y.positional('file', { type: 'string' })),
      async (a) => {
        const warnDays = parseWarnDays(a['warn-days'])
        const capture = readCapture(String(a.file))
        const at = parseAt(a.at)
        // Without --trust-anchor, the anchor the capture was made with (a lab, a test root).
        const anchors = a['trust-anchor'] === undefined ? captureAnchors(capture)
          : loadTrustAnchors(a['trust-anchor'], at ?? new Date(capture.startedAt))
        const report = await replay(capture, { anchors, warnDays,
          ...(at === undefined ? {} : { at }) })
        out(render(report, formatOf(a)))
        code = exitCodeFor(report)
      })
    .command('demo [scenario]', 'Diagnose the built-in lab of signed zones, offline',
      (y) => withFormat(y.positional('scenario', { type: 'string',
        describe: 'One scenario, e.g. ds-mismatch' })),
      async (a) => {
        code = await runDemo({ format: formatOf(a), write: out, render,
          ...(a.scenario === undefined ? {} : { only: a.scenario }) })
      })
    .command(batchCommand({ setCode: (c) => { code = c } }))
    .demandCommand(1, 'Give a command: check, resolvers, replay, batch or demo')
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
    process.stderr.write(`dnssec-doctor: ${e instanceof Error ? e.message : String(e)}\n`)
    if (isUsageError(e)) {
      process.stderr.write('Try `dnssec-doctor --help`.\n')
      return EXIT.usage
    }
    if (process.env.DNSSEC_DOCTOR_DEBUG && e instanceof Error) {
      process.stderr.write(`${e.stack}\n`)
    }
    return EXIT.undetermined
  }
  return code
}
