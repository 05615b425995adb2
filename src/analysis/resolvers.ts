// Judging the resolver comparison: what each resolver answered, with and without CD, and what
// that says next to our own chain walk. Pure: recorded exchanges and the report in.
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { CapturedExchange } from '../probe/capture.js'
import { edeName } from '../wire/ede.js'
import { decodeMessage } from '../wire/message.js'
import { nameEquals, nameFromZoneText } from '../wire/name.js'
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
}

/** Rebuilds each resolver's observation from the recorded exchanges, in the order asked. */
export function observeResolvers(exchanges: readonly CapturedExchange[], qname: string,
  qtype: number): ResolverObservation[] {
  // Our own presentation text (as dig prints it), not user input: read it leniently.
  const target = nameFromZoneText(qname)
  const keys: string[] = []
  const plain = new Map<string, CapturedExchange[]>()
  const withCd = new Map<string, CapturedExchange[]>()
  for (const e of exchanges) {
    if (e.resolver === undefined) continue
    const k = `${e.resolver}|${e.server}|${e.port}`
    if (!keys.includes(k)) keys.push(k)
    const into = e.cd === true ? withCd : plain
    into.set(k, [...(into.get(k) ?? []), e])
  }
  return keys.map((k) => {
    const tries = plain.get(k) ?? []
    const head = tries[0] as CapturedExchange
    const m = lastMessage(tries)
    const cd = lastMessage(withCd.get(k) ?? [])
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
      // A resolver's text is untrusted: no control characters, and a sane length.
      ede: (m?.edns?.extendedErrors ?? []).slice(0, 8).map((e) => ({ code: e.code,
        name: edeName(e.code), text: printable(e.text, 300) })),
      ms, verdict: classify(m, cd, error, target, qtype), error, detail,
    }
  })
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
  | 'query'>, obs: readonly ResolverObservation[]): ResolverConclusion {
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
  for (const o of failing) {
    const ede = o.ede.map((e) => `EDE ${e.code} ${e.name}${e.text ? ` (${e.text})` : ''}`)
    findings.push(finding('RESOLVER_VALIDATION_FAILURE', { zone: report.brokenLink?.zone
      ?? report.query.name, servers: [o.address],
      message: `${o.name} (${o.address}) answers SERVFAIL for ${q}, but answers ${o.cdRcode} `
        + `with checking disabled: its DNSSEC validation fails${ede.length > 0 ? `; it says ${
          ede.join(', ')}` : ''}.`,
      advice: report.brokenLink?.advice ?? 'The chain walk finds no broken link: see the '
        + 'RESOLVER_DISAGREES finding for what could explain this resolver\'s failure.' }))
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
      : `The chain walk finds ${q} insecure (unsigned from ${report.insecureAt?.zone ?? '?'})${
        failing.length === 0 ? ': resolvers answer it without validation.' : '.'}`)
    if (failNote !== '') why.push(failNote.trim())
    for (const o of failing) {
      findings.push(disagreement(o, q, 'fails validation', `finds it ${report.status}`, [
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

function disagreement(o: ResolverObservation, q: string, theySay: string, weSay: string,
  causes: string[]): Finding {
  return finding('RESOLVER_DISAGREES', { zone: q.split(' ')[0] ?? q, servers: [o.address],
    message: `${o.name} (${o.address}) ${theySay} for ${q}, but the chain walk ${weSay}.`,
    evidence: causes.map((c) => `possible: ${c}`),
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
