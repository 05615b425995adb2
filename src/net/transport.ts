// Sends one DNS query to one server and reports every attempt, so the probe can put each of
// them in the capture: UDP first, the same query over TCP when the answer is truncated
// (RFC 1035 section 4.2.1, RFC 7766 section 5), a timeout and a bounded number of retries on
// every attempt. Network trouble is a result, never an exception: a doctor must be able to say
// "this server does not answer over TCP" rather than crash.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { connect, isIP } from 'node:net'
import type { Socket as NetSocket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { decodeMessage, decodeOnce } from '../wire/message.js'
import { nameEquals } from '../wire/name.js'
import { Rcode, type Message } from '../wire/types.js'
import type { AddressGuard } from './guard.js'

export type TransportName = 'udp' | 'tcp'
/**
 * Every transport an attempt can record: exchange() sends over 'udp' and 'tcp', dohExchange()
 * (src/net/doh.ts) over 'https'. Attempt and ExchangeResult default to exchange()'s two, so
 * code written for them keeps its exact type.
 */
export type AttemptTransport = TransportName | 'https'

/**
 * Why an attempt produced no usable response: no answer in time, the address guard refused the
 * address, a socket error (refused, unreachable, closed early), or bytes that answer our query
 * ID but cannot be decoded or do not match (TCP), or too many unrelated datagrams (UDP).
 */
export type AttemptError = 'timeout' | 'blocked' | 'network' | 'malformed'

export interface Attempt<T extends AttemptTransport = TransportName> {
  readonly transport: T
  /** ISO 8601 time the attempt started. */
  readonly sentAt: string
  /** Milliseconds from the start of the attempt to its end (answer, error or timeout). */
  readonly ms: number
  readonly query: Uint8Array
  /** The accepted response, or for 'malformed' the offending bytes; null when none came. */
  readonly response: Uint8Array | null
  readonly error?: AttemptError
  /** Set with `error`: what happened, for humans (an errno message, a count, a byte offset). */
  readonly detail?: string
}

export interface ExchangeResult<T extends AttemptTransport = TransportName> {
  /** Every attempt in the order made; the caller records all of them. */
  readonly attempts: readonly Attempt<T>[]
  /**
   * The response to use: the last attempt's response when it succeeded and is not truncated.
   * A truncated UDP answer whose TCP retry failed gives null (the attempts keep it).
   */
  readonly response: Uint8Array | null
}

export interface ExchangeOptions {
  /** null: no restriction. */
  readonly guard: AddressGuard | null
  /** Per attempt, connect and read included for TCP. */
  readonly timeoutMs?: number
  /** Extra attempts per transport after a timeout (not after other errors). */
  readonly retries?: number
  /** Skip UDP and ask over TCP only. */
  readonly tcp?: boolean
  /** Send UDP queries over the pool's sockets instead of a new socket per attempt. */
  readonly udpPool?: UdpPool
}

export interface Server {
  readonly address: string
  readonly port: number
}

export const DEFAULT_TIMEOUT_MS = 2000
export const DEFAULT_RETRIES = 1
/** Upper bound on retries a caller may ask for, so a typo cannot keep a walk going for hours. */
export const MAX_RETRIES = 10
/**
 * Datagrams on our socket that do not answer our query are skipped (RFC 5452 section 9.1: a
 * resolver accepts only a response matching ID, question and source); after this many the
 * attempt gives up, so a flood cannot keep it decoding until the timeout.
 */
export const MAX_IGNORED_RESPONSES = 16

type Judgement =
  | { readonly kind: 'match' }
  | { readonly kind: 'mismatch'; readonly detail: string }
  | { readonly kind: 'malformed'; readonly detail: string }

function idOf(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Whether `bytes` answers `query`. Only the ID, the QR bit and the question are looked at
 * (RFC 5452 section 9.1); the rest of the message is the analysis' business. Shared with DoH.
 */
export function judge(query: Message, bytes: Uint8Array): Judgement {
  if (bytes.length < 2 || idOf(bytes) !== query.id) {
    return { kind: 'mismatch', detail: `ID ${idOf(bytes)} is not the query's ${query.id}` }
  }
  let response: Message
  try {
    response = decodeOnce(bytes)
  } catch (error) {
    return { kind: 'malformed', detail: `response cannot be decoded: ${messageOf(error)}` }
  }
  if (!response.flags.qr) return { kind: 'mismatch', detail: 'QR bit not set' }
  // Servers may leave the question out of an error response (FORMERR, NOTIMP, REFUSED); the ID
  // is then all there is to match on.
  if (response.question.length === 0 && response.rcode !== Rcode.NOERROR) {
    return { kind: 'match' }
  }
  const same =
    response.question.length === query.question.length &&
    response.question.every((q, i) => {
      const asked = query.question[i]
      return (
        asked !== undefined && q.type === asked.type && q.class === asked.class &&
        nameEquals(q.name, asked.name)
      )
    })
  return same ? { kind: 'match' } : { kind: 'mismatch', detail: 'question differs from the query' }
}

function isTruncated(bytes: Uint8Array): boolean {
  // TC is bit 9 of the flags word (RFC 1035 section 4.1.1).
  return ((bytes[2] ?? 0) & 0x02) !== 0
}

interface AttemptContext {
  readonly server: Server
  readonly query: Uint8Array
  readonly queryMessage: Message
  readonly timeoutMs: number
}

// Builds the attempt record; `started` is a performance.now() reading.
function record(
  transport: TransportName,
  ctx: AttemptContext,
  timing: { sentAt: string; started: number },
  outcome: { response: Uint8Array | null; error?: AttemptError; detail?: string },
): Attempt {
  const base = {
    transport,
    sentAt: timing.sentAt,
    ms: Math.round((performance.now() - timing.started) * 1000) / 1000,
    query: ctx.query,
    response: outcome.response,
  }
  if (outcome.error === undefined) return base
  return { ...base, error: outcome.error, detail: outcome.detail ?? outcome.error }
}

function closedAttempt(transport: TransportName, ctx: AttemptContext): Attempt {
  return record(transport, ctx, { sentAt: new Date().toISOString(), started: performance.now() },
    { response: null, error: 'network', detail: 'the socket pool was closed' })
}

function udpAttempt(ctx: AttemptContext): Promise<Attempt> {
  return new Promise((resolve) => {
    const { address, port } = ctx.server
    const timing = { sentAt: new Date().toISOString(), started: performance.now() }
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4')
    let done = false
    let ignored = 0
    const finish = (response: Uint8Array | null, error?: AttemptError, detail?: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.removeAllListeners('message')
      try {
        socket.close()
      } catch {
        // Already closed after an error: nothing left to release.
      }
      resolve(record('udp', ctx, timing, { response, error, detail }))
    }
    const timer = setTimeout(() => {
      const skipped = ignored === 0 ? '' : ` (${ignored} unrelated datagrams ignored)`
      finish(null, 'timeout', `no response within ${ctx.timeoutMs} ms${skipped}`)
    }, ctx.timeoutMs)
    // Kept after finish: a late error on a closing socket must not become an uncaught event.
    socket.on('error', (error) => finish(null, 'network', messageOf(error)))
    socket.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data)
      const verdict = judge(ctx.queryMessage, bytes)
      if (verdict.kind === 'match') return finish(bytes)
      // Undecodable bytes carrying our ID are the server's answer, broken; keeping them lets
      // the analysis show what the server sent instead of a bare timeout.
      if (verdict.kind === 'malformed') return finish(bytes, 'malformed', verdict.detail)
      ignored++
      if (ignored >= MAX_IGNORED_RESPONSES) {
        finish(null, 'malformed', `gave up after ${ignored} responses not matching the query`)
      }
    })
    // A connected socket only accepts datagrams from the server's address and port, and turns an
    // ICMP port unreachable into an error instead of a silent timeout.
    socket.connect(port, address, (error?: Error) => {
      // A failed connect reaches this callback, not the 'error' event.
      if (error) return finish(null, 'network', messageOf(error))
      if (done) return
      socket.send(ctx.query, (error) => {
        if (error) finish(null, 'network', messageOf(error))
      })
    })
  })
}

/**
 * Connected UDP sockets shared by the queries of a batch, one per server address and port at a
 * time: creating, connecting and closing a socket per query was a sixth of a batch's CPU time.
 * Each socket still only accepts datagrams from its server (it is connected), queries on it
 * are told apart by their random ID and their question, and it is replaced after `maxUses`
 * queries or when idle, so the source port still changes along a run. An ICMP error on a
 * socket fails the queries waiting on it, as it would have failed each on its own socket.
 * Its TCP connections (one per attempt, as without a pool) are tracked so that close() ends
 * them too.
 */
export class UdpPool {
  private readonly sockets = new Map<string, PooledSocket>()
  /** Every socket not yet closed, retired ones still draining included. */
  private readonly live = new Set<PooledSocket>()
  /** TCP connections open now: not pooled, but close() must end them too. */
  private readonly connections = new Set<NetSocket>()
  private shut = false
  readonly maxUses: number
  readonly idleMs: number

  constructor(opts: { maxUses?: number; idleMs?: number } = {}) {
    this.maxUses = opts.maxUses ?? 100
    this.idleMs = opts.idleMs ?? 1000
  }

  /** Sockets open now (tests). */
  get size(): number {
    return this.sockets.size
  }

  /** A TCP attempt (one connection each, as without a pool), ended by close() too. */
  tcp(ctx: AttemptContext): Promise<Attempt> {
    if (this.shut) return Promise.resolve(closedAttempt('tcp', ctx))
    return tcpAttempt(ctx, (s) => {
      this.connections.add(s)
      return () => { this.connections.delete(s) }
    })
  }

  attempt(ctx: AttemptContext): Promise<Attempt> {
    if (this.shut) return Promise.resolve(closedAttempt('udp', ctx))
    const key = `${ctx.server.address}|${ctx.server.port}`
    let ps = this.sockets.get(key)
    if (ps === undefined || ps.uses >= this.maxUses) {
      // A socket that has had its share takes no new queries and closes once drained.
      if (ps !== undefined) this.retire(key, ps)
      ps = this.open(key, ctx.server)
    }
    ps.uses++
    const pooled = ps
    if (pooled.idle !== null) {
      clearTimeout(pooled.idle)
      pooled.idle = null
    }
    return new Promise((resolve) => {
      const timing = { sentAt: new Date().toISOString(), started: performance.now() }
      const id = idOf(ctx.query)
      const waiter: Waiter = { ctx, ignored: 0, finish: () => undefined }
      const finish = (response: Uint8Array | null, error?: AttemptError, detail?: string):
        void => {
        clearTimeout(timer)
        const list = pooled.waiting.get(id)
        if (list !== undefined) {
          const at = list.indexOf(waiter)
          if (at >= 0) list.splice(at, 1)
          if (list.length === 0) pooled.waiting.delete(id)
        }
        pooled.inFlight--
        this.settled(key, pooled)
        resolve(record('udp', ctx, timing, { response, error, detail }))
      }
      let done = false
      waiter.finish = (response, error, detail) => {
        if (done) return
        done = true
        finish(response, error, detail)
      }
      const timer = setTimeout(() => {
        const skipped = waiter.ignored === 0 ? ''
          : ` (${waiter.ignored} unrelated datagrams ignored)`
        waiter.finish(null, 'timeout', `no response within ${ctx.timeoutMs} ms${skipped}`)
      }, ctx.timeoutMs)
      pooled.inFlight++
      const list = pooled.waiting.get(id)
      if (list === undefined) pooled.waiting.set(id, [waiter])
      else list.push(waiter)
      void pooled.ready.then((error) => {
        if (done) return
        if (error !== null) {
          waiter.finish(null, 'network', messageOf(error))
          return
        }
        pooled.socket.send(ctx.query, (e) => {
          if (e) waiter.finish(null, 'network', messageOf(e))
        })
      })
    })
  }

  private open(key: string, server: Server): PooledSocket {
    const socket = createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4')
    // Idle pooled sockets must not keep the process alive; a query's timer does meanwhile.
    socket.unref()
    let ready!: (e: Error | null) => void
    const ps: PooledSocket = { socket, uses: 0, inFlight: 0, waiting: new Map(), idle: null,
      retired: false, ready: new Promise((r) => { ready = r }) }
    this.sockets.set(key, ps)
    this.live.add(ps)
    socket.on('close', () => { this.live.delete(ps) })
    const failAll = (error: Error): void => {
      this.retire(key, ps)
      for (const list of [...ps.waiting.values()]) {
        for (const w of [...list]) w.finish(null, 'network', messageOf(error))
      }
    }
    socket.on('error', failAll)
    socket.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data)
      const list = ps.waiting.get(idOf(bytes))
      // A datagram for no query in flight (a late answer after a timeout) is dropped without
      // being decoded.
      if (list === undefined) return
      for (const w of [...list]) {
        const verdict = judge(w.ctx.queryMessage, bytes)
        if (verdict.kind === 'match') return w.finish(bytes)
        if (verdict.kind === 'malformed') return w.finish(bytes, 'malformed', verdict.detail)
      }
      for (const w of [...list]) {
        w.ignored++
        if (w.ignored >= MAX_IGNORED_RESPONSES) {
          w.finish(null, 'malformed', `gave up after ${w.ignored} responses not matching the `
            + 'query')
        }
      }
    })
    socket.connect(server.port, server.address, (error?: Error) => {
      ready(error ?? null)
      if (error) this.retire(key, ps)
    })
    return ps
  }

  private settled(key: string, ps: PooledSocket): void {
    if (ps.inFlight > 0) return
    if (ps.retired) {
      close(ps)
      return
    }
    ps.idle = setTimeout(() => { this.retire(key, ps) }, this.idleMs)
    ps.idle.unref()
  }

  private retire(key: string, ps: PooledSocket): void {
    if (this.sockets.get(key) === ps) this.sockets.delete(key)
    ps.retired = true
    if (ps.idle !== null) clearTimeout(ps.idle)
    ps.idle = null
    if (ps.inFlight === 0) close(ps)
  }

  /**
   * Closes every socket and TCP connection now, and opens none after: queries still waiting
   * end as network errors, so nothing can arrive after this (a batch worker is terminated
   * next, and a datagram delivered to a terminating worker aborts the whole process: Node
   * 20's UDPWrap::OnRecv, "FATAL ERROR: v8::FromJust Maybe value is Nothing").
   */
  close(): void {
    // No new socket either: a failed query's walk may try another server at once.
    this.shut = true
    for (const [key, ps] of [...this.sockets]) this.retire(key, ps)
    for (const ps of [...this.live]) {
      for (const list of [...ps.waiting.values()]) {
        for (const w of [...list]) w.finish(null, 'network', 'the socket pool was closed')
      }
      close(ps)
    }
    for (const s of [...this.connections]) s.destroy()
  }
}

interface Waiter {
  readonly ctx: AttemptContext
  ignored: number
  finish: (response: Uint8Array | null, error?: AttemptError, detail?: string) => void
}

interface PooledSocket {
  readonly socket: Socket
  readonly ready: Promise<Error | null>
  /** Queries in flight on it, by query ID (two may share an ID: their questions differ). */
  readonly waiting: Map<number, Waiter[]>
  uses: number
  inFlight: number
  idle: NodeJS.Timeout | null
  retired: boolean
}

function close(ps: PooledSocket): void {
  try {
    ps.socket.close()
  } catch {
    // Already closed after an error.
  }
}

/** `track` is told of the connection and returns what to call once it is over (UdpPool). */
function tcpAttempt(ctx: AttemptContext, track?: (s: NetSocket) => () => void):
  Promise<Attempt> {
  return new Promise((resolve) => {
    const { address, port } = ctx.server
    const timing = { sentAt: new Date().toISOString(), started: performance.now() }
    const socket = connect({ host: address, port })
    const untrack = track?.(socket)
    let done = false
    // The 2-byte length prefix (RFC 1035 section 4.2.2) bounds what is kept: at most 65537
    // bytes, and anything after the first message is dropped with the connection.
    let header: Uint8Array = new Uint8Array(0)
    let body: Uint8Array | null = null
    let filled = 0
    const finish = (response: Uint8Array | null, error?: AttemptError, detail?: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      untrack?.()
      resolve(record('tcp', ctx, timing, { response, error, detail }))
    }
    const timer = setTimeout(
      () => finish(null, 'timeout', `no complete response within ${ctx.timeoutMs} ms`),
      ctx.timeoutMs,
    )
    socket.on('error', (error) => finish(null, 'network', messageOf(error)))
    socket.on('close', () => {
      const got = body === null ? header.length : 2 + filled
      finish(null, 'network', `connection closed after ${got} bytes, before a full response`)
    })
    socket.on('connect', () => {
      const frame = new Uint8Array(2 + ctx.query.length)
      frame[0] = ctx.query.length >> 8
      frame[1] = ctx.query.length & 0xff
      frame.set(ctx.query, 2)
      socket.write(frame)
    })
    socket.on('data', (chunk: Buffer) => {
      let offset = 0
      if (body === null) {
        const need = 2 - header.length
        const joined = new Uint8Array(header.length + Math.min(need, chunk.length))
        joined.set(header)
        joined.set(chunk.subarray(0, need), header.length)
        header = joined
        offset = need
        if (header.length < 2) return
        const length = ((header[0] ?? 0) << 8) | (header[1] ?? 0)
        if (length === 0) return finish(null, 'malformed', 'zero-length TCP message')
        body = new Uint8Array(length)
      }
      const take = chunk.subarray(offset, offset + (body.length - filled))
      body.set(take, filled)
      filled += take.length
      if (filled < body.length) return
      const verdict = judge(ctx.queryMessage, body)
      // One query per connection, so anything else on it is the server's fault, not noise.
      if (verdict.kind === 'match') finish(body)
      else finish(body, 'malformed', verdict.detail)
    })
  })
}

async function withRetries(
  attemptOnce: (ctx: AttemptContext) => Promise<Attempt>,
  ctx: AttemptContext,
  retries: number,
  into: Attempt[],
): Promise<Attempt> {
  let last = await attemptOnce(ctx)
  into.push(last)
  for (let i = 0; i < retries && last.error === 'timeout'; i++) {
    last = await attemptOnce(ctx)
    into.push(last)
  }
  return last
}

function checkOptions(server: Server, query: Uint8Array, timeoutMs: number, retries: number): void {
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    throw new RangeError(`Cannot send to port ${server.port}: not in 1-65535`)
  }
  if (query.length < 12 || query.length > 65535) {
    throw new RangeError(`Cannot send a query of ${query.length} bytes: not in 12-65535`)
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`Cannot use timeout ${timeoutMs} ms: must be a positive number`)
  }
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new RangeError(`Cannot use ${retries} retries: must be an integer 0-${MAX_RETRIES}`)
  }
}

/**
 * Sends `query` to `server` and returns every attempt plus the response to use. Resolves for
 * every network condition; throws only for caller mistakes (bad port, options, or a query that
 * does not decode). The guard is checked first: a refused address returns one 'blocked' attempt
 * without opening a socket. Nothing (socket or timer) is left open when the promise settles.
 */
export async function exchange(
  server: Server,
  query: Uint8Array,
  opts: ExchangeOptions,
): Promise<ExchangeResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retries = opts.retries ?? DEFAULT_RETRIES
  checkOptions(server, query, timeoutMs, retries)
  const first: TransportName = opts.tcp === true ? 'tcp' : 'udp'
  const refuse = (error: AttemptError, detail: string): ExchangeResult => ({
    attempts: [{
      transport: first, sentAt: new Date().toISOString(), ms: 0, query, response: null,
      error, detail,
    }],
    response: null,
  })
  if (opts.guard !== null && !opts.guard.allows(server.address)) {
    return refuse(
      'blocked',
      `${server.address} is outside the allowed networks (${opts.guard.describe()})`,
    )
  }
  // Without a guard a hostname would still trigger a system DNS lookup: traffic to a resolver
  // nobody chose. Only literal addresses are sent to.
  if (isIP(server.address) === 0) {
    return refuse('network', `${server.address} is not a literal IP address`)
  }
  let queryMessage: Message
  try {
    queryMessage = decodeMessage(query)
  } catch (error) {
    throw new RangeError(`Cannot send a query that does not decode: ${messageOf(error)}`)
  }
  const ctx: AttemptContext = { server, query, queryMessage, timeoutMs }
  const attempts: Attempt[] = []
  const pool = opts.udpPool
  const udp = pool === undefined ? udpAttempt : (c: AttemptContext) => pool.attempt(c)
  const tcp = pool === undefined ? tcpAttempt : (c: AttemptContext) => pool.tcp(c)
  let last = await withRetries(first === 'tcp' ? tcp : udp, ctx, retries, attempts)
  if (last.transport === 'udp' && last.error === undefined && last.response !== null &&
    isTruncated(last.response)) {
    last = await withRetries(tcp, ctx, retries, attempts)
  }
  const usable = last.error === undefined && last.response !== null &&
    !(last.transport === 'udp' && isTruncated(last.response))
  return { attempts, response: usable ? last.response : null }
}
