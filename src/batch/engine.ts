// What checks one name of a batch and turns it into its results line, and what runs those
// checks: in this thread, or spread over worker threads so that a batch uses every core (the
// walk is cheap; the analysis and the signature checks are CPU work). Both give the same
// Outcome for a name, so the command and the benchmark do not care which ran it.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { loadTrustAnchors, parseServerList, ROOT_SERVERS_V4 } from '../anchors.js'
import type { CheckOptions, CheckSession } from '../check.js'
import { check, newCheckSession } from '../check.js'
import { exitCodeFor } from '../cli/exit.js'
import { resolverSet } from '../cli/input.js'
import { verificationCount } from '../dnssec/verify.js'
import { guardFromEnv, publicOnlyGuard } from '../net/guard.js'
import { UdpPool } from '../net/transport.js'
import { nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import type { Name } from '../wire/types.js'
import { createServerLimiter } from './limiter.js'
import type { ServerLimiter } from './limiter.js'
import type { BatchFormat } from './output.js'
import { csvLine, errorCsvLine, errorJsonLine, headline, jsonLine } from './output.js'
import type { BatchStatus } from './summary.js'

/** How to check, as plain data: it crosses to worker threads, which build their own options. */
export interface CheckSpec {
  readonly trustAnchor: string | null
  /** ISO 8601; null: each check judges at its own time. */
  readonly at: string | null
  /** The --allow-net networks (or the environment's); null: public addresses only. */
  readonly allowNet: string | null
  readonly rootHints: string | null
  readonly port: number | null
  readonly timeoutMs: number
  readonly ipv6: boolean
  readonly thorough: boolean
  /** Also ask the default public and system resolvers. */
  readonly resolvers: boolean
  readonly warnDays: number
}

export interface EngineSpec {
  readonly check: CheckSpec
  readonly format: BatchFormat
  /** Queries in flight to one server address, for this checker (a worker gets its part). */
  readonly perServer: number
  /** The fraction of the session bounds this checker may use (1: all, 2: half, ...). */
  readonly share: number
  /** Count each check's queries per server address (the benchmark). */
  readonly countServers: boolean
  /** False: every check walks alone, without a session (the benchmark's comparison). */
  readonly session?: boolean
}

/** One name's result: its line, and the little the summary and the table need. */
export interface Outcome {
  readonly name: string
  readonly type: string
  readonly status: BatchStatus
  /** The JSON line or CSV record ('' for the table, which is built from the fields below). */
  readonly text: string
  /** The finding codes of the report, each once. */
  readonly codes: readonly string[]
  /** exitCodeFor gave 1. */
  readonly problem: boolean
  /** The headline (output.ts) code and zone, for the table. */
  readonly code: string
  readonly zone: string
  /** The message, when the check threw. */
  readonly error: string | null
  /** Queries the walk sent (each attempt counted). */
  readonly exchanges: number
  /** With countServers: queries per server address. */
  readonly servers: Readonly<Record<string, number>> | null
}

export interface Question {
  readonly name: Name
  readonly type: number
}

/** The options every check of the run gets; throws for a bad anchor file or network list. */
export function checkOptionsOf(spec: CheckSpec, session: CheckSession): CheckOptions {
  const at = spec.at === null ? undefined : new Date(spec.at)
  const port = spec.port ?? undefined
  return {
    anchors: loadTrustAnchors(spec.trustAnchor, at ?? new Date()),
    rootServers: spec.rootHints === null
      ? ROOT_SERVERS_V4.map((address) => ({ address, port: 53 }))
      : parseServerList(spec.rootHints, port ?? 53),
    guard: spec.allowNet === null ? publicOnlyGuard() : guardFromEnv({}, spec.allowNet),
    resolvers: spec.resolvers ? resolverSet([], true) : [],
    timeoutMs: spec.timeoutMs, ipv6: spec.ipv6, session, captureBytes: false,
    udpPool: new UdpPool(),
    warnDays: spec.warnDays,
    ...(at === undefined ? {} : { at }),
    ...(port === undefined ? {} : { authPort: port }),
  }
}

/** Checks names one at a time or many at once, sharing one session and one limiter. */
export class Checker {
  private readonly options: CheckOptions
  private readonly limiter: ServerLimiter

  constructor(private readonly spec: EngineSpec) {
    const session = newCheckSession({ lean: !spec.check.thorough, share: spec.share })
    this.options = checkOptionsOf(spec.check, session)
    this.limiter = createServerLimiter({ perServer: spec.perServer })
  }

  get session(): CheckSession | undefined {
    return this.options.session
  }

  /** Closes the pooled sockets. */
  close(): void {
    this.options.udpPool?.close()
  }

  /** Never rejects: a check that throws gives an `error` outcome with its message. */
  async run(q: Question): Promise<Outcome> {
    const name = nameToText(q.name)
    const type = typeToText(q.type)
    try {
      const { session, ...alone } = this.options
      const { report, capture } = await check(q, { ...(this.spec.session === false ? alone
        : { ...alone, session }), wrapTransport: this.limiter.wrap })
      let servers: Record<string, number> | null = null
      if (this.spec.countServers) {
        servers = {}
        for (const e of capture.exchanges) servers[e.server] = (servers[e.server] ?? 0) + 1
      }
      const h = headline(report)
      const text = this.spec.format === 'jsonl' ? jsonLine(report)
        : this.spec.format === 'csv' ? csvLine(report) : ''
      return { name: report.query.name, type: report.query.type, status: report.status, text,
        codes: [...new Set(report.findings.map((f) => f.code))],
        problem: exitCodeFor(report) === 1, code: h.code, zone: h.zone, error: null,
        exchanges: capture.exchanges.length, servers }
    } catch (e) {
      return errorOutcome(this.spec.format, name, type, e)
    }
  }
}

export function errorOutcome(format: BatchFormat, name: string, type: string, e: unknown):
  Outcome {
  const failed = { name, type, message: e instanceof Error ? e.message : String(e) }
  const text = format === 'jsonl' ? errorJsonLine(failed)
    : format === 'csv' ? errorCsvLine(failed) : ''
  return { name, type, status: 'error', text, codes: [], problem: false, code: '', zone: '',
    error: failed.message, exchanges: 0, servers: null }
}

// ---------------------------------------------------------------------------------------------
// Running checks: in this thread, or on worker threads.

export interface Executor {
  /** Never rejects: a failure of the check or of its worker is an `error` outcome. */
  run(q: Question): Promise<Outcome>
  /** Ends the workers (checks still running on them give `error` outcomes). */
  close(): Promise<{ verifications: number }>
  /** Worker threads in use (0: this thread). */
  readonly workers: number
}

/** The worker script, next to this module once built; absent when run from the TS sources. */
function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url)
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null
}

/**
 * Worker threads a batch uses by default: one per core, at most 4, none on one core (a
 * worker would only add the cost of passing names and lines between threads).
 */
export function defaultWorkers(): number {
  const cores = availableParallelism()
  return cores < 2 || workerScript() === null ? 0 : Math.min(cores, 4)
}

export interface ExecutorOptions {
  /** Worker threads; 0 runs every check in this thread. */
  readonly workers: number
  /** Names in flight in all (the runner's bound), split evenly over the workers. */
  readonly concurrency: number
}

export function createExecutor(spec: EngineSpec, opts: ExecutorOptions): Executor {
  const script = workerScript()
  // The per-server cap is split between the workers so that together they keep it: never
  // more workers than that cap.
  const count = script === null ? 0 : Math.min(opts.workers, spec.perServer)
  if (count === 0) {
    const checker = new Checker({ ...spec, share: 1 })
    const started = verificationCount()
    return { workers: 0, run: (q) => checker.run(q),
      close: async () => {
        checker.close()
        return { verifications: verificationCount() - started }
      } }
  }
  return new WorkerPool(script as URL, spec, count, opts.concurrency)
}

/**
 * Heap limits per worker. What a worker keeps is bounded (its share of the session: tens of
 * MB); the rest of its heap is garbage of finished names, which V8 collects late when the
 * limit is high. A small young generation and a lower old-generation limit make it collect
 * sooner, which is what keeps a batch's peak memory down.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 96 }

interface Pending {
  readonly q: Question
  readonly resolve: (o: Outcome) => void
}

interface Slot {
  readonly worker: Worker
  readonly pending: Map<number, Pending>
  dead: Error | null
}

type FromWorker = { id: number; outcome: Outcome } | { stats: { verifications: number } }

class WorkerPool implements Executor {
  private readonly slots: Slot[] = []
  private readonly cap: number
  private nextId = 0

  constructor(script: URL, private readonly spec: EngineSpec, readonly workers: number,
    concurrency: number) {
    this.cap = Math.ceil(concurrency / workers)
    for (let i = 0; i < workers; i++) {
      // The remainder of the per-server cap goes to the first workers: the sum is the cap.
      const perServer = Math.floor(spec.perServer / workers)
        + (i < spec.perServer % workers ? 1 : 0)
      const worker = new Worker(script, { workerData: { ...spec, perServer, share: workers },
        resourceLimits: WORKER_HEAP })
      const slot: Slot = { worker, pending: new Map(), dead: null }
      worker.on('message', (m: FromWorker) => {
        if (!('id' in m)) return
        const p = slot.pending.get(m.id)
        if (p === undefined) return
        slot.pending.delete(m.id)
        p.resolve(m.outcome)
      })
      const fail = (e: Error): void => {
        slot.dead ??= e
        for (const [id, p] of slot.pending) {
          slot.pending.delete(id)
          p.resolve(this.failed(p.q, e))
        }
      }
      worker.on('error', fail)
      worker.on('exit', (code) => { fail(new Error(`the worker thread exited (code ${code})`)) })
      this.slots.push(slot)
    }
  }

  private failed(q: Question, e: unknown): Outcome {
    return errorOutcome(this.spec.format, nameToText(q.name), typeToText(q.type), e)
  }

  run(q: Question): Promise<Outcome> {
    const slot = this.pick(q)
    if (slot === null) {
      return Promise.resolve(this.failed(q, new Error('every worker thread has stopped')))
    }
    const id = this.nextId++
    return new Promise((resolve) => {
      slot.pending.set(id, { q, resolve })
      slot.worker.postMessage({ id, name: q.name, type: q.type })
    })
  }

  /**
   * Names under one parent zone go to one worker while it has room, so its session has that
   * zone already; a worker that has its share of the names in flight passes them to the
   * least busy one (a list all under one zone still uses every worker).
   */
  private pick(q: Question): Slot | null {
    const live = this.slots.filter((s) => s.dead === null)
    if (live.length === 0) return null
    const parent = nameToText(q.name.slice(1)).toLowerCase()
    let h = 0
    for (let i = 0; i < parent.length; i++) h = (h * 31 + parent.charCodeAt(i)) >>> 0
    const preferred = live[h % live.length] as Slot
    if (preferred.pending.size < this.cap) return preferred
    return live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
  }

  async close(): Promise<{ verifications: number }> {
    const counts = await Promise.all(this.slots.map(async (s) => {
      let n = 0
      if (s.dead === null) {
        // Each worker closes its sockets and reports its count of signature checks before it
        // is stopped (worker.ts).
        n = await new Promise<number>((resolve) => {
          const t = setTimeout(() => { resolve(0) }, 1000)
          const on = (m: FromWorker): void => {
            if ('stats' in m) {
              clearTimeout(t)
              s.worker.off('message', on)
              resolve(m.stats.verifications)
            }
          }
          s.worker.on('message', on)
          s.worker.postMessage({ stats: true })
        })
      }
      s.dead ??= new Error('the batch has ended')
      await s.worker.terminate()
      return n
    }))
    return { verifications: counts.reduce((a, b) => a + b, 0) }
  }
}
