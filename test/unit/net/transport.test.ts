// exchange() against small servers of our own on 127.0.0.x. Run inside a loopback-only network
// namespace: unshare -n sh -c 'ip link set lo up; npx vitest run --project unit test/unit/net'.
// The behaviour pinned here is RFC 1035 section 4.2 (UDP, TCP with a 2-byte length prefix),
// RFC 7766 section 5 (retry over TCP after TC) and RFC 5452 section 9.1 (accept only a response
// matching ID and question).
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, type Server as TcpServer, type Socket as TcpSocket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as dgram from 'node:dgram'
import * as net from 'node:net'
import { parseAllowNet } from '../../../src/net/guard.js'
import { exchange, MAX_IGNORED_RESPONSES } from '../../../src/net/transport.js'
import { buildQuery } from '../../../src/wire/message.js'
import { nameFromText } from '../../../src/wire/name.js'
import { RRType } from '../../../src/wire/types.js'

// Count every socket the transport opens, still creating real ones.
vi.mock('node:dgram', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dgram')>()
  return { ...real, createSocket: vi.fn(real.createSocket) }
})
vi.mock('node:net', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:net')>()
  return { ...real, connect: vi.fn(real.connect), createConnection: vi.fn(real.createConnection) }
})

const LOOPBACK_ONLY = parseAllowNet('127.0.0.0/8,::1/128')
const QUERY_ID = 0x5eed
const query = buildQuery({ id: QUERY_ID, name: nameFromText('www.example.test'), type: RRType.A })
const otherQuestion = buildQuery({
  id: QUERY_ID, name: nameFromText('mail.example.test'), type: RRType.A,
})

/** The query turned into a response by setting QR (RFC 1035 section 4.1.1), plus extra bits. */
function responseTo(bytes: Uint8Array, opts: { tc?: boolean; aa?: boolean; id?: number } = {}) {
  const out = bytes.slice()
  out[2] = (out[2] ?? 0) | 0x80 | (opts.tc ? 0x02 : 0) | (opts.aa ? 0x04 : 0)
  if (opts.id !== undefined) {
    out[0] = opts.id >> 8
    out[1] = opts.id & 0xff
  }
  return out
}

const opened: Array<UdpSocket | TcpServer> = []
const connections: TcpSocket[] = []

async function udpServer(
  address: string,
  onQuery: (msg: Buffer, reply: (bytes: Uint8Array) => void) => void,
  port = 0,
): Promise<{ port: number; received: Buffer[] }> {
  const socket = createSocket('udp4')
  opened.push(socket)
  const received: Buffer[] = []
  socket.on('message', (msg, peer) => {
    received.push(msg)
    onQuery(msg, (bytes) => socket.send(bytes, peer.port, peer.address))
  })
  await new Promise<void>((resolve) => socket.bind(port, address, resolve))
  return { port: socket.address().port, received }
}

async function tcpServer(
  address: string,
  port: number,
  onConnection: (socket: TcpSocket) => void,
): Promise<TcpServer> {
  const server = createServer((socket) => {
    connections.push(socket)
    socket.on('error', () => undefined)
    onConnection(socket)
  })
  opened.push(server)
  await new Promise<void>((resolve) => server.listen(port, address, resolve))
  return server
}

function frame(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 2)
  out[0] = bytes.length >> 8
  out[1] = bytes.length & 0xff
  out.set(bytes, 2)
  return out
}

/** Gathers one length-prefixed message from a TCP client. */
function readFramed(socket: TcpSocket): Promise<Uint8Array> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        resolve(new Uint8Array(buffered.subarray(2, 2 + buffered.readUInt16BE(0))))
      }
    })
  })
}

function activeSockets(): number {
  return process.getActiveResourcesInfo()
    .filter((r) => r === 'UDPWrap' || r === 'TCPWrap' || r === 'TCPSocketWrap').length
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

beforeEach(() => {
  vi.mocked(dgram.createSocket).mockClear()
  vi.mocked(net.connect).mockClear()
  vi.mocked(net.createConnection).mockClear()
})

afterEach(async () => {
  for (const socket of connections.splice(0)) socket.destroy()
  await Promise.all(opened.splice(0).map((s) => new Promise<void>((resolve) => {
    if (s instanceof net.Server) s.close(() => resolve())
    else s.close(() => resolve())
  })))
})

describe('exchange() and the address guard', () => {
  it('returns one blocked attempt for an address outside the guard without opening a socket',
    async () => {
      const started = Date.now()
      for (const tcp of [false, true]) {
        const result = await exchange({ address: '8.8.8.8', port: 53 }, query,
          { guard: LOOPBACK_ONLY, tcp })
        expect(result.response).toBeNull()
        expect(result.attempts).toHaveLength(1)
        expect(result.attempts[0]).toMatchObject({
          transport: tcp ? 'tcp' : 'udp', error: 'blocked', response: null, query,
        })
        expect(result.attempts[0]?.detail).toContain('127.0.0.0/8')
      }
      expect(Date.now() - started).toBeLessThan(200)
      expect(dgram.createSocket).not.toHaveBeenCalled()
      expect(net.connect).not.toHaveBeenCalled()
      expect(net.createConnection).not.toHaveBeenCalled()
    })

  it('blocks an IPv4-mapped address outside the guard the same way', async () => {
    const result = await exchange({ address: '::ffff:8.8.8.8', port: 53 }, query,
      { guard: LOOPBACK_ONLY })
    expect(result.attempts[0]?.error).toBe('blocked')
    expect(dgram.createSocket).not.toHaveBeenCalled()
  })

  it('refuses a hostname even without a guard, before any lookup or socket', async () => {
    const result = await exchange({ address: 'localhost', port: 53 }, query, { guard: null })
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]?.error).toBe('network')
    expect(dgram.createSocket).not.toHaveBeenCalled()
  })

  it('throws for caller mistakes: a bad port, retries or a query that does not decode',
    async () => {
      const server = { address: '127.0.0.1', port: 53 }
      await expect(exchange({ address: '127.0.0.1', port: 0 }, query, { guard: null }))
        .rejects.toThrow(RangeError)
      await expect(exchange(server, query, { guard: null, retries: -1 }))
        .rejects.toThrow(RangeError)
      await expect(exchange(server, query, { guard: null, timeoutMs: 0 }))
        .rejects.toThrow(RangeError)
      await expect(exchange(server, query.subarray(0, 15), { guard: null }))
        .rejects.toThrow(RangeError)
      expect(dgram.createSocket).not.toHaveBeenCalled()
    })
})

describe('exchange() over UDP', () => {
  it('returns the matching response of a server that answers', async () => {
    const answer = responseTo(query, { aa: true })
    const server = await udpServer('127.0.0.2', (_msg, reply) => reply(answer))
    const result = await exchange({ address: '127.0.0.2', port: server.port }, query,
      { guard: LOOPBACK_ONLY })
    expect(result.response).toEqual(answer)
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]).toMatchObject({ transport: 'udp', response: answer })
    expect(result.attempts[0]?.error).toBeUndefined()
    expect(new Uint8Array(server.received[0] ?? [])).toEqual(query)
    expect(Date.parse(result.attempts[0]?.sentAt ?? '')).not.toBeNaN()
  })

  it('times out against a silent server, retries as asked and then gives up', async () => {
    const silent = await udpServer('127.0.0.3', () => undefined)
    const started = Date.now()
    const result = await exchange({ address: '127.0.0.3', port: silent.port }, query,
      { guard: LOOPBACK_ONLY, timeoutMs: 150, retries: 2 })
    const elapsed = Date.now() - started
    expect(result.response).toBeNull()
    expect(result.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout', 'timeout'])
    for (const a of result.attempts) expect(a.ms).toBeGreaterThanOrEqual(140)
    expect(silent.received).toHaveLength(3)
    expect(elapsed).toBeGreaterThanOrEqual(440)
    expect(elapsed).toBeLessThan(2000)
  })

  it('uses one attempt by default plus one retry, each of 2000 ms', async () => {
    const silent = await udpServer('127.0.0.3', () => undefined)
    const result = await exchange({ address: '127.0.0.3', port: silent.port }, query,
      { guard: null })
    expect(result.attempts).toHaveLength(2)
    for (const a of result.attempts) {
      expect(a.ms).toBeGreaterThanOrEqual(1990)
      expect(a.ms).toBeLessThan(3000)
    }
  }, 10_000)

  it('ignores responses with another ID or another question and takes the matching one',
    async () => {
      const good = responseTo(query)
      const server = await udpServer('127.0.0.4', (_msg, reply) => {
        reply(responseTo(query, { id: QUERY_ID ^ 1 }))
        reply(responseTo(otherQuestion))
        // The query itself, QR clear: not a response at all.
        reply(query)
        setTimeout(() => reply(good), 20)
      })
      const result = await exchange({ address: '127.0.0.4', port: server.port }, query,
        { guard: LOOPBACK_ONLY, timeoutMs: 1000 })
      expect(result.response).toEqual(good)
      expect(result.attempts).toHaveLength(1)
      expect(result.attempts[0]?.error).toBeUndefined()
    })

  it('times out when only unrelated responses come', async () => {
    const server = await udpServer('127.0.0.4', (_msg, reply) => {
      reply(responseTo(query, { id: QUERY_ID ^ 0x100 }))
    })
    const result = await exchange({ address: '127.0.0.4', port: server.port }, query,
      { guard: LOOPBACK_ONLY, timeoutMs: 150, retries: 0 })
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('timeout')
    expect(result.attempts[0]?.detail).toContain('1 unrelated')
  })

  it('stops waiting after a bounded number of unrelated responses', async () => {
    const server = await udpServer('127.0.0.4', (_msg, reply) => {
      for (let i = 1; i <= MAX_IGNORED_RESPONSES + 5; i++) {
        reply(responseTo(query, { id: QUERY_ID ^ i }))
      }
    })
    const started = Date.now()
    const result = await exchange({ address: '127.0.0.4', port: server.port }, query,
      { guard: LOOPBACK_ONLY, timeoutMs: 5000, retries: 0 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('malformed')
    expect(result.attempts[0]?.detail).toContain(String(MAX_IGNORED_RESPONSES))
  })

  it('reports an undecodable answer carrying the query ID as malformed, keeping its bytes',
    async () => {
      // A header claiming one answer record and nothing after it.
      const broken = Uint8Array.from([QUERY_ID >> 8, QUERY_ID & 0xff, 0x84, 0, 0, 0, 0, 1,
        0, 0, 0, 0])
      const server = await udpServer('127.0.0.5', (_msg, reply) => reply(broken))
      const result = await exchange({ address: '127.0.0.5', port: server.port }, query,
        { guard: LOOPBACK_ONLY, timeoutMs: 1000 })
      expect(result.response).toBeNull()
      expect(result.attempts).toHaveLength(1)
      expect(result.attempts[0]).toMatchObject({ error: 'malformed', response: broken })
    })

  it('reports a closed port as a network error at once, without retrying', async () => {
    // Bind then close, so the port is known to be free.
    const probe = await udpServer('127.0.0.6', () => undefined)
    await new Promise<void>((resolve) => (opened.pop() as UdpSocket).close(() => resolve()))
    const result = await exchange({ address: '127.0.0.6', port: probe.port }, query,
      { guard: LOOPBACK_ONLY, timeoutMs: 1500 })
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]?.error).toBe('network')
    expect(result.attempts[0]?.ms).toBeLessThan(1000)
  })

  it('leaves no socket or timer open once it has settled, over UDP and over TCP', async () => {
    const silent = await udpServer('127.0.0.3', () => undefined)
    await tcpServer('127.0.0.3', silent.port, () => undefined)
    for (const tcp of [false, true]) {
      // Let sockets destroyed by earlier tests finish closing before counting.
      await new Promise((resolve) => setTimeout(resolve, 50))
      const before = activeSockets()
      const timersBefore = activeTimers()
      const pending = exchange({ address: '127.0.0.3', port: silent.port }, query,
        { guard: null, timeoutMs: 50, retries: 1, tcp })
      // Control: the attempt's socket and timer do show up while it runs.
      expect(activeSockets()).toBeGreaterThan(before)
      expect(activeTimers()).toBeGreaterThan(timersBefore)
      const result = await pending
      expect(result.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout'])
      for (const socket of connections.splice(0)) socket.destroy()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(activeSockets()).toBe(before)
      // At most as many: the test runner may drop a timer of its own meanwhile.
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
    }
  })
})

describe('exchange() over TCP', () => {
  it('retries a truncated UDP answer over TCP with length framing and closes after one answer',
    async () => {
      const truncated = responseTo(query, { tc: true })
      const full = responseTo(query, { aa: true })
      const udp = await udpServer('127.0.0.7', (_msg, reply) => reply(truncated))
      let tcpQuery: Promise<Uint8Array> | undefined
      let closedByClient: Promise<void> | undefined
      await tcpServer('127.0.0.7', udp.port, (socket) => {
        closedByClient = new Promise((resolve) => socket.on('end', () => resolve()))
        tcpQuery = readFramed(socket)
        // Sent in two pieces, split inside the length prefix, to exercise reassembly.
        void tcpQuery.then(() => {
          const framed = frame(full)
          socket.write(framed.subarray(0, 1))
          setTimeout(() => socket.write(framed.subarray(1)), 20)
        })
      })
      const result = await exchange({ address: '127.0.0.7', port: udp.port }, query,
        { guard: LOOPBACK_ONLY, timeoutMs: 1000 })
      expect(result.attempts.map((a) => a.transport)).toEqual(['udp', 'tcp'])
      expect(result.attempts[0]).toMatchObject({ response: truncated })
      expect(result.attempts[0]?.error).toBeUndefined()
      expect(result.attempts[1]).toMatchObject({ response: full })
      expect(result.attempts[1]?.error).toBeUndefined()
      expect(result.response).toEqual(full)
      expect(await tcpQuery).toEqual(query)
      await closedByClient
    })

  it('returns no response when the TCP retry after TC fails, keeping the truncated attempt',
    async () => {
      const truncated = responseTo(query, { tc: true })
      const udp = await udpServer('127.0.0.8', (_msg, reply) => reply(truncated))
      // No TCP listener on that port: the connection is refused.
      const result = await exchange({ address: '127.0.0.8', port: udp.port }, query,
        { guard: LOOPBACK_ONLY, timeoutMs: 1000 })
      expect(result.response).toBeNull()
      expect(result.attempts.map((a) => [a.transport, a.error ?? null]))
        .toEqual([['udp', null], ['tcp', 'network']])
      expect(result.attempts[0]?.response).toEqual(truncated)
    })

  it('goes straight to TCP when asked and times out a server that accepts but never answers',
    async () => {
      const udp = await udpServer('127.0.0.9', () => undefined)
      let connectionsSeen = 0
      await tcpServer('127.0.0.9', udp.port, () => { connectionsSeen++ })
      const result = await exchange({ address: '127.0.0.9', port: udp.port }, query,
        { guard: LOOPBACK_ONLY, tcp: true, timeoutMs: 150, retries: 1 })
      expect(result.attempts.map((a) => [a.transport, a.error])).toEqual([
        ['tcp', 'timeout'], ['tcp', 'timeout'],
      ])
      expect(udp.received).toHaveLength(0)
      expect(connectionsSeen).toBe(2)
    })

  it('reports a connection closed in the middle of a message as a network error', async () => {
    const udp = await udpServer('127.0.0.10', () => undefined)
    await tcpServer('127.0.0.10', udp.port, (socket) => {
      void readFramed(socket).then(() => {
        // Promise 100 bytes, send 3, hang up.
        socket.end(Uint8Array.from([0, 100, 1, 2, 3]))
      })
    })
    const result = await exchange({ address: '127.0.0.10', port: udp.port }, query,
      { guard: LOOPBACK_ONLY, tcp: true, timeoutMs: 1000 })
    expect(result.response).toBeNull()
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]?.error).toBe('network')
    expect(result.attempts[0]?.detail).toContain('5 bytes')
  })

  it('rejects a TCP answer to another question as malformed instead of waiting', async () => {
    const udp = await udpServer('127.0.0.11', () => undefined)
    const wrong = responseTo(otherQuestion)
    await tcpServer('127.0.0.11', udp.port, (socket) => {
      void readFramed(socket).then(() => socket.write(frame(wrong)))
    })
    const result = await exchange({ address: '127.0.0.11', port: udp.port }, query,
      { guard: LOOPBACK_ONLY, tcp: true, timeoutMs: 1000 })
    expect(result.response).toBeNull()
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]).toMatchObject({ error: 'malformed', response: wrong })
  })
})
