// A small cache with expiry and a size bound, for the work batch runs share across names
// (zones already visited, answers already had). Plain data in, nothing clever: entries expire
// at their own time, and past the bound the oldest entry goes first.

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>()

  constructor(private readonly maxEntries: number, private readonly now: () => number
    = Date.now) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (e === undefined) return undefined
    if (e.expires <= this.now()) {
      this.entries.delete(key)
      return undefined
    }
    return e.value
  }

  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key) // re-inserted last: Map order is the eviction order
    this.entries.set(key, { value, expires: this.now() + Math.max(0, ttlMs) })
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }

  /** Changes an entry's expiry once its lifetime is known (a pending lookup has finished). */
  expireIn(key: string, ttlMs: number): void {
    const e = this.entries.get(key)
    if (e !== undefined) e.expires = this.now() + Math.max(0, ttlMs)
  }

  get size(): number {
    return this.entries.size
  }
}
