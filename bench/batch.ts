// The batch benchmark of issue 4: how fast does dnssec-doctor check a list of names, compared
// with a validating unbound (two threads) resolving the same names, and do the verdicts agree?
// Runs against the lab of bench/batch-lab.sh, in one process:
//
//   1. the reference: every name asked of unbound (127.0.91.1) with DO set, 64 in flight over
//      8 UDP sockets (one source port would put all work on one unbound thread); SERVFAIL is
//      bogus, NOERROR or NXDOMAIN with AD secure, any other NOERROR or NXDOMAIN insecure;
//   2. dnssec-doctor: the same names through the library, as `batch` runs them (check() per
//      name with the batch's per-server limiter, runBounded, one JSON line per report written
//      to a file), once per --doctor setting;
//
// then names/s of each, the ratio, queries per name, peak memory, and the verdicts compared
// name by name and against the lab's designed verdicts. Bounded: each side stops after
// --side-limit seconds, the whole run after --time-limit.
//
//   npx tsc -p . && node dist/bench/batch.js [BENCHDIR] [--doctor 8/4] [--doctor 64/64] ...
//
// Run it inside the bench lab's network namespace (bench/README.md). Restart the lab before
// each run: the reference must meet a cold unbound cache.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createReadStream, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

import type { CheckSpec, Outcome } from '../src/batch/engine.js'
import { createExecutor, defaultWorkers } from '../src/batch/engine.js'
import type { BatchItem } from '../src/batch/input.js'
import { readBatchInput } from '../src/batch/input.js'
import { DEFAULT_PER_SERVER } from '../src/batch/limiter.js'
import { LineFile } from '../src/batch/output.js'
import { DEFAULT_CONCURRENCY, runBounded } from '../src/batch/runner.js'
import { clearKeyCache } from '../src/dnssec/verify.js'
import { buildQuery } from '../src/wire/message.js'
import { nameFromText, nameToText } from '../src/wire/name.js'
import { runFloor } from './floor.js'

const UNBOUND = '127.0.91.1'
const ROOT_HINT = '127.0.90.1'
const BENCH_NET = '127.0.90.0/24'
/** Which lab server each address is, for the per-level query counts (children: the rest of
 * 127.0.90.x, since a lab built with SPREAD puts them and bench.test. at several addresses). */
const LEVELS: Readonly<Record<string, string>> = {
  '127.0.90.1': 'root', '127.0.90.2': 'test.', '127.0.90.3': 'bench.test.',
  '127.0.90.250': 'bench.test.', '127.0.90.251': 'bench.test.', '127.0.90.252': 'bench.test.',
}
const levelOf = (server: string): string => LEVELS[server]
  ?? (server.startsWith('127.0.90.') ? 'children' : server)

type Verdict = 'secure' | 'insecure' | 'bogus' | 'indeterminate' | 'error'

/**
 * One dnssec-doctor run: names at once, queries per server, whether checks share work, and
 * on how many worker threads.
 */
interface DoctorSetting {
  readonly concurrency: number
  readonly perServer: number
  /** none: every check walks alone; lean: a shared session, as batch runs it by default;
   * thorough: a shared session that still asks SOA serials and DS (batch --thorough). */
  readonly session: 'none' | 'lean' | 'thorough'
  /** Worker threads, as `batch --workers` (0: all in the main thread). */
  readonly workers: number
}

interface Args {
  readonly dir: string
  readonly doctor: readonly DoctorSetting[]
  /** Runs of the floor (floor.ts): worker threads and names in flight per worker. */
  readonly floor: readonly { workers: number; concurrency: number }[]
  readonly inFlight: number
  readonly sockets: number
  readonly sideLimitS: number
  readonly timeLimitS: number
  readonly maxNames: number | null
  readonly reference: boolean
  /** Ask unbound every name a second time: a warm cache shows what the client itself allows. */
  readonly warmReference: boolean
}

function parse(argv: string[]): Args {
  const options = {
    doctor: { type: 'string', multiple: true },
    floor: { type: 'string', multiple: true },
    'in-flight': { type: 'string', default: '64' },
    sockets: { type: 'string', default: '8' },
    'side-limit': { type: 'string', default: '900' },
    'time-limit': { type: 'string', default: '2400' },
    'max-names': { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
    'warm-reference': { type: 'boolean', default: false },
  } as const
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options })
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e))
  }
  const { values, positionals } = parsed
  const whole = (text: string, what: string): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: a whole number, not ${text}`)
    return n
  }
  // Without --doctor: batch's own defaults.
  const defaults = `${DEFAULT_CONCURRENCY}/${DEFAULT_PER_SERVER}/lean`
  const doctor = (values.doctor ?? [defaults]).map((spec) => {
    const m = /^(\d+)\/(\d+)(?:\/(none|lean|thorough))?(?:\/w(\d+))?$/.exec(spec)
    if (m === null) {
      throw new UsageError('--doctor CONCURRENCY/PER_SERVER[/none|lean|thorough][/wWORKERS], e.g. '
        + `8/4/lean/w2, not ${spec}`)
    }
    const session = (m[3] ?? 'lean') as DoctorSetting['session']
    const workers = m[4] === undefined ? defaultWorkers() : Number(m[4])
    return { concurrency: whole(m[1] ?? '', '--doctor'), perServer: whole(m[2] ?? '', '--doctor'),
      session, workers }
  })
  const floor = (values.floor ?? []).map((spec) => {
    const m = /^(\d+)\/(\d+)$/.exec(spec)
    if (m === null) {
      throw new UsageError(`--floor WORKERS/IN_FLIGHT_PER_WORKER, e.g. 2/8, not ${spec}`)
    }
    return { workers: whole(m[1] ?? '', '--floor'), concurrency: whole(m[2] ?? '', '--floor') }
  })
  return {
    dir: positionals[0] ?? '/tmp/dnssec-doctor-bench', doctor, floor,
    inFlight: whole(values['in-flight'], '--in-flight'),
    sockets: whole(values.sockets, '--sockets'),
    sideLimitS: whole(values['side-limit'], '--side-limit'),
    timeLimitS: whole(values['time-limit'], '--time-limit'),
    maxNames: values['max-names'] === undefined ? null : whole(values['max-names'], '--max-names'),
    reference: !values['no-reference'],
    warmReference: values['warm-reference'],
  }
}

// --- the reference: unbound ----------------------------------------------------------------

interface Pending {
  readonly question: Uint8Array
  readonly resolve: (r: { rcode: number; ad: boolean } | null) => void
  readonly timer: NodeJS.Timeout
}

/** A UDP socket with its own query ids; replies are matched by id and echoed question. */
class ResolverSocket {
  private readonly pending = new Map<number, Pending>()
  private nextId = Math.floor(Math.random() * 65536)

  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg) => { this.onMessage(msg) })
  }

  static async open(): Promise<ResolverSocket> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', () => { socket.off('error', reject); resolve() })
    })
    return new ResolverSocket(socket)
  }

  /** The reply's rcode and AD bit, or null after timeoutMs. */
  ask(name: string, timeoutMs: number): Promise<{ rcode: number; ad: boolean } | null> {
    let id = this.nextId
    // Never two queries with one id in flight on one socket.
    while (this.pending.has(id)) id = (id + 1) & 0xffff
    this.nextId = (id + 1) & 0xffff
    const query = buildQuery({ id, name: nameFromText(name), type: 1, rd: true, dnssecOk: true })
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve(null)
      }, timeoutMs)
      // The question section: from byte 12 up to the OPT record (11 bytes at the end).
      this.pending.set(id, { question: query.subarray(12, query.length - 11), resolve, timer })
      this.socket.send(query, 53, UNBOUND)
    })
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < 12) return
    const id = msg.readUInt16BE(0)
    const p = this.pending.get(id)
    if (p === undefined) return
    const q = msg.subarray(12, 12 + p.question.length)
    // Question names come back as asked (unbound keeps the case), compared exactly.
    if (!Buffer.from(p.question).equals(q)) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    p.resolve({ rcode: msg[3]! & 0x0f, ad: (msg[3]! & 0x20) !== 0 })
  }

  close(): void {
    this.socket.close()
  }
}

interface SideResult {
  readonly label: string
  readonly names: number
  readonly seconds: number
  readonly stopped: boolean
  readonly extra: Readonly<Record<string, number | string>>
}

async function reference(names: readonly string[], args: Args, verdicts: Map<string, Verdict>,
  opts: { warm: boolean }): Promise<SideResult> {
  const sockets = await Promise.all(Array.from({ length: args.sockets },
    () => ResolverSocket.open()))
  const deadline = performance.now() + args.sideLimitS * 1000
  let next = 0
  let retries = 0
  let failures = 0
  let done = 0
  const started = performance.now()
  const cpu = { unbound: unboundCpuMs(args.dir), client: process.cpuUsage() }
  // unbound 1.17 drops a resolution that takes longer than about 1.9 s and answers only the
  // client's retry (lab notes): retry after 2.5 s, three tries in all.
  const worker = async (w: number): Promise<void> => {
    const socket = sockets[w % sockets.length]!
    while (next < names.length && performance.now() < deadline) {
      const name = names[next++]!
      let reply = null
      for (let attempt = 0; attempt < 3 && reply === null; attempt++) {
        if (attempt > 0) retries++
        reply = await socket.ask(name, 2500)
      }
      if (reply === null) failures++
      verdicts.set(name, reply === null ? 'error' : verdictOf(reply))
      done++
    }
  }
  await Promise.all(Array.from({ length: args.inFlight }, (_, w) => worker(w)))
  const seconds = (performance.now() - started) / 1000
  const unboundMs = unboundCpuMs(args.dir) - cpu.unbound
  const clientMs = cpuMs(process.cpuUsage(cpu.client))
  for (const s of sockets) s.close()
  return { label: `unbound 1.17, 2 threads, ${opts.warm ? 'WARM cache (a second pass)'
    : 'cold cache'} (${args.inFlight} in flight, ${args.sockets} sockets)`,
    names: done, seconds, stopped: done < names.length,
    extra: { retries, 'no answer': failures,
      'unbound CPU ms/name (its 2 threads, from /proc)': round(unboundMs / Math.max(done, 1), 3),
      'client CPU ms/name (this process)': round(clientMs / Math.max(done, 1), 3) } }
}

/** CPU time of the lab's unbound (all its threads), ms, from /proc; NaN when unreadable. */
function unboundCpuMs(dir: string): number {
  try {
    const pid = /^unbound (\d+)$/m.exec(readFileSync(`${dir}/run/pids`, 'utf8'))?.[1]
    // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" of comm.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    const ticks = Number(fields[11]) + Number(fields[12])
    return ticks * 10 // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN
  }
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000
}

function verdictOf(r: { rcode: number; ad: boolean }): Verdict {
  if (r.rcode === 2) return 'bogus'
  if (r.rcode === 0 || r.rcode === 3) return r.ad ? 'secure' : 'insecure'
  return 'error'
}

// --- dnssec-doctor -----------------------------------------------------------------------------

interface DoctorRun {
  readonly side: SideResult
  readonly verdicts: Map<string, Verdict>
  readonly codes: Map<string, string>
}

async function doctor(args: Args, setting: DoctorSetting,
  limitNames: number, overall: AbortSignal): Promise<DoctorRun> {
  const spec: CheckSpec = {
    trustAnchor: `${args.dir}/root-anchor.ds`, at: null, allowNet: BENCH_NET,
    rootHints: ROOT_HINT, port: null, timeoutMs: 2000, ipv6: false,
    thorough: setting.session === 'thorough', resolvers: false, warnDays: 7,
  }
  // As the batch command runs it (engine.ts): the same checker, on the same worker threads;
  // `none` is the old way, a check without a session, for comparison.
  const engine = { check: spec, format: 'jsonl' as const, perServer: setting.perServer,
    share: 1, countServers: true }
  // Each run starts with no public key imported, as a fresh `batch` process does.
  clearKeyCache()
  const executor = createExecutor(setting.session === 'none' ? { ...engine, session: false }
    : engine, { workers: setting.workers, concurrency: setting.concurrency })
  const outPath = `${args.dir}/results-${setting.concurrency}-${setting.perServer}-${
    setting.session}-w${executor.workers}.jsonl`
  writeFileSync(outPath, '')
  const out = LineFile.open(outPath)
  const verdicts = new Map<string, Verdict>()
  const codes = new Map<string, string>()
  const perLevel = new Map<string, number>()
  let exchanges = 0
  let secureNames = 0
  let secureExchanges = 0
  let errors = 0
  let sample = { rss: 0, heap: 0 }
  resetPeak()
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    sample = { rss: Math.max(sample.rss, m.rss), heap: Math.max(sample.heap, m.heapUsed) }
  }, 100)
  const stop = new AbortController()
  const onOverall = (): void => { stop.abort() }
  overall.addEventListener('abort', onOverall, { once: true })
  const timer = setTimeout(() => { stop.abort() }, args.sideLimitS * 1000)
  let count = 0
  async function* items(): AsyncGenerator<BatchItem> {
    for await (const item of readBatchInput(createReadStream(`${args.dir}/names.txt`))) {
      if (count++ >= limitNames) return
      yield item
    }
  }
  const started = performance.now()
  // The whole process: the main thread and every worker thread.
  const cpuStart = process.cpuUsage()
  const result = await runBounded(items(), {
    concurrency: setting.concurrency,
    signal: stop.signal,
    work: (item) => executor.run(item),
    onResult: (_item, o: Outcome) => {
      out.write(o.text)
      // The name as the list has it (the report's is the same text, lower case here).
      const name = o.name
      verdicts.set(name, o.status === 'error' ? 'error' : o.status)
      codes.set(name, o.code === '' ? o.codes[0] ?? '-' : o.code)
      if (o.status === 'error') errors++
      exchanges += o.exchanges
      for (const [server, n] of Object.entries(o.servers ?? {})) {
        const level = levelOf(server)
        perLevel.set(level, (perLevel.get(level) ?? 0) + n)
      }
      if (o.status === 'secure') {
        secureNames++
        secureExchanges += o.exchanges
      }
    },
    onError: (item) => {
      errors++
      verdicts.set(nameToText(item.name), 'error')
    },
  })
  const seconds = (performance.now() - started) / 1000
  const cpu = cpuMs(process.cpuUsage(cpuStart))
  clearInterval(sampler)
  const { verifications } = await executor.close()
  // With --expose-gc: the heap the main thread still holds (with workers, theirs is gone by
  // now; with workers 0, the session is still referenced here through the executor).
  const gc = (globalThis as { gc?: () => void }).gc
  let retained: number | string = 'run node with --expose-gc'
  if (gc !== undefined) {
    gc()
    retained = round(process.memoryUsage().heapUsed / 1048576, 1)
  }
  clearTimeout(timer)
  overall.removeEventListener('abort', onOverall)
  out.close()
  const done = result.finished
  const extra: Record<string, number | string> = {
    'worker threads': executor.workers,
    'queries/name': round(exchanges / Math.max(done, 1), 2),
    'queries/secure name': round(secureExchanges / Math.max(secureNames, 1), 2),
    'signature checks/name': round(verifications / Math.max(done, 1), 2),
    'CPU ms/name (the whole process, workers included)': round(cpu / Math.max(done, 1), 3),
    'peak RSS MB (sampled)': round(sample.rss / 1048576, 1),
    'peak main-thread heap MB (sampled)': round(sample.heap / 1048576, 1),
    'VmHWM MB': round(vmHwm() / 1024, 1),
    'main-thread heap MB after the run, after GC': retained,
    'checks that threw': errors,
  }
  for (const [level, n] of perLevel) {
    extra[`queries/name to ${level}`] = round(n / Math.max(done, 1), 2)
  }
  return { verdicts, codes, side: { label: `dnssec-doctor, in-process, concurrency ${
    setting.concurrency}, per-server ${setting.perServer}, session ${setting.session}, ${
    executor.workers} worker threads`,
  names: done, seconds,
  stopped: result.stopped, extra } }
}

/** Peak resident set of this process, kB (Linux); 0 when unreadable. */
function vmHwm(): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m === null ? 0 : Number(m[1])
  } catch {
    return 0
  }
}

/** Resets VmHWM to the current RSS (Linux 4.0+, writing 5 to clear_refs), so each side's
 * peak is its own. */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    // TODO(bench): without clear_refs (Linux before 4.0) VmHWM also covers the earlier phases;
    // the sampled RSS peak does not.
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

// --- comparison and report ---------------------------------------------------------------------

function compare(names: readonly string[], a: Map<string, Verdict>, b: Map<string, Verdict>,
  describe: (name: string) => string): { both: number; same: number; diffs: string[] } {
  let both = 0
  let same = 0
  const diffs: string[] = []
  for (const name of names) {
    const x = a.get(name)
    const y = b.get(name)
    if (x === undefined || y === undefined) continue
    both++
    if (x === y) same++
    else diffs.push(`${name} ${x} / ${y}${describe(name)}`)
  }
  return { both, same, diffs }
}

function rate(s: SideResult): number {
  return s.names / Math.max(s.seconds, 1e-9)
}

function printSide(s: SideResult): void {
  console.log(`${s.label}\n  ${s.names} names in ${s.seconds.toFixed(1)} s: ${
    rate(s).toFixed(1)} names/s${s.stopped ? ' (STOPPED by the time limit)' : ''}`)
  for (const [k, v] of Object.entries(s.extra)) console.log(`  ${k}: ${v}`)
}

function tally(names: readonly string[], v: Map<string, Verdict>): string {
  const counts = new Map<string, number>()
  for (const n of names) {
    const x = v.get(n)
    if (x !== undefined) counts.set(x, (counts.get(x) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ')
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2))
  const overall = new AbortController()
  setTimeout(() => { overall.abort() }, args.timeLimitS * 1000).unref()
  // A last resort: whatever hangs, the process ends a minute after the overall limit.
  setTimeout(() => {
    console.error('batch bench: overall time limit passed; exiting')
    process.exit(124)
  }, args.timeLimitS * 1000 + 60_000).unref()

  const expected = new Map<string, { verdict: string; code: string }>()
  for (const line of readFileSync(`${args.dir}/expected.tsv`, 'utf8').split('\n')) {
    const [name, verdict, code] = line.split('\t')
    if (name !== undefined && verdict !== undefined) {
      expected.set(name, { verdict, code: code ?? '-' })
    }
  }
  let names = readFileSync(`${args.dir}/names.txt`, 'utf8').split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n !== '')
  if (args.maxNames !== null) names = names.slice(0, args.maxNames)
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?'
  console.log(`bench lab ${args.dir}: ${names.length} names; node ${process.version}; ${
    (await import('node:os')).availableParallelism()} CPUs (${cpu})\n`)

  const results: Record<string, unknown> = { names: names.length, runs: [] as unknown[] }
  const refVerdicts = new Map<string, Verdict>()
  let ref: SideResult | null = null
  if (args.reference) {
    ref = await reference(names, args, refVerdicts, { warm: false })
    printSide(ref)
    console.log(`  verdicts: ${tally(names, refVerdicts)}\n`)
    results.reference = { ...ref, rate: rate(ref) }
    if (args.warmReference) {
      const warmVerdicts = new Map<string, Verdict>()
      const warm = await reference(names, args, warmVerdicts, { warm: true })
      printSide(warm)
      console.log(`  verdicts: ${tally(names, warmVerdicts)}\n`)
      results.warmReference = { ...warm, rate: rate(warm) }
    }
  }
  const expectedText = (name: string): string => {
    const e = expected.get(name)
    return e === undefined ? '' : ` (designed: ${e.verdict}${e.code === '-' ? '' : ` ${e.code}`})`
  }
  const designed = new Map<string, Verdict>(
    [...expected].map(([n, e]) => [n, e.verdict as Verdict]))
  let refBroken = false
  if (ref !== null) {
    const d = compare(names, refVerdicts, designed, () => '')
    console.log(`unbound vs designed: ${d.same} of ${d.both} agree`)
    for (const line of d.diffs.slice(0, 10)) console.log(`  ${line}`)
    // A reference that did not answer every name as the lab was designed is no yardstick (a
    // lab not started answers nothing, and a ratio against that means nothing).
    if (d.same < names.length) {
      console.log(`the reference is not usable (${names.length - d.same} names without the `
        + 'designed verdict): no ratio is given, and the bench exits 1')
      refBroken = true
      ref = null
    }
    console.log('')
  }

  for (const setting of args.doctor) {
    if (overall.signal.aborted) break
    const run = await doctor(args, setting, names.length, overall.signal)
    printSide(run.side)
    console.log(`  verdicts: ${tally(names, run.verdicts)}`)
    const entry: Record<string, unknown> = { ...run.side, rate: rate(run.side) }
    if (ref !== null) {
      const ratio = rate(run.side) / rate(ref)
      console.log(`  RATIO dnssec-doctor / unbound names/s: ${ratio.toFixed(3)}`)
      const c = compare(names, refVerdicts, run.verdicts,
        (n) => ` [doctor ${run.codes.get(n) ?? '-'}]${expectedText(n)}`)
      console.log(`  verdicts, unbound / dnssec-doctor: ${c.same} of ${c.both} agree, ${
        c.diffs.length} differ`)
      for (const line of c.diffs.slice(0, 10)) console.log(`    ${line}`)
      entry.ratio = ratio
      entry.agree = c.same
      entry.compared = c.both
      entry.disagreements = c.diffs.slice(0, 50)
    }
    const d = compare(names, designed, run.verdicts, (n) => ` [doctor ${run.codes.get(n) ?? '-'}]`)
    console.log(`  verdicts, designed / dnssec-doctor: ${d.same} of ${d.both} agree`)
    for (const line of d.diffs.slice(0, 10)) console.log(`    ${line}`)
    // Codes: does dnssec-doctor name the designed fault?
    let codeSame = 0
    let codeBoth = 0
    for (const [n, e] of expected) {
      const got = run.codes.get(n)
      if (e.code === '-' || got === undefined) continue
      codeBoth++
      if (got === e.code) codeSame++
    }
    console.log(`  codes of the broken names, designed / dnssec-doctor: ${codeSame} of ${
      codeBoth} agree\n`)
    entry.codesAgree = codeSame
    ;(results.runs as unknown[]).push(entry)
  }
  for (const f of args.floor) {
    if (overall.signal.aborted) break
    clearKeyCache()
    const run = await runFloor(names, f.workers, f.concurrency)
    const side: SideResult = { label: `floor (bench/floor.ts): codec, canonical form and `
      + `node:crypto only, ${f.workers} worker threads, ${f.concurrency} in flight each`,
    names: run.verdicts.size, seconds: run.seconds, stopped: false, extra: {
      'signature checks/name': round(run.verifications / Math.max(run.verdicts.size, 1), 2),
      'CPU ms/name (the whole process, workers included)':
        round(run.cpuMs / Math.max(run.verdicts.size, 1), 3) } }
    printSide(side)
    console.log(`  verdicts: ${tally(names, run.verdicts)}`)
    const entry: Record<string, unknown> = { ...side, rate: rate(side) }
    if (ref !== null) {
      entry.ratio = rate(side) / rate(ref)
      console.log(`  RATIO floor / unbound names/s: ${(entry.ratio as number).toFixed(3)}`)
      const c = compare(names, refVerdicts, run.verdicts, () => '')
      console.log(`  verdicts, unbound / floor: ${c.same} of ${c.both} agree`)
    }
    const d = compare(names, designed, run.verdicts, () => '')
    console.log(`  verdicts, designed / floor: ${d.same} of ${d.both} agree\n`)
    ;(results.runs as unknown[]).push(entry)
  }
  writeFileSync(`${args.dir}/bench-result.json`, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`numbers also in ${args.dir}/bench-result.json`)
  if (refBroken) process.exitCode = 1
}

/** A bad command line: said in one line, exit 2. */
class UsageError extends Error {}

main().then(() => {
  // Every socket and timer is closed or unref'd: the process ends by itself.
}, (e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`batch bench: ${e.message}`)
    process.exitCode = 2
    return
  }
  console.error(`batch bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)
  process.exitCode = 1
})
