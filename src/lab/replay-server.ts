// Serves recorded responses back, so the demo and tests walk a recorded lab offline and without
// root: every server address found in a capture (all in 127.0.0.0/8, which Linux lets any user
// bind) answers on one shared port, over UDP and TCP, with the bytes it gave when recorded.
//
// Why not dns2's UDPServer/TCPServer (dns2@2.1.0, a dependency): both parse every query with
// Packet.parse before our handler sees it, and
//   - Packet.Name.decode follows compression pointers without a bound, so one query whose name
//     points at itself (c0 0c at offset 12) spins forever and freezes the whole process;
//   - the OPT decoder overwrites the UDP payload size with 512 and the TTL (DO bit) with 0, and
//     skips unknown EDNS options by their length in bits instead of bytes, so the client's
//     advertised size, needed to decide when to truncate, is lost;
//   - the handler gets only the parsed Packet, names as dot-joined strings (a label holding a
//     "." is indistinguishable), never the raw bytes;
//   - the TCP server reads one message per connection and keeps no list of connections, so an
//     idle client holds the port and server.close() never completes; UDP listen() never
//     settles when bind fails.
// So the servers below are plain node:dgram and node:net sockets, and queries are read with our
// own decoder.
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, isIPv4, type Server as TcpServer, type Socket as TcpSocket } from 'node:net'
import type { CapturedExchange } from '../probe/capture.js'
import { parseAllowNet } from '../net/guard.js'
import { decodeMessage } from '../wire/message.js'
import { nameToText, nameToWire } from '../wire/name.js'
import { Rcode, type Message } from '../wire/types.js'

export interface ReplayServerOptions {
  /** The shared port; default: a free one chosen by the kernel. */
  readonly port?: number
  /**
   * Bind only this address (in 127.0.0.0/8) instead of every recorded one; queries to it are
   * answered from the recordings made against it.
   */
  readonly host?: string
}

export interface ReplayServer {
  readonly port: number
  /** The addresses bound, sorted. */
  readonly addresses: readonly string[]
  /** Stops serving and frees every port; open TCP connections are cut. */
  close(): Promise<void>
}

/** Free-port picks that collide on another address before giving up. */
const PORT_ATTEMPTS = 20
/** A TCP client silent this long is disconnected (RFC 7766 section 6.2.3 leaves it to us). */
const TCP_IDLE_MS = 10_000
/** Without EDNS a UDP response may be 512 bytes (RFC 1035 section 4.2.1). */
const CLASSIC_UDP_SIZE = 512
const LOOPBACK = parseAllowNet('127.0.0.0/8')

type Transport = CapturedExchange['transport']

interface Recording {
  readonly transport: Transport
  readonly response: Uint8Array | null
  readonly truncated: boolean
}

type Decision =
  | { readonly kind: 'answer'; readonly bytes: Uint8Array }
  | { readonly kind: 'silent' }
  | { readonly kind: 'refused' }

function keyOf(server: string, qname: string, qtype: number): string {
  const name = qname.endsWith('.') ? qname : `${qname}.`
  return `${server} ${qtype} ${name.toLowerCase()}`
}

function hexToBytes(hex: string, where: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
    throw new RangeError(`Cannot replay ${where}: response is not hex`)
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

function indexRecordings(exchanges: readonly CapturedExchange[]): Map<string, Recording[]> {
  const index = new Map<string, Recording[]>()
  for (const e of exchanges) {
    // A guard refusal never reached the server, so it says nothing about how it behaves.
    if (e.error === 'blocked') continue
    const response = e.response === null ? null : hexToBytes(e.response, `${e.qname} @${e.server}`)
    const truncated = response !== null && ((response[2] ?? 0) & 0x02) !== 0
    const key = keyOf(e.server, e.qname, e.qtype)
    const list = index.get(key) ?? []
    list.push({ transport: e.transport, response, truncated })
    index.set(key, list)
  }
  return index
}

// Same transport first, else any. A recorded silence (timeout, network error) is replayed as
// silence only when nothing in the chosen pool answered: a server that timed out once and then
// answered a retry is served as answering, a server that never answered stays dead.
function decide(recordings: readonly Recording[], transport: Transport): Decision {
  const sameTransport = recordings.filter((r) => r.transport === transport)
  let pool = sameTransport.length > 0 ? sameTransport : recordings
  // A truncated UDP answer is no answer over TCP: the client would have nowhere else to go.
  if (transport === 'tcp') pool = pool.filter((r) => !r.truncated)
  const answered = pool.find((r) => r.response !== null)
  if (answered?.response) return { kind: 'answer', bytes: answered.response }
  return pool.length > 0 ? { kind: 'silent' } : { kind: 'refused' }
}

function questionWire(query: Message): Uint8Array {
  const q = query.question[0]
  if (q === undefined) return new Uint8Array(0)
  const name = nameToWire(q.name)
  const out = new Uint8Array(name.length + 4)
  out.set(name)
  out[name.length] = q.type >> 8
  out[name.length + 1] = q.type & 0xff
  out[name.length + 2] = q.class >> 8
  out[name.length + 3] = q.class & 0xff
  return out
}

// A response carrying only a header and the query's question (RFC 1035 section 4.1.1).
// TODO(lab): no OPT record is added even when the query had one (RFC 6891 section 7 asks for
// it); our client does not need it, a strict EDNS checker pointed at the replay would notice.
function headerOnly(query: Message, flagsHigh: number, flagsLow: number): Uint8Array {
  const question = questionWire(query)
  const out = new Uint8Array(12 + question.length)
  out[0] = query.id >> 8
  out[1] = query.id & 0xff
  out[2] = flagsHigh
  out[3] = flagsLow
  out[5] = question.length > 0 ? 1 : 0
  out.set(question, 12)
  return out
}

function refusal(query: Message, rcode: number): Uint8Array {
  // QR=1, the query's opcode and RD echoed.
  const high = 0x80 | ((query.flags.opcode & 0x0f) << 3) | (query.flags.rd ? 0x01 : 0)
  return headerOnly(query, high, rcode & 0x0f)
}

function withId(bytes: Uint8Array, id: number): Uint8Array {
  const out = bytes.slice()
  if (out.length >= 2) {
    out[0] = id >> 8
    out[1] = id & 0xff
  }
  return out
}

/** The bytes to send for one query on `address`, or null for silence. */
function reply(
  index: ReadonlyMap<string, readonly Recording[]>,
  address: string,
  raw: Uint8Array,
  transport: Transport,
): Uint8Array | null {
  let query: Message
  try {
    query = decodeMessage(raw)
  } catch {
    // Not a DNS message we can read: no ID to answer to with any confidence.
    return null
  }
  // Never answer a response, or two replay servers could bounce packets forever.
  if (query.flags.qr) return null
  if (query.flags.opcode !== 0) return refusal(query, Rcode.NOTIMP)
  const question = query.question[0]
  if (query.question.length !== 1 || question === undefined) {
    return refusal(query, Rcode.FORMERR)
  }
  const key = keyOf(address, nameToText(question.name), question.type)
  const decision = decide(index.get(key) ?? [], transport)
  if (decision.kind === 'silent') return null
  if (decision.kind === 'refused') return refusal(query, Rcode.REFUSED)
  const answer = withId(decision.bytes, query.id)
  const limit = Math.max(CLASSIC_UDP_SIZE, query.edns?.udpSize ?? CLASSIC_UDP_SIZE)
  if (transport === 'udp' && answer.length > limit) {
    // Recorded over TCP and too big for this client's UDP size: say TC (RFC 2181 section 9)
    // with the recorded flags, so the client retries over TCP and gets the full answer there.
    return headerOnly(query, (answer[2] ?? 0) | 0x02, answer[3] ?? 0)
  }
  return answer
}

function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + message.length)
  out[0] = message.length >> 8
  out[1] = message.length & 0xff
  out.set(message, 2)
  return out
}

interface Listeners {
  readonly udp: UdpSocket[]
  readonly tcp: TcpServer[]
  readonly connections: Set<TcpSocket>
}

function bindUdp(
  listeners: Listeners,
  at: { address: string; port: number },
  answer: (raw: Uint8Array) => Uint8Array | null,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    const onBindError = (error: Error): void => {
      socket.close()
      reject(error)
    }
    socket.once('error', onBindError)
    socket.on('message', (data: Buffer, peer) => {
      const bytes = answer(new Uint8Array(data))
      if (bytes !== null) socket.send(bytes, peer.port, peer.address)
    })
    socket.bind(at.port, at.address, () => {
      socket.off('error', onBindError)
      // A send to a vanished client must not bring the server down.
      socket.on('error', () => undefined)
      listeners.udp.push(socket)
      resolve(socket.address().port)
    })
  })
}

function serveConnection(
  socket: TcpSocket,
  listeners: Listeners,
  answer: (raw: Uint8Array) => Uint8Array | null,
): void {
  listeners.connections.add(socket)
  socket.on('close', () => listeners.connections.delete(socket))
  socket.on('error', () => socket.destroy())
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy())
  // Several queries may come on one connection (RFC 7766 section 6.2.1); each is answered in
  // turn. The buffer holds at most one unfinished message (65535 bytes plus its length).
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0)
      if (pending.length < 2 + length) break
      const message = new Uint8Array(pending.subarray(2, 2 + length))
      pending = pending.subarray(2 + length)
      const bytes = answer(message)
      if (bytes !== null) socket.write(frame(bytes))
    }
  })
}

function bindTcp(
  listeners: Listeners,
  at: { address: string; port: number },
  answer: (raw: Uint8Array) => Uint8Array | null,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => serveConnection(socket, listeners, answer))
    const onBindError = (error: Error): void => {
      server.close()
      reject(error)
    }
    server.once('error', onBindError)
    server.listen({ host: at.address, port: at.port, exclusive: true }, () => {
      server.off('error', onBindError)
      server.on('error', () => undefined)
      listeners.tcp.push(server)
      resolve()
    })
  })
}

async function closeAll(listeners: Listeners): Promise<void> {
  for (const socket of listeners.connections) socket.destroy()
  listeners.connections.clear()
  const udp = listeners.udp.splice(0).map(
    (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
  )
  const tcp = listeners.tcp.splice(0).map(
    (server) => new Promise<void>((resolve) => server.close(() => resolve())),
  )
  await Promise.all([...udp, ...tcp])
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

/**
 * Binds every distinct recorded server address (or only opts.host) on one port, over UDP and
 * TCP, and answers each query with the matching recorded response, its ID set to the query's.
 * Matching: same server address, qname (ASCII case-insensitive), qtype; a recording of the
 * same transport is preferred. No recording: REFUSED with the question echoed. Recorded
 * silence (a timeout): no answer. Throws RangeError when an address is outside 127.0.0.0/8
 * or there is nothing to bind, and the bind error when a given port is taken.
 */
export async function startReplayServer(
  exchanges: readonly CapturedExchange[],
  opts: ReplayServerOptions = {},
): Promise<ReplayServer> {
  const wanted = opts.host !== undefined ? [opts.host] : exchanges.map((e) => e.server)
  const addresses = [...new Set(wanted)].sort()
  const outside = addresses.filter((a) => !(isIPv4(a) && LOOPBACK.allows(a)))
  if (outside.length > 0) {
    throw new RangeError(
      `Cannot replay on ${outside.join(', ')}: only IPv4 addresses in 127.0.0.0/8 are bound`,
    )
  }
  const first = addresses[0]
  if (first === undefined) throw new RangeError('Cannot replay: no server address to bind')
  const index = indexRecordings(exchanges)
  const answerer = (address: string, transport: Transport) => (raw: Uint8Array) =>
    reply(index, address, raw, transport)

  for (let attempt = 1; ; attempt++) {
    const listeners: Listeners = { udp: [], tcp: [], connections: new Set() }
    try {
      const port = await bindUdp(
        listeners, { address: first, port: opts.port ?? 0 }, answerer(first, 'udp'),
      )
      await bindTcp(listeners, { address: first, port }, answerer(first, 'tcp'))
      for (const address of addresses.slice(1)) {
        await bindUdp(listeners, { address, port }, answerer(address, 'udp'))
        await bindTcp(listeners, { address, port }, answerer(address, 'tcp'))
      }
      return { port, addresses, close: () => closeAll(listeners) }
    } catch (error) {
      await closeAll(listeners)
      const retry = opts.port === undefined && errorCode(error) === 'EADDRINUSE'
      if (!retry || attempt >= PORT_ATTEMPTS) throw error
    }
  }
}
