// One zone link: the DS at the parent (or the trust anchor), then the zone's DNSKEY RRset,
// judged per group of servers that served the same data (RFC 4035 5.2).
import { algorithmInfo, digestInfo } from '../dnssec/algorithms.js'
import { proveNoDs } from '../dnssec/denial.js'
import { dsDigest } from '../dnssec/digest.js'
import { keyTag } from '../dnssec/keytag.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { ServerResponse, ZoneVisit } from '../probe/walker.js'
import { isSubdomain, nameEquals, nameToText } from '../wire/name.js'
import { rcodeToText } from '../wire/text.js'
import type { DNSKEYData, DSData, Message, Name } from '../wire/types.js'
import { RRType } from '../wire/types.js'
import { groupResponses, serverLabel } from './group.js'
import type { ResponseGroup } from './group.js'
import { advise, describeSig } from './explain.js'
import {
  algorithmGap, cdsNotes, deprecationNotes, nsSetNotes, revokedNotes, ttlNotes,
} from './hygiene.js'
import { DNSKEY_FLAG_REVOKE, DNSKEY_FLAG_SEP, validateRRset } from './rrset.js'
import type {
  DsReport, KeyReport, ServerReport, SignatureReport, Status, ZoneReport,
} from './types.js'
import {
  checkedDenialRecords, hex, noteInconsistent, noteLame, noteTcpFallback, noteUnreachable,
  onlySome, proofFailureCode, serialsOf, sigFields, statusFor,
} from './support.js'
import type { AnalyzeOptions, ZoneState } from './support.js'

export function analyzeZone(v: ZoneVisit, parent: ZoneState | null, opts: AnalyzeOptions):
  ZoneState {
  const findings: Finding[] = []
  const zone = nameToText(v.zone)
  const serials = serialsOf(v)
  const servers = v.nameServers.flatMap((ns) => ns.addresses.map((a) => ({
    address: a.address, port: a.port, names: ns.name === null ? [] : [nameToText(ns.name)],
    serial: serials.get(serverLabel({ server: a.address, port: a.port })) ?? null })))
  const base = { zone, parent: parent === null ? null : parent.report.zone, servers: mergeServers(
    servers), ds: [] as DsReport[], dsSignatures: [] as SignatureReport[],
  dnskeys: [] as KeyReport[], dnskeySignatures: [] as SignatureReport[] }
  const done = (status: Status, summary: string, keys: readonly DNSKEYData[] = [],
    cause: Finding | null = null, extra: Partial<ZoneReport> = {}): ZoneState => {
    if (cause !== null && !findings.includes(cause)) findings.push(cause)
    return { visit: v, status, keys, cause, findings,
      report: { ...base, ...extra, status, summary } }
  }

  // The delegation against the zone's own NS set matters signed or not.
  if (parent !== null) findings.push(...nsSetNotes(v, parent.report.zone))
  if (parent !== null && parent.status !== 'secure') {
    const why = parent.status === 'insecure' ? 'the parent zone is unsigned, so this one is too'
      : 'not validated: the chain is already broken above'
    return done(parent.status, why)
  }
  noteUnreachable(v.dnskey, zone, findings)
  // The check's own questions (full checks): a server that fails only these still answers
  // resolvers, but parents scanning CDS (RFC 7344) and the NS comparison cannot read it.
  for (const [list, type] of extraQuestions(v)) {
    noteUnreachable(list, zone, findings, `${zone} ${type}`)
  }
  const loops = v.lookupLoops ?? []
  if (v.unresolvedNameServers.length > 0 || loops.length > 0) {
    const names = [...new Set([...v.unresolvedNameServers, ...loops.map((l) => l.name)]
      .map(nameToText))]
    findings.push(finding('NS_NO_ADDRESS', { zone, recordZone: base.parent ?? zone,
      evidence: [...names, ...loops.map((l) => `${nameToText(l.name)}: ${l.why}`)],
      message: `${names.length === 1 ? 'Name server' : `${names.length} name servers`} of ${zone} `
        + `(${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}) could not be given `
        + `an address: ${loops.length > 0 ? `looking up ${loops.map((l) => nameToText(l.name))
          .join(', ')} leads back into a zone whose own servers are being looked up (${
          loops.map((l) => l.why).join('; ')}), a loop resolvers cannot follow either`
          : v.unresolvedNameServers.some((n) => isSubdomain(n, v.zone))
            ? `a name server inside ${zone} needs glue (an address record) in the referral from ${
              base.parent ?? 'the parent'}, and there is none` : 'its own name does not resolve'}.`,
      advice: loops.length > 0 ? 'Break the loop: give the zones on it glue at their parent, or '
        + 'use name servers whose names resolve without the zones they serve.'
        : `Add the glue addresses at the registrar (${base.parent ?? 'the parent'} zone), or `
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
    findings.push(...deprecationNotes(zone, parent.report.zone, [], dsSet, [], dsServers))
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

  // Step 2: the zone's DNSKEY RRset, per group of servers that served the same one. Lame
  // servers (REFUSED, SERVFAIL, no authority) are noted, never judged as serving no keys.
  const { groups, lame } = groupResponses(v.dnskey, { authoritative: true })
  noteLame(lame, zone, findings, true)
  noteLame(groupResponses(v.soa, { authoritative: true }).lame, zone, findings, true)
  // The check's own questions: a server that fails only these (FORMERR for CDS, say) is not
  // lame, and is told so apart.
  for (const [list, type] of extraQuestions(v)) {
    noteLame(groupResponses(list, { authoritative: true }).lame, zone, findings, true, type)
  }
  const tcp = noteTcpFallback(v.dnskey, zone, `${zone} DNSKEY`, groups.length === 0)
  if (tcp !== null && groups.length === 0) {
    // What validators do: without the key set nothing in the zone validates (SERVFAIL).
    return done('bogus', 'the DNSKEY answer is truncated over UDP and TCP fails', [], tcp,
      { dsSignatures })
  }
  if (tcp !== null) findings.push(tcp)
  if (groups.length === 0 && lame.length > 0) {
    const f = findings.find((x) => x.code === 'SERVER_ERROR_RCODE' && x.zone === zone) ?? null
    return done('indeterminate', 'no server of the zone serves it (all lame)', [], f,
      { dsSignatures })
  }
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
  const goodServers: string[] = []
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
    // Groups that serve the same keys give the same notes: keep each once.
    for (const n of r.notes) if (!findings.some((f) => sameNote(f, n))) findings.push(n)
    if (r.cause === null) {
      goodKeys.push(...r.zoneKeys)
      goodServers.push(...g.servers)
    } else if (worst === null) worst = { status: r.status, cause: r.cause }
  }
  const extra = { ds: [...dsReports.values()], dsSignatures, dnskeys: [...keyReports.values()],
    dnskeySignatures: sigReports }
  if (worst !== null) {
    const partial = groups.length > 1 && goodKeys.length > 0
    const cause = partial ? onlySome(worst.cause, goodServers, serials) : worst.cause
    findings.push(cause)
    const summary = partial
      ? `broken at ${worst.cause.servers?.join(', ')}; other servers are fine`
      : `broken here (${worst.cause.code}): see the cause above`
    return done(worst.status, summary, goodKeys, cause, extra)
  }
  findings.push(...deprecationNotes(zone, base.parent ?? zone, goodKeys, [],
    groups.flatMap((g) => g.servers), []))
  if (parent !== null) findings.push(...cdsNotes(v, parent.report.zone, dsSet, goodKeys, opts.at))
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
  const { groups, failed, lame } = groupResponses(v.ds)
  noteUnreachable(failed, parentZone, findings)
  noteLame(lame, parentZone, findings, false)
  const tcp = noteTcpFallback(v.ds, zone, `${zone} DS`, groups.length === 0, parentZone)
  if (tcp !== null && groups.length === 0) {
    return { ds: [], servers: [], signatures: [], state: { status: 'bogus',
      summary: 'the DS answer is truncated over UDP and TCP fails', cause: tcp } }
  }
  if (tcp !== null) findings.push(tcp)
  if (groups.length === 0 && lame.length > 0) {
    const f = findings.find((x) => x.code === 'SERVER_ERROR_RCODE' && x.zone === parentZone)
    return { ds: [], servers: [], signatures: [], state: { status: 'indeterminate',
      summary: 'every server of the parent answered with an error', cause: f ?? null } }
  }
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
    // The DS answers a DS query, or rides in a referral's authority section (lean walks).
    const section = m.answer.length > 0 ? m.answer : m.authority
    const dsRRs = section.filter((rr) => rr.type === RRType.DS && nameEquals(rr.name, v.zone))
    let j: DsJudgement
    if (dsRRs.length > 0) {
      const out = validateRRset({ rrset: dsRRs, sigs: section, keys: parent.keys,
        zone: parent.visit.zone, at: opts.at, servers: g.servers })
      signatures.push(...out.signatures)
      const ds = dsRRs.flatMap((rr) => (rr.data.kind === 'DS' ? [rr.data] : []))
      if (out.status === 'secure') {
        findings.push(...ttlNotes(dsRRs, section, out.validKeyTags, { zone: parentZone,
          servers: g.servers, at: opts.at }))
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
    // With opt-out the parent signs no record for unsigned delegations at all (RFC 5155 6):
    // the proof shows only that one may sit in the span, which is all a validator needs.
    const how = result.optOut ? ` (through an NSEC3 opt-out record, which covers unsigned `
      + 'delegations without naming them)' : ''
    const f = finding('INSECURE_DELEGATION', { zone, recordZone: parentZone, servers: g.servers,
      message: `${parentZone} proves that ${zone} has no DS record${how}: ${zone} is unsigned, `
        + 'and answers from it are not protected by DNSSEC.',
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
  const code = proofFailureCode(result, proof.records.length)
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
  // By the keys themselves: a key with a DS key's tag is not the DS key (tags collide).
  const bySep = checked === null ? null : checked.status === 'secure'
    && checked.validKeys.some((k) => sepKeys.includes(k)) ? checked
    : validateRRset({ rrset: keyRRs, sigs: m.answer, keys: sepKeys, zone: v.zone, at: opts.at,
      servers: g.servers })
  const out = bySep === null ? null : { ...bySep, signatures: checked?.signatures ?? [] }
  const signers = new Set(bySep?.validKeys ?? [])
  const keyReports: KeyReport[] = keys.map((k) => ({
    keyTag: tagOf.get(k) ?? 0, algorithm: k.algorithm, flags: k.flags,
    role: (k.flags & DNSKEY_FLAG_SEP) !== 0 ? 'KSK' : 'ZSK',
    revoked: (k.flags & DNSKEY_FLAG_REVOKE) !== 0, matchedByDs: matched.has(k),
    signsKeySet: matched.has(k) && signers.has(k), servers: g.servers,
  }))
  const result = (status: Status, cause: Finding | null, zoneKeys: DNSKEYData[] = []):
    KeySetJudgement => ({ status, cause, notes, ds, keys: keyReports, keyData: keys,
    signatures: out?.signatures ?? [], zoneKeys })
  const tags = (list: readonly { keyTag: number }[]): string =>
    [...new Set(list.map((x) => x.keyTag))].join(', ') || 'none'
  // The DS to publish, for the advice of a broken link only: a digest per KSK, not for free.
  const fix = (): string[] => suggestedDs(v.zone, keys)

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
      message, advice: advise(code, { zone, parentZone, suggestedDs: fix() }) }))
  }
  for (const d of ds.filter((x) => x.status === 'no-key')) {
    notes.push(finding('DS_STALE_ENTRY', { zone, recordZone: parentZone, keyTag: d.keyTag,
      algorithm: d.algorithm, servers: g.servers,
      message: `The DS for key ${d.keyTag} at ${parentZone} names no key of ${zone}; another DS `
        + 'still validates the zone.',
      advice: 'Remove the stale DS at the registrar once no cache can need it.' }))
  }
  const keySigs = m.answer.filter((rr) => rr.data.kind === 'RRSIG'
    && rr.data.typeCovered === RRType.DNSKEY && nameEquals(rr.name, v.zone))
  if (keySigs.length === 0 && out !== null && out.status !== 'secure') {
    // Not one signature over the key set: the zone's signatures are gone (resolvers: EDE 10),
    // which is the zone's fault, not a DS pointing at the wrong key.
    return result('bogus', finding('RRSIG_MISSING', { zone, servers: g.servers,
      record: `${zone} DNSKEY`,
      evidence: [`${g.servers.join(', ')} answered ${zone} DNSKEY with ${keys.length} key${
        keys.length === 1 ? '' : 's'} and no RRSIG`],
      message: `The DNSKEY set of ${zone} from ${g.servers.join(', ')} carries no signature at `
        + `all, although the DS at ${parentZone} (key ${tags(usable)}) says the zone is signed: `
        + 'the zone\'s RRSIG records are missing, so nothing in it can be validated.',
      advice: advise('RRSIG_MISSING', { zone }) }))
  }
  if (out === null || out.status !== 'secure') {
    const culprit = out?.culprit ?? null
    // No signature by the DS key at all is its own finding; a bad one says how it is bad.
    const code = out === null || out.code === null || out.code === 'RRSIG_MISSING'
      || out.code === 'RRSIG_NO_MATCHING_DNSKEY' ? 'DNSKEY_NOT_SIGNED_BY_DS_KEY' : out.code
    const status: Status = out?.status === 'indeterminate' ? 'indeterminate' : 'bogus'
    const dsKeys = sepKeys.map((k) => ({ keyTag: tagOf.get(k) ?? 0 }))
    // Keys that do sign the set, though no DS names them: the DS should be made from one.
    const signing = checked?.status === 'secure' ? keys.filter((k) =>
      checked.validKeys.includes(k) && !sepKeys.includes(k)) : []
    const fromSigner = suggestedDs(v.zone, signing, true)
    const message = code !== 'DNSKEY_NOT_SIGNED_BY_DS_KEY'
      ? `The DNSKEY set of ${zone} is not validly signed: ${describeSig(code, culprit, opts.at)}.`
      : signing.length > 0 ? `The DS at ${parentZone} names ${sepKeys.map((k) =>
        describeKey(k, tagOf.get(k) ?? 0)).join(' and ')}; the DNSKEY set of ${zone} is signed `
        + `by ${signing.map((k) => `${roleOf(k)} ${tagOf.get(k)}`).join(' and ')} only, so no `
        + `DS names a key that signs it. Make the DS from ${signing.map((k) =>
          `${roleOf(k)} ${tagOf.get(k)}`).join(' or ')}.`
        : `Key ${tags(dsKeys)} matches the DS at ${parentZone}, but no valid signature by it `
          + `covers the DNSKEY set of ${zone}.`
    const advice = code === 'DNSKEY_NOT_SIGNED_BY_DS_KEY' && signing.length > 0
      ? `Replace the DS for ${zone} at the registrar (the ${parentZone} zone) with one made from `
        + `${signing.map((k) => `${roleOf(k)} ${tagOf.get(k)}`).join(' or ')}${fromSigner.length
          > 0 ? `: ${fromSigner.join(' ; ')}` : ''}, then remove the DS for key ${tags(dsKeys)}.`
      : advise(code, { zone, parentZone, suggestedDs: fix() })
    const named = sepKeys[0]
    return result(status, finding(code, { zone, servers: g.servers, ...sigFields(culprit),
      ...(code === 'DNSKEY_NOT_SIGNED_BY_DS_KEY' && named !== undefined
        ? { keyTag: tagOf.get(named), algorithm: named.algorithm } : {}),
      ...(signing.length > 0 ? { evidence: [
        ...sepKeys.map((k) => `DS names DNSKEY ${tagOf.get(k)} flags ${k.flags} (${roleOf(k)})`),
        ...signing.map((k) => `DNSKEY ${tagOf.get(k)} flags ${k.flags} (${roleOf(k)}) signs `
          + 'the DNSKEY set')] } : {}),
      message, advice }))
  }
  const zoneKeys = keys.filter((k) => (k.flags & DNSKEY_FLAG_REVOKE) === 0)
  const ctx = { zone, servers: g.servers, at: opts.at }
  notes.push(...revokedNotes(zone, keys, g.servers),
    ...ttlNotes(keyRRs, m.answer, checked?.validKeyTags ?? [], ctx))
  const gap = algorithmGap(keyRRs, m.answer, keys, v.zone, ctx)
  if (gap !== null) notes.push(gap)
  return result('secure', null, zoneKeys)
}

/** KSK or ZSK by the SEP flag (RFC 4034 2.1.1), as people name them. */
function roleOf(k: DNSKEYData): 'KSK' | 'ZSK' {
  return (k.flags & DNSKEY_FLAG_SEP) !== 0 ? 'KSK' : 'ZSK'
}

function describeKey(k: DNSKEYData, tag: number): string {
  return `key ${tag}, whose flags (${k.flags}) say ${roleOf(k) === 'KSK' ? 'KSK'
    : 'ZSK (zone-signing key, no SEP bit)'}`
}

/** DS records (SHA-256) for the zone's KSKs, or with `any` for every key given. */
function suggestedDs(zone: Name, keys: readonly DNSKEYData[], any = false): string[] {
  return keys.filter((k) => (any || (k.flags & DNSKEY_FLAG_SEP) !== 0)
    && (k.flags & DNSKEY_FLAG_REVOKE) === 0).flatMap((k) => {
    const d = dsDigest(zone, k, 2)
    return d === null ? [] : [`${nameToText(zone)} IN DS ${keyTag(k)} ${k.algorithm} 2 ${
      hex(d).toUpperCase()}`]
  })
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

function sameNote(a: Finding, b: Finding): boolean {
  return a.code === b.code && a.zone === b.zone && a.record === b.record && a.keyTag === b.keyTag
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((x, i) => x === b[i])
}

/** The zone's own NS, CDS and CDNSKEY answers, which only full checks ask for. */
function extraQuestions(v: ZoneVisit): [readonly ServerResponse[], string][] {
  return [[v.apexNs ?? [], 'NS'], [v.cds ?? [], 'CDS'], [v.cdnskey ?? [], 'CDNSKEY']]
}
