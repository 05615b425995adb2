// tester6: a root, a signed test. served at several loopback addresses (ns1..nsN.test.), and
// signed children k01..kNN.test. each at one address of their own. A per-address hook lets a
// test make one address of test. answer otherwise than the rest; every question each server
// gets is counted. Lean batch (Checker, as `dnssec-doctor batch` builds it) and `check` (which
// asks every address) can then be put to the same names.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Checker } from '../../../src/batch/engine.js'
import { nameFromText } from '../../../src/wire/name.js'
import { checkKit, encName, type Net, type Q, type R, rd, rec, startNet, T }
  from './issue5-kit.js'
import type { ZoneSpec } from './issue5-kit.js'

export interface Lab {
  net: Net
  root: string
  port: number
  tld: string[]
  kids: { name: string; address: string }[]
  anchorFile: string
  /** Every question each address got: `${address} ${qname} ${qtype}`. */
  log: string[]
  /** Rewrites a reply of test.'s servers (address given); null: answer normally. */
  tldHook: ((q: Q, r: R, address: string, tcp: boolean) => R | 'drop' | 'hang') | null
  kidHook: ((q: Q, r: R, address: string, tcp: boolean) => R | 'drop' | 'hang') | null
  checker(o?: { timeoutMs?: number; perServer?: number }): Checker
  check(name: string, type?: number): ReturnType<typeof checkKit>
  asked(address: string, pred?: (qname: string, qtype: number) => boolean): number
}

export async function startLab(o: { port: number; net: number; tldAddresses: number;
  kids: number; extraTld?: (tld: string[]) => ZoneSpec['records']; extra?: ZoneSpec[];
  tcp?: boolean }): Promise<Lab> {
  const base = `127.0.${o.net}.`
  const root = `${base}1`
  const tld = Array.from({ length: o.tldAddresses }, (_, i) => `${base}${i + 2}`)
  const kids = Array.from({ length: o.kids }, (_, i) => ({
    name: `k${String(i + 1).padStart(2, '0')}.test.`,
    // 150 kids a /24: the first ones at .100-.249 of the lab's, the others in the next ones.
    address: i < 150 ? `${base}${100 + i}`
      : `127.${Math.floor(i / 150)}.${o.net}.${10 + (i % 150)}` }))
  const tldNs = tld.flatMap((a, i) => [rec('test.', T.NS, rd.name(`ns${i + 1}.test.`)),
    rec(`ns${i + 1}.test.`, T.A, rd.A(a))])
  const lab = { root, port: o.port, tld, kids, log: [] as string[], tldHook: null,
    kidHook: null } as unknown as Lab
  const kidSpecs: ZoneSpec[] = kids.map((k) => ({ name: k.name, addresses: [k.address],
    tcp: o.tcp, records: [rec(k.name, T.NS, rd.name(`ns.${k.name}`)),
      rec(`ns.${k.name}`, T.A, rd.A(k.address)), rec(k.name, T.A, rd.A('127.0.0.80')),
      rec(`www.${k.name}`, T.A, rd.A('127.0.0.81'))],
    hook: (q, r, address, tcp) => {
      lab.log.push(`${address} ${q.qname} ${q.qtype} ${Date.now()}`)
      return lab.kidHook === null ? r : lab.kidHook(q, r, address, tcp)
    } }))
  const specs: ZoneSpec[] = [
    { name: '.', addresses: [root], records: [rec('.', T.NS, rd.name('a.root.')),
      rec('a.root.', T.A, rd.A(root)), ...tldNs],
    hook: (q, r, address) => {
      lab.log.push(`${address} ${q.qname} ${q.qtype} ${Date.now()}`)
      return r
    } },
    { name: 'test.', addresses: tld, tcp: o.tcp, records: [...tldNs,
      ...kids.flatMap((k) => [rec(k.name, T.NS, rd.name(`ns.${k.name}`)),
        rec(`ns.${k.name}`, T.A, rd.A(k.address))]), ...(o.extraTld?.(tld) ?? [])],
    hook: (q, r, address, tcp) => {
      lab.log.push(`${address} ${q.qname} ${q.qtype} ${Date.now()}`)
      return lab.tldHook === null ? r : lab.tldHook(q, r, address, tcp)
    } },
    ...kidSpecs, ...(o.extra ?? []),
  ]
  lab.net = await startNet(specs, o.port)
  lab.anchorFile = join(mkdtempSync(join(tmpdir(), 'tester6-')), 'anchor.ds')
  writeFileSync(lab.anchorFile, lab.net.anchor)
  lab.checker = (c = {}) => new Checker({ check: { trustAnchor: lab.anchorFile, at: null,
    allowNet: '127.0.0.0/8', rootHints: root, port: o.port, timeoutMs: c.timeoutMs ?? 400,
    ipv6: false, thorough: false, resolvers: false, warnDays: 7 }, format: 'jsonl',
  perServer: c.perServer ?? 4, share: 1, countServers: false })
  lab.check = (name, type = 1) => checkKit(lab.net, root, o.port, name, type)
  lab.asked = (address, pred) => lab.log.filter((l) => {
    const [a, n, t] = l.split(' ')
    return a === address && (pred === undefined || pred(n!, Number(t)))
  }).length
  return lab
}

/** The child zone kNN.test. a question is at or under, or null. */
export const cutOf = (qname: string): string | null =>
  /(k\d\d\.test\.)$/.exec(qname)?.[1] ?? null

/** The DS of `cut`, or the RRSIG over it. */
export const isDsOrItsSig = (cut: string) =>
  (x: { name: string; type: number; data: Buffer }): boolean =>
    x.name === cut && (x.type === T.DS || (x.type === T.RRSIG && x.data.readUInt16BE(0) === T.DS))

type TldHook = (q: Q, r: R, address: string) => R

/** A tldHook: test.'s address `at` serves, in place of a child's DS, the DS `make` gives. */
export function swapDsAt(lab: Lab, at: () => string, make: (cut: string) => Buffer): TldHook {
  return (q, r, address) => {
    const cut = cutOf(q.qname)
    if (address !== at() || cut === null) return r
    const tz = lab.net.zones.get('test.')!
    const ds = rec(cut, T.DS, make(cut), 3600)
    const swap = (list: R['answer']): R['answer'] =>
      list?.some((x) => x.type === T.DS && x.name === cut) === true
        ? [...list.filter((x) => !isDsOrItsSig(cut)(x)), ds, tz.sig([ds])] : list
    return { ...r, answer: swap(r.answer), authority: swap(r.authority) }
  }
}

/** A tldHook: test.'s address `at` proves, signed, that a child has no DS. */
export function noDsAt(lab: Lab, at: () => string): TldHook {
  return (q, r, address) => {
    const cut = cutOf(q.qname)
    if (address !== at() || cut === null) return r
    const tz = lab.net.zones.get('test.')!
    const nsec = rec(cut, T.NSEC, Buffer.concat([encName(`\\000.${cut}`),
      rd.bitmap([T.NS, T.RRSIG, T.NSEC])]))
    if (q.qtype === T.DS && q.qname === cut) {
      const soa = rec('test.', T.SOA, rd.SOA('test.'))
      return { aa: true, authority: [soa, tz.sig([soa]), nsec, tz.sig([nsec])] }
    }
    return { ...r, authority: [...(r.authority ?? []).filter((x) => !isDsOrItsSig(cut)(x)),
      nsec, tz.sig([nsec])] }
  }
}

/**
 * Each www name of the lab put to `check` (the expected value) and then to a lean batch
 * checker, with the hooks set for both: `${name} ${status}` lists, in the kids' order.
 */
export async function checkThenLean(lab: Lab, tldHook: Lab['tldHook'],
  kidHook: Lab['kidHook'] = null): Promise<{ expected: string[]; got: string[] }> {
  lab.tldHook = tldHook
  lab.kidHook = kidHook
  const c = lab.checker()
  const expected: string[] = []
  const got: string[] = []
  try {
    for (const n of lab.kids.map((k) => `www.${k.name}`)) {
      expected.push(`${n} ${(await lab.check(n)).status}`)
      got.push(`${n} ${(await c.run({ name: nameFromText(n), type: 1 })).status}`)
    }
  } finally {
    c.close()
    lab.tldHook = null
    lab.kidHook = null
  }
  return { expected, got }
}
