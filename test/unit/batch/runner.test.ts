// The bounded queue: at most `concurrency` checks at once, the input pulled only as slots
// free up, a failing check reported and passed over, and a stop that lets the checks in
// flight finish within the grace period.
import { describe, expect, it } from 'vitest'
import { runBounded } from '../../../src/batch/runner.js'

/** Items 0..n-1, counting how many were pulled. */
function counted(n: number): { items: AsyncIterable<number>; pulled: () => number } {
  let pulled = 0
  async function* gen(): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      pulled++
      yield i
    }
  }
  return { items: gen(), pulled: () => pulled }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('runBounded', () => {
  it('runs at most `concurrency` checks at once and reports each result once', async () => {
    let running = 0
    let peak = 0
    const seen: number[] = []
    const { items } = counted(40)
    const r = await runBounded(items, {
      concurrency: 3,
      work: async (i) => {
        peak = Math.max(peak, ++running)
        await sleep(i % 4)
        running--
        return i * 2
      },
      onResult: (i, v) => { expect(v).toBe(i * 2); seen.push(i) },
      onError: () => { throw new Error('no check fails here') },
    })
    expect(peak).toBe(3)
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(r).toEqual({ finished: 40, abandoned: 0, stopped: false })
  })

  it('pulls an item only when a slot is free', async () => {
    const { items, pulled } = counted(1000)
    let finished = 0
    let mostAhead = 0
    await runBounded(items, {
      concurrency: 4,
      work: async () => {
        // Pulled but not finished: what the queue holds, never more than the slots.
        mostAhead = Math.max(mostAhead, pulled() - finished)
        await sleep(0)
      },
      onResult: () => { finished++ },
      onError: () => undefined,
    })
    expect(finished).toBe(1000)
    expect(mostAhead).toBeLessThanOrEqual(4)
  })

  it('passes a failing check to onError and goes on', async () => {
    const errors: number[] = []
    const results: number[] = []
    const { items } = counted(5)
    await runBounded(items, {
      concurrency: 2,
      work: async (i) => { if (i === 2) throw new Error('boom'); return i },
      onResult: (i) => { results.push(i) },
      onError: (i, e) => { errors.push(i); expect(String(e)).toMatch(/boom/) },
    })
    expect(errors).toEqual([2])
    expect(results.sort()).toEqual([0, 1, 3, 4])
  })

  it('on a stop, takes no new item and keeps the results of the checks in flight', async () => {
    const stop = new AbortController()
    const { items, pulled } = counted(100)
    const results: number[] = []
    const r = await runBounded(items, {
      concurrency: 2,
      signal: stop.signal,
      work: async (i) => {
        if (i === 5) stop.abort()
        await sleep(20)
        return i
      },
      onResult: (i) => { results.push(i) },
      onError: () => undefined,
    })
    expect(r.stopped).toBe(true)
    expect(r.abandoned).toBe(0)
    // Item 5 and the one beside it were in flight when the stop came; both are kept.
    expect(results.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    expect(pulled()).toBeLessThanOrEqual(7)
  })

  it('drops checks that outlast the grace period, and says how many', async () => {
    const stop = new AbortController()
    const results: number[] = []
    const started = Date.now()
    const r = await runBounded(counted(10).items, {
      concurrency: 3,
      signal: stop.signal,
      graceMs: 100,
      work: async (i) => {
        if (i === 2) setTimeout(() => { stop.abort() }, 10)
        // Item 0 ends at once and item 3 takes its slot; 1, 2 and 3 never end.
        if (i !== 0) await new Promise((r) => { setTimeout(r, 60_000).unref() })
        return i
      },
      onResult: (i) => { results.push(i) },
      onError: () => undefined,
    })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(r).toEqual({ finished: 1, abandoned: 3, stopped: true })
    expect(results).toEqual([0])
  })

  it('stops when writing a result fails, and rethrows that error', async () => {
    const { items, pulled } = counted(100)
    await expect(runBounded(items, {
      concurrency: 2,
      work: async (i) => { await sleep(1); return i },
      onResult: (i) => { if (i === 3) throw new Error('ENOSPC: no space left on device') },
      onError: () => undefined,
    })).rejects.toThrow(/ENOSPC/)
    expect(pulled()).toBeLessThan(10)
  })
})
