// The readable chain report. It leads with the verdict and the cause, says who must act and
// which servers are involved, keeps knock-on effects below, and explains its own words.
import { getBorderCharacters, table } from 'table'
import { serverLabel } from '../analysis/group.js'
import { VERDICT_WORDS } from '../analysis/resolvers.js'
import type { ResolverObservation } from '../analysis/resolvers.js'
import { CODES } from '../findings.js'
import type { Finding } from '../findings.js'
import type { Report, SignatureReport, Status, ZoneReport } from '../analysis/types.js'

const STATUS_WORDS: Record<Status, string> = {
  secure: 'SECURE: the chain of trust is intact; validating resolvers will answer',
  insecure: 'INSECURE: the name is not protected by DNSSEC; resolvers will answer it unchecked',
  bogus: 'BOGUS: validating resolvers (Google, Cloudflare, Quad9, ...) will answer SERVFAIL',
  indeterminate: 'INDETERMINATE: the walk could not reach enough servers to decide',
}

const PARTY_WORDS: Record<Finding['party'], string> = {
  registrar: 'the registrar, or whoever manages the DS in the parent zone',
  'dns-host': 'the DNS host, or whoever signs the zone',
  'server-operator': 'the operator of the server(s) named',
  'resolver-operator': 'the operator of the validating resolver',
  none: 'nobody',
}

export function renderText(r: Report): string {
  const out: string[] = []
  out.push(`dnssec-doctor: ${r.query.name} ${r.query.type}, validated as of ${stamp(r.at)}`, '')
  if (r.resolvers.length > 0) {
    out.push(renderResolvers(r.resolvers).trimEnd(), '')
    if (r.conclusion) out.push(...wrap(r.conclusion, ''), '')
  }
  out.push(`VERDICT  ${STATUS_WORDS[r.status]}`)
  if (r.brokenLink !== null) {
    const b = r.brokenLink
    out.push(`CAUSE    ${b.code} at ${b.zone}${b.recordZone !== b.zone
      ? ` (the record is served by ${b.recordZone})` : ''}`)
    out.push(...wrap(b.message, '         '))
    out.push(`WHO      ${PARTY_WORDS[b.party]}`)
    if (b.servers.length > 0) out.push(`SERVERS  ${b.servers.join(', ')}`)
    out.push(...wrap(b.advice, '         ', 'FIX      '))
  } else if (r.insecureAt !== null) {
    out.push(`WHERE    ${r.insecureAt.zone}`)
    out.push(...wrap(r.insecureAt.reason, '         '))
  } else if (r.undecidedAt !== null) {
    out.push(`WHERE    ${r.undecidedAt.zone}`)
    out.push(...wrap(r.undecidedAt.reason, '         '))
  }
  // A DNS failure beside a DNSSEC verdict that looks fine (an alias loop, a server whose
  // negative answers resolvers reject): say it up front.
  const problem = r.brokenLink === null ? r.findings.find((f) => f.severity === 'error')
    ?? r.findings.find((f) => f.code === 'NEGATIVE_ANSWER_WITHOUT_SOA') : undefined
  if (problem !== undefined) {
    out.push(`PROBLEM  ${problem.code} at ${problem.zone}`)
    out.push(...wrap(problem.message, '         '))
    out.push(...wrap(problem.advice, '         ', 'FIX      '))
  }
  out.push('', 'Chain of trust, from the trust anchor down:')
  // The mark goes on a zone whose own link broke; a bad answer in a good zone is marked below.
  for (const z of r.chain) {
    out.push(...renderZone(z, r.brokenLink?.zone === z.zone && z.status !== 'secure'))
  }
  out.push('', 'Answer:')
  for (const a of r.answers) {
    const why = a.status === 'secure' ? 'validated'
      : a.status === 'insecure' ? 'not signed (insecure zone)'
        : r.brokenLink !== null && a.signatures.length === 0
          ? `not validated: the chain broke at ${r.brokenLink.zone}` : a.status
    const here = a.status === 'bogus' && a.signatures.length > 0 ? '   <-- broken here' : ''
    out.push(`  ${a.name} ${a.type} from ${a.zone}: ${a.rcode}, ${why}${here}`)
    for (const rec of a.records.slice(0, 12)) {
      out.push(`    ${rec.length > 96 ? `${rec.slice(0, 93)}...` : rec}`)
    }
    if (a.denial !== null) out.push(...wrap(a.denial, '    '))
    for (const s of dedupeSigs(a.signatures)) out.push(...wrap(sigLine(s), '      ', '    '))
  }
  const others = r.findings.filter((f) => f.code !== r.brokenLink?.code
    || f.zone !== r.brokenLink.zone)
  if (others.length > 0) {
    out.push('', 'Other findings (each stands on its own; the cause above comes first):')
    for (const f of others) {
      out.push(`  ${f.severity.padEnd(7)} ${f.code} (${f.zone})`)
      out.push(...wrap(f.message, '          '))
    }
  }
  out.push('', ...wrap('Words used: secure = every link verified from the trust anchor; '
    + 'insecure = a parent proves the zone unsigned; bogus = a link fails, so validators refuse '
    + 'the answer; indeterminate = not enough servers answered to decide; KSK = key-signing key '
    + '(the one the DS names); ZSK = zone-signing key; DS = the parent\'s fingerprint of the KSK; '
    + 'RRSIG = a signature.', '  ', ''), '', verdictLine(r))
  return `${out.join('\n')}\n`
}

/** The last line: the verdict and where, for someone who reads only that. */
export function verdictLine(r: Report): string {
  const head = `Verdict: ${r.query.name} ${r.query.type} is ${r.status.toUpperCase()}`
  if (r.brokenLink !== null) {
    return `${head}, broken at ${r.brokenLink.zone} (${r.brokenLink.code})`
  }
  if (r.insecureAt !== null) return `${head}, insecure from ${r.insecureAt.zone} down`
  if (r.undecidedAt !== null) return `${head}, undecided at ${r.undecidedAt.zone}`
  return head
}

function renderZone(z: ZoneReport, broken: boolean): string[] {
  const out: string[] = []
  const mark = broken ? '   <-- first broken link' : ''
  out.push(`  ${z.zone.padEnd(28)} ${z.status.toUpperCase()}${mark}`)
  out.push(...wrap(z.summary, '      '))
  if (z.servers.length > 0) {
    out.push(...wrap(`servers: ${z.servers.map((s) => `${serverLabel({ server: s.address,
      port: s.port })}${s.names.length > 0 ? ` (${s.names.join(', ')})` : ''}${s.serial === null
      ? '' : ` serial ${s.serial}`}`).join(', ')}`, '        ', '      '))
  }
  for (const d of z.ds) {
    const what = { matches: `matches key ${d.keyTag}`, 'digest-mismatch':
      `names key ${d.keyTag}, but the digest does not match it`, 'no-key':
      `names key ${d.keyTag}, which the zone does not publish`, unsupported:
      'algorithm or digest not supported' }[d.status]
    out.push(`      DS ${d.keyTag} alg ${d.algorithm} digest ${d.digestType} ${
      d.digest.slice(0, 16)}...: ${what}`)
  }
  for (const s of dedupeSigs(z.dsSignatures)) {
    out.push(...wrap(sigLine(s), '        ', '      '))
  }
  for (const k of z.dnskeys) {
    const notes = [k.revoked ? 'REVOKED' : '', k.matchedByDs ? 'matched by DS' : '',
      k.signsKeySet ? 'signs the key set' : ''].filter((x) => x !== '').join(', ')
    out.push(`      DNSKEY ${String(k.keyTag).padEnd(5)} alg ${k.algorithm} ${k.role}${
      notes ? ` (${notes})` : ''}`)
  }
  for (const s of dedupeSigs(z.dnskeySignatures)) {
    out.push(...wrap(sigLine(s), '        ', '      '))
  }
  return out
}

function sigLine(s: SignatureReport): string {
  // Denial records are many per answer: say which one each signature covers.
  const at = s.covers === 'NSEC' || s.covers === 'NSEC3' ? ` at ${s.owner}` : ''
  return `RRSIG ${s.covers}${at} by key ${s.keyTag}: ${s.status} (signed for ${
    day(s.inception)} to ${
    day(s.expiration)}; from ${s.servers.join(', ')})`
}

function dedupeSigs(list: readonly SignatureReport[]): SignatureReport[] {
  const seen = new Map<string, SignatureReport>()
  for (const s of list) {
    const k = `${s.owner}|${s.covers}|${s.keyTag}|${s.expiration}|${s.status}`
    const prev = seen.get(k)
    seen.set(k, prev === undefined ? s : { ...prev, servers: [...new Set([...prev.servers,
      ...s.servers])] })
  }
  return [...seen.values()]
}

function day(iso: string): string {
  return iso.slice(0, 10)
}

function stamp(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC')
}

function wrap(text: string, indent: string, first = indent, width = 100): string[] {
  const words = text.split(/\s+/)
  const lines: string[] = []
  let line = first
  for (const w of words) {
    if (line.length + w.length + 1 > width && line.trim() !== '') {
      lines.push(line.trimEnd())
      line = indent
    }
    line += `${w} `
  }
  if (line.trim() !== '') lines.push(line.trimEnd())
  return lines
}

/** One row per link: for a quick look, and for pasting into a ticket. */
export function renderTable(r: Report): string {
  const rows = [['zone / answer', 'status', 'DS (tag:state)', 'DNSKEY (tag/role) or rcode',
    'problem']]
  // An error first; else a warning or note, so a zone that validates with a problem says so.
  const first = (match: (f: Report['findings'][number]) => boolean): string =>
    (r.findings.find((f) => match(f) && f.severity === 'error')
      ?? r.findings.find((f) => match(f) && f.severity === 'warning')
      ?? r.findings.find((f) => match(f)))?.code ?? ''
  const answerRecords = new Set(r.answers.map((a) => `${a.name} ${a.type}`))
  for (const z of r.chain) {
    const problem = r.findings.find((f) => f.zone === z.zone && f.severity === 'error')?.code
      ?? first((f) => f.zone === z.zone && !answerRecords.has(f.record ?? ''))
    rows.push([z.zone, z.status, z.ds.map((d) => `${d.keyTag}:${d.status}`).join(' ') || '-',
      z.dnskeys.map((k) => `${k.keyTag}/${k.role}`).join(' ') || '-', problem])
  }
  for (const a of r.answers) {
    const problem = r.findings.find((f) => f.zone === a.zone && f.severity === 'error'
      && f.record !== undefined)?.code
      ?? first((f) => f.zone === a.zone && f.record === `${a.name} ${a.type}`)
    rows.push([`${a.name} ${a.type}`, a.status, '-', a.rcode, problem])
  }
  return `${table(rows)}verdict: ${r.status}${r.brokenLink === null ? ''
    : ` (${r.brokenLink.code} at ${r.brokenLink.zone}: ${CODES[r.brokenLink.code].meaning})`}\n`
}

/** What each resolver answered, plain and with checking disabled, as one aligned table. */
export function renderResolvers(list: readonly ResolverObservation[]): string {
  const rows = [['resolver', 'address', 'answer', 'AD', 'with CD', 'EDE', 'verdict']]
  for (const o of list) {
    rows.push([o.name, serverLabel({ server: o.address, port: o.port }),
      o.rcode ?? (o.error ?? 'none'), o.rcode === null ? '-' : o.ad ? 'yes' : 'no',
      o.cdRcode ?? '-', edeColumn(o.ede), VERDICT_WORDS[o.verdict]])
  }
  const notes = list.filter((o) => o.detail !== null)
    .map((o) => `${o.name} (${serverLabel({ server: o.address, port: o.port })}): ${o.error}: ${
      o.detail}`)
  return `${table(rows, { border: getBorderCharacters('void'),
    columnDefault: { paddingLeft: 0, paddingRight: 2 }, drawHorizontalLine: () => false })}${
    notes.length > 0 ? `${notes.join('\n')}\n` : ''}`
}

/** At most two codes shown in the table; the JSON has them all. */
function edeColumn(ede: readonly { code: number; name: string }[]): string {
  if (ede.length === 0) return '-'
  const shown = ede.slice(0, 2).map((e) => `${e.code} ${e.name}`).join(', ')
  return ede.length > 2 ? `${shown} (+${ede.length - 2})` : shown
}
