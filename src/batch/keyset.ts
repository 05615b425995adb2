// The set of names a batch has seen (to check each once) and, with --resume, the names already
// done: the only parts of a run that grow with the list. Kept outside the JS heap: the keys'
// UTF-8 bytes in one growing byte arena, and an open-addressing table of (hash, arena offset)
// pairs in one typed array. About 45 bytes a name for a million names, where a Set of strings
// cost about 100 bytes a name on the main thread's heap and made V8 let that heap (and its
// garbage) grow with the list.
//
// Exact: a hash match is confirmed by comparing the stored bytes, so two different names are
// never taken for one (a batch must not lose a name's result to a hash collision).

const INITIAL_SLOTS = 1 << 10
const INITIAL_ARENA = 1 << 14
const encoder = new TextEncoder()

export class KeySet {
  /** Per slot: [hash, offset + 1]; 0 in the second half marks an empty slot. */
  private table = new Uint32Array(INITIAL_SLOTS * 2)
  /** Each key as a 4-byte big-endian length, then its UTF-8 bytes. */
  private arena = new Uint8Array(INITIAL_ARENA)
  private used = 0
  private count = 0

  get size(): number {
    return this.count
  }

  has(key: string): boolean {
    const bytes = encoder.encode(key)
    return this.find(keyHash(bytes), bytes) >= 0
  }

  /** Adds the key; false when it was there already. */
  add(key: string): boolean {
    const bytes = encoder.encode(key)
    const h = keyHash(bytes)
    if (this.find(h, bytes) >= 0) return false
    // At most half full: probes stay short.
    if ((this.count + 1) * 2 > this.slots()) this.grow()
    this.put(h, this.store(bytes))
    this.count++
    return true
  }

  private slots(): number {
    return this.table.length / 2
  }

  private find(h: number, bytes: Uint8Array): number {
    const mask = this.slots() - 1
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = this.table[2 * i + 1] as number
      if (at === 0) return -1
      if (this.table[2 * i] === h && this.equals(at - 1, bytes)) return i
    }
  }

  private equals(offset: number, bytes: Uint8Array): boolean {
    const a = this.arena
    const len = ((a[offset] as number) << 24 | (a[offset + 1] as number) << 16
      | (a[offset + 2] as number) << 8 | (a[offset + 3] as number)) >>> 0
    if (len !== bytes.length) return false
    for (let i = 0; i < len; i++) if (a[offset + 4 + i] !== bytes[i]) return false
    return true
  }

  private store(bytes: Uint8Array): number {
    const need = this.used + 4 + bytes.length
    if (need > this.arena.length) {
      let size = this.arena.length * 2
      while (size < need) size *= 2
      const bigger = new Uint8Array(size)
      bigger.set(this.arena.subarray(0, this.used))
      this.arena = bigger
    }
    const offset = this.used
    const n = bytes.length
    this.arena[offset] = n >>> 24
    this.arena[offset + 1] = (n >>> 16) & 0xff
    this.arena[offset + 2] = (n >>> 8) & 0xff
    this.arena[offset + 3] = n & 0xff
    this.arena.set(bytes, offset + 4)
    this.used = need
    return offset
  }

  private put(h: number, offset: number): void {
    const mask = this.slots() - 1
    let i = h & mask
    while (this.table[2 * i + 1] !== 0) i = (i + 1) & mask
    this.table[2 * i] = h
    this.table[2 * i + 1] = offset + 1
  }

  private grow(): void {
    const old = this.table
    this.table = new Uint32Array(old.length * 2)
    for (let i = 0; i < old.length; i += 2) {
      const at = old[i + 1] as number
      if (at !== 0) this.put(old[i] as number, at - 1)
    }
  }
}

/** FNV-1a over the bytes, finished with an avalanche step so the low bits index well (exported
 * for the test that makes two keys collide). */
export function keyHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
