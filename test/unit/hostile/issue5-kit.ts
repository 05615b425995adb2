// A small signed DNS hierarchy for the issue 5 hostile tests: each zone has its own ECDSA
// P-256 key (algorithm 13), a parent publishes a SHA-256 DS for every signed child, and each
// zone is served on loopback addresses at one high port, over UDP (and TCP if asked). A hook
// per zone rewrites or drops replies, so a test can make one server lie. Own encoder; the
// expected values of the tests never come from the tool's own code.
import { createHash, type KeyObject, sign } from 'node:crypto'
import { newP256Key } from '../../support/p256-key.js'
import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { encName, keyTag, rd, type Rec, rec, T } from './fakeroot.js'

export { rd, rec, T, encName }
export const TT = { ...T, AAAA: 28, CDS: 59, CDNSKEY: 60 } as const

export interface Q { id: number; flags: number; qname: string; qtype: number }
export interface R { aa?: boolean; tc?: boolean; rcode?: number; answer?: Rec[];
  authority?: Rec[]; additional?: Rec[] }

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }
const labels = (n: string): string[] => n.replace(/\.$/, '').split('.').filter((x) => x !== '')
const under = (n: string, z: string): boolean => z === '.' || n === z || n.endsWith(`.${z}`)

function parse(buf: Buffer): Q | null {
  if (buf.length < 17) return null
  const ls: string[] = []
  let off = 12
  while (buf[off] !== 0) {
    const len = buf[off]!
    if (len > 63 || off + 1 + len > buf.length) return null
    ls.push(buf.subarray(off + 1, off + 1 + len).toString('latin1').toLowerCase())
    off += 1 + len
  }
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2),
    qname: ls.length === 0 ? '.' : `${ls.join('.')}.`, qtype: buf.readUInt16BE(off + 1) }
}

const encRec = (r: Rec): Buffer => Buffer.concat([encName(r.name), u16(r.type), u16(1),
  u32(r.ttl), u16(r.data.length), r.data])

export function wire(q: Q, r: R): Buffer {
  const an = r.answer ?? []
  const ns = r.authority ?? []
  const ar = r.additional ?? []
  const flags = 0x8000 | (r.aa === true ? 0x0400 : 0) | (r.tc === true ? 0x0200 : 0)
    | (q.flags & 0x0100) | (r.rcode ?? 0)
  const opt = Buffer.concat([Buffer.from([0]), u16(41), u16(4096), u32(0x8000), u16(0)])
  return Buffer.concat([u16(q.id), u16(flags), u16(1), u16(an.length), u16(ns.length),
    u16(ar.length + 1), encName(q.qname), u16(q.qtype), u16(1), ...an.map(encRec),
    ...ns.map(encRec), ...ar.map(encRec), opt])
}

export interface ZoneSpec {
  name: string
  /** Loopback addresses that serve the zone. */
  addresses: string[]
  /** Every record of the zone: apex NS/SOA are added if missing; delegations are NS below. */
  records: Rec[]
  /** Unsigned zone (no DNSKEY, no RRSIG; the parent then has no DS for it). */
  unsigned?: boolean
  /** Rewrite the reply (or return 'drop' to stay silent) for one server address. */
  hook?: (q: Q, reply: R, address: string, tcp: boolean) => R | 'drop' | 'hang'
  /** Also listen on TCP. */
  tcp?: boolean
}

export interface Zone {
  spec: ZoneSpec
  key: KeyObject
  dnskey: Buffer
  tag: number
  /** Signs one RRset (all records share owner and type) with the zone key. */
  sig(set: Rec[], o?: { originalTtl?: number; expire?: number; incept?: number }): Rec
  signed(list: Rec[]): Rec[]
  ds(): Rec
}

const NOW = Math.floor(Date.now() / 1000)

export function makeZone(spec: ZoneSpec): Zone {
  const { privateKey, point: pub } = newP256Key()
  const dnskey = Buffer.concat([u16(257), Buffer.from([3, 13]), pub])
  const tag = keyTag(dnskey)
  const z: Zone = {
    spec, key: privateKey, dnskey, tag,
    sig(set, o = {}) {
      const first = set[0]!
      const ttl = o.originalTtl ?? first.ttl
      const head = Buffer.concat([u16(first.type), Buffer.from([13, labels(first.name).length]),
        u32(ttl), u32(o.expire ?? NOW + 30 * 86400), u32(o.incept ?? NOW - 86400), u16(tag),
        encName(spec.name)])
      const rrs = set.map((r) => r.data).sort(Buffer.compare).map((d) => Buffer.concat([
        encName(first.name), u16(first.type), u16(1), u32(ttl), u16(d.length), d]))
      const s = sign('sha256', Buffer.concat([head, ...rrs]),
        { key: privateKey, dsaEncoding: 'ieee-p1363' })
      return rec(first.name, T.RRSIG, Buffer.concat([head, s]), first.ttl)
    },
    signed(list) {
      if (spec.unsigned === true) return list
      const groups = new Map<string, Rec[]>()
      for (const r of list) {
        if (r.type === T.RRSIG) continue
        const k = `${r.name}|${r.type}`
        groups.set(k, [...(groups.get(k) ?? []), r])
      }
      return [...groups.values()].flatMap((set) => [...set, z.sig(set)])
    },
    ds() {
      const d = createHash('sha256').update(Buffer.concat([encName(spec.name), dnskey])).digest()
      return rec(spec.name, T.DS, Buffer.concat([u16(tag), Buffer.from([13, 2]), d]), 3600)
    },
  }
  return z
}

/** What an authoritative server for `z` answers (children found among `all`). */
function answer(z: Zone, all: Zone[], q: Q): R {
  const name = z.spec.name
  const recs = z.spec.records
  const apex = [...recs]
  if (z.spec.unsigned !== true && !apex.some((r) => r.name === name && r.type === T.DNSKEY)) {
    apex.push(rec(name, T.DNSKEY, z.dnskey, 3600))
  }
  const soa = apex.find((r) => r.name === name && r.type === T.SOA)
    ?? rec(name, T.SOA, rd.SOA(name === '.' ? 'a.root.' : name))
  if (!apex.includes(soa)) apex.push(soa)
  // A delegation below the zone on the way to qname (a DS question for the cut stays here).
  const ls = labels(q.qname)
  for (let i = 0; i < ls.length; i++) {
    const cut = `${ls.slice(i).join('.')}.`
    if (cut === name || !under(cut, name)) continue
    if (q.qtype === T.DS && cut === q.qname) continue
    const ns = apex.filter((r) => r.name === cut && r.type === T.NS)
    if (ns.length === 0) continue
    const ds = apex.filter((r) => r.name === cut && r.type === T.DS)
    const child = all.find((c) => c.spec.name === cut)
    const dsSet = ds.length > 0 ? ds : child !== undefined && child.spec.unsigned !== true
      ? [child.ds()] : []
    const glue = apex.filter((r) => (r.type === T.A || r.type === TT.AAAA)
      && ns.some((n) => n.data.equals(encName(r.name))))
    const proof = dsSet.length > 0 ? z.signed(dsSet)
      : z.signed([rec(cut, T.NSEC, Buffer.concat([encName(`\\000.${cut}`),
        rd.bitmap([T.NS, T.RRSIG, T.NSEC])]))])
    return { authority: [...ns, ...proof], additional: glue }
  }
  if (q.qtype === T.DS) {
    const child = all.find((c) => c.spec.name === q.qname)
    const ds = apex.filter((r) => r.name === q.qname && r.type === T.DS)
    if (ds.length > 0) return { aa: true, answer: z.signed(ds) }
    if (child !== undefined && child.spec.unsigned !== true) {
      return { aa: true, answer: z.signed([child.ds()]) }
    }
  }
  const here = apex.filter((r) => r.name === q.qname)
  const match = here.filter((r) => r.type === q.qtype)
  if (match.length > 0) {
    const additional = q.qtype === T.NS ? apex.filter((r) => r.type === T.A
      && match.some((n) => n.data.equals(encName(r.name)))) : []
    return { aa: true, answer: z.signed(match), additional }
  }
  const cname = here.filter((r) => r.type === T.CNAME)
  if (cname.length > 0) return { aa: true, answer: z.signed(cname) }
  // Negative: NSEC at the name (NODATA) or one covering it (NXDOMAIN), simply chained.
  const types = [...new Set(here.map((r) => r.type)), T.RRSIG, T.NSEC]
  if (here.length > 0) {
    return { aa: true, authority: z.signed([soa, rec(q.qname, T.NSEC, Buffer.concat([
      encName(`\\000.${q.qname}`), rd.bitmap(types)]))]) }
  }
  return { aa: true, rcode: 3, authority: z.signed([soa, rec(name, T.NSEC, Buffer.concat([
    encName(`~~~~.${name === '.' ? '' : name}`), rd.bitmap([T.NS, T.SOA, T.RRSIG, T.NSEC,
      T.DNSKEY])]))]) }
}

export interface Net {
  zones: Map<string, Zone>
  /** DS line for --trust-anchor / parseTrustAnchors. */
  anchor: string
  stop(): Promise<void>
}

/** Starts every zone's servers on `port`; the zone named '.' must be among them. */
export async function startNet(specs: ZoneSpec[], port: number): Promise<Net> {
  const zones = specs.map(makeZone)
  const byAddr = new Map<string, Zone>()
  for (const z of zones) for (const a of z.spec.addresses) byAddr.set(a, z)
  const sockets: Socket[] = []
  const servers: Server[] = []
  const conns = new Set<import('node:net').Socket>()
  const handle = (addr: string, buf: Buffer, tcp: boolean): Buffer | 'drop' | 'hang' => {
    const z = byAddr.get(addr)!
    const q = parse(buf)
    if (q === null) return 'drop'
    const base = answer(z, zones, q)
    const r = z.spec.hook === undefined ? base : z.spec.hook(q, base, addr, tcp)
    return typeof r === 'string' ? r : wire(q, r)
  }
  for (const [addr, z] of byAddr) {
    const s = createSocket('udp4')
    s.on('message', (buf, rinfo) => {
      const out = handle(addr, buf, false)
      if (typeof out !== 'string') s.send(out, rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve) => s.bind(port, addr, resolve))
    sockets.push(s)
    if (z.spec.tcp === true) {
      const t = createServer((c) => {
        c.on('error', () => undefined)
        conns.add(c)
        c.on('close', () => conns.delete(c))
        let acc = Buffer.alloc(0)
        c.on('data', (d) => {
          acc = Buffer.concat([acc, d])
          if (acc.length < 2 || acc.length < 2 + acc.readUInt16BE(0)) return
          const out = handle(addr, acc.subarray(2, 2 + acc.readUInt16BE(0)), true)
          if (out === 'hang') return
          if (out === 'drop') { c.destroy(); return }
          c.end(Buffer.concat([u16(out.length), out]))
        })
      })
      await new Promise<void>((resolve) => t.listen(port, addr, resolve))
      servers.push(t)
    }
  }
  const root = zones.find((z) => z.spec.name === '.')!
  const ds = createHash('sha256').update(Buffer.concat([encName('.'), root.dnskey])).digest('hex')
  return {
    zones: new Map(zones.map((z) => [z.spec.name, z])),
    anchor: `. 3600 IN DS ${root.tag} 13 2 ${ds.toUpperCase()}\n`,
    stop: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
      for (const c of conns) c.destroy()
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}

/** A root at `root` delegating test. (signed) to `tld`, plus the given zones below test. */
export function hierarchy(root: string, tld: string, kids: ZoneSpec[]): ZoneSpec[] {
  const glue = (k: ZoneSpec): Rec[] => k.records.filter((r) =>
    (r.name === k.name && r.type === T.NS) || (r.type === T.A && r.name !== k.name
      && k.records.some((n) => n.type === T.NS && n.name === k.name
        && n.data.equals(encName(r.name)))))
  return [
    { name: '.', addresses: [root], records: [rec('.', T.NS, rd.name('a.root.')),
      rec('a.root.', T.A, rd.A(root)), rec('test.', T.NS, rd.name('ns1.test.')),
      rec('ns1.test.', T.A, rd.A(tld))] },
    { name: 'test.', addresses: [tld], records: [rec('test.', T.NS, rd.name('ns1.test.')),
      rec('ns1.test.', T.A, rd.A(tld)), ...kids.flatMap(glue)] },
    ...kids,
  ]
}

export async function checkKit(net: Net, root: string, port: number, name: string,
  type = 1): Promise<import('../../../src/analysis/types.js').Report> {
  const { parseTrustAnchors } = await import('../../../src/anchors.js')
  const { check } = await import('../../../src/check.js')
  const { guardFromEnv } = await import('../../../src/net/guard.js')
  const { nameFromText } = await import('../../../src/wire/name.js')
  const { report } = await check({ name: nameFromText(name), type }, {
    anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
    rootServers: [{ address: root, port }], guard: guardFromEnv({}, '127.0.0.0/8'),
    authPort: port, timeoutMs: 500 })
  return report
}
