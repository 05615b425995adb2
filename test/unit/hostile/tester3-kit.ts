// Keys of our own for the tester3 hostile tests: a zone of issue5-kit whose DNSKEY set holds
// extra keys, each signing what the test says, with the validity window it says. Own signer
// (RFC 4034 3.1.8.1 signed data, RFC 6605 ECDSA P-256); expected values never come from the
// tool's code.
import { createHash, type KeyObject, sign } from 'node:crypto'
import { newP256Key } from '../../support/p256-key.js'
import { encName, keyTag, rec, type Rec, T } from './fakeroot.js'

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }
const labels = (n: string): number => n.replace(/\.$/, '').split('.').filter((x) => x !== '')
  .length

export interface Key { priv: KeyObject; rdata: Buffer; tag: number }

export function newKey(flags: number): Key {
  const { privateKey, point: pub } = newP256Key()
  const rdata = Buffer.concat([u16(flags), Buffer.from([3, 13]), pub])
  return { priv: privateKey, rdata, tag: keyTag(rdata) }
}

/** Two distinct keys with the same key tag (RFC 4034 B: a checksum; found by birthday). */
export function collidingPair(flags: number): [Key, Key] {
  const byTag = new Map<number, Key>()
  for (;;) {
    const k = newKey(flags)
    const other = byTag.get(k.tag)
    if (other !== undefined) return [other, k]
    byTag.set(k.tag, k)
  }
}

const NOW = Math.floor(Date.now() / 1000)

/** An RRSIG over one RRset by `key` for `signer`, valid from a day ago for `days` days. */
export function sigBy(key: Key, signer: string, set: Rec[], days = 30): Rec {
  const first = set[0]!
  const head = Buffer.concat([u16(first.type), Buffer.from([13, labels(first.name)]),
    u32(first.ttl), u32(NOW + days * 86400), u32(NOW - 86400), u16(key.tag), encName(signer)])
  const rrs = set.map((r) => r.data).sort(Buffer.compare).map((d) => Buffer.concat([
    encName(first.name), u16(first.type), u16(1), u32(first.ttl), u16(d.length), d]))
  const s = sign('sha256', Buffer.concat([head, ...rrs]),
    { key: key.priv, dsaEncoding: 'ieee-p1363' })
  return rec(first.name, T.RRSIG, Buffer.concat([head, s]), first.ttl)
}

/** Every RRset of a section (RRSIGs dropped) followed by a signature of `key` over it. */
export function resign(list: Rec[] | undefined, key: Key, signer: string): Rec[] {
  const groups = new Map<string, Rec[]>()
  for (const r of list ?? []) {
    if (r.type === T.RRSIG) continue
    const k = `${r.name}|${r.type}`
    groups.set(k, [...(groups.get(k) ?? []), r])
  }
  return [...groups.values()].flatMap((set) => [...set, sigBy(key, signer, set)])
}

/** The SHA-256 DS of `key` at `owner` (RFC 4034 5.1.4). */
export function dsOf(owner: string, key: Key): Rec {
  const d = createHash('sha256').update(Buffer.concat([encName(owner), key.rdata])).digest()
  return rec(owner, T.DS, Buffer.concat([u16(key.tag), Buffer.from([13, 2]), d]), 3600)
}
