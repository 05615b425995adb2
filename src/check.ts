// The library's main entry points: check a name over the network, or re-check a saved
// capture. Both walk the same way and hand the walk to the same pure analysis.
import { analyze } from './analysis/chain.js'
import type { Report } from './analysis/types.js'
import type { ServerAddress, TrustAnchors } from './anchors.js'
import { anchorsToText, parseServerList, parseTrustAnchors, readSmallFile } from './anchors.js'
import type { AddressGuard } from './net/guard.js'
import type { UdpPool } from './net/transport.js'
import type { Capture, CapturedExchange } from './probe/capture.js'
import { CAPTURE_FORMAT } from './probe/capture.js'
import { captureTransport, liveTransport } from './probe/transports.js'
import { observeResolvers, withResolvers } from './analysis/resolvers.js'
import type { ResolverObservation } from './analysis/resolvers.js'
import { probeResolvers } from './probe/resolvers.js'
import type { ResolverSpec } from './probe/resolvers.js'
import { newWalkSession, walk } from './probe/walker.js'
import type { Question, Transport, WalkSession, ZoneVisit } from './probe/walker.js'
import type { ZoneState } from './analysis/support.js'
import { nameFromZoneText, nameToText } from './wire/name.js'

export const TOOL = 'dnssec-doctor 0.1.0'

export interface CheckOptions {
  readonly anchors: TrustAnchors
  /** Recursive resolvers to compare; none by default. */
  readonly resolvers?: readonly ResolverSpec[]
  /** CA certificates (PEM) for DoH resolvers with a private CA. */
  readonly dohCa?: string
  /** Wraps the walk's transport, e.g. to cap queries in flight per server (batch runs). */
  readonly wrapTransport?: (t: Transport) => Transport
  /** Work shared with other checks of the same run (see newCheckSession). */
  readonly session?: CheckSession
  /** False: the capture lists the walk's exchanges without their bytes (it will not be saved). */
  readonly captureBytes?: boolean
  /** UDP sockets shared by the checks of a batch, instead of one per query. */
  readonly udpPool?: UdpPool
  readonly rootServers: readonly ServerAddress[]
  readonly guard: AddressGuard | null
  /** Validate as of this time (default: now). */
  readonly at?: Date
  /** Warn about signatures expiring within this many days (default 7). */
  readonly warnDays?: number
  readonly authPort?: number
  readonly timeoutMs?: number
  readonly ipv6?: boolean
}

/**
 * What the checks of one batch run share: zones visited (each for its TTL) and their verdicts,
 * so the root, the TLDs and common hosting zones are fetched and their signatures verified
 * once; `lean` skips the SOA serials and takes the DS from the referral.
 */
export interface CheckSession {
  readonly walk: WalkSession
  /** Zone verdicts by visit; a visit evicted from the walk session takes its verdict along. */
  readonly states: WeakMap<ZoneVisit, ZoneState>
  readonly lean: boolean
}

export function newCheckSession(opts: { lean?: boolean; share?: number } = {}): CheckSession {
  return { walk: newWalkSession(opts.share === undefined ? {} : { share: opts.share }),
    states: new WeakMap(), lean: opts.lean ?? true }
}

export interface CheckResult {
  readonly report: Report
  readonly capture: Capture
}

export async function check(question: Question, opts: CheckOptions): Promise<CheckResult> {
  const startedAt = new Date()
  const record: CapturedExchange[] = []
  const live = liveTransport({ guard: opts.guard, record,
    ...(opts.captureBytes === undefined ? {} : { keepBytes: opts.captureBytes }),
    ...(opts.udpPool === undefined ? {} : { udpPool: opts.udpPool }),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) })
  const transport = opts.wrapTransport === undefined ? live : opts.wrapTransport(live)
  const resolverRecord: CapturedExchange[] = []
  // The resolvers are asked while the walk runs: neither waits for the other.
  const [w] = await Promise.all([
    walk(question, transport, { rootServers: opts.rootServers,
      ...(opts.authPort === undefined ? {} : { port: opts.authPort }),
      ...(opts.ipv6 === undefined ? {} : { ipv6: opts.ipv6 }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.session === undefined ? {} : { session: opts.session.walk,
        lean: opts.session.lean }) }),
    probeResolvers(question, opts.resolvers ?? [], { guard: opts.guard, record: resolverRecord,
      ...(opts.dohCa === undefined ? {} : { dohCa: opts.dohCa }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: Math.max(opts.timeoutMs, 4000) }) }),
  ])
  record.push(...resolverRecord)
  const capture: Capture = {
    format: CAPTURE_FORMAT, tool: TOOL, startedAt: startedAt.toISOString(),
    query: { name: nameToText(question.name), type: question.type },
    rootHints: opts.rootServers.map(serverText), authPort: opts.authPort ?? null,
    trustAnchors: anchorsToText(opts.anchors), exchanges: record,
  }
  const report = withResolvers(analyze(w, { anchors: opts.anchors, at: opts.at ?? startedAt,
    ...(opts.warnDays === undefined ? {} : { warnDays: opts.warnDays }),
    ...(opts.session === undefined ? {} : { states: opts.session.states }) }),
    record, capture.query)
  return { report, capture }
}

/** Raised for a capture file that is not one of ours or is damaged. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError'
}

export function readCapture(path: string): Capture {
  let data: unknown
  try {
    data = JSON.parse(readSmallFile(path, 512 << 20))
  } catch (e) {
    throw new CaptureError(`cannot read capture ${path}: ${e instanceof Error ? e.message : e}`)
  }
  const c = data as Partial<Capture>
  if (c === null || typeof c !== 'object' || c.format !== CAPTURE_FORMAT
    || !Array.isArray(c.exchanges) || !Array.isArray(c.rootHints) || c.query === undefined) {
    throw new CaptureError(`${path} is not a ${CAPTURE_FORMAT} file`)
  }
  const problem = captureProblem(c)
  if (problem !== null) throw new CaptureError(`${path} is damaged: ${problem}`)
  return c as Capture
}

/** The first field of a capture that does not have the type the replay relies on. */
function captureProblem(c: Partial<Capture>): string | null {
  const q = c.query as unknown as Record<string, unknown> | null
  if (q === null || typeof q !== 'object' || typeof q.name !== 'string'
    || typeof q.type !== 'number') return 'query must be { name, type }'
  if (typeof c.startedAt !== 'string' || Number.isNaN(Date.parse(c.startedAt))) {
    return 'startedAt must be an ISO 8601 time'
  }
  if (!(c.rootHints ?? []).every((h) => typeof h === 'string')) return 'rootHints must be text'
  if (!Array.isArray(c.trustAnchors) || !c.trustAnchors.every((t) => typeof t === 'string')) {
    return 'trustAnchors must be a list of DS lines'
  }
  if (c.authPort !== null && typeof c.authPort !== 'number') return 'authPort must be a number'
  const hex = /^(?:[0-9a-f]{2})*$/i
  for (const [i, e] of (c.exchanges ?? []).entries()) {
    const x = e as unknown as Record<string, unknown> | null
    if (x === null || typeof x !== 'object') return `exchange ${i} is not an object`
    if (typeof x.server !== 'string' || typeof x.port !== 'number'
      || typeof x.qname !== 'string' || typeof x.qtype !== 'number'
      || typeof x.ms !== 'number' || (x.transport !== 'udp' && x.transport !== 'tcp')) {
      return `exchange ${i} lacks server, port, qname, qtype, ms or transport`
    }
    if (typeof x.query !== 'string' || !hex.test(x.query)) return `exchange ${i}: query is not hex`
    if (!(x.response === null || (typeof x.response === 'string' && hex.test(x.response)))) {
      return `exchange ${i}: response must be hex or null`
    }
  }
  return null
}

/** Re-runs the walk and the analysis on a capture, offline. */
/** The trust anchor the capture was made with, for a replay that names none. */
export function captureAnchors(capture: Capture): TrustAnchors {
  return parseTrustAnchors(capture.trustAnchors.join('\n'), 'the capture\'s trust anchor',
    new Date(capture.startedAt))
}

export async function replay(capture: Capture, opts: { anchors: TrustAnchors; at?: Date;
  warnDays?: number }): Promise<Report> {
  const rootServers = capture.rootHints.flatMap((h) => parseServerList(h, 53))
  const w = await walk({ name: nameFromZoneText(capture.query.name), type: capture.query.type },
    captureTransport(capture.exchanges), { rootServers,
      ...(capture.authPort === null ? {} : { port: capture.authPort }) })
  return withResolvers(analyze(w, { anchors: opts.anchors,
    ...(opts.warnDays === undefined ? {} : { warnDays: opts.warnDays }),
    at: opts.at ?? new Date(capture.startedAt) }), capture.exchanges, capture.query)
}

function serverText(s: ServerAddress): string {
  return s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`
}

/** The resolver comparison alone, without the chain walk. */
export async function compareResolvers(question: Question, resolvers: readonly ResolverSpec[],
  opts: { guard: AddressGuard | null; timeoutMs?: number; dohCa?: string }):
  Promise<ResolverObservation[]> {
  const record: CapturedExchange[] = []
  await probeResolvers(question, resolvers, { guard: opts.guard, record,
    ...(opts.dohCa === undefined ? {} : { dohCa: opts.dohCa }),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) })
  return observeResolvers(record, nameToText(question.name), question.type)
}
