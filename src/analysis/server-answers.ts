// What a zone's own servers do wrong in answers that DNSSEC does not judge: negative answers
// without the zone's SOA (RFC 2308), and error rcodes in a zone that is not signed. Both make
// resolvers fail, and both look like DNSSEC trouble to the reader when they are not.
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { AnswerStep } from '../probe/walker.js'
import { nameToText } from '../wire/name.js'
import { rcodeToText, typeToText } from '../wire/text.js'
import { Rcode, RRType } from '../wire/types.js'
import type { ResponseGroup } from './group.js'
import type { ZoneState } from './support.js'

/**
 * RFC 2308 section 3: a server authoritative for the zone puts the zone's SOA in the authority
 * section of every NXDOMAIN and NODATA answer (section 2.2: without it a NODATA cannot be told
 * from a referral and cannot be cached). Known limit: AA clear is named only on such negative
 * answers; a positive answer without AA from the zone's own server is not reported.
 */
export function negativeWithoutSoa(step: AnswerStep, zone: ZoneState, g: ResponseGroup):
  Finding | null {
  const m = g.message
  const q = step.question
  const negative = m.rcode === Rcode.NXDOMAIN || (m.rcode === Rcode.NOERROR
    // An alias chain that leaves the zone continues elsewhere: not a negative answer here.
    && step.aliasTarget === null && !m.answer.some((rr) => rr.type === q.type))
  if (!negative) return null
  if (m.authority.some((rr) => rr.type === RRType.SOA)) return null
  // A referral (NS in authority, AA clear) is not an answer: the walker followed it already.
  if (!m.flags.aa && m.authority.some((rr) => rr.type === RRType.NS)) return null
  const zoneName = zone.report.zone
  const asked = `${nameToText(q.name)} ${typeToText(q.type)}`
  const what = m.rcode === Rcode.NXDOMAIN ? 'NXDOMAIN'
    : `NOERROR, ${m.answer.length === 0 ? 'an empty answer' : 'no record of that type'}`
  const aa = m.flags.aa ? '' : ' and the AA (authoritative) bit clear, though it serves the zone'
  const dnssec = zone.cause?.code === 'INSECURE_DELEGATION'
    ? ` This is not a DNSSEC problem: ${zone.cause.recordZone ?? 'the parent'} proves that ${
      zoneName} has no DS, so ${zoneName} is unsigned and no validator checks its answers.`
    : zone.status === 'insecure' ? ` This is not a DNSSEC problem: ${zoneName} is not signed `
      + '(the chain of trust ends above it).' : ''
  return finding('NEGATIVE_ANSWER_WITHOUT_SOA', { zone: zoneName, servers: g.servers,
    record: asked,
    evidence: [
      `${g.servers.join(', ')}: ${rcodeToText(m.rcode)}, ${m.answer.length} answer record(s), `
        + `authority section: ${m.authority.length === 0 ? 'empty'
          : [...new Set(m.authority.map((rr) => typeToText(rr.type)))].join(' ')} (no SOA)`,
      `AA bit ${m.flags.aa ? 'set' : 'clear'}`,
    ],
    message: `${g.servers.join(', ')} answered ${asked} with ${what}${aa}, and without the `
      + `SOA record of ${zoneName} in the authority section. RFC 2308 (sections 2.2 and 3) `
      + 'requires that SOA in every negative answer; stricter resolvers (unbound 1.18 and '
      + 'later, Knot Resolver, PowerDNS Recursor) answer SERVFAIL for such an answer, others '
      + `pass it on as an empty answer.${dnssec}`,
    advice: `Fix the name server software of ${zoneName}, or the proxy or filter in front of `
      + 'it: set the AA bit on answers for its own zone, put the zone\'s SOA in the authority '
      + 'section of every NODATA and NXDOMAIN answer, and answer record types it has no data '
      + 'for (CAA, DS below the apex) with NODATA instead of an empty NOERROR or an error.' })
}

/**
 * An error rcode from a zone that is not signed: no validator is involved, so it is no DNSSEC
 * verdict (field case C19: a server that answers NOTIMP to DS questions), but the server is
 * still broken for that question.
 */
export function errorInUnsignedZone(step: AnswerStep, zone: ZoneState, g: ResponseGroup):
  Finding | null {
  const m = g.message
  if (m.rcode === Rcode.NOERROR || m.rcode === Rcode.NXDOMAIN) return null
  const zoneName = zone.report.zone
  const asked = `${nameToText(step.question.name)} ${typeToText(step.question.type)}`
  const ds = step.question.type === RRType.DS
    ? ' A DS question for a name inside the zone is answered by the zone itself (there is no '
      + 'zone cut there); a server that rejects DS questions makes stub validators fail.'
    : ''
  return finding('SERVER_ERROR_RCODE', { zone: zoneName, servers: g.servers, record: asked,
    message: `${g.servers.join(', ')} answered ${rcodeToText(m.rcode)} for ${asked}. ${zoneName} `
      + `is not signed, so this is not a DNSSEC verdict: the server fails this question.${ds}`,
    advice: `Have the servers of ${zoneName} answer every record type for their zone: NODATA `
      + '(NOERROR, no records, the zone\'s SOA) for a type they have no data for.' })
}
