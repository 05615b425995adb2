// The set of names a batch has seen (to check each once) and, with --resume, the names already
// done: the only parts of a run that grow with the list. Kept as 64-bit fingerprints in one
// typed array instead of a Set of strings: 16 bytes a name at most, outside the JS heap,
// where a Set of strings cost about 100 bytes a name on the main thread's heap and made V8
// let that heap (and its garbage) grow with the list.
//
// A fingerprint is two independent 32-bit hashes of the key. Two different names share one
// with a probability of about n^2 / 2^65: 3 in 100 million for a list of a million names. The
// cost of such a collision is that the second name is taken for a repeat (counted as a
// duplicate in the summary) and not checked. Known and accepted for the memory it saves.

/** Empty slots hold 0 in both halves; a key that hashes to 0/0 is stored as 0/1. */
const INITIAL = 1 << 10

export class KeySet {
  private table = new Uint32Array(INITIAL * 2)
  private count = 0

  get size(): number {
    return this.count
  }

  has(key: string): boolean {
    const [hi, lo] = fingerprint(key)
    return this.find(hi, lo) >= 0
  }

  /** Adds the key; false when it (or a name with the same fingerprint) was there already. */
  add(key: string): boolean {
    const [hi, lo] = fingerprint(key)
    if (this.find(hi, lo) >= 0) return false
    // At most half full: probes stay short.
    if ((this.count + 1) * 2 > this.table.length / 2) this.grow()
    this.put(hi, lo)
    this.count++
    return true
  }

  private slots(): number {
    return this.table.length / 2
  }

  private find(hi: number, lo: number): number {
    const mask = this.slots() - 1
    for (let i = (lo ^ hi) & mask; ; i = (i + 1) & mask) {
      const h = this.table[2 * i] as number
      const l = this.table[2 * i + 1] as number
      if (h === 0 && l === 0) return -1
      if (h === hi && l === lo) return i
    }
  }

  private put(hi: number, lo: number): void {
    const mask = this.slots() - 1
    let i = (lo ^ hi) & mask
    while (this.table[2 * i] !== 0 || this.table[2 * i + 1] !== 0) i = (i + 1) & mask
    this.table[2 * i] = hi
    this.table[2 * i + 1] = lo
  }

  private grow(): void {
    const old = this.table
    this.table = new Uint32Array(old.length * 2)
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i] as number
      const lo = old[i + 1] as number
      if (hi !== 0 || lo !== 0) this.put(hi, lo)
    }
  }
}

/**
 * Two 32-bit hashes of the key's UTF-16 code units: FNV-1a, and a multiply-xorshift with
 * another seed and multiplier (both finished with an avalanche step), so the halves are
 * independent.
 */
function fingerprint(key: string): [number, number] {
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  a = avalanche(a)
  b = avalanche(b ^ key.length)
  return a === 0 && b === 0 ? [0, 1] : [a >>> 0, b >>> 0]
}

function avalanche(h: number): number {
  let x = h
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}
