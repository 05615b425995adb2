// `dnssec-doctor batch LIST`: checks every name of a list, for administrators who watch many
// zones. One JSON line (or CSV record) per name as each check ends, progress and a summary on
// stderr, --resume to carry on after a stop. docs/batch.md is the user's page.
import { createReadStream, existsSync, fstatSync, openSync, statSync } from 'node:fs'
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import type { Argv, CommandModule } from 'yargs'
import { newCheckSession } from '../check.js'
import { ALLOW_NET_ENV } from '../net/guard.js'
import type { CheckSpec, EngineSpec, Outcome } from '../batch/engine.js'
import {
  checkOptionsOf, createExecutor, defaultWorkers, errorOutcome,
} from '../batch/engine.js'
import { countListLines, readBatchInput } from '../batch/input.js'
import { DEFAULT_PER_SERVER } from '../batch/limiter.js'
import type { BatchFormat, TableRow } from '../batch/output.js'
import { CSV_HEADER, LineFile, renderResultTable } from '../batch/output.js'
import { Progress } from '../batch/progress.js'
import { dropPartialLine, readDoneKeys } from '../batch/resume.js'
import { DEFAULT_CONCURRENCY, DEFAULT_GRACE_MS, runBounded } from '../batch/runner.js'
import { addOutcome, batchExitCode, newTally, renderSummary } from '../batch/summary.js'
import { nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import {
  lastNumber, lastString, parseAt, parsePort, parseTimeout, parseWarnDays, parseWhole,
  UsageError,
} from './input.js'
import { withTrustOptions, withWalkOptions } from './options.js'

const MAX_CONCURRENCY = 256
const MAX_PER_SERVER = 64
const MAX_WORKERS = 16

/** The options of the batch command, as the builder declares them. */
export function batchOptions<T>(y: Argv<T>) {
  // main declares the trust options for every command; declared here too so that the
  // command also stands on its own (its tests register it alone).
  return withTrustOptions(withWalkOptions(y))
    // yargs-parser 22 hands a lone "-" over as an empty string; both mean stdin.
    .positional('input', { type: 'string', demandOption: true, coerce: (v: unknown) =>
      (v === '' ? '-' : String(v)), describe: 'File with one name (and optional type) per '
      + 'line; - for stdin' })
    .option('out', { type: 'string', coerce: lastString,
      describe: 'Append results to this file instead of stdout' })
    .option('resume', { type: 'boolean', default: false,
      describe: 'Skip names already in the --out file (JSON lines)' })
    .option('format', { choices: ['jsonl', 'csv', 'table'], default: 'jsonl',
      describe: 'jsonl: one check --json report per line; csv; table: printed at the end' })
    .option('concurrency', { coerce: lastNumber, defaultDescription: String(DEFAULT_CONCURRENCY),
      describe: 'Names checked at once' })
    .option('per-server', { coerce: lastNumber, defaultDescription: String(DEFAULT_PER_SERVER),
      describe: 'Queries in flight to one server address at most' })
    .option('resolvers', { choices: ['none', 'default'], defaultDescription: 'none',
      describe: 'Also ask the public and system resolvers for every name (default: none)' })
    // check's spelling, which users of check type here too: --no-default-resolvers is
    // --resolvers none (the default), --default-resolvers is --resolvers default.
    .option('default-resolvers', { type: 'boolean', hidden: true })
    .option('quiet', { type: 'boolean', default: false,
      describe: 'No progress and no summary on stderr' })
    .option('thorough', { type: 'boolean', default: false, describe: 'Also ask every server '
      + 'for its SOA serial and the parent for the DS, as check does (slower)' })
    .option('json', { type: 'boolean', describe: 'Same as --format jsonl' })
    .option('workers', { coerce: lastNumber, describe: 'Worker threads that '
      + 'check names (default: one per core, at most 4; 0: none, all in the main thread)' })
}

export type BatchArgs = Awaited<ReturnType<typeof batchOptions>['argv']>

/** What the handler talks to; tests give their own. */
export interface BatchIo {
  readonly stdin: Readable
  readonly stdout: (s: string) => void
  readonly stderr: (s: string) => void
  readonly stderrIsTTY: boolean
  /** Listen for SIGINT and SIGTERM (off in tests that run in-process). */
  readonly signals: boolean
  /** Stops the run as a signal would. */
  readonly signal?: AbortSignal
  /** Ends the process when checks are still stuck after the grace period. */
  readonly exit: (code: number) => void
  /** Ends the process at once, killed by `sig` (a second Ctrl-C); exit(128 + n) without it. */
  readonly die?: (sig: NodeJS.Signals) => void
  /** Resolves once stdout has taken everything written, or rejects with its write error. */
  readonly flushStdout?: () => Promise<void>
}

export function processIo(): BatchIo {
  // A reader that went away (`| head`) is reported once as an error event; the next write
  // throws it, which stops the run instead of checking names nobody reads.
  let broken: Error | null = null
  process.stdout.once('error', (e) => { broken = e })
  return {
    stdin: process.stdin,
    // Writes to a file or a pipe are synchronous on Linux (Node's process I/O notes), so a
    // line handed over here is out of the process before the next result is taken.
    stdout: (s) => {
      if (broken !== null) throw broken
      process.stdout.write(s)
    },
    stderr: (s) => { process.stderr.write(s) },
    stderrIsTTY: process.stderr.isTTY === true,
    signals: true,
    exit: (code) => { process.exit(code) },
    // The signal's own default action, not process.exit: exit() tears down worker threads
    // whose pooled UDP sockets may still be receiving, and Node 20.20 then aborts in
    // UDPWrap::OnRecv ("FATAL ERROR: v8::FromJust", exit 134; a tester saw it in 8 of 14 runs
    // at 64 names in flight). Killed by the signal, the process ends where it stands and a
    // shell reports 128 + its number, as the exit codes say.
    die: (sig) => {
      process.removeAllListeners(sig)
      process.kill(process.pid, sig)
    },
    // A write to a full disk or a closed pipe can fail after write() returned: the callback
    // of an empty write after it says whether everything before it got out.
    flushStdout: () => new Promise((resolve, reject) => {
      if (broken !== null) { reject(broken); return }
      process.stdout.write('', (e) => {
        const failed = e ?? broken
        if (failed == null) resolve()
        else reject(failed)
      })
    }),
  }
}

/**
 * The yargs command for main.ts: `.command(batchCommand({ setCode: (c) => { code = c } }))`.
 * Usage errors are thrown as UsageError, as the other commands do, for main to report.
 */
export function batchCommand<T>(opts: { setCode: (code: number) => void; io?: BatchIo }):
  CommandModule<T, BatchArgs> {
  return {
    command: 'batch <input>',
    describe: 'Check every name of a list (one per line); JSON lines, CSV or a table',
    builder: (y) => batchOptions(y) as unknown as Argv<BatchArgs>,
    handler: async (a) => {
      opts.setCode(await runBatchCommand(a, opts.io ?? processIo()))
    },
  }
}

interface Settings {
  readonly format: BatchFormat
  readonly concurrency: number
  readonly workers: number
  readonly engine: EngineSpec
}

/**
 * Whether two paths name one file (the same device and inode), when both exist; '-' is the
 * standard input, which a shell may have opened on that very file (`batch - --out L < L`).
 */
function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a)
    const y = b === '-' ? fstatSync(0) : statSync(b)
    return x.isFile() && x.dev === y.dev && x.ino === y.ino
  } catch {
    return false
  }
}

function settings(a: BatchArgs): Settings {
  if (a.json === true && a.format !== 'jsonl' && a.format !== 'json') {
    throw new UsageError(`batch: --json and --format ${a.format} ask for two formats; give one`)
  }
  const format = a.json === true || a.format === 'json' ? 'jsonl' : a.format
  if (format !== 'jsonl' && format !== 'csv' && format !== 'table') {
    throw new UsageError(`batch --format: give jsonl, csv or table, not ${format}`)
  }
  if (format === 'table' && a.out !== undefined) {
    throw new UsageError('batch --format table prints at the end, on stdout; '
      + 'use jsonl or csv with --out')
  }
  if (a.out !== undefined && sameFile(a.out, a.input)) {
    throw new UsageError('batch --out is the list itself: results would be appended to the '
      + 'names; write them to another file')
  }
  if (a.resume && a.out === undefined) {
    throw new UsageError('batch --resume needs --out FILE: the results to carry on from')
  }
  if (a.resume && format !== 'jsonl') {
    throw new UsageError('batch --resume reads JSON lines; use it with --format jsonl')
  }
  // Reading back a FIFO or a device would wait for a writer that never comes.
  if (a.resume && a.out !== undefined && existsSync(a.out) && !statSync(a.out).isFile()) {
    throw new UsageError(`batch --resume needs --out to be a regular file, not ${a.out}`)
  }
  const concurrency = parseWhole(a.concurrency, '--concurrency', 1, MAX_CONCURRENCY,
    DEFAULT_CONCURRENCY)
  const perServer = parseWhole(a['per-server'], '--per-server', 1, MAX_PER_SERVER,
    DEFAULT_PER_SERVER)
  const workers = a.workers === undefined ? defaultWorkers()
    : parseWhole(a.workers, '--workers', 0, MAX_WORKERS)
  const fromEnv = process.env[ALLOW_NET_ENV]
  const check: CheckSpec = {
    trustAnchor: a['trust-anchor'] ?? null, at: parseAt(a.at)?.toISOString() ?? null,
    allowNet: a['allow-net'] ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv
      : null),
    rootHints: a['root-hints'] ?? null, port: parsePort(a.port) ?? null,
    timeoutMs: parseTimeout(a.timeout), ipv6: a.ipv6, thorough: a.thorough,
    // A batch of thousands must not hammer the public resolvers: they are asked only on
    // request.
    resolvers: resolversWanted(a.resolvers, a['default-resolvers']),
    warnDays: parseWarnDays(a['warn-days']),
  }
  // Built once here so that a bad anchor file or network list is reported before anything
  // runs; each checker (this thread's or a worker's) builds its own from the same spec, with
  // one session for its share of the run: zones shared by many names are judged once.
  checkOptionsOf(check, newCheckSession())
  return { format, concurrency, workers,
    engine: { check, format, perServer, share: 1, countServers: false } }
}

/** The input stream, with a missing or unreadable file reported before anything runs. */
function openInput(path: string, io: BatchIo): { stream: Readable; file: boolean } {
  if (path === '-') return { stream: io.stdin, file: false }
  let regular: boolean
  let fd: number
  try {
    const st = statSync(path)
    if (st.isDirectory()) throw new Error('is a directory')
    regular = st.isFile()
    // Opened now, so that a socket or a file without read permission is a usage error here
    // rather than a failure in the middle of the run.
    fd = openSync(path, 'r')
  } catch (e) {
    throw new UsageError(`batch: cannot read ${path}: ${e instanceof Error ? e.message : e}`)
  }
  return { stream: createReadStream(path, { fd }), file: regular }
}

/** Runs a batch; returns the exit code. */
export async function runBatchCommand(a: BatchArgs, io: BatchIo): Promise<number> {
  const s = settings(a)
  const input = openInput(a.input, io)
  try {
    return await runWith(a, io, s, input)
  } finally {
    // Closes the list (stdin too) when the run stopped early or failed, so it holds the
    // process no longer.
    input.stream.destroy()
  }
}

async function runWith(a: BatchArgs, io: BatchIo, s: Settings,
  input: { stream: Readable; file: boolean }): Promise<number> {
  const where = a.input === '-' ? 'stdin' : a.input
  const tally = newTally()
  const quiet = a.quiet
  const progress = new Progress({ write: io.stderr, tty: io.stderrIsTTY })
  const note = (text: string): void => { progress.note(`dnssec-doctor: ${text}`) }

  // --resume: cut a line a kill left unfinished, then learn what is done.
  let done: { has(key: string): boolean } = new Set<string>()
  if (a.resume && a.out !== undefined) {
    let cut: number
    try {
      cut = dropPartialLine(a.out)
    } catch (e) {
      throw new UsageError(`--resume: ${e instanceof Error ? e.message : e}`)
    }
    if (cut > 0) note(`${a.out}: removed an unfinished last line (${cut} bytes)`)
    done = await readDoneKeys(a.out, { onBadLine: (b) => {
      note(`${a.out}:${b.line}: ${b.reason}; that name will be checked again`)
    } })
  }
  let file: LineFile | null = null
  if (a.out !== undefined) {
    try {
      file = LineFile.open(a.out)
    } catch (e) {
      throw new UsageError(`--out: cannot write ${a.out}: ${e instanceof Error ? e.message : e}`)
    }
  }
  const emit = file === null ? io.stdout : (text: string) => { file?.write(text) }
  if (s.format === 'csv' && (file === null || file.startedEmpty)) emit(CSV_HEADER)

  // The total for the progress line: the list's lines, counted in a second read of the file.
  let lines: number | null = null
  if (input.file && !quiet) {
    countListLines(createReadStream(a.input)).then((n) => { lines = n }, () => undefined)
  }
  const total = (): number | null => lines === null ? null
    : lines - tally.badLines - tally.duplicates - tally.resumed

  const stop = new AbortController()
  let signalled: NodeJS.Signals | null = null
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled !== null) {
      // A second signal: the user will not wait. Every written line is already whole.
      if (io.die !== undefined) io.die(sig)
      else io.exit(128 + constants.signals[sig])
      return
    }
    signalled = sig
    note(`${sig}: no new names; waiting up to ${DEFAULT_GRACE_MS / 1000} s for the checks `
      + 'in flight')
    stop.abort()
  }
  if (io.signals) {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  io.signal?.addEventListener('abort', () => { stop.abort() }, { once: true })
  const ticker = quiet ? null : setInterval(() => { progress.update(tally, total()) }, 1000)
  ticker?.unref()

  const executor = createExecutor(s.engine, { workers: s.workers,
    concurrency: s.concurrency })
  const rows: TableRow[] = []
  const started = Date.now()
  // Every name gets its line, a check that threw too (status error), so the results account
  // for every name of the list.
  // Set once the run is over: a check still in flight then (the list failed half way, or the
  // grace period after a signal ran out) was cut off, not done; it gets no line, so that
  // --resume checks it.
  let over = false
  const record = (line: number, o: Outcome, ms: number): void => {
    if (over) return
    if (o.error !== null) {
      note(`${where}:${line}: ${o.name} ${o.type}: the check failed: ${o.error}`)
    }
    if (s.format === 'table') {
      rows.push({ line, name: o.name, type: o.type, status: o.status, code: o.code,
        zone: o.zone, ms })
    } else {
      emit(o.text)
    }
    addOutcome(tally, o, ms)
    if (!quiet) progress.update(tally, total())
  }
  let result
  try {
    result = await runBounded(readBatchInput(input.stream, {
      skip: done,
      onBadLine: (b) => {
        tally.badLines++
        note(`${where}:${b.line}: ${b.reason} (line skipped)`)
      },
      onSkip: (_item, why) => { if (why === 'duplicate') tally.duplicates++; else tally.resumed++ },
    }), {
      concurrency: s.concurrency,
      signal: stop.signal,
      work: (item) => executor.run(item),
      onResult: (item, o, ms) => { record(item.line, o, ms) },
      // The executor gives an error outcome for a check that threw; this is a last resort.
      onError: (item, e, ms) => {
        record(item.line, errorOutcome(s.format, nameToText(item.name), typeToText(item.type),
          e), ms)
      },
    })
  } finally {
    over = true
    await executor.close()
    if (ticker !== null) clearInterval(ticker)
    if (io.signals) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    file?.close()
  }
  progress.clear()

  const interrupted = result.stopped ? `interrupted${signalled === null ? '' : ` by ${signalled}`}`
    + `${result.abandoned > 0 ? `; ${result.abandoned} checks in flight were dropped` : ''}`
    + `${a.out === undefined ? '' : `; run again with --resume to carry on`}` : undefined
  const summary = renderSummary(tally, { elapsedMs: Date.now() - started,
    ...(interrupted === undefined ? {} : { interrupted }) })
  if (s.format === 'table') {
    // The table is the run's only output: a failed write must not pass for a printed one.
    io.stdout(`${renderResultTable(rows)}${summary}`)
    await io.flushStdout?.().catch((e: unknown) => {
      throw new Error(`the results could not be written: ${e instanceof Error ? e.message : e}`)
    })
  } else if (!quiet) io.stderr(summary)
  // An interrupted run ends as the shell reports a signal (128 + its number), so a script
  // never takes a partial run for a complete one.
  const code = signalled !== null ? 128 + constants.signals[signalled]
    : result.stopped ? 130 : batchExitCode(tally)
  if (result.abandoned > 0) io.exit(code)
  return code
}

/** --resolvers and check's --[no-]default-resolvers, which must not say opposite things. */
function resolversWanted(choice: string | undefined, flag: boolean | undefined): boolean {
  if (choice !== undefined && flag !== undefined && flag !== (choice === 'default')) {
    throw new UsageError(`--${flag ? '' : 'no-'}default-resolvers and --resolvers ${choice} `
      + 'say opposite things')
  }
  return flag ?? choice === 'default'
}
