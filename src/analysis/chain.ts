// The analysis: judges a walk link by link from the trust anchor down, as a validating
// resolver would (RFC 4035 section 5), keeping every finding and naming the first broken
// link. Pure: the walk, the anchors and the time in; a Report out.
import type { TrustAnchors } from '../anchors.js'
import { anchorsToText } from '../anchors.js'
import { algorithmInfo, digestInfo } from '../dnssec/algorithms.js'
import { proveNoDs, proveNodata, proveNxdomain, proveWildcardAnswer } from '../dnssec/denial.js'
import { dsDigest } from '../dnssec/digest.js'
import { keyTag } from '../dnssec/keytag.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { AnswerStep, WalkResult, ZoneVisit } from '../probe/walker.js'
import { isSubdomain, nameEquals, nameToText } from '../wire/name.js'
import { rcodeToText, rrToText, typeToText } from '../wire/text.js'
import type { DNSKEYData, DSData, Message, Name, RR } from '../wire/types.js'
import { Rcode, RRType } from '../wire/types.js'
import { groupResponses, serverLabel } from './group.js'
import type { ResponseGroup } from './group.js'
import { advise, describeSig } from './explain.js'
import { DNSKEY_FLAG_REVOKE, DNSKEY_FLAG_SEP, rrsetsOf, validateRRset } from './rrset.js'
import type {
  AnswerReport, DsReport, KeyReport, Report, ServerReport, SignatureReport, Status, ZoneReport,
} from './types.js'

export interface AnalyzeOptions {
  readonly anchors: TrustAnchors
  readonly at: Date
}

interface ZoneState {
  readonly visit: ZoneVisit
  readonly status: Status
  /** Validated zone keys (empty unless secure). */
  readonly keys: readonly DNSKEYData[]
  readonly report: ZoneReport
  /** The finding that broke this link, when this link is where it broke. */
  readonly cause: Finding | null
}

export function analyze(walk: WalkResult, opts: AnalyzeOptions): Report {
  const findings: Finding[] = []
  const states = new Map<ZoneVisit, ZoneState>()
  const stateOf = (v: ZoneVisit): ZoneState => {
    const known = states.get(v)
    if (known !== undefined) return known
    const parent = v.parent === null ? null : stateOf(v.parent)
    const s = analyzeZone(v, parent, opts, findings)
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
  return {
    schema: 'dnssec-doctor/report/1',
    query: { name: nameToText(walk.question.name), type: typeToText(walk.question.type) },
    at: opts.at.toISOString(),
    ...verdict(stepStates, chain, states, walk),
    findings: sortFindings(findings),
    chain: chain.map((s) => s.report),
    answers,
    trustAnchor: `${opts.anchors.source}: ${anchorsToText(opts.anchors).join('; ')}`,
    resolvers: [],
    conclusion: null,
  }
}

// ---------------------------------------------------------------------------------------
// One zone link: DS at the parent (or the trust anchor), then the zone's DNSKEY RRset.

function analyzeZone(v: ZoneVisit, parent: ZoneState | null, opts: AnalyzeOptions,
  findings: Finding[]): ZoneState {
  const zone = nameToText(v.zone)
  const serials = serialsOf(v)
  const servers = v.nameServers.flatMap((ns) => ns.addresses.map((a) => ({
    address: a.address, port: a.port, names: ns.name === null ? [] : [nameToText(ns.name)],
    serial: serials.get(serverLabel({ server: a.address, port: a.port })) ?? null })))
  const base = { zone, parent: parent === null ? null : parent.report.zone, servers: mergeServers(
    servers), ds: [] as DsReport[], dsSignatures: [] as SignatureReport[],
  dnskeys: [] as KeyReport[], dnskeySignatures: [] as SignatureReport[] }
  const done = (status: Status, summary: string, keys: readonly DNSKEYData[] = [],
    cause: Finding | null = null, extra: Partial<ZoneReport> = {}): ZoneState => ({
    visit: v, status, keys, cause, report: { ...base, ...extra, status, summary },
  })

  if (parent !== null && parent.status !== 'secure') {
    const why = parent.status === 'insecure' ? 'the parent zone is unsigned, so this one is too'
      : 'not validated: the chain is already broken above'
    return done(parent.status, why)
  }
  noteUnreachable(v.dnskey, zone, findings)
  if (v.unresolvedNameServers.length > 0) {
    const names = v.unresolvedNameServers.map(nameToText)
    findings.push(finding('NS_NO_ADDRESS', { zone, recordZone: base.parent ?? zone,
      evidence: names,
      message: `${names.length === 1 ? 'Name server' : `${names.length} name servers`} of ${zone} `
        + `(${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}) could not be given `
        + `an address: ${v.unresolvedNameServers.some((n) => isSubdomain(n, v.zone))
          ? `a name server inside ${zone} needs glue (an address record) in the referral from ${
            base.parent ?? 'the parent'}, and there is none` : 'its own name does not resolve'}.`,
      advice: `Add the glue addresses at the registrar (${base.parent ?? 'the parent'} zone), or `
        + 'use name servers whose names resolve.' }))
  }

  // Step 1: the DS set that vouches for this zone.
  let dsSet: DSData[]
  let dsServers = ['trust anchor']
  let dsSignatures: SignatureReport[] = []
  if (parent === null) {
    dsSet = [...opts.anchors.ds]
  } else {
    const r = judgeDs(v, parent, opts, findings)
    dsSignatures = r.signatures
    if (r.state !== null) {
      return done(r.state.status, r.state.summary, [], r.state.cause, { dsSignatures })
    }
    dsSet = r.ds
    dsServers = r.servers
  }
  const usable = dsSet.filter((d) => algorithmInfo(d.algorithm).supported
    && digestInfo(d.digestType).supported)
  for (const d of dsSet.filter((x) => !usable.includes(x))) {
    findings.push(finding('DS_UNSUPPORTED_ENTRY', { zone, recordZone: base.parent ?? zone,
      keyTag: d.keyTag, algorithm: d.algorithm,
      message: `The DS for ${zone} with key tag ${d.keyTag} uses algorithm ${d.algorithm} and `
        + `digest type ${d.digestType}; at least one of them is not supported here.`,
      advice: 'Nothing to do if another DS validates the zone; otherwise see the verdict.' }))
  }
  if (usable.length === 0) {
    const f = finding('ALGORITHM_UNSUPPORTED', { zone, recordZone: base.parent ?? zone,
      message: `Every DS for ${zone} uses an algorithm or digest type this validator does not `
        + 'support, so the zone counts as unsigned (RFC 4035 section 5.2).',
      advice: 'Re-sign the zone with algorithm 13 or 8 and publish a SHA-256 DS (RFC 8624).' })
    findings.push(f)
    return done('insecure', 'DS uses only unsupported algorithms: treated as unsigned', [], f,
      { dsSignatures })
  }

  // Step 2: the zone's DNSKEY RRset, per group of servers that served the same one.
  const { groups } = groupResponses(v.dnskey)
  if (groups.length === 0) {
    const blocked = v.dnskey.length > 0 && v.dnskey.every((r) => r.error === 'blocked')
    const f = finding(blocked ? 'QUERY_BLOCKED' : 'NS_UNREACHABLE', { zone,
      servers: v.dnskey.map(serverLabel),
      message: blocked ? `Every server of ${zone} is outside the networks --allow-net permits, `
        + 'so nothing could be asked.'
        : `No server of ${zone} answered the DNSKEY query, so the zone cannot be checked.`,
      advice: blocked ? 'Widen --allow-net, or give --root-hints inside it.'
        : 'Make sure the name servers are reachable over UDP and TCP on port 53.' })
    return done('indeterminate', blocked ? 'every server blocked by --allow-net'
      : 'no server answered', [], f, { dsSignatures })
  }
  if (groups.length > 1) noteInconsistent(zone, 'DNSKEY', groups, findings)
  const dsReports = new Map<string, DsReport>()
  const keyReports = new Map<string, KeyReport>()
  const sigReports: SignatureReport[] = []
  const goodKeys: DNSKEYData[] = []
  let worst: { status: Status; cause: Finding } | null = null
  for (const g of groups) {
    const r = judgeKeySet(v, g, { usable, all: dsSet, servers: dsServers }, parent === null, opts)
    for (const d of r.ds) dsReports.set(`${d.keyTag}/${d.algorithm}/${d.digest}`, d)
    r.keys.forEach((k, i) => {
      // Key tags collide (a 16-bit checksum): the key itself tells two keys apart.
      const key = r.keyData[i]
      const id = `${k.algorithm}/${k.flags}/${key === undefined ? k.keyTag : hex(key.publicKey)}`
      const prev = keyReports.get(id)
      keyReports.set(id, prev === undefined ? k : { ...k,
        matchedByDs: prev.matchedByDs || k.matchedByDs,
        signsKeySet: prev.signsKeySet || k.signsKeySet,
        servers: [...new Set([...prev.servers, ...k.servers])] })
    })
    sigReports.push(...r.signatures)
    findings.push(...r.notes)
    if (r.cause === null) goodKeys.push(...r.zoneKeys)
    else if (worst === null) worst = { status: r.status, cause: r.cause }
  }
  const extra = { ds: [...dsReports.values()], dsSignatures, dnskeys: [...keyReports.values()],
    dnskeySignatures: sigReports }
  if (worst !== null) {
    const partial = groups.length > 1 && goodKeys.length > 0
    const cause = partial ? onlySome(worst.cause, serials) : worst.cause
    findings.push(cause)
    const summary = partial
      ? `broken at ${worst.cause.servers?.join(', ')}; other servers are fine`
      : `broken here (${worst.cause.code}): see the cause above`
    return done(worst.status, summary, goodKeys, cause, extra)
  }
  return done('secure', parent === null ? 'the DNSKEY set matches the trust anchor'
    : 'the DS at the parent matches a key that signs the DNSKEY set', goodKeys, null, extra)
}

interface DsJudgement {
  readonly ds: DSData[]
  readonly servers: string[]
  readonly signatures: SignatureReport[]
  /** Set when the DS step already decides the link (insecure, bogus or undecided). */
  readonly state: { status: Status; summary: string; cause: Finding | null } | null
}

function judgeDs(v: ZoneVisit, parent: ZoneState, opts: AnalyzeOptions,
  findings: Finding[]): DsJudgement {
  const zone = nameToText(v.zone)
  const parentZone = parent.report.zone
  const { groups, failed } = groupResponses(v.ds)
  noteUnreachable(failed, parentZone, findings)
  if (groups.length === 0) {
    const f = finding('NS_UNREACHABLE', { zone, recordZone: parentZone,
      servers: failed.map(serverLabel),
      message: `No server of ${parentZone} answered the DS query for ${zone}.`,
      advice: `Make sure the servers of ${parentZone} are reachable.` })
    return { ds: [], servers: [], signatures: [],
      state: { status: 'indeterminate', summary: 'the parent did not answer', cause: f } }
  }
  if (groups.length > 1) noteInconsistent(parentZone, `DS ${zone}`, groups, findings)
  const signatures: SignatureReport[] = []
  let first: DsJudgement | null = null
  for (const g of groups) {
    const m = g.message
    const dsRRs = m.answer.filter((rr) => rr.type === RRType.DS && nameEquals(rr.name, v.zone))
    let j: DsJudgement
    if (dsRRs.length > 0) {
      const out = validateRRset({ rrset: dsRRs, sigs: m.answer, keys: parent.keys,
        zone: parent.visit.zone, at: opts.at, servers: g.servers })
      signatures.push(...out.signatures)
      const ds = dsRRs.flatMap((rr) => (rr.data.kind === 'DS' ? [rr.data] : []))
      if (out.status === 'secure') {
        j = { ds, servers: [...g.servers], signatures, state: null }
      } else {
        const cause = finding(out.code, { zone, recordZone: parentZone,
          servers: g.servers, ...sigFields(out.culprit),
          message: `The DS RRset for ${zone}, served by ${parentZone}, is not validly signed: ${
            describeSig(out.code, out.culprit, opts.at)}.`,
          advice: advise(out.code, { zone: parentZone }) })
        j = { ds, servers: [...g.servers], signatures, state: { status: out.status === 'bogus'
          ? 'bogus' : 'indeterminate', summary: 'the DS RRset is not validly signed', cause } }
      }
    } else {
      j = judgeNoDs(v, parent, g, m, opts, signatures)
    }
    if (j.state?.cause != null && j.state.status === 'bogus') return j
    first ??= j
  }
  return first ?? { ds: [], servers: [], signatures, state: null }
}

/** No DS: the parent must prove it (RFC 4035 5.2); then the zone is insecure by design. */
function judgeNoDs(v: ZoneVisit, parent: ZoneState, g: ResponseGroup, m: Message,
  opts: AnalyzeOptions, signatures: SignatureReport[]): DsJudgement {
  const zone = nameToText(v.zone)
  const parentZone = parent.report.zone
  const proof = checkedDenialRecords(m, parent, g.servers, opts, signatures)
  if (proof.bad !== null) {
    return { ds: [], servers: [...g.servers], signatures, state: {
      status: statusFor(proof.bad.code),
      summary: 'the proof that there is no DS is not validly signed', cause: finding(
        proof.bad.code, { zone, recordZone: parentZone, servers: g.servers,
          ...sigFields(proof.bad.culprit),
          message: `${parentZone} says ${zone} has no DS, but its proof is not validly signed: ${
            describeSig(proof.bad.code, proof.bad.culprit, opts.at)}.`,
          advice: advise(proof.bad.code, { zone: parentZone }) }) } }
  }
  const result = proveNoDs({ child: v.zone, parent: parent.visit.zone }, proof.records)
  if (result.ok) {
    const f = finding('INSECURE_DELEGATION', { zone, recordZone: parentZone, servers: g.servers,
      message: `${parentZone} proves that ${zone} has no DS record: ${zone} is unsigned, and `
        + 'answers from it are not protected by DNSSEC.',
      advice: `Nothing is broken. To protect ${zone}, sign it and publish its DS at the `
        + 'registrar.' })
    return { ds: [], servers: [...g.servers], signatures, state: { status: 'insecure',
      summary: `no DS at ${parentZone} (proven): unsigned delegation`, cause: f } }
  }
  if (result.reason === 'iterations-too-high') {
    const f = finding('NSEC3_ITERATIONS_EXCESSIVE', { zone: parentZone, servers: g.servers,
      message: `${parentZone} uses NSEC3 with too many iterations; validators treat the answer `
        + `as unsigned (RFC 9276). ${result.detail}`,
      advice: `Have ${parentZone} re-signed with NSEC3 iterations 0 and no salt.` })
    return { ds: [], servers: [...g.servers], signatures, state: { status: 'insecure',
      summary: 'NSEC3 iterations above the limit: treated as unsigned', cause: f } }
  }
  const code = proof.records.length === 0 ? 'NSEC_PROOF_MISSING' : 'NSEC3_PROOF_INVALID'
  const f = finding(code, { zone, recordZone: parentZone, servers: g.servers,
    message: `${parentZone} answers that ${zone} has no DS, but does not prove it: ${
      result.detail}`,
    advice: `The servers of ${parentZone} must return the NSEC or NSEC3 records of a signed `
      + 'zone; reload them with the complete signed zone.' })
  return { ds: [], servers: [...g.servers], signatures,
    state: { status: 'bogus', summary: 'the parent does not prove that there is no DS',
      cause: f } }
}

interface KeySetJudgement {
  readonly status: Status
  readonly cause: Finding | null
  readonly notes: Finding[]
  readonly ds: DsReport[]
  readonly keys: KeyReport[]
  /** The keys the reports describe, in the same order. */
  readonly keyData: readonly DNSKEYData[]
  readonly signatures: readonly SignatureReport[]
  readonly zoneKeys: DNSKEYData[]
}

interface DsInput {
  readonly usable: readonly DSData[]
  readonly all: readonly DSData[]
  /** Who served the DS RRset: the parent's servers, or 'trust anchor'. */
  readonly servers: readonly string[]
}

function judgeKeySet(v: ZoneVisit, g: ResponseGroup, dsIn: DsInput, isRoot: boolean,
  opts: AnalyzeOptions): KeySetJudgement {
  const usable = dsIn.usable
  const zone = nameToText(v.zone)
  const parentZone = v.parent === null ? 'the trust anchor' : nameToText(v.parent.zone)
  const m = g.message
  const keyRRs = m.answer.filter((rr) => rr.type === RRType.DNSKEY && nameEquals(rr.name, v.zone))
  const keys = keyRRs.flatMap((rr) => (rr.data.kind === 'DNSKEY' ? [rr.data] : []))
  const tagOf = new Map(keys.map((k) => [k, keyTag(k)]))
  const notes: Finding[] = []
  // Match each DS to the keys it names: tag and algorithm first, then the digest.
  const matched = new Set<DNSKEYData>()
  const ds: DsReport[] = dsIn.all.map((d) => {
    const supported = usable.includes(d)
    const named = keys.filter((k) => k.algorithm === d.algorithm && tagOf.get(k) === d.keyTag)
    const hit = supported
      ? named.find((k) => sameBytes(dsDigest(v.zone, k, d.digestType), d.digest)) : undefined
    if (hit !== undefined) matched.add(hit)
    const status: DsReport['status'] = !supported ? 'unsupported' : hit !== undefined ? 'matches'
      : named.length > 0 ? 'digest-mismatch' : 'no-key'
    return { keyTag: d.keyTag, algorithm: d.algorithm, digestType: d.digestType,
      digest: hex(d.digest).toUpperCase(), status, servers: dsIn.servers }
  })
  // A DNSKEY given as the anchor itself is trusted as such (RFC 7958 PublicKey).
  const sepKeys = [...matched]
  // Every signature over the key set is checked with every key, for the report; only one by
  // a key the DS vouches for makes the set trusted (RFC 4035 5.2).
  const checked = keyRRs.length === 0 ? null : validateRRset({ rrset: keyRRs, sigs: m.answer,
    keys, zone: v.zone, at: opts.at, servers: g.servers })
  const sepTags = new Set(sepKeys.map((k) => tagOf.get(k)))
  const bySep = checked === null ? null : checked.status === 'secure'
    && checked.validKeyTags.some((t) => sepTags.has(t)) ? checked
    : validateRRset({ rrset: keyRRs, sigs: m.answer, keys: sepKeys, zone: v.zone, at: opts.at,
      servers: g.servers })
  const out = bySep === null ? null : { ...bySep, signatures: checked?.signatures ?? [] }
  const signers = new Set(bySep?.validKeyTags ?? [])
  const keyReports: KeyReport[] = keys.map((k) => ({
    keyTag: tagOf.get(k) ?? 0, algorithm: k.algorithm, flags: k.flags,
    role: (k.flags & DNSKEY_FLAG_SEP) !== 0 ? 'KSK' : 'ZSK',
    revoked: (k.flags & DNSKEY_FLAG_REVOKE) !== 0, matchedByDs: matched.has(k),
    signsKeySet: matched.has(k) && signers.has(tagOf.get(k) ?? -1), servers: g.servers,
  }))
  const result = (status: Status, cause: Finding | null, zoneKeys: DNSKEYData[] = []):
    KeySetJudgement => ({ status, cause, notes, ds, keys: keyReports, keyData: keys,
    signatures: out?.signatures ?? [], zoneKeys })
  const tags = (list: readonly { keyTag: number }[]): string =>
    [...new Set(list.map((x) => x.keyTag))].join(', ') || 'none'
  const fix = suggestedDs(v.zone, keys)

  if (keys.length === 0) {
    return result('bogus', finding('DNSKEY_MISSING', { zone, recordZone: zone,
      servers: g.servers, evidence: [`${g.servers.join(', ')} answered ${rcodeToText(m.rcode)} `
        + `with no DNSKEY for ${zone}`],
      message: `${parentZone} publishes a DS for ${zone} (key ${tags(usable)}), but ${
        g.servers.join(', ')} serve${g.servers.length === 1 ? 's' : ''} no DNSKEY for ${zone}: `
        + 'the zone is not signed there.',
      advice: advise('DNSKEY_MISSING', { zone, parentZone }) }))
  }
  if (matched.size === 0) {
    const mismatch = ds.find((d) => d.status === 'digest-mismatch')
    const code = isRoot ? 'TRUST_ANCHOR_MISMATCH'
      : mismatch !== undefined ? 'DS_DIGEST_MISMATCH' : 'DS_NO_MATCHING_DNSKEY'
    const message = mismatch !== undefined
      ? `The DS at ${parentZone} for ${zone} names key ${mismatch.keyTag} (algorithm ${
        mismatch.algorithm}), and the zone publishes key ${mismatch.keyTag}, but the DS digest `
        + 'does not match that key: the DS was computed from another key or mistyped.'
      : `The DS at ${parentZone} for ${zone} names key ${tags(usable)}, but the zone now `
        + `publishes only ${keyList(keyReports)}.`
    return result('bogus', finding(code, { zone, recordZone: isRoot ? zone : parentZone,
      servers: g.servers, keyTag: (mismatch ?? usable[0])?.keyTag,
      algorithm: (mismatch ?? usable[0])?.algorithm,
      evidence: [...ds.map((d) => `DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest}: ${
        d.status}`), ...keyReports.map((k) => `DNSKEY ${k.keyTag} algorithm ${k.algorithm} `
        + `flags ${k.flags} (${k.role})`)],
      message, advice: advise(code, { zone, parentZone, suggestedDs: fix }) }))
  }
  for (const d of ds.filter((x) => x.status === 'no-key')) {
    notes.push(finding('DS_STALE_ENTRY', { zone, recordZone: parentZone, keyTag: d.keyTag,
      algorithm: d.algorithm, servers: g.servers,
      message: `The DS for key ${d.keyTag} at ${parentZone} names no key of ${zone}; another DS `
        + 'still validates the zone.',
      advice: 'Remove the stale DS at the registrar once no cache can need it.' }))
  }
  if (out === null || out.status !== 'secure') {
    const culprit = out?.culprit ?? null
    // No signature by the DS key at all is its own finding; a bad one says how it is bad.
    const code = out === null || out.code === null || out.code === 'RRSIG_MISSING'
      || out.code === 'RRSIG_NO_MATCHING_DNSKEY' ? 'DNSKEY_NOT_SIGNED_BY_DS_KEY' : out.code
    const status: Status = out?.status === 'indeterminate' ? 'indeterminate' : 'bogus'
    const message = code === 'DNSKEY_NOT_SIGNED_BY_DS_KEY'
      ? `Key ${tags(sepKeys.map((k) => ({ keyTag: tagOf.get(k) ?? 0 })))} matches the DS at ${
        parentZone}, but no valid signature by it covers the DNSKEY set of ${zone}.`
      : `The DNSKEY set of ${zone} is not validly signed: ${describeSig(code, culprit, opts.at)}.`
    return result(status, finding(code, { zone, servers: g.servers, ...sigFields(culprit),
      message, advice: advise(code, { zone, parentZone, suggestedDs: fix }) }))
  }
  const zoneKeys = keys.filter((k) => (k.flags & DNSKEY_FLAG_REVOKE) === 0)
  return result('secure', null, zoneKeys)
}

// ---------------------------------------------------------------------------------------
// The answer to the question, validated with the keys of the zone that gave it.

function analyzeAnswer(step: AnswerStep, zone: ZoneState, opts: AnalyzeOptions,
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
      if (!findings.some((f) => f.code === n.code && f.zone === n.zone)) findings.push(n)
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
  const inZone = (rr: RR): boolean => isInZone(rr.name, zone.visit.zone)
  const sets = rrsetsOf(m.answer).filter((s) => s[0] !== undefined && inZone(s[0]))
  const dnames = m.answer.filter((rr) => rr.type === RRType.DNAME)
  let wildcardLabels: number | null = null
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
    const used = m.answer.find((s) => s.data.kind === 'RRSIG' && nameEquals(s.name, head.name)
      && s.data.typeCovered === head.type)
    if (used?.data.kind === 'RRSIG' && used.data.labels < labelCount(head.name)) {
      wildcardLabels = used.data.labels
    }
  }
  const answered = sets.length > 0
  if (answered && wildcardLabels === null) return { signatures, denial: null, cause: null }
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
    return { signatures, cause: null, notes: iterationNote(proof.records, zoneName, g.servers),
      denial: `${denialWords(result.proof, qname, step.question.type)}. ${result.detail}` }
  }
  if (result.ok) {
    // Opt-out spans may hide unsigned delegations: the denial is not proven (RFC 5155 9.2).
    return { signatures, denial: result.detail, cause: finding('INSECURE_DELEGATION', {
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

/** The NSEC/NSEC3 records of a response, each RRset's signature checked first. */
function checkedDenialRecords(m: Message, zone: ZoneState, servers: readonly string[],
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

// ---------------------------------------------------------------------------------------
// The verdict: the first link that is not secure, walking from the anchor down.

function verdict(steps: { zone: ZoneState; answer: AnswerReport; cause: Finding | null }[],
  chain: ZoneState[], states: Map<ZoneVisit, ZoneState>, walk: WalkResult):
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

/** A spent budget leaves a link undecided; an unusable proof, unsigned; the rest is bogus. */
function statusFor(code: Finding['code']): Status {
  if (code === 'VALIDATION_BUDGET_EXCEEDED' || code === 'SERVER_ERROR_RCODE') {
    return 'indeterminate'
  }
  return code === 'NSEC3_ITERATIONS_EXCESSIVE' || code === 'INSECURE_DELEGATION' ? 'insecure'
    : 'bogus'
}

function toLink(f: Finding): NonNullable<Report['brokenLink']> {
  return { zone: f.zone, code: f.code, recordZone: f.recordZone ?? f.zone, party: f.party,
    servers: f.servers ?? [], ...(f.keyTag === undefined ? {} : { keyTag: f.keyTag }),
    ...(f.algorithm === undefined ? {} : { algorithm: f.algorithm }),
    message: f.message, advice: f.advice }
}

function orderedChain(walk: WalkResult, states: Map<ZoneVisit, ZoneState>): ZoneState[] {
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

// ---------------------------------------------------------------------------------------
// Small helpers.

/** One finding per zone and kind of failure, listing every server that had it. */
function noteUnreachable(responses: readonly { server: string; port: number;
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

function noteInconsistent(zone: string, what: string, groups: readonly ResponseGroup[],
  findings: Finding[]): void {
  findings.push(finding('NS_INCONSISTENT', { zone, servers: groups.flatMap((g) => g.servers),
    evidence: groups.map((g) => `${g.servers.join(', ')}: ${serialOf(g.message)}${
      g.message.answer.length} answer records, ${g.message.authority.length} authority records`),
    message: `The servers of ${zone} give ${groups.length} different answers to ${what}: ${
      groups.map((g) => g.servers.join(', ')).join(' / ')}.`,
    advice: 'Make every server serve the same, current copy of the zone (check zone '
      + 'transfers, NOTIFY and the serial on each server).' }))
}

function serialOf(m: Message): string {
  const soa = [...m.answer, ...m.authority].find((rr) => rr.data.kind === 'SOA')
  return soa?.data.kind === 'SOA' ? `serial ${soa.data.serial}, ` : ''
}

function sigFields(s: SignatureReport | null): { keyTag?: number; algorithm?: number;
  evidence?: string[] } {
  if (s === null) return {}
  return { keyTag: s.keyTag, algorithm: s.algorithm, evidence: [`RRSIG ${s.covers} by key ${
    s.keyTag} (algorithm ${s.algorithm}), signer ${s.signer}, inception ${s.inception}, `
    + `expiration ${s.expiration}: ${s.status}`] }
}

function suggestedDs(zone: Name, keys: readonly DNSKEYData[]): string[] {
  return keys.filter((k) => (k.flags & DNSKEY_FLAG_SEP) !== 0 && (k.flags & DNSKEY_FLAG_REVOKE)
    === 0).flatMap((k) => {
    const d = dsDigest(zone, k, 2)
    return d === null ? [] : [`${nameToText(zone)} IN DS ${keyTag(k)} ${k.algorithm} 2 ${
      hex(d).toUpperCase()}`]
  })
}

/** Each server's SOA serial for the zone, by server label. */
function serialsOf(v: ZoneVisit): Map<string, number> {
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
function onlySome(f: Finding, serials: Map<string, number>): Finding {
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

function mergeServers(list: { address: string; port: number; names: string[];
  serial: number | null }[]): ServerReport[] {
  const out = new Map<string, { address: string; port: number; names: string[];
    serial: number | null }>()
  for (const s of list) {
    const k = `${s.address}|${s.port}`
    const prev = out.get(k)
    if (prev === undefined) out.set(k, { ...s, names: [...s.names] })
    else prev.names.push(...s.names.filter((n) => !prev.names.includes(n)))
  }
  return [...out.values()]
}

function keyList(keys: readonly KeyReport[]): string {
  const sorted = [...keys].sort((a, b) => a.role.localeCompare(b.role) || a.keyTag - b.keyTag)
  const words = sorted.map((k) => `${k.keyTag} (${k.role})`)
  const last = words.pop()
  if (last === undefined) return 'no keys'
  return words.length === 0 ? `key ${last}` : `keys ${words.join(', ')} and ${last}`
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

function isInZone(name: Name, zone: Name): boolean {
  return labelCount(name) >= labelCount(zone)
    && nameEquals(name.slice(name.length - zone.length), zone)
}

function labelCount(name: Name): number {
  const first = name[0]
  const wild = first !== undefined && first.length === 1 && first[0] === 0x2a
  return name.length - (wild ? 1 : 0)
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((x, i) => x === b[i])
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

function isState(s: ZoneState | undefined): s is ZoneState {
  return s !== undefined
}

function sortFindings(list: Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 } as const
  return [...list].sort((a, b) => rank[a.severity] - rank[b.severity])
}
