// DNS over HTTPS (RFC 8484): one query to one resolver given as an https URL, reported as the
// same Attempt and ExchangeResult as exchange() in transport.ts, so the probe records it beside
// the UDP and TCP ones. Network and HTTP trouble is a result, never an exception.
//
// The URL's host must be an IP literal: looking a name up would itself be a DNS query, sent to
// a resolver nobody chose and invisible to the address guard. The guard judges that address
// before any socket is opened.
//
// HTTP/2 is offered first (RFC 8484 section 5.2 calls it the minimum RECOMMENDED version, and
// some servers, Knot Resolver's doh2 among them, speak nothing else), HTTP/1.1 second, chosen
// by ALPN on one TLS connection of our own.
import { connect as http2Connect, constants as h2, type ClientHttp2Session } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { performance } from 'node:perf_hooks'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { decodeMessage } from '../wire/message.js'
import type { Message } from '../wire/types.js'
import type { AddressGuard } from './guard.js'
import {
  DEFAULT_TIMEOUT_MS, judge, type Attempt, type AttemptError, type ExchangeResult,
} from './transport.js'

/** The media type of a DNS message in wire format (RFC 8484 section 6). */
export const DNS_MESSAGE_TYPE = 'application/dns-message'
/** A DNS message never exceeds 65535 bytes (RFC 8484 section 6); a longer body is refused. */
export const MAX_DOH_RESPONSE_BYTES = 65535
/** How much of a non-200 response's body the detail quotes, so a server's reason is seen. */
const QUOTED_BODY_CHARS = 200

export interface DohOptions {
  /** null: no restriction. */
  readonly guard: AddressGuard | null
  /** For the whole attempt: TCP connect, TLS handshake, request and the full response. */
  readonly timeoutMs?: number
  /**
   * PEM certificate(s) of the CA to trust for this server instead of Node's bundled roots, for
   * a private resolver with its own CA. Certificate checks stay on either way.
   */
  readonly ca?: string | Buffer
}

/** Raised for a resolver URL that cannot be used: not https, or a host that is not an IP. */
export class DohUrlError extends RangeError {
  override readonly name = 'DohUrlError'
}

/** The address and port a DoH URL points at, as checked by checkDohUrl. */
export interface DohTarget {
  /** The IP literal, IPv6 without brackets. */
  readonly address: string
  readonly port: number
  /** Path and query string, sent as the request target. */
  readonly path: string
}

/**
 * Checks that `url` can be asked without any name lookup and returns where it points. Throws
 * DohUrlError for another scheme, a hostname, or credentials in the URL. The CLI can call it
 * when it reads --resolver, so a bad URL is a usage error before any query is sent.
 */
export function checkDohUrl(url: URL): DohTarget {
  if (url.protocol !== 'https:') {
    throw new DohUrlError(`Cannot ask ${url.href} over DNS over HTTPS: the scheme must be https`)
  }
  // URL keeps the brackets of an IPv6 literal in hostname.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (isIP(host) === 0) {
    throw new DohUrlError(
      `Cannot ask ${url.href}: the host must be an IP address, not ${JSON.stringify(host)} ` +
        '(looking the name up would be a DNS query the address guard cannot see); ' +
        `write the resolver's address instead, e.g. https://192.0.2.1${url.pathname}`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new DohUrlError(`Cannot ask ${url.origin}: credentials in the URL are not supported`)
  }
  const port = url.port === '' ? 443 : Number(url.port)
  if (port < 1 || port > 65535) {
    throw new DohUrlError(`Cannot ask ${url.origin}: port ${port} is not one a server listens on`)
  }
  return { address: host, port, path: `${url.pathname}${url.search}` }
}

type HttpsAttempt = Attempt<'https'>

interface Outcome {
  readonly response: Uint8Array | null
  readonly error?: AttemptError
  readonly detail?: string
}

/** What came back over HTTP, before it is judged as DNS. */
interface HttpReply {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: Uint8Array
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as NodeJS.ErrnoException).code
  return code === undefined || error.message.includes(code) ? error.message
    : `${code}: ${error.message}`
}

// Collects a body up to MAX_DOH_RESPONSE_BYTES; returns false once it is over, so the caller
// can drop the stream instead of buffering whatever a hostile server keeps sending.
class BoundedBody {
  private readonly chunks: Buffer[] = []
  private size = 0

  add(chunk: Buffer): boolean {
    this.size += chunk.length
    if (this.size > MAX_DOH_RESPONSE_BYTES) return false
    this.chunks.push(chunk)
    return true
  }

  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks))
  }
}

const OVERSIZE = `response body is longer than ${MAX_DOH_RESPONSE_BYTES} bytes`

function broken(error: unknown): Outcome {
  return { response: null, error: 'network', detail: messageOf(error) }
}

// Whether `bytes` answers `query` (ID, QR and question, as for UDP and TCP). One query per
// HTTP request, so a mismatch is malformed rather than a reply to skip.
function mismatch(query: Message, bytes: Uint8Array): string | null {
  const verdict = judge(query, bytes)
  return verdict.kind === 'match' ? null : verdict.detail
}

function printable(body: Uint8Array): string {
  const text = Buffer.from(body.subarray(0, QUOTED_BODY_CHARS)).toString('latin1')
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim()
}

// Turns the HTTP reply into the attempt's outcome (RFC 8484 section 4.2.1).
function judgeReply(query: Message, reply: HttpReply): Outcome {
  if (reply.status !== 200) {
    // Only 200 carries an answer here: a redirect is not followed (it could lead to a
    // hostname), and other 2xx codes have no DNS message to give.
    const said = printable(reply.body)
    return {
      response: null,
      error: 'network',
      detail: `HTTP status ${reply.status}${said === '' ? '' : `: ${said}`}`,
    }
  }
  const type = reply.contentType?.split(';')[0]?.trim().toLowerCase()
  if (type !== DNS_MESSAGE_TYPE) {
    return {
      response: reply.body,
      error: 'malformed',
      detail: `content-type ${reply.contentType ?? '(none)'} is not ${DNS_MESSAGE_TYPE}`,
    }
  }
  const wrong = mismatch(query, reply.body)
  if (wrong !== null) return { response: reply.body, error: 'malformed', detail: wrong }
  return { response: reply.body }
}

interface Request {
  readonly target: DohTarget
  readonly body: Uint8Array
}

type Settle = (outcome: Outcome) => void

// Failures after the response headers: the stream broke or the body was too long.
function onBody(
  body: BoundedBody,
  stop: () => void,
  settle: Settle,
): (chunk: Buffer) => void {
  return (chunk) => {
    if (body.add(chunk)) return
    stop()
    settle({ response: null, error: 'malformed', detail: OVERSIZE })
  }
}

function tooLong(length: string | string[] | undefined): boolean {
  const n = Number(Array.isArray(length) ? length[0] : length)
  return Number.isFinite(n) && n > MAX_DOH_RESPONSE_BYTES
}

function authority(target: DohTarget): string {
  const host = isIP(target.address) === 6 ? `[${target.address}]` : target.address
  return target.port === 443 ? host : `${host}:${target.port}`
}

function overHttp2(
  socket: TLSSocket,
  req: Request,
  settle: (reply: HttpReply | Outcome) => void,
): ClientHttp2Session {
  const session = http2Connect(`https://${authority(req.target)}`, {
    createConnection: () => socket,
    settings: { enablePush: false },
  })
  session.on('error', (error) => settle(broken(error)))
  const stream = session.request({
    [h2.HTTP2_HEADER_METHOD]: 'POST',
    [h2.HTTP2_HEADER_PATH]: req.target.path,
    [h2.HTTP2_HEADER_CONTENT_TYPE]: DNS_MESSAGE_TYPE,
    [h2.HTTP2_HEADER_ACCEPT]: DNS_MESSAGE_TYPE,
    [h2.HTTP2_HEADER_CONTENT_LENGTH]: String(req.body.length),
  })
  const body = new BoundedBody()
  let status = 0
  let contentType: string | undefined
  stream.on('error', (error) => settle(broken(error)))
  stream.on('response', (headers) => {
    status = Number(headers[h2.HTTP2_HEADER_STATUS])
    const type = headers[h2.HTTP2_HEADER_CONTENT_TYPE]
    contentType = Array.isArray(type) ? type[0] : type
    if (tooLong(headers[h2.HTTP2_HEADER_CONTENT_LENGTH])) {
      stream.close(h2.NGHTTP2_CANCEL)
      settle({ response: null, error: 'malformed', detail: OVERSIZE })
    }
  })
  stream.on('data', onBody(body, () => stream.close(h2.NGHTTP2_CANCEL), settle))
  stream.on('end', () => settle({ status, contentType, body: body.bytes() }))
  // 'close' follows 'end' when the stream completed, so here it only settles a reset stream.
  stream.on('close', () => settle({ response: null, error: 'network',
    detail: `HTTP/2 stream closed (code ${stream.rstCode ?? 0}) before a full response` }))
  stream.end(req.body)
  return session
}

function overHttp1(
  socket: TLSSocket,
  req: Request,
  settle: (reply: HttpReply | Outcome) => void,
): void {
  const request = httpsRequest({
    // The connection is ours, already verified: no agent, no second handshake, no lookup.
    createConnection: () => socket,
    method: 'POST',
    path: req.target.path,
    headers: {
      host: authority(req.target),
      'content-type': DNS_MESSAGE_TYPE,
      accept: DNS_MESSAGE_TYPE,
      'content-length': String(req.body.length),
    },
  })
  request.on('error', (error) => settle(broken(error)))
  request.on('response', (res) => {
    if (tooLong(res.headers['content-length'])) {
      res.destroy()
      return settle({ response: null, error: 'malformed', detail: OVERSIZE })
    }
    const body = new BoundedBody()
    res.on('data', onBody(body, () => res.destroy(), settle))
    res.on('error', (error) => settle(broken(error)))
    res.on('end', () => settle({
      status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: body.bytes(),
    }))
  })
  request.end(req.body)
}

function attemptOnce(
  target: DohTarget,
  sent: Uint8Array,
  ctx: { readonly query: Message; readonly timeoutMs: number; readonly ca?: string | Buffer },
): Promise<HttpsAttempt> {
  return new Promise((resolve) => {
    const sentAt = new Date().toISOString()
    const started = performance.now()
    let done = false
    let session: ClientHttp2Session | undefined
    const socket = tlsConnect({
      host: target.address,
      port: target.port,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(ctx.ca === undefined ? {} : { ca: ctx.ca }),
    })
    const finish = (outcome: Outcome): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      session?.destroy()
      socket.destroy()
      const base = {
        transport: 'https' as const, sentAt, query: sent, response: outcome.response,
        ms: Math.round((performance.now() - started) * 1000) / 1000,
      }
      resolve(outcome.error === undefined ? base
        : { ...base, error: outcome.error, detail: outcome.detail ?? outcome.error })
    }
    const settle = (reply: HttpReply | Outcome): void =>
      finish('status' in reply ? judgeReply(ctx.query, reply) : reply)
    const timer = setTimeout(
      () => finish({ response: null, error: 'timeout',
        detail: `no complete response within ${ctx.timeoutMs} ms` }),
      ctx.timeoutMs,
    )
    // Kept after finish: a late error on a destroyed socket must not become an uncaught event.
    socket.on('error', (error) => finish({ response: null, error: 'network',
      detail: `TLS connection: ${messageOf(error)}` }))
    // Deferred: a server may close right after its response, and the HTTP layer's end of
    // that response must be handled first.
    socket.on('close', () => setImmediate(() => finish({ response: null, error: 'network',
      detail: 'connection closed before a full response' })))
    socket.once('secureConnect', () => {
      if (done) return
      const req = { target, body: sent }
      // No ALPN at all: a server that predates it speaks HTTP/1.1.
      if (socket.alpnProtocol === 'h2') session = overHttp2(socket, req, settle)
      else overHttp1(socket, req, settle)
    })
  })
}

/**
 * Sends `query` to the DoH resolver at `url` (RFC 8484 section 4.1: POST, the message as the
 * body, content-type application/dns-message, DNS ID 0) and returns the attempt plus the
 * response to use. One attempt, no retries. Resolves for every network, TLS and HTTP
 * condition; throws only for caller mistakes: a URL checkDohUrl refuses (a hostname, another
 * scheme), a bad timeout, or a query that does not decode. The guard is checked first: a
 * refused address returns one 'blocked' attempt without opening a socket. The attempt's
 * query is the bytes sent (ID 0); nothing (socket, session, timer) is left open when the
 * promise settles.
 */
export async function dohExchange(
  url: URL,
  query: Uint8Array,
  opts: DohOptions,
): Promise<ExchangeResult<'https'>> {
  const target = checkDohUrl(url)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`Cannot use timeout ${timeoutMs} ms: must be a positive number`)
  }
  if (query.length < 12 || query.length > 65535) {
    throw new RangeError(`Cannot send a query of ${query.length} bytes: not in 12-65535`)
  }
  // RFC 8484 section 4.1: ID 0 in every request, so equal questions make equal HTTP requests
  // (cache friendly). The caller's bytes are not changed.
  const sent = query.slice()
  sent[0] = 0
  sent[1] = 0
  let queryMessage: Message
  try {
    queryMessage = decodeMessage(sent)
  } catch (error) {
    throw new RangeError(`Cannot send a query that does not decode: ${messageOf(error)}`)
  }
  if (opts.guard !== null && !opts.guard.allows(target.address)) {
    const attempt: HttpsAttempt = {
      transport: 'https', sentAt: new Date().toISOString(), ms: 0, query: sent, response: null,
      error: 'blocked',
      detail: `${target.address} is outside the allowed networks (${opts.guard.describe()})`,
    }
    return { attempts: [attempt], response: null }
  }
  const attempt = await attemptOnce(target, sent, {
    query: queryMessage, timeoutMs, ...(opts.ca === undefined ? {} : { ca: opts.ca }),
  })
  return { attempts: [attempt], response: attempt.error === undefined ? attempt.response : null }
}
