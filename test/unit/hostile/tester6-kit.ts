// tester6: a root, a signed test. served at several loopback addresses (ns1..nsN.test.), and
// signed children k01..kNN.test. each at one address of their own. A per-address hook lets a
// test make one address of test. answer otherwise than the rest; every question each server
// gets is counted. Lean batch (Checker, as `dnssec-doctor batch` builds it) and `check` (which
// asks every address) can then be put to the same names.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Checker } from '../../../src/batch/engine.js'
import { checkKit, type Net, type Q, type R, rd, rec, startNet, T } from './issue5-kit.js'
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
