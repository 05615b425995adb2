// Key tags (RFC 4034 Appendix B): the 16-bit hint an RRSIG or DS carries to say which
// DNSKEY it means. Tags collide, so a tag only narrows the search; it never proves a match.
import type { DNSKEYData } from '../wire/types.js'

/** The DNSKEY rdata on the wire: flags, protocol, algorithm, public key (RFC 4034 2.1). */
export function dnskeyRdata(key: DNSKEYData): Uint8Array {
  const out = new Uint8Array(4 + key.publicKey.length)
  out[0] = (key.flags >>> 8) & 0xff
  out[1] = key.flags & 0xff
  out[2] = key.protocol & 0xff
  out[3] = key.algorithm & 0xff
  out.set(key.publicKey, 4)
  return out
}

/** The key tag of a DNSKEY (RFC 4034 Appendix B). */
export function keyTag(key: DNSKEYData): number {
  // RSA/MD5 predates the checksum: its tag is the most significant 16 of the least
  // significant 24 bits of the modulus, which ends the key field (RFC 4034 B.1).
  if (key.algorithm === 1) {
    const k = key.publicKey
    if (k.length < 3) return 0
    return ((k[k.length - 3]! << 8) | k[k.length - 2]!) & 0xffff
  }
  // A ones'-complement-like sum of the rdata taken as 16-bit big-endian words, with the
  // carry folded back once (RFC 4034 Appendix B). The rdata is flags, protocol, algorithm
  // and the key (dnskeyRdata), summed in place: the four header octets are an even count,
  // so the key's octets keep their word positions.
  let acc = (key.flags & 0xffff) + (((key.protocol & 0xff) << 8) | (key.algorithm & 0xff))
  const k = key.publicKey
  for (let i = 0; i < k.length; i++) {
    acc += i % 2 === 0 ? k[i]! << 8 : k[i]!
  }
  acc += (acc >>> 16) & 0xffff
  return acc & 0xffff
}
