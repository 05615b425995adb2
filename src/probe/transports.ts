// The two transports the walker runs over: live sockets that record a capture, and a capture
// played back. Both turn raw bytes into the same ServerResponse, so `check` and `replay`
// analyse identical data.
import { randomInt } from 'node:crypto'
import type { ServerAddress } from '../anchors.js'
import type { AddressGuard } from '../net/guard.js'
import { exchange } from '../net/transport.js'
import type { UdpPool } from '../net/transport.js'
import { buildQuery, decodeOnce } from '../wire/message.js'
import { nameEquals, nameToText } from '../wire/name.js'
import type { Message } from '../wire/types.js'
import type { CapturedExchange } from './capture.js'
import type { Question, ServerResponse, Transport } from './walker.js'

export interface LiveOptions {
  readonly guard: AddressGuard | null
  readonly timeoutMs?: number
  /** Every attempt is appended here, in the order sent. */
  readonly record: CapturedExchange[]
  /**
   * False: record each exchange without its bytes (query and response as ''). A batch run
   * saves no capture, and the hex of every query and response was most of its garbage.
   */
  readonly keepBytes?: boolean
  /** Sockets shared with other checks of a batch (see UdpPool). */
  readonly udpPool?: UdpPool
}

/** The EDNS buffer size every walk query offers (the DNS Flag Day 2020 value). */
export const UDP_BUFFER_SIZE = 1232

export function liveTransport(opts: LiveOptions): Transport {
  return async (server, q) => {
    const query = buildQuery({ id: randomInt(0, 65536), name: q.name, type: q.type, rd: false,
      dnssecOk: true, udpSize: UDP_BUFFER_SIZE })
    const result = await exchange(server, query, { guard: opts.guard,
      timeoutMs: opts.timeoutMs ?? 2000, retries: 1,
      ...(opts.udpPool === undefined ? {} : { udpPool: opts.udpPool }) })
    const qname = nameToText(q.name).toLowerCase()
    const bytes = opts.keepBytes === false ? (): string => '' : hex
    for (const a of result.attempts) {
      opts.record.push({ server: server.address, port: server.port, transport: a.transport,
        qname, qtype: q.type, sentAt: a.sentAt, ms: a.ms, query: bytes(a.query),
        response: a.response === null ? null : bytes(a.response),
        ...(a.error === undefined ? {} : { error: a.error }),
        ...(a.detail === undefined ? {} : { errorDetail: a.detail }) })
    }
    return toResponse(server, q, result.attempts.map((a) => ({ transport: a.transport, ms: a.ms,
      response: a.response, error: a.error ?? null, detail: a.detail })))
  }
}

/** Answers from a capture; a question the capture never asked is reported, not invented. */
export function captureTransport(exchanges: readonly CapturedExchange[]): Transport {
  const byKey = new Map<string, CapturedExchange[]>()
  for (const e of exchanges) {
    if (e.resolver !== undefined) continue // the resolver comparison's, not the walk's
    const k = `${e.server}|${e.port}|${e.qname.toLowerCase()}|${e.qtype}`
    const list = byKey.get(k) ?? []
    list.push(e)
    byKey.set(k, list)
  }
  return async (server, q) => {
    const k = `${server.address}|${server.port}|${nameToText(q.name).toLowerCase()}|${q.type}`
    const list = byKey.get(k)
    if (list === undefined) {
      return { server: server.address, port: server.port, message: null, error: 'not-recorded',
        detail: 'the capture holds no exchange for this question', transport: 'udp', ms: 0 }
    }
    // The walk's own exchanges are UDP or TCP; only resolvers are asked over HTTPS.
    return toResponse(server, q, list.map((e) => ({ ms: e.ms,
      transport: e.transport === 'tcp' ? 'tcp' as const : 'udp' as const,
      response: e.response === null ? null : Buffer.from(e.response, 'hex'),
      error: e.error ?? null, detail: e.errorDetail })))
  }
}

interface Attempt {
  readonly transport: 'udp' | 'tcp'
  readonly ms: number
  readonly response: Uint8Array | null
  readonly error: string | null
  readonly detail: string | undefined
}

/** The last attempt decides: a TC answer followed by TCP, or a timeout followed by a retry. */
function toResponse(server: ServerAddress, q: Question, attempts: readonly Attempt[]):
  ServerResponse {
  const last = attempts[attempts.length - 1]
  const ms = attempts.reduce((sum, a) => sum + a.ms, 0)
  const base = { server: server.address, port: server.port, transport: last?.transport ?? 'udp',
    ms }
  if (last === undefined || last.response === null) {
    // A truncated UDP answer followed by a failed TCP retry: say both, the first is the clue.
    const udp = attempts.find((a) => a.transport === 'udp' && a.response !== null
      && isTruncated(a.response))
    if (udp?.response != null && last?.transport === 'tcp') {
      const tcpError = last.detail ?? last.error ?? 'no answer'
      return { ...base, message: null, error: 'tcp-fallback',
        detail: `the UDP answer was truncated and the TCP retry failed: ${tcpError}`,
        truncated: { udpBytes: udp.response.length, bufferSize: UDP_BUFFER_SIZE, tcpError } }
    }
    return { ...base, message: null, error: last?.error ?? 'timeout',
      ...(last?.detail === undefined ? {} : { detail: last.detail }) }
  }
  let message: Message
  try {
    // The transport decoded these bytes already to match them to the query.
    message = decodeOnce(last.response)
  } catch (e) {
    return { ...base, message: null, error: 'malformed',
      detail: e instanceof Error ? e.message : String(e) }
  }
  const asked = message.question[0]
  if (asked === undefined || asked.type !== q.type || !nameEquals(asked.name, q.name)) {
    return { ...base, message: null, error: 'mismatch',
      detail: 'the response is for another question' }
  }
  return { ...base, message, error: null }
}

/** The TC bit of a response header (RFC 1035 4.1.1), read without decoding the rest. */
function isTruncated(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ((bytes[2] ?? 0) & 0x02) !== 0
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}
