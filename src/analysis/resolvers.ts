// Judging the resolver comparison: what each resolver answered, with and without CD, and what
// that says next to our own chain walk. Pure: recorded exchanges and the report in.
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { CapturedExchange } from '../probe/capture.js'
import { edeName } from '../wire/ede.js'
import { decodeMessage } from '../wire/message.js'
import { nameEquals, nameFromZoneText, nameToText } from '../wire/name.js'
import { rcodeToText, rrToText } from '../wire/text.js'
import type { Message, Name } from '../wire/types.js'
import { Rcode, RRType } from '../wire/types.js'
import { sortFindings } from './support.js'
import type { Report } from './types.js'

export type ResolverVerdict =
  | 'validated' // an answer with AD set
  | 'answer-unvalidated' // an answer without AD: the resolver does not validate (or unsigned)
  | 'validation-failure' // SERVFAIL, but an answer with CD: validation fails
  | 'other-failure' // SERVFAIL with CD too, REFUSED, or another error
  | 'nxdomain'
  | 'nodata'
  | 'no-response' // timeout or network error
  | 'blocked' // the address guard stopped the query

export interface ResolverObservation {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly rcode: string | null
  readonly ad: boolean
  readonly answer: readonly string[]
  /** Smallest TTL in the answer, when there is one. */
  readonly ttl: number | null
  readonly cdRcode: string | null
  readonly ede: readonly { code: number; name: string; text: string }[]
  readonly ms: number
  readonly verdict: ResolverVerdict
  /** Why there was no response (timeout, blocked, network, malformed), else null. */
  readonly error: string | null
  /** The transport's explanation of that error (an HTTP status, a TLS failure), else null. */
  readonly detail: string | null
  /** After a SERVFAIL: its answer to `. DNSKEY` (does it validate even the root?), else null. */
  readonly rootRcode: string | null
  readonly rootEde: readonly { code: number; name: string; text: string }[]
}

/** Rebuilds each resolver's observation from the recorded exchanges, in the order asked. */
export function observeResolvers(exchanges: readonly CapturedExchange[], qname: string,
  qtype: number): ResolverObservation[] {
  // Our own presentation text (as dig prints it), not user input: read it leniently.
  const target = nameFromZoneText(qname)
  const asked = (e: CapturedExchange): boolean => e.qtype === qtype
    && e.qname.toLowerCase() === nameToText(target).toLowerCase()
  const keys: string[] = []
  const plain = new Map<string, CapturedExchange[]>()
  const withCd = new Map<string, CapturedExchange[]>()
  const root = new Map<string, CapturedExchange[]>()
  for (const e of exchanges) {
    if (e.resolver === undefined) continue
    const k = `${e.resolver}|${e.server}|${e.port}`
    if (!keys.includes(k)) keys.push(k)
    const into = !asked(e) ? root : e.cd === true ? withCd : plain
    into.set(k, [...(into.get(k) ?? []), e])
  }
  return keys.map((k) => {
    const tries = plain.get(k) ?? []
    const head = tries[0] as CapturedExchange
    const m = lastMessage(tries)
    const cd = lastMessage(withCd.get(k) ?? [])
    const rootAnswer = lastMessage(root.get(k) ?? [])
    const ms = tries.reduce((sum, t) => sum + t.ms, 0)
    const error = m === null ? tries.at(-1)?.error ?? 'timeout' : null
    const detail = m === null ? printable(tries.at(-1)?.errorDetail ?? '', 300) || null : null
    return {
      name: head.resolver ?? '?', address: head.server, port: head.port,
      rcode: m === null ? null : rcodeToText(m.rcode), ad: m?.flags.ad ?? false,
      answer: m === null ? [] : m.answer.map((rr) => rrToText(rr)),
      ttl: m === null || m.answer.length === 0 ? null
        : Math.min(...m.answer.map((rr) => rr.ttl)),
      cdRcode: cd === null ? null : rcodeToText(cd.rcode),
      ede: edesOf(m),
      ms, verdict: classify(m, cd, error, target, qtype), error, detail,
      rootRcode: rootAnswer === null ? null : rcodeToText(rootAnswer.rcode),
      rootEde: edesOf(rootAnswer),
    }
  })
}

function edesOf(m: Message | null): { code: number; name: string; text: string }[] {
  // A resolver's text is untrusted: no control characters, and a sane length.
  return (m?.edns?.extendedErrors ?? []).slice(0, 8).map((e) => ({ code: e.code,
    name: edeName(e.code), text: printable(e.text, 300) }))
}

/** Text from the network, made safe to print: control characters escaped, length capped. */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return safe.length > max ? `${safe.slice(0, max)}...` : safe
}

function lastMessage(tries: readonly CapturedExchange[]): Message | null {
  const last = tries.at(-1)
  // An attempt the transport rejected (another question, wrong ID or content type) keeps its
  // bytes for the capture, but they are not the resolver's answer.
  if (last?.response == null || last.error !== undefined) return null
  try {
    return decodeMessage(Buffer.from(last.response, 'hex'))
  } catch {
    return null
  }
}

export function classify(m: Message | null, cd: Message | null, error: string | null,
  qname: Name, qtype: number): ResolverVerdict {
  if (m === null) return error === 'blocked' ? 'blocked' : 'no-response'
  if (m.rcode === Rcode.SERVFAIL) {
    return cd !== null && (cd.rcode === Rcode.NOERROR || cd.rcode === Rcode.NXDOMAIN)
      ? 'validation-failure' : 'other-failure'
  }
  if (m.rcode === Rcode.NXDOMAIN) return 'nxdomain'
  if (m.rcode !== Rcode.NOERROR) return 'other-failure'
  if (!hasAnswer(m, qname, qtype)) return 'nodata'
  return m.flags.ad ? 'validated' : 'answer-unvalidated'
}

/** Follows the answer's CNAME chain from the name asked to the type asked. */
function hasAnswer(m: Message, qname: Name, qtype: number): boolean {
  let owner = qname
  for (let hops = 0; hops < 16; hops++) {
    if (m.answer.some((rr) => rr.type === qtype && nameEquals(rr.name, owner))) return true
    const alias = m.answer.find((rr) => rr.type === RRType.CNAME && nameEquals(rr.name, owner))
    if (alias?.data.kind !== 'CNAME') return false
    owner = alias.data.target
  }
  return false
}

export const VERDICT_WORDS: Record<ResolverVerdict, string> = {
  validated: 'validated answer',
  'answer-unvalidated': 'answer (not validated)',
  'validation-failure': 'validation failure',
  'other-failure': 'other failure',
  nxdomain: 'no such name',
  nodata: 'no such record',
  'no-response': 'no response',
  blocked: 'not asked (--allow-net)',
}

export interface ResolverConclusion {
  readonly conclusion: string
  readonly findings: Finding[]
}

/**
 * Joins the resolvers' answers and our own walk into one diagnosis, and names every
 * disagreement with what could explain it.
 */
export function concludeResolvers(report: Pick<Report, 'status' | 'brokenLink' | 'insecureAt'
  | 'query'> & Partial<Pick<Report, 'chain' | 'answers' | 'at'>>,
obs: readonly ResolverObservation[]): ResolverConclusion {
  const findings: Finding[] = []
  const asked = obs.filter((o) => o.verdict !== 'blocked' && o.verdict !== 'no-response')
  if (asked.length === 0) {
    return { conclusion: obs.length === 0 ? '' : 'No resolver could be asked or answered.',
      findings }
  }
  const names = (list: readonly ResolverObservation[]): string =>
    [...new Set(list.map((o) => `${o.name} at ${o.address}`))].join(', ')
  const failing = asked.filter((o) => o.verdict === 'validation-failure')
  const broken = asked.filter((o) => o.verdict === 'other-failure')
  const validating = asked.filter((o) => o.ad)
  const plain = asked.filter((o) => o.verdict === 'answer-unvalidated')
  const q = `${report.query.name} ${report.query.type}`
  // Only when the walk validates: then a resolver that fails even the root fails on its own.
  const walkGood = report.status === 'secure' || report.status === 'insecure'
  const local = new Map(failing.map((o) => [o, walkGood ? localFailure(o, q, report) : null]))
  for (const o of failing) {
    const ede = o.ede.map((e) => `EDE ${e.code} ${e.name}${e.text ? ` (${e.text})` : ''}`)
    const own = local.get(o)
    findings.push(finding('RESOLVER_VALIDATION_FAILURE', { zone: report.brokenLink?.zone
      ?? report.query.name, servers: [o.address],
      ...(own == null ? {} : { party: 'resolver-operator' as const }),
      message: `${o.name} (${o.address}) answers SERVFAIL for ${q}, but answers ${o.cdRcode} `
        + `with checking disabled: its DNSSEC validation fails${ede.length > 0 ? `; it says ${
          ede.join(', ')}` : ''}.`,
      advice: report.brokenLink?.advice ?? (own?.clock != null ? `The fault is ${o.name}'s `
        + `own: see RESOLVER_CLOCK_SKEW. ${own.clock.advice}` : 'The chain walk finds no broken '
        + 'link: see the RESOLVER_DISAGREES finding for what could explain this resolver\'s '
        + 'failure.') }))
    if (own?.clock != null) findings.push(own.clock)
  }
  const why: string[] = []
  if (report.status === 'bogus' && report.brokenLink !== null) {
    if (failing.length > 0) {
      why.push(`Validating resolvers (${names(failing)}) fail${plain.length > 0
        ? `, non-validating ones (${names(plain)}) answer` : ''}, and the chain walk finds the `
        + `cause: ${report.brokenLink.message}`)
    } else if (broken.length === 0) {
      why.push(`The chain walk finds ${q} bogus (${report.brokenLink.code} at ${
        report.brokenLink.zone}), but no resolver asked fails on it.`)
    } else {
      why.push(`The chain walk finds ${q} bogus (${report.brokenLink.code} at ${
        report.brokenLink.zone}): ${report.brokenLink.message}`)
    }
    for (const o of validating) {
      findings.push(disagreement(o, q, 'answers with AD (validated)', 'finds it bogus', [
        'a negative trust anchor at that resolver for the zone (operators add them during '
          + 'outages)',
        'an answer cached from before the zone broke, still within its TTL',
        'the resolver reached a server that serves a good copy (see the servers named above)',
        'a validator that does not check this (an algorithm it treats as unsupported)']))
    }
  } else if (report.status === 'secure' || report.status === 'insecure') {
    const unchecked = asked.filter((o) => !o.ad && (o.verdict === 'answer-unvalidated'
      || o.verdict === 'nxdomain' || o.verdict === 'nodata'))
    const failNote = failing.length > 0 ? ` Yet ${names(failing)} fail${failing.length === 1
      ? 's' : ''} to validate it (SERVFAIL, but an answer with checking disabled): see the `
      + 'RESOLVER_DISAGREES findings for what could explain it.' : ''
    why.push(report.status === 'secure'
      ? `The chain walk finds ${q} secure${validating.length > 0 ? `, and ${names(validating)
      } validate it` : ''}.${unchecked.length > 0 ? ` ${names(unchecked)} answer${
        unchecked.length === 1 ? 's' : ''} without AD: ${unchecked.length === 1 ? 'it does'
        : 'they do'} not validate, or treat the zone as unsigned (an algorithm not supported, `
        + 'NSEC3 iterations above its limit).' : ''}`
      : `The chain walk finds ${q} insecure (no validation from ${
        report.insecureAt?.zone ?? '?'} down)${
        failing.length === 0 ? ': resolvers answer it without validation.' : '.'}`)
    if (failNote !== '') why.push(failNote.trim())
    for (const o of failing) {
      const own = local.get(o)
      if (own != null) why.push(own.words)
      findings.push(disagreement(o, q, 'fails validation', `finds it ${report.status}`, [
        ...own?.likely ?? [],
        'bad data cached at the resolver from before a fix (it clears when the TTL runs out)',
        'an algorithm or digest the resolver does not support, or one it supports and we not',
        'an NSEC3 iteration count above that resolver\'s limit (RFC 9276)',
        'a resolver-side outage: check whether other signed names fail there too']))
    }
    if (report.status === 'insecure') {
      for (const o of validating) {
        findings.push(disagreement(o, q, 'answers with AD', 'finds it insecure', [
          'the resolver has a trust anchor of its own for this zone or a parent',
          'the resolver sees a DS the walk did not (a different parent server)']))
      }
    }
  } else {
    why.push(`The chain walk could not decide; the resolvers' answers above are the best `
      + 'evidence.')
  }
  if (broken.length > 0) {
    why.push(`${names(broken)} fail${broken.length === 1 ? 's' : ''} even with checking `
      + 'disabled (or refuse): that is not DNSSEC, but the resolver failing to get or give the '
      + 'data.')
  }
  return { conclusion: why.join(' '), findings }
}

interface LocalFailure {
  /** A sentence for the conclusion. */
  readonly words: string
  /** Causes to list first in RESOLVER_DISAGREES, already prefixed "likely:". */
  readonly likely: string[]
  readonly clock: Finding | null
}

/**
 * A validating resolver that fails what the walk validates, when the evidence says the fault
 * is its own: it fails even the root's DNSKEY, or it says EDE 7 / 8 (RFC 8914 4.8, 4.9) about
 * signatures the walk finds inside their validity window now: its clock is off (field case
 * C18). unbound gives the precise EDE only on the first failure of a question, and EDE 6 from
 * its cache after that, so the root question's EDE counts as much as the name's.
 */
function localFailure(o: ResolverObservation, q: string, report: Partial<Pick<Report, 'chain'
  | 'answers' | 'at'>>): LocalFailure | null {
  const codes = new Set([...o.ede, ...o.rootEde].map((e) => e.code))
  const rootZone = report.chain?.find((z) => z.zone === '.')
  const rootFails = o.rootRcode === 'SERVFAIL' && rootZone?.status === 'secure'
  const skew = codes.has(8) ? 'behind' : codes.has(7) ? 'ahead' : null
  if (!rootFails && skew === null) return null
  const who = `The failure of ${o.name} at ${o.address}`
  const rootWords = rootFails ? ` It fails even the root's DNSKEY set (. DNSKEY: SERVFAIL${
    o.rootEde.length > 0 ? `, EDE ${o.rootEde.map((e) => e.code).join(', ')}` : ''}), which the `
    + 'chain walk validates with the same signatures.' : ''
  if (skew === null) {
    const root = (rootZone?.dnskeySignatures ?? []).filter((x) => x.status === 'valid')
    const window = root.length === 0 ? '' : ` (the root's key signatures are valid from ${
      utc(root.map((x) => x.inception).sort().at(-1))} to ${
      utc(root.map((x) => x.expiration).sort()[0])})`
    return { words: `${who} is local.${rootWords} Look at that resolver: its clock${window}, `
      + 'its trust anchor, or its network.',
    likely: [`likely: a fault of this resolver alone: it fails even . DNSKEY, which the walk `
      + 'validates (its clock, its trust anchor, or its network)'], clock: null }
  }
  // The windows the resolver must accept: the root's keys when it fails those, else all.
  const sigs = (rootFails ? [...rootZone?.dnskeySignatures ?? []]
    : [...(report.chain ?? []).flatMap((z) => [...z.dsSignatures, ...z.dnskeySignatures]),
      ...(report.answers ?? []).flatMap((a) => a.signatures)]).filter((x) => x.status === 'valid')
  const inception = utc(sigs.map((x) => x.inception).sort().at(-1))
  const expiration = utc(sigs.map((x) => x.expiration).sort()[0])
  const at = report.at === undefined ? 'now' : `as of ${utc(report.at)}`
  const edeWord = skew === 'behind' ? 'EDE 8 (Signature Not Yet Valid)'
    : 'EDE 7 (Signature Expired)'
  const bound = skew === 'behind'
    ? `signatures it needs are valid only from ${inception}: its clock reads a time before that`
    : `signatures it needs expire on ${expiration}: its clock reads a time after that`
  const advice = `Correct the time of ${o.name} (${o.address}): run NTP, with the NTP server given `
    + 'by IP address (its name may not resolve while validation fails), then flush its cache '
    + '(unbound-control flush_bogus and flush_infra all; rndc flush), since it keeps keys that '
    + 'failed for a while.'
  const clock = finding('RESOLVER_CLOCK_SKEW', { zone: q.split(' ')[0] ?? q,
    servers: [o.address],
    evidence: [
      `${o.name}: ${q}: SERVFAIL${o.ede.length > 0 ? `, EDE ${o.ede.map((e) => e.code).join(', ')}`
        : ''}; . DNSKEY: ${o.rootRcode ?? 'not asked'}${o.rootEde.length > 0 ? `, EDE ${
        o.rootEde.map((e) => e.code).join(', ')}` : ''}`,
      ...dedupeWindows(sigs).slice(0, 6),
      `the chain walk finds these signatures valid ${at}`,
    ],
    message: `${o.name} (${o.address}) fails ${q} with ${edeWord}, but the chain walk `
      + `validates the same signatures ${at}: the failure is local to ${o.name}, and its clock `
      + `is likely ${skew}. The ${bound}.${rootWords}`,
    advice })
  return { words: `${who} is local: it says ${edeWord} about signatures the chain `
    + `walk finds valid ${at}, so its clock is likely ${skew} (the ${bound}).${rootWords} Fix `
    + 'its time (NTP), then flush its cache.',
  likely: [`likely: ${o.name}'s clock is ${skew} (${edeWord}; see RESOLVER_CLOCK_SKEW)`], clock }
}

/** An ISO time as people read it: 2026-11-01 00:00 UTC. */
function utc(iso: string | undefined): string {
  return iso === undefined ? '?' : `${iso.slice(0, 16).replace('T', ' ')} UTC`
}

function dedupeWindows(sigs: readonly { owner: string; covers: string; keyTag: number
  inception: string; expiration: string }[]): string[] {
  return [...new Set(sigs.map((x) => `RRSIG ${x.covers} at ${x.owner} by key ${x.keyTag}: `
    + `valid from ${x.inception} to ${x.expiration}`))]
}

function disagreement(o: ResolverObservation, q: string, theySay: string, weSay: string,
  causes: string[]): Finding {
  return finding('RESOLVER_DISAGREES', { zone: q.split(' ')[0] ?? q, servers: [o.address],
    message: `${o.name} (${o.address}) ${theySay} for ${q}, but the chain walk ${weSay}.`,
    evidence: causes.map((c) => (c.startsWith('likely: ') ? c : `possible: ${c}`)),
    advice: 'Compare again after the TTL; ask the resolver\'s operator about negative trust '
      + 'anchors; see docs/why-one-resolver-fails.md.' })
}

/** The report with the comparison added: the table's rows, the conclusion, its findings. */
export function withResolvers(report: Report, exchanges: readonly CapturedExchange[],
  question: { name: string; type: number }): Report {
  const resolvers = observeResolvers(exchanges, question.name, question.type)
  if (resolvers.length === 0) return report
  const c = concludeResolvers(report, resolvers)
  return { ...report, resolvers, conclusion: c.conclusion,
    findings: sortFindings([...report.findings, ...c.findings]) }
}
