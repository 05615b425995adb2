// The resolver comparison's probe: asks each recursive resolver the question with RD and DO
// set, and on SERVFAIL asks again with CD set ("does it fail only because it validates?") and
// asks the root's DNSKEY ("does it validate anything?").
// It records raw exchanges; src/analysis/resolvers.ts judges them.
import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ServerAddress } from '../anchors.js'
import type { AddressGuard } from '../net/guard.js'
import { dohExchange } from '../net/doh.js'
import { exchange } from '../net/transport.js'
import type { AttemptTransport, ExchangeResult } from '../net/transport.js'
import { buildQuery, decodeMessage } from '../wire/message.js'
import { nameToText } from '../wire/name.js'
import { Rcode, RRType } from '../wire/types.js'
import type { CapturedExchange } from './capture.js'
import type { Question } from './walker.js'

export interface ResolverSpec extends ServerAddress {
  readonly name: string
  /** Set for a resolver asked over DNS over HTTPS; address and port are the URL's. */
  readonly url?: URL
}

/** The public validating resolvers people compare against, by their published addresses. */
export const PUBLIC_RESOLVERS: readonly ResolverSpec[] = [
  { name: 'Google', address: '8.8.8.8', port: 53 },
  { name: 'Google', address: '8.8.4.4', port: 53 },
  { name: 'Cloudflare', address: '1.1.1.1', port: 53 },
  { name: 'Quad9', address: '9.9.9.9', port: 53 },
  { name: 'OpenDNS', address: '208.67.222.222', port: 53 },
]

/** The machine's own resolvers, from resolv.conf's nameserver lines (IPv4 and IPv6). */
export function systemResolvers(path = '/etc/resolv.conf'): ResolverSpec[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  return [...text.matchAll(/^\s*nameserver\s+([0-9a-fA-F:.]+)(?:%\S+)?\s*$/gm)]
    .map((m) => ({ name: 'system', address: m[1] ?? '', port: 53 }))
    .filter((r) => r.address !== '')
    .slice(0, 3) // the resolver library itself uses at most three (resolv.conf(5))
}

export interface ProbeOptions {
  readonly guard: AddressGuard | null
  readonly timeoutMs?: number
  /** CA certificates for DoH resolvers with a private CA (PEM), instead of the system's. */
  readonly dohCa?: string
  /** Every attempt is appended here. */
  readonly record: CapturedExchange[]
}

/** Asks every resolver in parallel; all exchanges land in opts.record. */
export async function probeResolvers(question: Question, resolvers: readonly ResolverSpec[],
  opts: ProbeOptions): Promise<void> {
  const perResolver = await Promise.all(resolvers.map(async (r) => {
    const record: CapturedExchange[] = []
    const first = await ask(r, question, false, { ...opts, record })
    if (first === Rcode.SERVFAIL) {
      await ask(r, question, true, { ...opts, record })
      // Does it validate anything at all? A resolver that fails even the root's keys fails
      // on its own (its clock, its trust anchor), whatever the zone asked about.
      if (!isRootKeys(question)) await ask(r, ROOT_KEYS, false, { ...opts, record })
    }
    return record
  }))
  // In the order given, not the order answered, so the table reads the same every time.
  for (const list of perResolver) opts.record.push(...list)
}

/** The root's DNSKEY RRset: the first thing every validator checks. */
export const ROOT_KEYS: Question = { name: [], type: RRType.DNSKEY }

export function isRootKeys(q: { name: readonly unknown[]; type: number }): boolean {
  return q.name.length === 0 && q.type === RRType.DNSKEY
}

/** One question to one resolver; returns the rcode, or null when no answer came. */
async function ask(r: ResolverSpec, q: Question, cd: boolean, opts: ProbeOptions):
  Promise<number | null> {
  // AD set in the query as well as DO (RFC 6840 5.7), as dig and most stubs send it: some
  // resolvers' answers depend on it (PowerDNS sets AD on a SERVFAIL only when asked with AD).
  const query = buildQuery({ id: randomInt(0, 65536), name: q.name, type: q.type, rd: true, cd,
    ad: true, dnssecOk: true, udpSize: 1232 })
  // A resolver doing a full recursion needs longer than an authoritative server.
  const timeoutMs = opts.timeoutMs ?? 4000
  const result: ExchangeResult<AttemptTransport> = r.url === undefined
    ? await exchange(r, query, { guard: opts.guard, timeoutMs, retries: 1 })
    : await dohExchange(r.url, query, { guard: opts.guard, timeoutMs,
      ...(opts.dohCa === undefined ? {} : { ca: opts.dohCa }) })
  const qname = nameToText(q.name).toLowerCase()
  for (const a of result.attempts) {
    opts.record.push({ server: r.address, port: r.port, transport: a.transport, qname,
      qtype: q.type, sentAt: a.sentAt, ms: a.ms, query: hex(a.query),
      response: a.response === null ? null : hex(a.response), resolver: r.name, cd,
      ...(a.error === undefined ? {} : { error: a.error }),
      ...(a.detail === undefined ? {} : { errorDetail: a.detail }) })
  }
  if (result.response === null) return null
  try {
    return decodeMessage(result.response).rcode
  } catch {
    return null
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}
