// A growing byte buffer for encoding. Names are always written uncompressed: we only build
// queries and canonical forms, where compression is either unneeded or forbidden.
import type { Name } from './types.js'

export class Writer {
  #buf = new Uint8Array(512)
  #len = 0

  get length(): number { return this.#len }

  #room(n: number): number {
    if (this.#len + n > this.#buf.length) {
      let size = this.#buf.length * 2
      while (size < this.#len + n) size *= 2
      const next = new Uint8Array(size)
      next.set(this.#buf.subarray(0, this.#len))
      this.#buf = next
    }
    const at = this.#len
    this.#len += n
    return at
  }

  u8(value: number): this {
    checkRange(value, 0xff, 'octet')
    const at = this.#room(1)
    this.#buf[at] = value
    return this
  }

  u16(value: number): this {
    checkRange(value, 0xffff, '16-bit field')
    const at = this.#room(2)
    this.#buf[at] = value >>> 8
    this.#buf[at + 1] = value & 0xff
    return this
  }

  u32(value: number): this {
    checkRange(value, 0xffffffff, '32-bit field')
    const at = this.#room(4)
    this.#buf[at] = value >>> 24
    this.#buf[at + 1] = (value >>> 16) & 0xff
    this.#buf[at + 2] = (value >>> 8) & 0xff
    this.#buf[at + 3] = value & 0xff
    return this
  }

  bytes(data: Uint8Array): this {
    // #room may replace the buffer, so it must run before #buf is read.
    const at = this.#room(data.length)
    this.#buf.set(data, at)
    return this
  }

  /** RFC 1035 section 3.3 <character-string>. */
  charString(data: Uint8Array): this {
    if (data.length > 255) throw new RangeError('character-string longer than 255 bytes')
    return this.u8(data.length).bytes(data)
  }

  /** Uncompressed wire form; `lower` folds ASCII letters as canonical form requires. */
  name(name: Name, opts: { lower?: boolean } = {}): this {
    const total = name.reduce((n, l) => n + l.length + 1, 1)
    if (total > 255) throw new RangeError(`name of ${total} octets cannot be encoded`)
    for (const label of name) {
      if (label.length === 0 || label.length > 63) {
        throw new RangeError(`label of ${label.length} octets cannot be encoded`)
      }
      this.u8(label.length)
      const at = this.#room(label.length)
      for (let i = 0; i < label.length; i++) {
        const b = label[i] as number
        this.#buf[at + i] = opts.lower === true && b >= 0x41 && b <= 0x5a ? b + 0x20 : b
      }
    }
    return this.u8(0)
  }

  /** Writes a 16-bit length, then whatever `fn` writes, and patches the length in. */
  lengthPrefixed16(fn: (w: this) => void): this {
    const at = this.#room(2)
    fn(this)
    const n = this.#len - at - 2
    checkRange(n, 0xffff, 'length-prefixed field')
    this.#buf[at] = n >>> 8
    this.#buf[at + 1] = n & 0xff
    return this
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} value ${value} outside 0..${max}`)
  }
}
