// Runs checks over a stream of items with a fixed number in flight. The next item is pulled
// from the input only when a slot frees up, so a slow network holds back the reading and a
// list of any length costs `concurrency` items of memory, not the list.

// Names in flight by default. Real name servers are tens of milliseconds away, so a name's
// exchanges take a few round trips: with 20 ms added to every server of the bench lab
// (docs/performance.md), 8 names at once checked 117-122 names/s and 64 checked 509-619
// (unbound 627-682); on the lab without delay 8 and 64 ran alike. Politeness does not depend on it:
// --per-server caps each address.
export const DEFAULT_CONCURRENCY = 64
/** After a stop request, how long checks in flight may take to finish. */
export const DEFAULT_GRACE_MS = 5000

export interface RunOptions<T, R> {
  readonly concurrency: number
  /** Checks one item; a throw is passed to onError, and the run goes on. */
  readonly work: (item: T) => Promise<R>
  /** Called as each check ends, in the order they end; one at a time, never overlapping. */
  readonly onResult: (item: T, result: R, ms: number) => void
  readonly onError: (item: T, error: unknown, ms: number) => void
  /** Aborting stops the reading; checks in flight get graceMs to finish. */
  readonly signal?: AbortSignal
  readonly graceMs?: number
  readonly now?: () => number
}

export interface RunResult {
  /** Items whose check ended (with a result or an error). */
  readonly finished: number
  /** Checks still running when the grace period ran out; their results are dropped. */
  readonly abandoned: number
  /** The run stopped on the signal before the input ended. */
  readonly stopped: boolean
}

export async function runBounded<T, R>(items: AsyncIterable<T>, opts: RunOptions<T, R>):
  Promise<RunResult> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, not ${
      opts.concurrency}`)
  }
  const now = opts.now ?? (() => performance.now())
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS
  const running = new Set<Promise<void>>()
  let finished = 0
  let dropping = false
  // A callback that throws (the disk is full) stops the run like a signal, and is rethrown
  // once the checks in flight are settled.
  let fatal: { error: unknown } | null = null
  // Each wait registers a waker and removes it when done: racing every item against one
  // never-settling "aborted" promise left a reaction per name on it (a leak of ~2 KB a name).
  let aborted = opts.signal?.aborted === true
  const wakers = new Set<() => void>()
  const stop = (): void => {
    if (aborted) return
    aborted = true
    for (const wake of [...wakers]) wake()
  }
  opts.signal?.addEventListener('abort', stop, { once: true })
  const untilAbort = <V>(p: Promise<V>): Promise<V | 'abort'> => {
    if (aborted) return Promise.resolve('abort')
    return new Promise((resolve, reject) => {
      const wake = (): void => { resolve('abort') }
      wakers.add(wake)
      p.then((v) => { wakers.delete(wake); resolve(v) },
        (e: unknown) => { wakers.delete(wake); reject(e) })
    })
  }

  const settle = (report: () => void): void => {
    if (dropping || fatal !== null) return
    finished++
    try {
      report()
    } catch (error) {
      fatal = { error }
      stop()
    }
  }
  const start = (item: T): void => {
    const began = now()
    const p = opts.work(item).then(
      (r) => { settle(() => { opts.onResult(item, r, now() - began) }) },
      (e: unknown) => { settle(() => { opts.onError(item, e, now() - began) }) },
    ).finally(() => { running.delete(p) })
    running.add(p)
  }

  const iterator = items[Symbol.asyncIterator]()
  let stopped = false
  for (;;) {
    if (running.size >= opts.concurrency) {
      if (await untilAbort(Promise.race(running)) === 'abort') { stopped = true; break }
      continue
    }
    const next = await untilAbort(iterator.next())
    if (next === 'abort') { stopped = true; break }
    if (next.done === true) break
    start(next.value)
  }
  // Close the input so it holds the process no longer (a generator busy in a next() that the
  // abort raced closes once that settles; the caller may also destroy its stream).
  if (stopped) void iterator.return?.().catch(() => undefined)

  const all = Promise.all(running).then(() => 'done' as const)
  const first = await untilAbort(all)
  const outcome = first === 'done' ? first : await Promise.race([all, sleep(grace)])
  const abandoned = outcome === 'done' ? 0 : running.size
  dropping = true
  opts.signal?.removeEventListener('abort', stop)
  if (fatal !== null) throw (fatal as { error: unknown }).error
  return { finished, abandoned, stopped: stopped || outcome !== 'done' }
}

function sleep(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { resolve('timeout') }, ms)
    t.unref()
  })
}
