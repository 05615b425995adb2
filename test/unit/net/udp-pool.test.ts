// UdpPool: the sockets a batch shares between queries (src/net/transport.ts). Against small UDP
// servers of our own on 127.0.0.x; run inside a loopback-only network namespace. What must
// hold is what a socket per query gave: each query gets the response with its ID and question
// (RFC 5452 section 9.1), a dead port is a network error, silence a timeout; and the source
// port still changes along a run.
import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Socket as NetSocket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { parseAllowNet } from '../../../src/net/guard.js'
import { exchange, UdpPool } from '../../../src/net/transport.js'
import { buildQuery } from '../../../src/wire/message.js'
import { nameFromText } from '../../../src/wire/name.js'
import { RRType } from '../../../src/wire/types.js'

const guard = parseAllowNet('127.0.0.0/8')
const opened: Socket[] = []
afterEach(() => {
  for (const s of opened.splice(0)) s.close()
})

/** A server that answers each query (QR set) after `delay` ms, or never when `silent`. */
async function server(opts: { delay?: (i: number) => number; silent?: boolean } = {}):
  Promise<{ port: number; ports: number[] }> {
  const socket = createSocket('udp4')
  opened.push(socket)
  const ports: number[] = []
  let n = 0
  socket.on('message', (msg, peer) => {
    ports.push(peer.port)
    if (opts.silent === true) return
    const out = Buffer.from(msg)
    out[2] = (out[2] ?? 0) | 0x80
    setTimeout(() => { socket.send(out, peer.port, peer.address) }, opts.delay?.(n++) ?? 0)
  })
  await new Promise<void>((resolve) => { socket.bind(0, '127.0.0.21', resolve) })
  return { port: socket.address().port, ports }
}

const q = (id: number, name = `n${id}.example.test`): Uint8Array =>
  buildQuery({ id, name: nameFromText(name), type: RRType.A })

describe('UdpPool', () => {
  it('carries many queries in flight over one socket, each answered with its own response',
    async () => {
      const s = await server({ delay: (i) => (i * 7) % 20 })
      const pool = new UdpPool()
      const queries = Array.from({ length: 30 }, (_, i) => q(1000 + i))
      const results = await Promise.all(queries.map((query) => exchange(
        { address: '127.0.0.21', port: s.port }, query, { guard, udpPool: pool })))
      for (const [i, r] of results.entries()) {
        expect(r.response).not.toBeNull()
        // The response carries this query's ID and name, though they came back out of order.
        expect(Buffer.from(r.response ?? []).subarray(12))
          .toEqual(Buffer.from(queries[i] ?? []).subarray(12))
        expect(r.response?.[0]).toBe(queries[i]?.[0])
      }
      expect(new Set(s.ports).size).toBe(1)
      pool.close()
    })

  it('tells apart two queries with one ID by their question', async () => {
    // The second query is answered first.
    const s = await server({ delay: (i) => (i === 0 ? 30 : 0) })
    const pool = new UdpPool()
    const a = q(7, 'a.example.test')
    const b = q(7, 'b.example.test')
    const [ra, rb] = await Promise.all([a, b].map((query) => exchange(
      { address: '127.0.0.21', port: s.port }, query, { guard, udpPool: pool })))
    expect(Buffer.from(ra?.response ?? []).subarray(12)).toEqual(Buffer.from(a).subarray(12))
    expect(Buffer.from(rb?.response ?? []).subarray(12)).toEqual(Buffer.from(b).subarray(12))
    pool.close()
  })

  it('moves to a new socket (a new source port) after maxUses queries', async () => {
    const s = await server()
    const pool = new UdpPool({ maxUses: 5 })
    for (let i = 0; i < 12; i++) {
      const r = await exchange({ address: '127.0.0.21', port: s.port }, q(i), { guard,
        udpPool: pool })
      expect(r.response).not.toBeNull()
    }
    expect(new Set(s.ports).size).toBe(3)
    pool.close()
  })

  it('reports a closed port as a network error, and silence as a timeout', async () => {
    const gone = createSocket('udp4')
    await new Promise<void>((resolve) => { gone.bind(0, '127.0.0.21', resolve) })
    const port = gone.address().port
    gone.close()
    const pool = new UdpPool()
    const dead = await exchange({ address: '127.0.0.21', port }, q(1), { guard, udpPool: pool,
      retries: 0 })
    expect(dead.attempts.map((a) => a.error)).toEqual(['network'])
    expect(dead.attempts[0]?.detail).toMatch(/ECONNREFUSED/)
    const s = await server({ silent: true })
    const quiet = await exchange({ address: '127.0.0.21', port: s.port }, q(2), { guard,
      udpPool: pool, timeoutMs: 100, retries: 1 })
    expect(quiet.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout'])
    pool.close()
  })

  it('closes its sockets once they have been idle', async () => {
    const s = await server()
    const pool = new UdpPool({ idleMs: 50 })
    await exchange({ address: '127.0.0.21', port: s.port }, q(1), { guard, udpPool: pool })
    expect(pool.size).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(pool.size).toBe(0)
  })

  it('close() ends the queries in flight at once and opens no socket after', async () => {
    // A batch worker is terminated right after: a datagram reaching a terminating worker
    // aborts Node 20 (UDPWrap::OnRecv), so nothing may stay open or be opened.
    const s = await server({ silent: true })
    const pool = new UdpPool()
    const started = performance.now()
    const pending = exchange({ address: '127.0.0.21', port: s.port }, q(1), { guard,
      udpPool: pool, timeoutMs: 5000, retries: 0 })
    await new Promise((resolve) => setTimeout(resolve, 20))
    pool.close()
    const cut = await pending
    expect(cut.attempts.map((a) => a.error)).toEqual(['network'])
    expect(cut.attempts[0]?.detail).toBe('the socket pool was closed')
    expect(performance.now() - started).toBeLessThan(2000)
    const after = await exchange({ address: '127.0.0.21', port: s.port }, q(2), { guard,
      udpPool: pool, retries: 0 })
    expect(after.attempts.map((a) => a.error)).toEqual(['network'])
    expect(pool.size).toBe(0)
    // The silent server saw the first query only.
    expect(s.ports.length).toBe(1)
  })

  it('close() also ends its TCP connections, and refuses new ones', async () => {
    // A TCP server that accepts and never answers.
    const held: NetSocket[] = []
    const tcp = createServer((c) => { held.push(c) })
    await new Promise<void>((resolve) => { tcp.listen(0, '127.0.0.21', resolve) })
    const port = (tcp.address() as { port: number }).port
    try {
      const pool = new UdpPool()
      const started = performance.now()
      const pending = exchange({ address: '127.0.0.21', port }, q(1), { guard, udpPool: pool,
        tcp: true, timeoutMs: 5000, retries: 0 })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(held.length).toBe(1)
      pool.close()
      const cut = await pending
      expect(cut.attempts.map((a) => [a.transport, a.error])).toEqual([['tcp', 'network']])
      expect(performance.now() - started).toBeLessThan(2000)
      const after = await exchange({ address: '127.0.0.21', port }, q(2), { guard,
        udpPool: pool, tcp: true, retries: 0 })
      expect(after.attempts[0]?.detail).toBe('the socket pool was closed')
      expect(held.length).toBe(1)
    } finally {
      for (const c of held) c.destroy()
      await new Promise((resolve) => { tcp.close(resolve) })
    }
  })
})
