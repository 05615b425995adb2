// What the zone and answer analyses share: the per-zone state, how server failures and
// disagreements become findings, and checking the signatures of denial records.
import type { TrustAnchors } from '../anchors.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { ZoneVisit } from '../probe/walker.js'
import { nameEquals } from '../wire/name.js'
import type { DNSKEYData, Message, RR } from '../wire/types.js'
import { RRType } from '../wire/types.js'
import { serverLabel } from './group.js'
import type { ResponseGroup } from './group.js'
import { rrsetsOf, validateRRset } from './rrset.js'
import type { SignatureReport, Status, ZoneReport } from './types.js'

export interface AnalyzeOptions {
  /**
   * Zone links already judged, by visit: a batch run judges each shared zone (the root, a
   * TLD) once, and every name below it reuses the judgement and its findings.
   */
  readonly states?: WeakMap<ZoneVisit, ZoneState>
  readonly anchors: TrustAnchors
  readonly at: Date
  /** Warn about signatures that expire within this many days of `at` (default 7). */
  readonly warnDays?: number
}

export interface ZoneState {
  readonly visit: ZoneVisit
  readonly status: Status
  /** Validated zone keys (empty unless secure). */
  readonly keys: readonly DNSKEYData[]
  readonly report: ZoneReport
  /** The finding that broke this link, when this link is where it broke. */
  readonly cause: Finding | null
  /** Everything found about this link (the cause included), reported with every name below. */
  readonly findings: readonly Finding[]
}

/** One finding per zone and kind of failure, listing every server that had it. */
export function noteUnreachable(responses: readonly { server: string; port: number;
  error: string | null; detail?: string }[], zone: string, findings: Finding[]): void {
  for (const r of responses) {
    if (r.error === null) continue
    const code = r.error === 'blocked' ? 'QUERY_BLOCKED'
      : r.error === 'malformed' || r.error === 'mismatch' ? 'RESPONSE_MALFORMED' : 'NS_UNREACHABLE'
    const label = serverLabel(r)
    const at = findings.findIndex((f) => f.code === code && f.zone === zone)
    const prev = findings[at]
    if (prev?.servers?.includes(label)) continue
    const servers = [...(prev?.servers ?? []), label]
    const what = code === 'QUERY_BLOCKED' ? 'stopped by the address guard (--allow-net)'
      : code === 'RESPONSE_MALFORMED' ? 'sent a response that cannot be used' : 'did not answer'
    const f = finding(code, { zone, servers,
      evidence: [...(prev?.evidence ?? []),
        `${label}: ${r.error}${r.detail ? `: ${r.detail}` : ''}`],
      message: `${servers.length === 1 ? 'A server' : `${servers.length} servers`} of ${zone} `
        + `(${servers.join(', ')}): ${what}.`,
      advice: code === 'QUERY_BLOCKED' ? 'Widen --allow-net if these servers should be asked.'
        : `Repair ${servers.join(', ')} or remove it from the NS set of ${zone}; while other `
          + 'servers answer, resolvers mask the fault, but each lookup that tries it is slower.' })
    if (prev === undefined) findings.push(f)
    else findings[at] = f
  }
}

export function noteInconsistent(zone: string, what: string, groups: readonly ResponseGroup[],
  findings: Finding[]): void {
  findings.push(finding('NS_INCONSISTENT', { zone, servers: groups.flatMap((g) => g.servers),
    evidence: groups.map((g) => `${g.servers.join(', ')}: ${serialOf(g.message)}${
      g.message.answer.length} answer records, ${g.message.authority.length} authority records`),
    message: `The servers of ${zone} give ${groups.length} different answers to ${what}: ${
      groups.map((g) => g.servers.join(', ')).join(' / ')}.`,
    advice: 'Make every server serve the same, current copy of the zone (check zone '
      + 'transfers, NOTIFY and the serial on each server).' }))
}

export function serialOf(m: Message): string {
  const soa = [...m.answer, ...m.authority].find((rr) => rr.data.kind === 'SOA')
  return soa?.data.kind === 'SOA' ? `serial ${soa.data.serial}, ` : ''
}

/** Each server's SOA serial for the zone, by server label. */
export function serialsOf(v: ZoneVisit): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of v.soa) {
    const soa = r.message?.answer.find((rr) => rr.data.kind === 'SOA' && nameEquals(rr.name,
      v.zone))
    if (soa?.data.kind === 'SOA') out.set(serverLabel(r), soa.data.serial)
  }
  return out
}

/**
 * A fault only some servers have: say so, with each side's serial, since resolvers then fail
 * only when they pick a bad server ("it works sometimes").
 */
export function onlySome(f: Finding, serials: Map<string, number>): Finding {
  const bad = f.servers ?? []
  const good = [...serials.keys()].filter((s) => !bad.includes(s))
  const serial = (s: string): string => (serials.has(s) ? ` (serial ${serials.get(s)})` : '')
  return { ...f, message: `${f.message} Only ${bad.map((s) => `${s}${serial(s)}`).join(', ')} `
    + `serve${bad.length === 1 ? 's' : ''} this; ${good.map((s) => `${s}${serial(s)}`).join(', ')
    } serve${good.length === 1 ? 's' : ''} a valid copy, so resolvers fail only when they ask `
    + `${bad.length === 1 ? 'that server' : 'those servers'}.`,
  advice: `${f.advice} Make ${bad.join(', ')} load the current signed zone (check zone `
    + 'transfers, NOTIFY and its SOA expire time, which should be shorter than the signature '
    + 'lifetime).' }
}

export function sortFindings(list: Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 } as const
  return [...list].sort((a, b) => rank[a.severity] - rank[b.severity])
}

export function sigFields(s: SignatureReport | null): { keyTag?: number; algorithm?: number;
  evidence?: string[] } {
  if (s === null) return {}
  return { keyTag: s.keyTag, algorithm: s.algorithm, evidence: [`RRSIG ${s.covers} by key ${
    s.keyTag} (algorithm ${s.algorithm}), signer ${s.signer}, inception ${s.inception}, `
    + `expiration ${s.expiration}: ${s.status}`] }
}

/** A spent budget leaves a link undecided; an unusable proof, unsigned; the rest is bogus. */
export function statusFor(code: Finding['code']): Status {
  if (code === 'VALIDATION_BUDGET_EXCEEDED' || code === 'SERVER_ERROR_RCODE') {
    return 'indeterminate'
  }
  return code === 'NSEC3_ITERATIONS_EXCESSIVE' || code === 'INSECURE_DELEGATION'
    || code === 'NSEC3_OPT_OUT_INSECURE' ? 'insecure'
    : 'bogus'
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

/** The NSEC/NSEC3 records of a response, each RRset's signature checked first. */
export function checkedDenialRecords(m: Message, zone: ZoneState, servers: readonly string[],
  opts: AnalyzeOptions, signatures: SignatureReport[]):
  { records: RR[]; bad: { code: NonNullable<Finding['code']>; culprit: SignatureReport | null }
  | null } {
  const records: RR[] = []
  for (const set of rrsetsOf(m.authority)) {
    const head = set[0]
    if (head === undefined || (head.type !== RRType.NSEC && head.type !== RRType.NSEC3
      && head.type !== RRType.SOA)) continue
    const out = validateRRset({ rrset: set, sigs: m.authority, keys: zone.keys,
      zone: zone.visit.zone, at: opts.at, servers })
    signatures.push(...out.signatures)
    if (out.status !== 'secure') {
      return { records, bad: { code: out.code, culprit: out.culprit } }
    }
    if (head.type !== RRType.SOA) records.push(...set)
  }
  return { records, bad: null }
}
