import { describe, expect, it } from 'vitest'
import {
  NSEC3_HASH_BUDGET, NSEC3_ITERATIONS_INSECURE_ABOVE, compareHashes, nsec3Hash,
} from '../../../src/dnssec/nsec3.js'
import { base32HexDecode, base32HexEncode } from '../../../src/wire/base32hex.js'
import { nameFromText } from '../../../src/wire/name.js'

// RFC 5155 Appendix A: the example zone's owner names and their hashes, salt aabbccdd,
// 12 iterations. The last five are the hashes quoted in Appendix B's comments. Every value
// was re-checked with `ldns-nsec3-hash -s aabbccdd -t 12 <name>` (ldnsutils 1.8; bind9-utils
// on this machine ships no nsec3hash).
const RFC5155_APPENDIX_A: readonly (readonly [string, string])[] = [
  ['example', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'],
  ['a.example', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
  ['ai.example', 'gjeqe526plbf1g8mklp59enfd789njgi'],
  ['ns1.example', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
  ['ns2.example', 'q04jkcevqvmu85r014c7dkba38o0ji5r'],
  ['w.example', 'k8udemvp1j2f7eg6jebps17vp3n8i58h'],
  ['*.w.example', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'],
  ['x.w.example', 'b4um86eghhds6nea196smvmlo4ors995'],
  ['y.w.example', 'ji6neoaepv8b5o6k4ev33abha8ht9fgc'],
  ['x.y.w.example', '2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['xx.example', 't644ebqk9bibcna874givr6joj62mlhv'],
  ['2t7b4g4vsa5smi47k61mv5bv1a22bojr.example', 'kohar7mbb8dc2ce8a9qvl8hon4k53uhi'],
  ['c.x.w.example', '0va5bpr2ou0vk0lbqeeljri88laipsfh'],
  ['*.x.w.example', '92pqneegtaue7pjatc3l3qnk738c6v5m'],
  ['c.example', '4g6p9u5gvfshp30pqecj98b3maqbn1ck'],
  ['z.w.example', 'qlu7gtfaeh0ek0c05ksfhdpbcgglbe03'],
]

// Other parameters, expected values from `ldns-nsec3-hash [-s salt] -t N name` only.
const LDNS_VECTORS: readonly (readonly [string, string, number, string])[] = [
  // name, salt (hex, '' for none), iterations, hash
  ['example', '', 0, '3msev9usmd4br9s97v51r2tdvmr9iqo1'],
  ['.', '', 0, 'bekjp7dgpvsjukll47bk43i3urmq4u2f'],
  ['.', 'aabbccdd', 0, 'b7enbqbrjeq6786bitt2g6gqvjoviutu'],
  ['a.example', 'aabbccdd', 0, '0k63lqm3q7rir4fgqa4q7kfe68mpi2l4'],
  ['a.example', '0102', 150, 'teb1bhe9b1dpq7uem2dgk6n3pev95pei'],
  ['nsec3.test', '', 0, '0madr2c2o78cqsoquiejtbeh6gfgb0ff'],
  ['*.nsec3.test', '0102', 150, 'li08njmjqbjl94d813oik31r39iev0ft'],
]

const RFC_SALT = Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd)

describe('nsec3Hash', () => {
  it.each(RFC5155_APPENDIX_A)('nsec3Hash() gives RFC 5155 Appendix A hash of %s', (name, hash) => {
    const digest = nsec3Hash(nameFromText(name), { salt: RFC_SALT, iterations: 12 })
    expect(base32HexEncode(digest)).toBe(hash)
  })

  it.each(LDNS_VECTORS)('nsec3Hash() of %s salt "%s" %d iterations matches ldns-nsec3-hash',
    (name, salt, iterations, hash) => {
      const digest = nsec3Hash(nameFromText(name), {
        salt: Uint8Array.from(Buffer.from(salt, 'hex')), iterations,
      })
      expect(base32HexEncode(digest)).toBe(hash)
    })

  it('nsec3Hash() lowercases the name first (canonical form)', () => {
    // ldns-nsec3-hash -s aabbccdd -t 12 EXAMPLE. prints the lowercase name's hash
    const upper = nsec3Hash(nameFromText('A.EXAMPLE'), { salt: RFC_SALT, iterations: 12 })
    expect(base32HexEncode(upper)).toBe('35mthgpgcu1qg68fab165klnsnk3dpvl')
  })

  it('nsec3Hash() returns the 20 raw SHA-1 octets', () => {
    expect(nsec3Hash(nameFromText('example'), { salt: RFC_SALT, iterations: 12 })).toHaveLength(20)
  })

  it.each([-1, 65536, 1.5, Number.NaN])('nsec3Hash() throws RangeError for %d iterations',
    (iterations) => {
      expect(() => nsec3Hash(nameFromText('example'), { salt: RFC_SALT, iterations }))
        .toThrow(RangeError)
    })
})

// RFC 4648 section 10, base32hex vectors, written without padding and in lowercase.
const RFC4648_BASE32HEX: readonly (readonly [string, string])[] = [
  ['', ''], ['f', 'co'], ['fo', 'cpng'], ['foo', 'cpnmu'], ['foob', 'cpnmuog'],
  ['fooba', 'cpnmuoj1'], ['foobar', 'cpnmuoj1e8'],
]

describe('base32hex', () => {
  it.each(RFC4648_BASE32HEX)('base32HexEncode() of "%s" is RFC 4648 "%s"', (plain, encoded) => {
    expect(base32HexEncode(new TextEncoder().encode(plain))).toBe(encoded)
  })

  it.each(RFC4648_BASE32HEX)('base32HexDecode() reads "%s" from "%s" in either case',
    (plain, encoded) => {
      const bytes = new TextEncoder().encode(plain)
      expect(base32HexDecode(encoded)).toEqual(bytes)
      expect(base32HexDecode(encoded.toUpperCase())).toEqual(bytes)
    })

  it.each([
    ['CO======', 'padding'],
    ['cw', 'a letter outside the alphabet'],
    ['c', 'a length no byte string encodes to'],
    ['cpn', 'a length no byte string encodes to'],
    ['cpnmuo', 'a length no byte string encodes to'],
    ['cp', 'non-zero trailing bits'],
    ['0p9m haveqvm6', 'a space'],
  ])('base32HexDecode() returns null for "%s" (%s)', (text) => {
    expect(base32HexDecode(text)).toBeNull()
  })

  it('base32HexDecode() undoes base32HexEncode() for every length up to 40 octets', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 31) & 0xff)
      expect(base32HexDecode(base32HexEncode(bytes))).toEqual(bytes)
    }
  })

  it('base32HexEncode() keeps hash order, so encoded owners sort like hashes', () => {
    // RFC 4648 section 7: the extended hex alphabet preserves sort order.
    const a = Uint8Array.of(0x00, 0xff)
    const b = Uint8Array.of(0x01, 0x00)
    expect(compareHashes(a, b)).toBeLessThan(0)
    expect(base32HexEncode(a) < base32HexEncode(b)).toBe(true)
  })
})

describe('NSEC3 limits', () => {
  it('NSEC3_ITERATIONS_INSECURE_ABOVE is the 150 BIND, Unbound and PowerDNS use', () => {
    expect(NSEC3_ITERATIONS_INSECURE_ABOVE).toBe(150)
  })

  it('NSEC3_HASH_BUDGET leaves room for the deepest ip6.arpa name plus its wildcard', () => {
    // 32 nibble labels + ip6.arpa: 34 ancestors at most, plus one source of synthesis.
    expect(NSEC3_HASH_BUDGET).toBeGreaterThanOrEqual(35)
  })
})
