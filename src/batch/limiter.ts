// Politeness towards name servers: however many names a batch checks at once, no server
// address gets more than a few of our queries at a time. Many names of a list usually share
// servers (the root, a TLD, one big DNS host), and without a cap a batch of 8 or 64 parallel
// walks would look like a flood to them and could get us rate-limited (a rate-limited server
// then looks dead, and the report would blame it).
import type { ServerAddress } from '../anchors.js'
import type { Transport } from '../probe/walker.js'

export const DEFAULT_PER_SERVER = 4

export interface ServerLimiter {
  /** The same transport, with each query waiting for a free slot at its server address. */
  readonly wrap: (inner: Transport) => Transport
  /** Queries now in flight to an address (for tests and progress). */
  inFlight(address: string): number
  /** Queries now waiting for a slot, all addresses together. */
  waiting(): number
}

interface Slot {
  active: number
  readonly queue: (() => void)[]
}

/**
 * One limiter shared by every check of a batch: queries to one address (any port) run at
 * most `perServer` at a time, later ones wait in order of arrival. State is kept only for
 * addresses with queries in flight, so it does not grow with the list.
 */
export function createServerLimiter(opts: { perServer: number }): ServerLimiter {
  if (!Number.isInteger(opts.perServer) || opts.perServer < 1) {
    throw new RangeError(`perServer must be a whole number of at least 1, not ${opts.perServer}`)
  }
  const slots = new Map<string, Slot>()
  let waiting = 0

  // A free slot is taken at once (null: no waiting, not even a turn of the event loop); a
  // full server gives a promise that release() resolves in order of arrival.
  const acquire = (address: string): Promise<void> | null => {
    let slot = slots.get(address)
    if (slot === undefined) {
      slot = { active: 0, queue: [] }
      slots.set(address, slot)
    }
    if (slot.active < opts.perServer) {
      slot.active++
      return null
    }
    waiting++
    const s = slot
    // release() hands its slot straight to the first waiter, so `active` stays counted.
    return new Promise<void>((resolve) => {
      s.queue.push(() => {
        waiting--
        resolve()
      })
    })
  }

  const release = (address: string): void => {
    const slot = slots.get(address)
    if (slot === undefined) return
    const next = slot.queue.shift()
    if (next !== undefined) {
      next()
      return
    }
    slot.active--
    if (slot.active === 0) slots.delete(address)
  }

  const wrap = (inner: Transport): Transport => async (server: ServerAddress, q) => {
    const wait = acquire(server.address)
    if (wait !== null) await wait
    try {
      return await inner(server, q)
    } finally {
      release(server.address)
    }
  }

  return {
    wrap,
    inFlight: (address) => slots.get(address)?.active ?? 0,
    waiting: () => waiting,
  }
}
