// A small, validly signed fake root (ECDSA P-256, algorithm 13) on a loopback address and a
// high port, for the hostile tests. The root delegates test. insecurely (a signed NSEC proves
// there is no DS) to a second address that runs a caller-given handler. Own minimal encoder.
// Loopback only: tests run inside `unshare -n`.
import { createHash, randomBytes, sign } from 'node:crypto'
import { newP256Key } from '../../support/p256-key.js'
import { createSocket, type Socket } from 'node:dgram'

export const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48,
  NSEC3: 50 } as const

export interface Rec { name: string; type: number; data: Buffer; ttl: number }
export interface Query { id: number; flags: number; qname: string; qtype: number }
export interface Reply { aa?: boolean; rcode?: number; answer?: Rec[]; authority?: Rec[];
  additional?: Rec[] }

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }

export function encName(name: string): Buffer {
  const parts: Buffer[] = []
  for (const l of name.replace(/\.$/, '').split('.').filter((x) => x !== '')) {
    parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'))
  }
  parts.push(Buffer.from([0]))
  return Buffer.concat(parts)
}
export const rec = (name: string, type: number, data: Buffer, ttl = 300): Rec =>
  ({ name: name.toLowerCase(), type, data, ttl })
export const rd = {
  A: (ip: string): Buffer => Buffer.from(ip.split('.').map(Number)),
  name: (n: string): Buffer => encName(n),
  SOA: (m: string): Buffer => Buffer.concat([encName(m), encName(`hostmaster.${m}`), u32(1),
    u32(3600), u32(600), u32(86400), u32(300)]),
  bitmap(types: number[]): Buffer {
    const b = Buffer.alloc(32)
    for (const t of types) b[(t & 0xff) >> 3]! |= 0x80 >> (t & 7)
    let l = 32
    while (l > 0 && b[l - 1] === 0) l--
    return Buffer.concat([Buffer.from([0, l]), b.subarray(0, l)])
  },
  NSEC3: (iterations: number, next: Buffer, types: number[]): Buffer => Buffer.concat([
    Buffer.from([1, 0]), u16(iterations), Buffer.from([1, 0xab]), Buffer.from([next.length]),
    next, rd.bitmap(types)]),
}
export function keyTag(rdata: Buffer): number {
  let ac = 0
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8
  ac += (ac >> 16) & 0xffff
  return ac & 0xffff
}

function parseQuery(buf: Buffer): Query | null {
  if (buf.length < 17) return null
  const labels: string[] = []
  let off = 12
  while (buf[off] !== 0) {
    const len = buf[off]!
    if (len > 63 || off + 1 + len > buf.length) return null
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('latin1').toLowerCase())
    off += 1 + len
  }
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2),
    qname: labels.length === 0 ? '.' : `${labels.join('.')}.`, qtype: buf.readUInt16BE(off + 1) }
}

const enc = (r: Rec): Buffer => Buffer.concat([encName(r.name), u16(r.type), u16(1), u32(r.ttl),
  u16(r.data.length), r.data])

function message(q: Query, r: Reply): Buffer {
  const an = r.answer ?? []
  const ns = r.authority ?? []
  const ar = r.additional ?? []
  const flags = 0x8000 | (r.aa === true ? 0x0400 : 0) | (q.flags & 0x0100) | (r.rcode ?? 0)
  const opt = Buffer.concat([Buffer.from([0]), u16(41), u16(4096), u32(0x8000), u16(0)])
  return Buffer.concat([u16(q.id), u16(flags), u16(1), u16(an.length), u16(ns.length),
    u16(ar.length + 1), encName(q.qname), u16(q.qtype), u16(1), ...an.map(enc), ...ns.map(enc),
    ...ar.map(enc), opt])
}

export interface FakeRootOptions {
  /** Base address, e.g. '127.0.66.41': the root; the next address serves test. */
  rootAddress: string
  childAddress: string
  port: number
  /** Answers for names in the unsigned child zone test.; null falls back to NODATA. */
  child?: (q: Query) => Reply | null
  /** Answers for the root itself, after DNSKEY/SOA/DS/referral; null gives NXDOMAIN + NSEC. */
  root?: (q: Query, signed: (list: Rec[]) => Rec[]) => Reply | null
  /** Extra DNSKEYs published at the root with the same key tag as the signing key. */
  sameTagKeys?: number
  /** Publish the signing key after the colliding ones (a validator tries them in order). */
  realKeyLast?: boolean
}

export interface FakeRoot {
  /** DS line for --trust-anchor / parseTrustAnchors. */
  anchor: string
  tag: number
  stop(): Promise<void>
}

export async function startFakeRoot(o: FakeRootOptions): Promise<FakeRoot> {
  const { privateKey, point: pub } = newP256Key()
  const dnskey = Buffer.concat([u16(257), Buffer.from([3, 13]), pub])
  const tag = keyTag(dnskey)
  const keys = [dnskey]
  for (let n = 0; n < (o.sameTagKeys ?? 0); n++) {
    // Another 64-octet key with the same tag: adjust two octets until the sum matches.
    const k = Buffer.concat([u16(257), Buffer.from([3, 13]), randomBytes(64)])
    for (let i = 0; keyTag(k) !== tag && i < 65536; i++) {
      k[k.length - 2] = i >> 8
      k[k.length - 1] = i & 0xff
    }
    if (keyTag(k) === tag) keys.push(k)
  }
  if (o.realKeyLast === true) keys.push(keys.shift()!)
  const ds = createHash('sha256').update(Buffer.concat([encName('.'), dnskey])).digest('hex')
  const now = Math.floor(Date.now() / 1000)
  const sigFor = (set: Rec[]): Rec => {
    const first = set[0]!
    const labels = first.name === '.' ? 0 : first.name.replace(/\.$/, '').split('.').length
    const head = Buffer.concat([u16(first.type), Buffer.from([13, labels]), u32(first.ttl),
      u32(now + 30 * 86400), u32(now - 86400), u16(tag), encName('.')])
    const rrs = set.map((r) => r.data).sort(Buffer.compare).map((d) => Buffer.concat([
      encName(first.name), u16(first.type), u16(1), u32(first.ttl), u16(d.length), d]))
    const sig = sign('sha256', Buffer.concat([head, ...rrs]),
      { key: privateKey, dsaEncoding: 'ieee-p1363' })
    return rec(first.name, T.RRSIG, Buffer.concat([head, sig]), first.ttl)
  }
  const signed = (list: Rec[]): Rec[] => {
    const groups = new Map<string, Rec[]>()
    for (const r of list) {
      const k = `${r.name}|${r.type}`
      groups.set(k, [...(groups.get(k) ?? []), r])
    }
    return [...groups.values()].flatMap((set) => [...set, sigFor(set)])
  }
  const soa = rec('.', T.SOA, rd.SOA('a.root.'))
  const nsecTest = rec('test.', T.NSEC, Buffer.concat([encName('zzz.'),
    rd.bitmap([T.NS, T.RRSIG, T.NSEC])]))
  const nsecApex = rec('.', T.NSEC, Buffer.concat([encName('test.'),
    rd.bitmap([T.NS, T.SOA, T.RRSIG, T.NSEC, T.DNSKEY])]))
  const root = (q: Query): Reply => {
    if (q.qname === '.' && q.qtype === T.DNSKEY) {
      return { aa: true, answer: [...keys.map((k) => rec('.', T.DNSKEY, k)),
        sigFor(keys.map((k) => rec('.', T.DNSKEY, k)))] }
    }
    if (q.qname === '.' && q.qtype === T.SOA) return { aa: true, answer: signed([soa]) }
    if (q.qname === 'test.' && q.qtype === T.DS) {
      return { aa: true, authority: signed([soa, nsecTest]) }
    }
    if (q.qname === 'test.' || q.qname.endsWith('.test.')) {
      return { authority: [rec('test.', T.NS, rd.name('ns1.test.')), ...signed([nsecTest])],
        additional: [rec('ns1.test.', T.A, rd.A(o.childAddress))] }
    }
    return o.root?.(q, signed) ?? { aa: true, rcode: 3, authority: signed([soa, nsecApex]) }
  }
  const tsoa = rec('test.', T.SOA, rd.SOA('ns1.test.'))
  const child = (q: Query): Reply => o.child?.(q)
    ?? (q.qname === 'test.' && q.qtype === T.SOA ? { aa: true, answer: [tsoa] }
      : { aa: true, authority: [tsoa] })
  const sockets: Socket[] = []
  for (const [address, handler] of [[o.rootAddress, root], [o.childAddress, child]] as const) {
    const s = createSocket('udp4')
    s.on('message', (buf, rinfo) => {
      const q = parseQuery(buf)
      if (q !== null) s.send(message(q, handler(q)), rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve) => s.bind(o.port, address, resolve))
    sockets.push(s)
  }
  return {
    anchor: `. 3600 IN DS ${tag} 13 2 ${ds.toUpperCase()}\n`,
    tag,
    stop: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}
