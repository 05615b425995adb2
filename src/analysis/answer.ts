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
  checkedDenialRecords, noteInconsistent, noteUnreachable, sigFields, statusFor,
} from './support.js'
import type { AnalyzeOptions, ZoneState } from './support.js'

export function analyzeAnswer(step: AnswerStep, zone: ZoneState, opts: AnalyzeOptions,
  findings: Finding[]): { report: AnswerReport; cause: Finding | null } {
  const qname = nameToText(step.question.name)
  const base = { name: qname, type: typeToText(step.question.type), zone: zone.report.zone }
  const { groups, failed } = groupResponses(step.responses)
  noteUnreachable(failed, zone.report.zone, findings)
  const first = groups[0]
  const records = first === undefined ? [] : [...first.message.answer].map((rr) => rrToText(rr))
  const rcode = first === undefined ? 'none' : rcodeToText(first.message.rcode)
  const servers = groups.flatMap((g) => g.servers)
  const report = (status: Status, signatures: SignatureReport[] = [],
    denial: string | null = null): AnswerReport =>
    ({ ...base, status, rcode, records, signatures, denial, servers })
  if (first === undefined && zone.status !== 'secure') {
    // The zone itself could not be checked; saying so again for the answer adds nothing.
    return { report: report(zone.status), cause: null }
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
  if (m.rcode !== Rcode.NOERROR && m.rcode !== Rcode.NXDOMAIN) {
    return { signatures, denial: null, cause: finding('SERVER_ERROR_RCODE', { zone: zoneName,
      servers: g.servers, severity: 'warning',
      message: `${g.servers.join(', ')} answered ${rcodeToText(m.rcode)} for ${qname}.`,
      advice: 'Check the server logs: it should answer for its own zone.' }) }
  }
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
      denial: `${denialWords(result.proof, qname, step.question.type)}. ${result.detail}` }
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
  const code = proof.records.length === 0 ? 'NSEC_PROOF_MISSING' : 'NSEC3_PROOF_INVALID'
  return { signatures, denial: result.detail, cause: finding(code, { zone: zoneName,
    servers: g.servers,
    message: `${g.servers.join(', ')} answered ${rcodeToText(m.rcode)} for ${qname} ${
      typeToText(step.question.type)} without a valid proof: ${result.detail}`,
    advice: advise(code, { zone: zoneName }) }) }
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

function denialWords(proof: string, qname: string, qtype: number): string {
  switch (proof) {
    case 'nxdomain': return `${qname} does not exist: the NSEC/NSEC3 records prove there is no `
      + 'such name and no wildcard that could make one'
    case 'nodata': return `${qname} exists but has no ${typeToText(qtype)} record: the record `
      + 'at that name lists the types it has, and this is not one'
    case 'wildcard-nodata': return `${qname} is covered by a wildcard that has no ${
      typeToText(qtype)} record`
    case 'wildcard-answer': return `the answer was made from a wildcard, and no closer name exists`
    default: return `proven: ${proof}`
  }
}
