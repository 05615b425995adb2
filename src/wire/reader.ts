// A bounded cursor over a whole DNS message. Every read checks the bound first, so truncated
// input fails with the offset instead of reading zeros; sub-reads (one rdata, one EDNS option)
// must be consumed exactly, which catches length fields that disagree with their content.
import { WireFormatError, type Name } from './types.js'

/** RFC 1035 section 2.3.4: a name is at most 255 octets on the wire. */
export const MAX_NAME_WIRE_LENGTH = 255
/** RFC 1035 section 2.3.4: a label is at most 63 octets. */
export const MAX_LABEL_LENGTH = 63
/**
 * Compression pointers a single name may follow. A name has at most 127 labels, so more hops
 * than that can only come from a crafted chain; the strictly-decreasing rule below already
 * forbids loops, this cap is the belt to its braces.
 */
export const MAX_POINTER_HOPS = 127

export class Reader {
  /** The whole message: compression pointers are offsets into it. */
  readonly msg: Uint8Array
  #pos: number
  readonly #end: number

  constructor(msg: Uint8Array, opts: { offset?: number; end?: number } = {}) {
    const offset = opts.offset ?? 0
    const end = opts.end ?? msg.length
    if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end < offset ||
      end > msg.length) {
      throw new WireFormatError(`bounds ${offset}..${end} outside ${msg.length} bytes`, offset)
    }
    this.msg = msg
    this.#pos = offset
    this.#end = end
  }

  get offset(): number { return this.#pos }
  get remaining(): number { return this.#end - this.#pos }

  #need(n: number, what: string): number {
    if (n > this.#end - this.#pos) {
      throw new WireFormatError(`truncated ${what}: need ${n} bytes, have ${this.remaining}`,
        this.#pos)
    }
    const at = this.#pos
    this.#pos += n
    return at
  }

  u8(what = 'octet'): number {
    return this.msg[this.#need(1, what)] as number
  }

  u16(what = '16-bit field'): number {
    const at = this.#need(2, what)
    return ((this.msg[at] as number) << 8) | (this.msg[at + 1] as number)
  }

  u32(what = '32-bit field'): number {
    const at = this.#need(4, what)
    return ((this.msg[at] as number) * 0x1000000) +
      (((this.msg[at + 1] as number) << 16) | ((this.msg[at + 2] as number) << 8) |
        (this.msg[at + 3] as number))
  }

  /** A copy, so decoded records never alias (and pin) the message buffer. */
  bytes(n: number, what = 'field'): Uint8Array {
    const at = this.#need(n, what)
    return this.msg.slice(at, at + n)
  }

  /** Everything up to the bound (the tail field of DS, DNSKEY, RRSIG, ...). */
  rest(): Uint8Array {
    return this.bytes(this.remaining)
  }

  /** RFC 1035 section 3.3 <character-string>: a length octet then that many bytes. */
  charString(what = 'character-string'): Uint8Array {
    return this.bytes(this.u8(`${what} length`), what)
  }

  /**
   * Runs `fn` on a reader limited to the next `length` bytes and fails unless it consumed all
   * of them; then moves past them.
   */
  sub<T>(length: number, fn: (r: Reader) => T, what = 'field'): T {
    const start = this.#pos
    this.#need(length, what)
    const r = new Reader(this.msg, { offset: start, end: start + length })
    const value = fn(r)
    if (r.remaining !== 0) {
      throw new WireFormatError(`${what} has ${r.remaining} unused bytes`, r.offset)
    }
    return value
  }

  /**
   * A domain name (RFC 1035 section 4.1.4). With `compression`, pointers are followed; each
   * must point strictly below every byte this name has read so far, so chains shrink towards
   * the start of the message and cannot loop. Without it a pointer is an error.
   */
  name(opts: { compression: boolean; what?: string }): Name {
    const what = opts.what ?? 'name'
    const labels: Uint8Array[] = []
    let wireLength = 1
    let hops = 0
    // Position of the next label; `this.#pos` only moves while we have not jumped yet.
    let pos = this.#pos
    let jumped = false
    let lowest = pos
    for (;;) {
      if (pos >= (jumped ? this.msg.length : this.#end)) {
        throw new WireFormatError(`truncated ${what}`, pos)
      }
      const len = this.msg[pos] as number
      const kind = len & 0xc0
      if (kind === 0xc0) {
        if (!opts.compression) {
          throw new WireFormatError(`compression pointer not allowed in ${what}`, pos)
        }
        if (pos + 1 >= (jumped ? this.msg.length : this.#end)) {
          throw new WireFormatError(`truncated compression pointer in ${what}`, pos)
        }
        const target = ((len & 0x3f) << 8) | (this.msg[pos + 1] as number)
        if (!jumped) this.#pos = pos + 2
        if (target >= lowest) {
          throw new WireFormatError(`compression pointer in ${what} to ${target} does not ` +
            'point backwards', pos)
        }
        if (++hops > MAX_POINTER_HOPS) {
          throw new WireFormatError(`too many compression pointers in ${what}`, pos)
        }
        jumped = true
        pos = target
        lowest = target
        continue
      }
      if (kind !== 0) {
        // 0x40 and 0x80 are the extended label types of RFC 6891 section 5, never deployed.
        throw new WireFormatError(`unsupported label type 0x${kind.toString(16)} in ${what}`,
          pos)
      }
      if (len === 0) {
        if (!jumped) this.#pos = pos + 1
        return labels
      }
      wireLength += len + 1
      if (wireLength > MAX_NAME_WIRE_LENGTH) {
        throw new WireFormatError(`${what} longer than 255 octets`, pos)
      }
      const limit = jumped ? this.msg.length : this.#end
      if (pos + 1 + len > limit) throw new WireFormatError(`truncated label in ${what}`, pos)
      labels.push(this.msg.slice(pos + 1, pos + 1 + len))
      pos += 1 + len
    }
  }
}
