// The analysis: judges a walk link by link from the trust anchor down, as a validating
// resolver would (RFC 4035 section 5), keeping every finding and naming the first broken
// link. Pure: the walk, the anchors and the time in; a Report out.
import { anchorsToText } from '../anchors.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { WalkResult, ZoneVisit } from '../probe/walker.js'
import { nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import { analyzeAnswer } from './answer.js'
import { analyzeZone } from './zone.js'
import { sortFindings } from './support.js'
import type { AnalyzeOptions, ZoneState } from './support.js'
import type { AnswerReport, Report } from './types.js'

export type { AnalyzeOptions } from './support.js'

export function analyze(walk: WalkResult, opts: AnalyzeOptions): Report {
  // Answer-level findings; each zone keeps its own, gathered below for the zones on the path.
  const findings: Finding[] = []
  const states = opts.states ?? new WeakMap<ZoneVisit, ZoneState>()
  const stateOf = (v: ZoneVisit): ZoneState => {
    const known = states.get(v)
    if (known !== undefined) return known
    const parent = v.parent === null ? null : stateOf(v.parent)
    const s = analyzeZone(v, parent, opts)
    states.set(v, s)
    return s
  }
  const answers: AnswerReport[] = []
  const stepStates: { zone: ZoneState; answer: AnswerReport; cause: Finding | null }[] = []
  for (const step of walk.steps) {
    const zone = stateOf(step.zone)
    const { report, cause } = analyzeAnswer(step, zone, opts, findings)
    answers.push(report)
    stepStates.push({ zone, answer: report, cause })
  }
  if (walk.aliasLoop !== null) {
    const loop = walk.aliasLoop.join(' -> ')
    findings.push(finding('CNAME_LOOP', { zone: nameToText(walk.question.name),
      evidence: [loop],
      message: `The alias chain loops: ${loop}. Resolvers give up on it and answer SERVFAIL, `
        + 'whatever DNSSEC says.',
      advice: 'Point one of these CNAME records at a name that has the record itself.' }))
  }
  if (walk.limits.length > 0) {
    findings.push(finding('WALK_LIMIT_REACHED', { zone: nameToText(walk.question.name),
      evidence: [...walk.limits],
      message: `The walk stopped early: ${walk.limits.join('; ')}.`,
      advice: 'Look for a referral or alias loop, or name servers without addresses, in the '
        + 'zones named above.' }))
  }
  const chain = orderedChain(walk, states)
  const zoneFindings = chain.flatMap((z) => z.findings)
  findings.push(...expiringSoon(chain, answers, opts))
  return {
    schema: 'dnssec-doctor/report/1',
    query: { name: nameToText(walk.question.name), type: typeToText(walk.question.type) },
    at: opts.at.toISOString(),
    ...verdict(stepStates, chain, states, walk),
    findings: sortFindings([...zoneFindings, ...findings]),
    chain: chain.map((s) => s.report),
    answers,
    trustAnchor: `${opts.anchors.source}: ${anchorsToText(opts.anchors).join('; ')}`,
    resolvers: [],
    conclusion: null,
  }
}

// ---------------------------------------------------------------------------------------
// The verdict: the first link that is not secure, walking from the anchor down.

function verdict(steps: { zone: ZoneState; answer: AnswerReport; cause: Finding | null }[],
  chain: ZoneState[], states: WeakMap<ZoneVisit, ZoneState>, walk: WalkResult):
  Pick<Report, 'status' | 'brokenLink' | 'insecureAt' | 'undecidedAt'> {
  let insecureAt: Report['insecureAt'] = null
  let undecidedAt: Report['undecidedAt'] = null
  let undecided = false
  for (const s of steps) {
    for (const z of pathTo(s.zone.visit).map((v) => states.get(v)).filter(isState)) {
      if (z.status === 'secure') continue
      if (z.cause !== null && z.status === 'bogus') {
        return { status: 'bogus', brokenLink: toLink(z.cause), insecureAt: null,
          undecidedAt: null }
      }
      if (z.status === 'insecure' && insecureAt === null && z.cause !== null) {
        insecureAt = { zone: z.report.zone, reason: z.cause.message }
      }
      if (z.status === 'indeterminate') {
        undecided = true
        undecidedAt ??= { zone: z.report.zone, reason: z.cause?.message ?? z.report.summary }
      }
      break
    }
    if (s.cause !== null && s.answer.status === 'bogus') {
      return { status: 'bogus', brokenLink: toLink(s.cause), insecureAt: null,
        undecidedAt: null }
    }
    if (s.answer.status === 'indeterminate') {
      undecided = true
      undecidedAt ??= { zone: s.answer.zone, reason: s.cause?.message ?? 'no usable answer' }
    }
    if (s.answer.status === 'insecure' && insecureAt === null) {
      const z = chain.find((c) => c.status === 'insecure' && c.cause !== null)
      insecureAt = s.cause !== null ? { zone: s.answer.zone, reason: s.cause.message }
        : { zone: z?.report.zone ?? s.answer.zone, reason: z?.cause?.message
          ?? 'the zone is unsigned' }
    }
  }
  if (steps.length === 0 || walk.limits.length > 0 || undecided) {
    undecidedAt ??= { zone: '.', reason: walk.limits.join('; ') || 'the walk did not finish' }
    return { status: 'indeterminate', brokenLink: null, insecureAt, undecidedAt }
  }
  return { status: insecureAt === null ? 'secure' : 'insecure', brokenLink: null, insecureAt,
    undecidedAt: null }
}

function toLink(f: Finding): NonNullable<Report['brokenLink']> {
  return { zone: f.zone, code: f.code, recordZone: f.recordZone ?? f.zone, party: f.party,
    servers: f.servers ?? [], ...(f.keyTag === undefined ? {} : { keyTag: f.keyTag }),
    ...(f.algorithm === undefined ? {} : { algorithm: f.algorithm }),
    message: f.message, advice: f.advice }
}

function orderedChain(walk: WalkResult, states: WeakMap<ZoneVisit, ZoneState>): ZoneState[] {
  const out: ZoneState[] = []
  for (const step of walk.steps) {
    for (const v of pathTo(step.zone)) {
      const s = states.get(v)
      if (s !== undefined && !out.includes(s)) out.push(s)
    }
  }
  return out
}

function pathTo(v: ZoneVisit): ZoneVisit[] {
  const path: ZoneVisit[] = []
  for (let z: ZoneVisit | null = v; z !== null; z = z.parent) path.unshift(z)
  return path
}

function isState(s: ZoneState | undefined): s is ZoneState {
  return s !== undefined
}


/** Days before expiry that count as "soon" when no --warn-days is given. */
export const DEFAULT_WARN_DAYS = 7

/**
 * One warning per zone whose earliest valid signature on the path expires within the window:
 * the alert that lets an operator re-sign before validators start failing (field case C03).
 */
function expiringSoon(chain: readonly ZoneState[], answers: readonly AnswerReport[],
  opts: AnalyzeOptions): Finding[] {
  const windowMs = (opts.warnDays ?? DEFAULT_WARN_DAYS) * 86_400_000
  const sigs = [...chain.flatMap((z) => [...z.report.dsSignatures, ...z.report.dnskeySignatures]),
    ...answers.flatMap((a) => a.signatures)].filter((s) => s.status === 'valid')
  const earliest = new Map<string, (typeof sigs)[number]>()
  for (const s of sigs) {
    const left = Date.parse(s.expiration) - opts.at.getTime()
    if (left > windowMs) continue
    const prev = earliest.get(s.signer)
    if (prev === undefined || Date.parse(s.expiration) < Date.parse(prev.expiration)) {
      earliest.set(s.signer, s)
    }
  }
  return [...earliest.values()].map((s) => {
    const days = Math.max(0, (Date.parse(s.expiration) - opts.at.getTime()) / 86_400_000)
    return finding('RRSIG_EXPIRES_SOON', { zone: s.signer, keyTag: s.keyTag,
      algorithm: s.algorithm, record: `${s.owner} ${s.covers}`, servers: s.servers,
      evidence: [`RRSIG ${s.covers} at ${s.owner} by key ${s.keyTag}: expires ${s.expiration}`],
      message: `The signature over ${s.owner} ${s.covers} by key ${s.keyTag} expires on ${
        s.expiration.slice(0, 10)}, in ${days < 1 ? 'less than a day' : `${Math.floor(days)} `
        + `day${Math.floor(days) === 1 ? '' : 's'}`}; the zone must be re-signed before then.`,
      advice: `Check that ${s.signer} is re-signed automatically and that every server gets the `
        + 'new signatures; validators fail the zone once this date passes.' })
  })
}
