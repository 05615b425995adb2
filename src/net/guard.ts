// The address guard: which server addresses the tool may send packets to. A user who runs the
// doctor inside a lab, a CI job or a sandbox limits it with --allow-net or DNSSEC_DOCTOR_ALLOW_NET
// so that a walk of a broken delegation can never wander onto the Internet.
//
// Only literal addresses are judged. A hostname is never allowed: resolving it would itself be
// traffic, and the name could resolve somewhere else later.

/** Raised for an --allow-net list that is not a list of CIDR blocks. */
export class GuardSyntaxError extends SyntaxError {
  override readonly name = 'GuardSyntaxError'
}

export interface AddressGuard {
  /** True when packets may go to this literal IPv4 or IPv6 address. */
  allows(address: string): boolean
  /** The allowed blocks, normalised, for messages ("127.0.0.0/8, ::1/128"). */
  describe(): string
}

/** The environment variable read by guardFromEnv when no CLI value is given. */
export const ALLOW_NET_ENV = 'DNSSEC_DOCTOR_ALLOW_NET'

interface Address {
  readonly family: 4 | 6
  readonly bytes: Uint8Array
}

interface Block extends Address {
  readonly prefix: number
}

// One decimal octet without leading zeros: "010" is octal to inet_aton, so it is refused
// rather than guessed at.
const OCTET = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/
const HEXTET = /^[0-9a-fA-F]{1,4}$/
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/

function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? ''
    if (!OCTET.test(part)) return null
    bytes[i] = Number(part)
  }
  return bytes
}

// RFC 4291 section 2.2: eight hextets, one "::" run of zeros, optionally a dotted IPv4 tail.
function parseIPv6(text: string): Uint8Array | null {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const compressed = halves.length === 2
  const toWords = (half: string, mayEndInIPv4: boolean): number[] | null => {
    const groups = half === '' ? [] : half.split(':')
    const words: number[] = []
    for (const [i, group] of groups.entries()) {
      // The dotted tail may only end the address, never sit before a "::".
      if (mayEndInIPv4 && i === groups.length - 1 && group.includes('.')) {
        const v4 = parseIPv4(group)
        if (v4 === null) return null
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0))
      } else if (HEXTET.test(group)) {
        words.push(parseInt(group, 16))
      } else {
        return null
      }
    }
    return words
  }
  const head = toWords(halves[0] ?? '', !compressed)
  const tail = compressed ? toWords(halves[1] ?? '', true) : []
  if (head === null || tail === null) return null
  const given = head.length + tail.length
  // "::" stands for at least one zero hextet.
  if (compressed ? given > 7 : given !== 8) return null
  const words = [...head, ...new Array<number>(8 - given).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8
    bytes[2 * i + 1] = word & 0xff
  })
  return bytes
}

// RFC 4291 section 2.5.5.2: ::ffff:a.b.c.d is an IPv4 host reached through an IPv6 socket, so
// it is judged by the IPv4 rules (otherwise ::ffff:8.8.8.8 would slip past 127.0.0.0/8).
function unmap(address: Address): Address {
  if (address.family !== 6) return address
  const b = address.bytes
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return address
  if (b[10] !== 0xff || b[11] !== 0xff) return address
  return { family: 4, bytes: b.slice(12) }
}

function parseAddress(text: string): Address | null {
  if (text.includes(':')) {
    const bytes = parseIPv6(text)
    return bytes === null ? null : { family: 6, bytes }
  }
  const bytes = parseIPv4(text)
  return bytes === null ? null : { family: 4, bytes }
}

function hostBitsClear(bytes: Uint8Array, prefix: number): boolean {
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) return false
  }
  return true
}

function contains(block: Block, address: Address): boolean {
  if (block.family !== address.family) return false
  const full = block.prefix >> 3
  for (let i = 0; i < full; i++) if (block.bytes[i] !== address.bytes[i]) return false
  const rest = block.prefix & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((block.bytes[full] ?? 0) & mask) === ((address.bytes[full] ?? 0) & mask)
}

function formatAddress(address: Address): string {
  const b = address.bytes
  if (address.family === 4) return Array.from(b).join('.')
  const words: number[] = []
  for (let i = 0; i < 16; i += 2) words.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0))
  // RFC 5952 section 4.2: compress the longest run of two or more zero hextets, the first
  // such run on a tie.
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = words.map((w) => w.toString(16))
  if (bestStart < 0) return hex.join(':')
  const left = hex.slice(0, bestStart).join(':')
  const right = hex.slice(bestStart + bestLength).join(':')
  return `${left}::${right}`
}

function parseBlock(entry: string): Block {
  const slash = entry.indexOf('/')
  const addressText = slash < 0 ? entry : entry.slice(0, slash)
  const parsed = parseAddress(addressText)
  if (parsed === null) {
    throw new GuardSyntaxError(
      `Cannot parse allowed network "${entry}": "${addressText}" is not a literal IPv4 or ` +
        'IPv6 address',
    )
  }
  const width = parsed.family === 4 ? 32 : 128
  // A bare address means that host alone.
  let prefix = width
  if (slash >= 0) {
    const prefixText = entry.slice(slash + 1)
    if (!PREFIX.test(prefixText) || Number(prefixText) > width) {
      throw new GuardSyntaxError(
        `Cannot parse allowed network "${entry}": prefix length must be 0 to ${width}`,
      )
    }
    prefix = Number(prefixText)
  }
  if (!hostBitsClear(parsed.bytes, prefix)) {
    // "10.1.2.3/8" is refused rather than widened: in a safety list, a typo must not silently
    // allow a larger network than the user had in mind.
    throw new GuardSyntaxError(
      `Cannot parse allowed network "${entry}": address has bits set beyond the /${prefix} prefix`,
    )
  }
  // A block wholly inside ::ffff:0:0/96 is the IPv4 block it maps (see unmap).
  const mapped = unmap(parsed)
  if (mapped.family === 4 && parsed.family === 6 && prefix >= 96) {
    return { ...mapped, prefix: prefix - 96 }
  }
  return { ...parsed, prefix }
}

/**
 * Parses a comma-separated list of CIDR blocks, IPv4 and IPv6 ("127.0.0.0/8,::1/128"). A bare
 * address stands for itself (/32 or /128). Whitespace around entries is ignored. Throws
 * GuardSyntaxError on an empty list, an empty entry, a hostname, a bad prefix length or host
 * bits set beyond the prefix.
 */
export function parseAllowNet(spec: string): AddressGuard {
  const entries = spec.split(',').map((entry) => entry.trim())
  if (entries.length === 1 && entries[0] === '') {
    throw new GuardSyntaxError('Cannot parse allowed networks: the list is empty')
  }
  const blocks = entries.map((entry) => {
    if (entry === '') {
      throw new GuardSyntaxError(`Cannot parse allowed networks "${spec}": empty entry`)
    }
    return parseBlock(entry)
  })
  const description = blocks.map((b) => `${formatAddress(b)}/${b.prefix}`).join(', ')
  // Every query of a batch asks the guard; a run talks to few addresses, so each is judged
  // once (the memo is dropped whole when full: no address list can grow it without bound).
  const judged = new Map<string, boolean>()
  const judge = (address: string): boolean => {
    // An IPv6 zone ("fe80::1%eth0") names an interface, not part of the address.
    const percent = address.indexOf('%')
    const text = percent >= 0 && address.includes(':') ? address.slice(0, percent) : address
    const parsed = parseAddress(text)
    if (parsed === null) return false
    const plain = unmap(parsed)
    return blocks.some((block) => contains(block, plain))
  }
  return {
    allows(address: string): boolean {
      const known = judged.get(address)
      if (known !== undefined) return known
      const verdict = judge(address)
      if (judged.size >= 4096) judged.clear()
      judged.set(address, verdict)
      return verdict
    },
    describe(): string {
      return description
    },
  }
}

/**
 * The guard in force: the CLI value when given, else DNSSEC_DOCTOR_ALLOW_NET when set and not
 * empty, else null (no restriction). Throws GuardSyntaxError when the chosen value is invalid.
 */
export function guardFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cliValue?: string,
): AddressGuard | null {
  if (cliValue !== undefined) return parseAllowNet(cliValue)
  const fromEnv = env[ALLOW_NET_ENV]
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseAllowNet(fromEnv)
  return null
}

/**
 * Special-use ranges a walk of the public DNS never needs (RFC 6890): this host, loopback,
 * link-local, multicast, reserved. Glue pointing there is a mistake or an attack, so by default
 * they are not asked, as resolvers do; `--allow-net` names them explicitly when wanted (a lab).
 */
const SPECIAL_USE = '0.0.0.0/8,127.0.0.0/8,169.254.0.0/16,224.0.0.0/4,240.0.0.0/4,'
  + '::/128,::1/128,fe80::/10,ff00::/8'

export function publicOnlyGuard(): AddressGuard {
  const special = parseAllowNet(SPECIAL_USE)
  return {
    allows: (address) => !special.allows(address),
    describe: () => `public addresses (not ${SPECIAL_USE.replace(/,/g, ', ')}; give --allow-net `
      + 'to ask those)',
  }
}
