// What the zone and answer analyses share: the per-zone state, how server failures and
// disagreements become findings, and checking the signatures of denial records.
import type { TrustAnchors } from '../anchors.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { ZoneVisit } from '../probe/walker.js'
import { nameEquals } from '../wire/name.js'
import type { DNSKEYData, Message, RR } from '../wire/types.js'
import { RRType } from '../wire/types.js'
import type { DenialFailure } from '../dnssec/denial.js'
import type { ServerResponse } from '../probe/walker.js'
import { nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import { groupsByData, lameReason, serverLabel } from './group.js'
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

/**
 * One finding per zone and kind of failure, listing every server that had it (with its first
 * failure). `question`: the question, named in the evidence when it is not the zone's DNSKEY.
 */
export function noteUnreachable(responses: readonly { server: string; port: number;
  error: string | null; detail?: string }[], zone: string, findings: Finding[],
  question?: string): void {
  for (const r of responses) {
    // A failed TCP fallback has its own finding (noteTcpFallback): it is not a silent server.
    if (r.error === null || r.error === 'tcp-fallback') continue
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
        `${label}: ${question === undefined ? '' : `${question}: `}${r.error}${
          r.detail ? `: ${r.detail}` : ''}`],
      message: `${servers.length === 1 ? 'A server' : `${servers.length} servers`} of ${zone} `
        + `(${servers.join(', ')}): ${what}.`,
      advice: code === 'QUERY_BLOCKED' ? 'Widen --allow-net if these servers should be asked.'
        : `Repair ${servers.join(', ')} or remove it from the NS set of ${zone}; while other `
          + 'servers answer, resolvers mask the fault, but each lookup that tries it is slower.' })
    if (prev === undefined) findings.push(f)
    else findings[at] = f
  }
}

/**
 * The lame-delegation finding of `zone`: SERVER_ERROR_RCODE without a record (the one with a
 * record is about the check's own NS/CDS/CDNSKEY questions, from servers that serve the zone).
 */
export function isLameFinding(f: Finding, zone: string): boolean {
  return f.code === 'SERVER_ERROR_RCODE' && f.zone === zone && f.record === undefined
}

/**
 * One SERVER_ERROR_RCODE per zone for the servers that answered but not as servers of the zone
 * (lame): named, with what each said, and kept apart from the verdict. With `extra` (the
 * check's own questions: NS, CDS, CDNSKEY), a server that answered the zone's other questions
 * is not lame: it gets a second SERVER_ERROR_RCODE, on record "ZONE EXTRA", worded for what it
 * breaks (CDS scanning, the NS comparison); one already found lame takes the line in the first.
 */
export function noteLame(lame: readonly ServerResponse[], zone: string, findings: Finding[],
  authoritative: boolean, extra?: string): void {
  for (const r of lame) {
    const m = r.message
    const why = m === null ? null : lameReason(m, authoritative)
    if (why === null) continue
    const label = serverLabel(r)
    const q = m?.question[0]
    const asked = q === undefined ? '' : ` to ${nameToText(q.name)} ${typeToText(q.type)}`
    const lameAt = findings.findIndex((f) => isLameFinding(f, zone))
    const partly = extra !== undefined && !(findings[lameAt]?.servers ?? []).includes(label)
    const at = partly ? findings.findIndex((f) => f.code === 'SERVER_ERROR_RCODE'
      && f.zone === zone && f.record !== undefined) : lameAt
    const prev = findings[at]
    const line = `${label}${asked}: ${why}`
    if (prev?.evidence?.includes(line)) continue
    const servers = [...new Set([...(prev?.servers ?? []), label])]
    const evidence = [...(prev?.evidence ?? []), line]
    const their = servers.length === 1 ? 'its' : 'their'
    const f = partly ? finding('SERVER_ERROR_RCODE', { zone, servers, evidence,
      record: `${zone} ${[...new Set([...(prev?.record?.split(' ')[1]?.split('/') ?? []),
        extra])].join('/')}`,
      message: `${servers.join(', ')} serve${servers.length === 1 ? 's' : ''} ${zone} but `
        + `answered the check's own questions with an error: ${evidence.join('; ')}. Resolvers `
        + `do not ask these, so names still resolve; but a parent that scans for CDS or CDNSKEY `
        + `(RFC 7344, RFC 8078) cannot read ${their} answer, and the `
        + 'NS set cannot be compared with the delegation.',
      advice: `Have ${servers.join(', ')} answer every type for ${zone}: NOERROR with no data `
        + 'for a type the zone does not have (RFC 3597 for types the software does not know); '
        + 'upgrade or replace server software that returns FORMERR or NOTIMP for them.' })
      : finding('SERVER_ERROR_RCODE', { zone, servers, evidence,
        message: `${servers.join(', ')}, listed as ${servers.length === 1 ? 'a name server'
          : 'name servers'} of ${zone}, ${servers.length === 1 ? 'does' : 'do'} not serve it `
          + `(a lame delegation): ${evidence.join('; ')}. Its answers are not used as evidence `
          + 'about the zone; resolvers that ask it lose time, then try another server.',
        advice: `Make ${servers.join(', ')} load and serve ${zone}, or remove ${servers.length
          === 1 ? 'it' : 'them'} from the NS records of ${zone} at the parent and in the zone.` })
    if (prev === undefined) findings.push(f)
    else findings[at] = f
  }
}

/**
 * The finding for servers whose truncated UDP answer could not be completed over TCP. With
 * `decisive` no server delivered the RRset: validators fail there, so it is the cause (error);
 * otherwise a warning on the servers that cannot, since resolvers retry the others.
 */
export function noteTcpFallback(responses: readonly ServerResponse[], zone: string,
  what: string, decisive: boolean, recordZone: string = zone): Finding | null {
  const bad = responses.filter((r) => r.error === 'tcp-fallback')
  if (bad.length === 0) return null
  const servers = bad.map(serverLabel)
  const evidence = bad.flatMap((r) => [
    `${serverLabel(r)}: UDP answer to ${what} had TC=1${r.truncated === undefined ? ''
      : ` (${r.truncated.udpBytes} bytes sent; the full answer is larger than the ${
        r.truncated.bufferSize}-byte EDNS buffer offered)`}`,
    `${serverLabel(r)}: the same query over TCP failed: ${r.truncated?.tcpError ?? r.detail
      ?? 'no answer'}`])
  const size = bad[0]?.truncated?.bufferSize
  return finding('TCP_FALLBACK_FAILED', { zone, recordZone, servers, evidence,
    ...(decisive ? {} : { severity: 'warning' as const }),
    message: `A truncated UDP answer could not be completed over TCP: ${servers.join(', ')} `
      + `answered ${what} with TC=1${size === undefined ? '' : ` (more than ${size} bytes)`}, and `
      + `the TCP retry failed (${bad[0]?.truncated?.tcpError ?? bad[0]?.detail ?? 'no answer'}). `
      + (decisive ? `Validators cannot get ${what} at all and answer SERVFAIL for the names `
        + 'that need it.' : 'Resolvers that ask this server fail over to the others.'),
    advice: `Allow DNS over TCP on port 53 at ${servers.join(', ')} (server configuration and `
      + 'firewalls; RFC 7766 requires it), or shrink the answer so it fits in UDP: fewer keys, '
      + 'and ECDSA P-256 (algorithm 13) instead of large RSA keys.' })
}

/**
 * The code for a denial proof that fails: a record the proof needs that was not sent is
 * NSEC_PROOF_MISSING; records that contradict the claim are *_PROOF_INVALID, by mechanism.
 */
export function proofFailureCode(result: DenialFailure, records: number):
  'NSEC_PROOF_MISSING' | 'NSEC_PROOF_INVALID' | 'NSEC3_PROOF_INVALID' {
  if (records === 0 || result.recordAbsent) return 'NSEC_PROOF_MISSING'
  return result.mechanism === 'nsec3' ? 'NSEC3_PROOF_INVALID' : 'NSEC_PROOF_INVALID'
}

/**
 * NS_INCONSISTENT when the servers differ in data. Groups that differ only in signature bytes
 * (online or ECDSA signing, same key and window) are one answer here, though each was verified.
 */
export function noteInconsistent(zone: string, what: string,
  signedGroups: readonly ResponseGroup[], findings: Finding[]): void {
  const groups = groupsByData(signedGroups)
  if (groups.length < 2) return
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
 * A fault only some servers have: say so, with each side's serial when known (a lean batch
 * asks no SOA), since resolvers then fail only when they pick a bad server ("it works
 * sometimes"). `good`: the servers whose data validated.
 */
export function onlySome(f: Finding, good: readonly string[],
  serials: Map<string, number>): Finding {
  const bad = f.servers ?? []
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
