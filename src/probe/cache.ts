// A small cache with expiry and a size bound, for the work batch runs share across names
// (zones already visited, answers already had). Entries expire at their own time, and past
// the bound the least recently used goes first, so the root and the TLDs, touched by every
// name, stay while one-off zones leave.

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>()

  constructor(private readonly maxEntries: number, private readonly now: () => number
    = Date.now) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (e === undefined) return undefined
    this.entries.delete(key)
    if (e.expires <= this.now()) return undefined
    this.entries.set(key, e) // now the most recently used
    return e.value
  }

  delete(key: string): void {
    this.entries.delete(key)
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
