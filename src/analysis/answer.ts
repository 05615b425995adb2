// The answer to the question, validated with the keys of the zone that gave it, and negative
// answers with their NSEC/NSEC3 proof (RFC 4035 5.3, 5.4; RFC 5155 8).
import { labelCount } from '../dnssec/canonical.js'
import { proveNodata, proveNxdomain, proveWildcardAnswer } from '../dnssec/denial.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { AnswerStep } from '../probe/walker.js'
import { isSubdomain, nameEquals, nameToText } from '../wire/name.js'
import { rcodeToText, rrToText, typeToText } from '../wire/text.js'
import type { RR } from '../wire/types.js'
import { Rcode, RRType } from '../wire/types.js'
import { groupResponses, serverLabel } from './group.js'
import type { ResponseGroup } from './group.js'
import { advise, describeSig } from './explain.js'
import { algorithmGap, ttlNotes } from './hygiene.js'
import { rrsetsOf, validateRRset } from './rrset.js'
import { errorInUnsignedZone, negativeWithoutSoa } from './server-answers.js'
import type { AnswerReport, SignatureReport, Status } from './types.js'
import {
  checkedDenialRecords, isLameFinding, noteInconsistent, noteLame, noteTcpFallback, noteUnreachable,
  proofFailureCode, sigFields, statusFor,
} from './support.js'
import type { AnalyzeOptions, ZoneState } from './support.js'

export function analyzeAnswer(step: AnswerStep, zone: ZoneState, opts: AnalyzeOptions,
  findings: Finding[]): { report: AnswerReport; cause: Finding | null } {
  const qname = nameToText(step.question.name)
  const base = { name: qname, type: typeToText(step.question.type), zone: zone.report.zone }
  // Lame servers' error answers are noted, never judged as the zone's answer.
  const { groups, failed, lame } = groupResponses(step.responses, { authoritative: true })
  noteUnreachable(failed, zone.report.zone, findings)
  // Only the lame finding: the one about the check's own CDS/CDNSKEY/NS questions names
  // servers that do serve the zone, whose error to this question counts.
  const isLame = (f: Finding): boolean => isLameFinding(f, zone.report.zone)
  const named = new Set(zone.findings.filter(isLame).flatMap((f) => f.servers ?? []))
  // A server already named lame for the zone's own queries is not named again per answer.
  noteLame(lame.filter((r) => !named.has(serverLabel(r))), zone.report.zone, findings, true)
  const tcp = noteTcpFallback(step.responses, zone.report.zone,
    `${qname} ${typeToText(step.question.type)}`, groups.length === 0)
  const first = groups[0]
  // What the report shows: the zone's answer, or else what a lame server said.
  const shown = first?.message ?? lame[0]?.message ?? null
  const records = shown === null ? [] : [...shown.answer].map((rr) => rrToText(rr))
  const rcode = shown === null ? 'none' : rcodeToText(shown.rcode)
  const servers = groups.flatMap((g) => g.servers)
  const report = (status: Status, signatures: SignatureReport[] = [],
    denial: string | null = null): AnswerReport =>
    ({ ...base, status, rcode, records, signatures, denial, servers })
  if (first === undefined && zone.status !== 'secure') {
    // The zone itself could not be checked; saying so again for the answer adds nothing.
    return { report: report(zone.status), cause: null }
  }
  if (tcp !== null && groups.length === 0) {
    findings.push(tcp)
    return { report: report(statusFor(tcp.code)), cause: tcp }
  }
  if (tcp !== null) findings.push(tcp)
  if (first === undefined && lame.length > 0) {
    // Every server that answered is lame: nothing to judge, the answer is undecided.
    const f = [...findings, ...zone.findings].find(isLame) ?? null
    return { report: report('indeterminate'), cause: f }
  }
  if (first === undefined) {
    const f = finding('NS_UNREACHABLE', { zone: zone.report.zone,
      servers: failed.map(serverLabel),
      message: `No server of ${zone.report.zone} answered ${qname} ${base.type}.`,
      advice: 'Make sure the name servers are reachable over UDP and TCP on port 53.' })
    findings.push(f)
    return { report: report('indeterminate'), cause: f }
  }
  for (const g of groups) {
    const side = [negativeWithoutSoa(step, zone, g),
      zone.status === 'insecure' ? errorInUnsignedZone(step, zone, g) : null]
    for (const f of side) if (f !== null) findings.push(f)
  }
  if (zone.status !== 'secure') return { report: report(zone.status), cause: null }
  if (groups.length > 1) noteInconsistent(zone.report.zone, `${qname} ${base.type}`, groups,
    findings)
  const sigs: SignatureReport[] = []
  let denialText: string | null = null
  let cause: Finding | null = null
  for (const g of groups) {
    const r = judgeAnswer(step, zone, g, opts)
    sigs.push(...r.signatures)
    for (const n of r.notes ?? []) {
      if (!findings.some((f) => f.code === n.code && f.zone === n.zone && f.record === n.record)) {
        findings.push(n)
      }
    }
    denialText ??= r.denial
    if (r.cause !== null && cause === null) cause = r.cause
  }
  if (cause !== null) {
    findings.push(cause)
    return { report: report(statusFor(cause.code), sigs, denialText), cause }
  }
  return { report: report('secure', sigs, denialText), cause: null }
}

interface AnswerJudgement {
  readonly signatures: SignatureReport[]
  readonly denial: string | null
  readonly cause: Finding | null
  /** Findings that do not change the verdict (a proof that holds but is costly). */
  readonly notes?: Finding[]
}

function judgeAnswer(step: AnswerStep, zone: ZoneState, g: ResponseGroup, opts: AnalyzeOptions):
  AnswerJudgement {
  const m = g.message
  const zoneName = zone.report.zone
  const qname = nameToText(step.question.name)
  const signatures: SignatureReport[] = []
  const inZone = (rr: RR): boolean => isSubdomain(rr.name, zone.visit.zone)
  const sets = rrsetsOf(m.answer).filter((s) => s[0] !== undefined && inZone(s[0]))
  const dnames = m.answer.filter((rr) => rr.type === RRType.DNAME)
  let wildcardLabels: number | null = null
  const notes: Finding[] = []
  const ctx = { zone: zoneName, servers: g.servers, at: opts.at }
  for (const set of sets) {
    const head = set[0] as RR
    // A CNAME synthesised from a DNAME is unsigned by design (RFC 6672 section 5.3.1).
    if (head.type === RRType.CNAME && dnames.length > 0
      && !m.answer.some((s) => s.data.kind === 'RRSIG' && s.data.typeCovered === RRType.CNAME
        && nameEquals(s.name, head.name))) continue
    const out = validateRRset({ rrset: set, sigs: m.answer, keys: zone.keys,
      zone: zone.visit.zone, at: opts.at, servers: g.servers })
    signatures.push(...out.signatures)
    if (out.status !== 'secure') {
      return { signatures, denial: null, cause: finding(out.code, { zone: zoneName,
        servers: g.servers, record: `${nameToText(head.name)} ${typeToText(head.type)}`,
        ...sigFields(out.culprit),
        message: `${describeRRset(head)} from ${g.servers.join(', ')}: ${
          describeSig(out.code, out.culprit, opts.at)}.`,
        advice: advise(out.code, { zone: zoneName }) }) }
    }
    notes.push(...ttlNotes(set, m.answer, out.validKeyTags, ctx))
    const gap = algorithmGap(set, m.answer, zone.keys, zone.visit.zone, ctx)
    if (gap !== null) notes.push(gap)
    const used = m.answer.find((s) => s.data.kind === 'RRSIG' && nameEquals(s.name, head.name)
      && s.data.typeCovered === head.type)
    if (used?.data.kind === 'RRSIG' && used.data.labels < labelCount(head.name)) {
      wildcardLabels = used.data.labels
    }
  }
  const answered = sets.length > 0
  if (answered && wildcardLabels === null) return { signatures, denial: null, cause: null, notes }
  // Negative answers, and wildcard expansions, need NSEC/NSEC3 proof (RFC 4035 5.4, 5.3.4).
  const proof = checkedDenialRecords(m, zone, g.servers, opts, signatures)
  if (proof.bad !== null) {
    return { signatures, denial: null, cause: finding(proof.bad.code, { zone: zoneName,
      servers: g.servers, ...sigFields(proof.bad.culprit),
      message: `The negative answer for ${qname} from ${g.servers.join(', ')} is not validly `
        + `signed: ${describeSig(proof.bad.code, proof.bad.culprit, opts.at)}.`,
      advice: advise(proof.bad.code, { zone: zoneName }) }) }
  }
  const where = { name: step.question.name, zone: zone.visit.zone }
  const result = answered
    ? proveWildcardAnswer({ ...where, labels: wildcardLabels ?? 0 }, proof.records)
    : m.rcode === Rcode.NXDOMAIN
      ? proveNxdomain(where, proof.records)
      : proveNodata({ ...where, type: step.question.type }, proof.records)
  if (result.ok && !result.optOut) {
    return { signatures, cause: null,
      notes: [...notes, ...iterationNote(proof.records, zoneName, g.servers)],
      denial: `${denialWords(result.proof, qname, step.question.type, result.detail)}. ${
        result.detail}` }
  }
  if (result.ok) {
    // Opt-out spans may hide unsigned delegations: the denial is not proven (RFC 5155 9.2).
    return { signatures, denial: result.detail, cause: finding('NSEC3_OPT_OUT_INSECURE', {
      zone: zoneName, servers: g.servers,
      message: `The NSEC3 record that covers ${qname} has the opt-out flag: the name may be an `
        + `unsigned delegation, so the answer is insecure (RFC 5155 section 9.2). ${
          result.detail}`,
      advice: 'Nothing is broken; opt-out is a choice of the zone operator.' }) }
  }
  if (result.reason === 'iterations-too-high') {
    // Above the iteration limit validators stop hashing and treat the answer as unsigned
    // (RFC 9276 section 3.2): insecure, and worth fixing.
    return { signatures, denial: result.detail, cause: finding('NSEC3_ITERATIONS_EXCESSIVE', {
      zone: zoneName, servers: g.servers,
      message: `${zoneName} uses NSEC3 with more iterations than validators accept, so they `
        + `treat the answer for ${qname} as unsigned (RFC 9276). ${result.detail}`,
      advice: `Re-sign ${zoneName} with NSEC3 iterations 0 and an empty salt.` }) }
  }
  if (result.reason === 'budget-exceeded') {
    return { signatures, denial: result.detail, cause: finding('VALIDATION_BUDGET_EXCEEDED', {
      zone: zoneName, servers: g.servers,
      message: `The proof for ${qname} needs more NSEC3 hashing than a validator will do: ${
        result.detail}`,
      advice: advise('VALIDATION_BUDGET_EXCEEDED', { zone: zoneName }) }) }
  }
  const code = proofFailureCode(result, proof.records.length)
  const qtype = typeToText(step.question.type)
  const by = g.servers.join(', ')
  // Why a proof is needed at all, for a reader who has never met NSEC.
  const why = 'In a signed zone, an answer saying a name or a type does not exist must carry '
    + 'signed NSEC or NSEC3 records that prove it; without them a validator cannot tell it from '
    + 'a forged denial.'
  let message = `${by} answered ${rcodeToText(m.rcode)} for ${qname} ${qtype} without a valid `
    + `proof: ${result.detail} ${why}`
  if (answered && wildcardLabels !== null) {
    // RFC 4035 5.3.4: fewer RRSIG labels than the owner has means a wildcard expansion, and
    // then the response must show that no closer name exists.
    const source = `*.${nameToText(step.question.name.slice(
      step.question.name.length - wildcardLabels))}`
    message = `${by} answered ${qname} ${qtype} from the wildcard ${source}: the RRSIG labels `
      + `count is ${wildcardLabels}, less than the ${labelCount(step.question.name)} labels of `
      + `${qname}. Such an answer must come with an NSEC or NSEC3 record proving that ${qname} `
      + `itself does not exist (RFC 4035 5.3.4, RFC 5155 8.8), and ${code === 'NSEC_PROOF_MISSING'
        ? 'that record is missing' : 'the records sent do not prove it'}: ${result.detail}`
  }
  return { signatures, denial: result.detail, cause: finding(code, { zone: zoneName,
    servers: g.servers, message, advice: advise(code, { zone: zoneName }) }) }
}

/**
 * A proof that holds, with NSEC3 iterations above the 0 RFC 9276 asks for: validators with a
 * lower limit than ours (Knot Resolver 5.6 stops at 50) already treat it as unsigned.
 */
function iterationNote(records: readonly RR[], zone: string, servers: readonly string[]):
  Finding[] {
  const most = Math.max(0, ...records.map((rr) => (rr.data.kind === 'NSEC3'
    ? rr.data.iterations : 0)))
  if (most === 0) return []
  return [finding('NSEC3_ITERATIONS_EXCESSIVE', { zone, servers,
    message: `${zone} uses NSEC3 with ${most} extra iterations. The proof holds here (the limit `
      + 'is 150, as in unbound, BIND and PowerDNS), but RFC 9276 asks for 0, and validators with '
      + 'a lower limit (Knot Resolver: 50) treat such answers as unsigned.',
    advice: `Re-sign ${zone} with NSEC3 iterations 0 and an empty salt.` })]
}

function describeRRset(rr: RR): string {
  return `${nameToText(rr.name)} ${typeToText(rr.type)}`
}

/**
 * The proof in plain words, for a reader who has never met NSEC: what the records are and
 * what they show here. The records themselves follow (the detail).
 */
function denialWords(proof: string, qname: string, qtype: number, detail: string): string {
  const type = typeToText(qtype)
  const hashed = /\bNSEC3\b/.test(detail)
  const chain = hashed
    ? 'A zone signed with NSEC3 publishes a chain of records linking the hash of each name '
      + 'that exists to the next hash in order'
    : 'A signed zone publishes a chain of NSEC records linking each name that exists to the '
      + 'next one in order'
  switch (proof) {
    case 'nxdomain': return `${qname} does not exist. ${chain}; here one link jumps over ${
      hashed ? 'its hash' : 'it'}, and another shows that no wildcard (*) could answer instead`
    case 'nodata': return `${qname} exists but has no ${type} record. Its ${
      hashed ? 'NSEC3' : 'NSEC'} record lists the record types the name has (the type bitmap), `
      + `and ${type} is not among them`
    case 'wildcard-nodata': return `${qname} would be answered by a wildcard (*), which has no ${
      type} record. ${chain}; they show no closer name exists`
    case 'wildcard-answer': return 'The answer was made from a wildcard (*) record: its signature '
      + `counts fewer labels than the name. ${chain}; here one link jumps over ${qname}, so no `
      + 'closer name exists and the wildcard really applies'
    default: return `proven: ${proof}`
  }
}
