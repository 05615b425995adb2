// The per-server cap: however many checks run, one server address never has more than
// `perServer` of our queries in flight; other addresses are not held up by it.
import { describe, expect, it } from 'vitest'
import { createServerLimiter } from '../../../src/batch/limiter.js'
import type { ServerResponse, Transport } from '../../../src/probe/walker.js'
import { join } from 'node:path'
import { loadTrustAnchors } from '../../../src/anchors.js'
import { check } from '../../../src/check.js'
import { labDir, labRecordings } from '../../../src/cli/demo.js'
import { startReplayServer } from '../../../src/lab/replay-server.js'
import { parseAllowNet } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { readManifest } from '../../lab/labinfo.js'

const q = { name: nameFromText('example.test'), type: 1 }

/** A transport whose queries stay open until released, counting what is in flight. */
function heldTransport() {
  const open = new Map<string, number>()
  const peak = new Map<string, number>()
  const pending: (() => void)[] = []
  const transport: Transport = async (server) => {
    const now = (open.get(server.address) ?? 0) + 1
    open.set(server.address, now)
    peak.set(server.address, Math.max(peak.get(server.address) ?? 0, now))
    await new Promise<void>((resolve) => { pending.push(resolve) })
    open.set(server.address, (open.get(server.address) ?? 1) - 1)
    const r: ServerResponse = { server: server.address, port: server.port, message: null,
      error: 'timeout', transport: 'udp', ms: 1 }
    return r
  }
  /** Lets every open query finish and the limiter start the next ones. */
  const releaseAll = async (): Promise<void> => {
    for (const p of pending.splice(0)) p()
    await new Promise((r) => setTimeout(r, 0))
  }
  return { transport, peak, pending, releaseAll }
}

describe('createServerLimiter', () => {
  it('keeps one address at perServer queries in flight, and answers them all', async () => {
    const limiter = createServerLimiter({ perServer: 4 })
    const held = heldTransport()
    const t = limiter.wrap(held.transport)
    const all = Promise.all(Array.from({ length: 10 }, () =>
      t({ address: '192.0.2.1', port: 53 }, q)))
    await new Promise((r) => setTimeout(r, 0))
    expect(held.pending.length).toBe(4)
    expect(limiter.waiting()).toBe(6)
    while (held.pending.length > 0) await held.releaseAll()
    expect((await all).length).toBe(10)
    expect(held.peak.get('192.0.2.1')).toBe(4)
    expect(limiter.inFlight('192.0.2.1')).toBe(0)
  })

  it('does not make one address wait for another', async () => {
    const limiter = createServerLimiter({ perServer: 1 })
    const held = heldTransport()
    const t = limiter.wrap(held.transport)
    const a = [t({ address: '192.0.2.1', port: 53 }, q), t({ address: '192.0.2.1', port: 53 }, q)]
    const b = t({ address: '192.0.2.2', port: 53 }, q)
    await new Promise((r) => setTimeout(r, 0))
    expect(held.pending.length).toBe(2) // one per address
    expect([limiter.inFlight('192.0.2.1'), limiter.inFlight('192.0.2.2')]).toEqual([1, 1])
    while (held.pending.length > 0) await held.releaseAll()
    await Promise.all([...a, b])
  })

  it('counts an address across ports and across every transport it wraps', async () => {
    const limiter = createServerLimiter({ perServer: 2 })
    const held = heldTransport()
    const one = limiter.wrap(held.transport)
    const two = limiter.wrap(held.transport)
    const all = Promise.all([one({ address: '192.0.2.1', port: 53 }, q),
      two({ address: '192.0.2.1', port: 5300 }, q), one({ address: '192.0.2.1', port: 53 }, q)])
    await new Promise((r) => setTimeout(r, 0))
    expect(held.pending.length).toBe(2)
    while (held.pending.length > 0) await held.releaseAll()
    await all
  })

  it('frees the slot when a query throws', async () => {
    const limiter = createServerLimiter({ perServer: 1 })
    const failing: Transport = async () => { throw new Error('socket closed') }
    const t = limiter.wrap(failing)
    await expect(t({ address: '192.0.2.1', port: 53 }, q)).rejects.toThrow('socket closed')
    await expect(t({ address: '192.0.2.1', port: 53 }, q)).rejects.toThrow('socket closed')
    expect(limiter.inFlight('192.0.2.1')).toBe(0)
  })

  it('refuses a cap below one', () => {
    expect(() => createServerLimiter({ perServer: 0 })).toThrow(RangeError)
  })
})

describe('the limiter in a batch', () => {
  it('caps the queries of all the walks of a batch to one server at --per-server', async () => {
    // Six lab names checked at once through one limiter of 1: every walk asks the same root
    // and TLD servers, yet no address ever sees two of our queries at a time.
    const server = await startReplayServer(labRecordings())
    try {
      const limiter = createServerLimiter({ perServer: 1 })
      const open = new Map<string, number>()
      let peak = 0
      const counting = (inner: Transport): Transport => async (srv, question) => {
        const now = (open.get(srv.address) ?? 0) + 1
        open.set(srv.address, now)
        peak = Math.max(peak, now)
        try {
          return await inner(srv, question)
        } finally {
          open.set(srv.address, (open.get(srv.address) ?? 1) - 1)
        }
      }
      const anchors = loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date())
      const names = ['ecdsa', 'rsa', 'expired', 'nsec3', 'insecure', 'bad-sig']
      const reports = await Promise.all(names.map((n) => check(
        { name: nameFromText(`${n}.lab.test`), type: 1 },
        { anchors, guard: parseAllowNet('127.0.0.0/8'), authPort: server.port, timeoutMs: 1000,
          rootServers: readManifest().rootServers.map((address) => ({ address,
            port: server.port })),
          wrapTransport: (live) => limiter.wrap(counting(live)) })))
      expect(peak).toBe(1)
      // The verdicts the lab was built to give (lab/manifest.json), not our own.
      const designed = names.map((n) => readManifest().zones
        .find((z) => z.zone === `${n}.lab.test.`)?.scenario?.expect.status)
      expect(reports.map((r) => r.report.status)).toEqual(designed)
    } finally {
      await server.close()
    }
  })
})
