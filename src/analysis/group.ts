// Servers of one zone should answer one question identically. Responses are grouped by
// content, each distinct answer is judged once, and the judgement is attributed to the
// servers that gave it: that is how a stale secondary is named instead of averaged away.
import type { ServerResponse } from '../probe/walker.js'
import { rcodeToText, rrToText } from '../wire/text.js'
import type { Message } from '../wire/types.js'
import { Rcode, RRType } from '../wire/types.js'

export interface ResponseGroup {
  readonly message: Message
  readonly servers: readonly string[]
}

export interface Grouped {
  readonly groups: readonly ResponseGroup[]
  /** Servers that gave no usable response, with why. */
  readonly failed: readonly ServerResponse[]
  /**
   * Servers that answered but not as a server of the zone: an error rcode, or (for questions
   * to the zone's own servers) no AA flag and no data. A lame server's REFUSED says nothing
   * about the zone, so it must never be judged as data ("no DNSKEY").
   */
  readonly lame: readonly ServerResponse[]
}

export function serverLabel(r: { server: string; port: number }): string {
  const host = r.server.includes(':') ? `[${r.server}]` : r.server
  return r.port === 53 ? r.server : `${host}:${r.port}`
}

/**
 * Groups by rcode and the records of the sections that matter (TTLs ignored: caches vary).
 * `authoritative`: the question went to the zone's own servers, which must answer with AA
 * (RFC 1035 4.1.1); a DS can also come in a parent's referral, so that one is not checked.
 */
export function groupResponses(responses: readonly ServerResponse[],
  opts: { authoritative?: boolean } = {}): Grouped {
  const groups = new Map<string, { message: Message; servers: string[] }>()
  const failed: ServerResponse[] = []
  const lame: ServerResponse[] = []
  // One answer is one group: no need to put its records into text to compare them.
  const answered = responses.filter((r) => r.message !== null)
  const only = answered.length === 1 ? answered[0] : undefined
  if (only?.message != null && lameReason(only.message, opts.authoritative === true) === null) {
    return { groups: [{ message: only.message, servers: [serverLabel(only)] }],
      failed: responses.filter((x) => x.message === null), lame: [] }
  }
  for (const r of responses) {
    if (r.message === null) {
      failed.push(r)
      continue
    }
    if (lameReason(r.message, opts.authoritative === true) !== null) {
      lame.push(r)
      continue
    }
    const k = fingerprint(r.message)
    const g = groups.get(k)
    if (g === undefined) groups.set(k, { message: r.message, servers: [serverLabel(r)] })
    else g.servers.push(serverLabel(r))
  }
  return { groups: [...groups.values()], failed, lame }
}

/** Why a response is not an answer from a server of the zone, or null when it is one. */
export function lameReason(m: Message, authoritative: boolean): string | null {
  if (m.rcode !== Rcode.NOERROR && m.rcode !== Rcode.NXDOMAIN) return `answered ${
    rcodeToText(m.rcode)}`
  // Without AA and data, a referral (NS in the authority section) is what a server that does
  // not serve the zone sends. An empty answer without AA and without NS is a broken negative
  // answer instead (field case C19), judged as one: NEGATIVE_ANSWER_WITHOUT_SOA.
  if (authoritative && !m.flags.aa && m.answer.length === 0
    && m.authority.some((rr) => rr.type === RRType.NS)) {
    return `answered ${rcodeToText(m.rcode)} with a referral instead of an answer (no AA flag), `
      + 'as a server that does not serve the zone'
  }
  return null
}

/**
 * Groups whose servers serve the same data: an RRSIG counts by everything but its signature
 * bytes. Online signers (and every ECDSA signer) make new signature bytes on each signing
 * (RFC 6605 section 6), so servers that agree on the data, key and validity window differ
 * in those bytes only; that is not an inconsistency. Each group is still verified apart.
 */
export function groupsByData(groups: readonly ResponseGroup[]): ResponseGroup[] {
  const out = new Map<string, { message: Message; servers: string[] }>()
  for (const g of groups) {
    const k = fingerprint(g.message, { signatures: false })
    const known = out.get(k)
    if (known === undefined) out.set(k, { message: g.message, servers: [...g.servers] })
    else known.servers.push(...g.servers)
  }
  return [...out.values()]
}

/** Rcode and records, TTLs left out; without `signatures`, RRSIG signature bytes too. */
function fingerprint(m: Message, opts: { signatures?: boolean } = {}): string {
  const bare = opts.signatures === false
  const lines = [...m.answer, ...m.authority]
    .map((rr) => rrToText(bare && rr.data.kind === 'RRSIG'
      ? { ...rr, ttl: 0, data: { ...rr.data, signature: new Uint8Array(0) } }
      : { ...rr, ttl: 0 }))
    .sort()
  return `${m.rcode}\n${lines.join('\n')}`
}
