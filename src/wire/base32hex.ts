// Base32 with the extended hex alphabet (RFC 4648 section 7): how NSEC3 hashed names are written
// (RFC 5155 section 3.3).

// RFC 4648 section 7, "Extended Hex" alphabet; DNS writes it in lowercase.
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv'

/** Unpadded lowercase base32hex, as NSEC3 owner labels and next-hash fields are written. */
export function base32HexEncode(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32HEX[(buffer >> bits) & 0x1f]
    }
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 0x1f]
  return out
}

/**
 * Decodes unpadded base32hex, either case. Returns null for any other character (padding
 * included), for a length no byte string encodes to, and for non-zero trailing bits, so each
 * byte string has exactly one accepted spelling up to case.
 */
export function base32HexDecode(text: string): Uint8Array | null {
  // Unpadded lengths mod 8 that RFC 4648 section 6 can produce: 0, 2, 4, 5 and 7 characters.
  if (![0, 2, 4, 5, 7].includes(text.length % 8)) return null
  const out = new Uint8Array(Math.floor((text.length * 5) / 8))
  let buffer = 0
  let bits = 0
  let index = 0
  for (const char of text.toLowerCase()) {
    const value = BASE32HEX.indexOf(char)
    if (value < 0) return null
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[index++] = (buffer >> bits) & 0xff
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null
  return out
}
