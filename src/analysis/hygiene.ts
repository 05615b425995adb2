// Problems of zones that still validate (issue 5): TTLs against signatures, algorithms RFC 8624
// retires or RFC 4035 2.2 requires, revoked keys, CDS/CDNSKEY the parent has not acted on, and
// a delegation that differs from the zone's own NS set. None of them changes a verdict; each
// is a finding an operator should act on before it becomes an outage.
import { algorithmInfo, digestInfo } from '../dnssec/algorithms.js'
import { dsDigest } from '../dnssec/digest.js'
import { keyTag } from '../dnssec/keytag.js'
import { rrsigTimeToDate } from '../dnssec/time.js'
import type { Finding } from '../findings.js'
import { finding } from '../findings.js'
import type { ServerResponse, ZoneVisit } from '../probe/walker.js'
import { nameEquals, nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import type { DNSKEYData, DSData, Name, RR, RRSIGData } from '../wire/types.js'
import { RRType } from '../wire/types.js'
import { groupResponses, serverLabel } from './group.js'
import { DNSKEY_FLAG_REVOKE, DNSKEY_FLAG_ZONE, validateRRset } from './rrset.js'
import { hex } from './support.js'

/** Where an RRset came from, for the findings about it. */
export interface SetContext {
  /** The zone the finding is about (the signer of the RRset). */
  readonly zone: string
  readonly servers: readonly string[]
  readonly at: Date
}

function sigsOver(set: readonly RR[], sigs: readonly RR[]): RR<RRSIGData>[] {
  const head = set[0]
  if (head === undefined) return []
  return sigs.filter((s): s is RR<RRSIGData> => s.data.kind === 'RRSIG'
    && s.data.typeCovered === head.type && nameEquals(s.name, head.name))
}

function label(set: readonly RR[]): string {
  const head = set[0]
  return head === undefined ? '?' : `${nameToText(head.name)} ${typeToText(head.type)}`
}

/**
 * RFC 4035 5.3.3: the TTL of a validated RRset is capped by the RRSIG's original TTL and by
 * the time left before the signature expires. A served TTL above the original one means the
 * data changed after signing; a TTL beyond the expiry lets caches outlive the signature.
 */
export function ttlNotes(set: readonly RR[], sigs: readonly RR[],
  validKeyTags: readonly number[], c: SetContext): Finding[] {
  // Only signatures that verified count; of those, the most lenient decides (a rollover may
  // leave an older, shorter one beside the current one).
  const valid = sigsOver(set, sigs).filter((s) => validKeyTags.includes(s.data.keyTag))
  if (valid.length === 0) return []
  const served = Math.max(...set.map((rr) => rr.ttl))
  const out: Finding[] = []
  const rec = label(set)
  const byOrig = [...valid].sort((a, b) => b.data.originalTtl - a.data.originalTtl)[0]
  if (byOrig !== undefined && served > byOrig.data.originalTtl) {
    const orig = byOrig.data.originalTtl
    out.push(finding('RRSIG_ORIGINAL_TTL_MISMATCH', { zone: c.zone, record: rec,
      servers: c.servers, keyTag: byOrig.data.keyTag, algorithm: byOrig.data.algorithm,
      evidence: [`${rec}: served TTL ${served} s`, `RRSIG by key ${byOrig.data.keyTag}: `
        + `original TTL ${orig} s`],
      message: `${c.servers.join(', ')} serve${c.servers.length === 1 ? 's' : ''} ${rec} with `
        + `TTL ${served} s, but its signature by key ${byOrig.data.keyTag} was made for TTL ${
          orig} s: the TTL was changed after signing. Validators use ${orig} s (RFC 4035 `
        + `section 5.3.3); caches that do not validate keep ${served} s.`,
      advice: `Change TTLs in the zone source and re-sign ${c.zone}; do not edit the signed `
        + 'file or have a server rewrite TTLs after signing.' }))
  }
  const latest = [...valid].sort((a, b) => expiry(b, c.at) - expiry(a, c.at))[0]
  if (latest !== undefined) {
    const left = (expiry(latest, c.at) - c.at.getTime()) / 1000
    const ttl = Math.max(served, latest.data.originalTtl)
    if (ttl > left) {
      const exp = new Date(expiry(latest, c.at)).toISOString()
      out.push(finding('RRSIG_TTL_BEYOND_EXPIRY', { zone: c.zone, record: rec,
        servers: c.servers, keyTag: latest.data.keyTag, algorithm: latest.data.algorithm,
        evidence: [`${rec}: TTL ${served} s, original TTL ${latest.data.originalTtl} s (${
          span(ttl)})`, `RRSIG by key ${latest.data.keyTag}: expires ${exp}, ${span(left)} after `
          + 'the time of validation'],
        message: `${rec} has TTL ${ttl} s (${span(ttl)}), longer than the ${span(left)} left `
          + `before its signature by key ${latest.data.keyTag} expires on ${exp.slice(0, 10)}. `
          + 'Validators cut the TTL at the expiry (RFC 4035 section 5.3.3), but a cache that '
          + 'does not validate may keep serving the records with an expired signature, and '
          + 'validators behind it then reject them.',
        advice: `Lower the TTL of ${rec} well below the signature validity period (a day or less `
          + 'is usual, RFC 6781 section 4.4.2) and re-sign the zone.' }))
    }
  }
  return out
}

function expiry(s: RR<RRSIGData>, at: Date): number {
  return rrsigTimeToDate(s.data.expiration, at).getTime()
}

function span(seconds: number): string {
  const days = seconds / 86_400
  if (days >= 730) return `${(days / 365.25).toFixed(1)} years`
  if (days >= 2) return `${Math.floor(days)} days`
  const hours = seconds / 3_600
  return hours >= 2 ? `${Math.floor(hours)} hours`
    : `${Math.max(0, Math.floor(seconds / 60))} minutes`
}

function algName(n: number): string {
  return `${n} (${algorithmInfo(n).mnemonic})`
}

/**
 * RFC 4035 2.2: every RRset carries a signature by each algorithm of the apex DNSKEY set.
 * RFC 6840 5.11 lets validators accept one valid path, so this is a warning, not a break.
 */
export function algorithmGap(set: readonly RR[], sigs: readonly RR[],
  keys: readonly DNSKEYData[], signer: Name, c: SetContext): Finding | null {
  const zoneKeys = keys.filter((k) => (k.flags & DNSKEY_FLAG_ZONE) !== 0
    && (k.flags & DNSKEY_FLAG_REVOKE) === 0)
  const wanted = [...new Set(zoneKeys.map((k) => k.algorithm))].sort((a, b) => a - b)
  const have = new Set(sigsOver(set, sigs).filter((s) => nameEquals(s.data.signerName, signer))
    .map((s) => s.data.algorithm))
  const missing = wanted.filter((a) => !have.has(a))
  if (missing.length === 0 || have.size === 0) return null
  const rec = label(set)
  const tagsOf = (a: number): string => zoneKeys.filter((k) => k.algorithm === a)
    .map((k) => keyTag(k)).join(', ')
  const lacking = missing.map((a) => `algorithm ${algName(a)} (key ${tagsOf(a)})`).join(' and ')
  return finding('RRSIG_ALGORITHM_MISSING', { zone: c.zone, record: rec, servers: c.servers,
    algorithm: missing[0],
    evidence: [`DNSKEY set algorithms: ${wanted.map(algName).join(', ')}`,
      `${rec} signed with: ${[...have].sort((a, b) => a - b).map(algName).join(', ')}`],
    message: `${rec} has no signature by ${lacking}, although the DNSKEY set of ${c.zone} `
      + 'holds that algorithm: RFC 4035 section 2.2 asks for a signature by every algorithm in '
      + 'the DNSKEY set. Validators accept the answer (RFC 6840 section 5.11 lets them use any '
      + 'one valid path), so the name resolves, but this is the shape of an algorithm rollover '
      + 'stopped half-way, and a validator that insists on the DS algorithm fails it.',
    advice: `Sign every RRset of ${c.zone} with a key of each algorithm in its DNSKEY set (add a `
      + `zone-signing key of algorithm ${missing[0]}, or let that key sign the zone data), or `
      + 'finish the rollover. Add a new algorithm\'s signatures before its keys and remove them '
      + 'after (RFC 6781 section 4.1.4).' })
}

/** RFC 8624 3.1 and 3.3: algorithms and digest types that are on their way out. */
export function deprecationNotes(zone: string, parentZone: string, keys: readonly DNSKEYData[],
  ds: readonly DSData[], servers: readonly string[], dsServers: readonly string[]): Finding[] {
  const out: Finding[] = []
  for (const a of [...new Set(keys.map((k) => k.algorithm))].sort((x, y) => x - y)) {
    const info = algorithmInfo(a)
    if (!info.deprecated) continue
    const ofAlg = keys.filter((k, i) => k.algorithm === a
      && keys.findIndex((x) => keyTag(x) === keyTag(k) && x.algorithm === a) === i)
    out.push(finding('ALGORITHM_DEPRECATED', { zone, algorithm: a, servers,
      keyTag: keyTag(ofAlg[0] as DNSKEYData),
      evidence: ofAlg.map((k) => `DNSKEY ${keyTag(k)} algorithm ${a} flags ${k.flags}`),
      message: `${zone} is signed with algorithm ${algName(a)} (keys ${ofAlg.map((k) => keyTag(k))
        .join(', ')}). RFC 8624 section 3.1 says signers should no longer use it (signing: ${
        info.signing ?? 'not listed'}); validators still accept it today (validation: ${
        info.validation ?? 'not listed'}), but systems that switch off SHA-1 or MD5 already `
        + 'treat such zones as unsigned.',
      advice: `Roll ${zone} to algorithm 13 (ECDSAP256SHA256) or 8 (RSASHA256): an algorithm `
        + 'rollover (RFC 6781 section 4.1.4), with a new DS at the registrar.' }))
  }
  for (const d of ds) {
    const info = digestInfo(d.digestType)
    if (!info.deprecated) continue
    const beside = ds.filter((x) => x.keyTag === d.keyTag && x.algorithm === d.algorithm
      && !digestInfo(x.digestType).deprecated && digestInfo(x.digestType).supported)
    const line = `${zone} DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${hex(d.digest)
      .toUpperCase()}`
    out.push(finding('DS_DIGEST_DEPRECATED', { zone, recordZone: parentZone, keyTag: d.keyTag,
      algorithm: d.algorithm, servers: dsServers, record: `${zone} DS`,
      evidence: [line, ...beside.map((x) => `${zone} DS ${x.keyTag} ${x.algorithm} ${
        x.digestType} ${hex(x.digest).toUpperCase()}`)],
      message: `The DS for key ${d.keyTag} at ${parentZone} uses digest type ${d.digestType} (${
        info.mnemonic}), which RFC 8624 section 3.3 says must no longer be published. ${
        beside.length > 0 ? `A DS with digest type ${beside.map((x) => `${x.digestType} (${
          digestInfo(x.digestType).mnemonic})`).join(', ')} for the same key is there too, so `
          + 'validators use that one and nothing breaks.'
          : 'It is the only DS for this key: validators that drop the digest lose the key.'}`,
      advice: beside.length > 0
        ? `Remove the ${info.mnemonic} DS for ${zone} at the registrar (the ${parentZone} `
          + 'zone); keep the SHA-256 one.'
        : `Publish a SHA-256 (digest type 2) DS for key ${d.keyTag} at the registrar, then `
          + `remove the ${info.mnemonic} one.` }))
  }
  return out
}

/** RFC 5011: a key with the REVOKE bit is distrusted; publishing it is a rollover's last step. */
export function revokedNotes(zone: string, keys: readonly DNSKEYData[],
  servers: readonly string[]): Finding[] {
  return keys.filter((k) => (k.flags & DNSKEY_FLAG_REVOKE) !== 0).map((k) => {
    const tag = keyTag(k)
    return finding('DNSKEY_REVOKED', { zone, keyTag: tag, algorithm: k.algorithm, servers,
      evidence: [`DNSKEY ${tag} algorithm ${k.algorithm} flags ${k.flags} (REVOKE bit set)`],
      message: `The DNSKEY set of ${zone} holds key ${tag} (algorithm ${k.algorithm}, flags ${
        k.flags}) with the REVOKE flag of RFC 5011: validators that track ${zone} by RFC 5011 `
        + 'stop trusting it, and no validator uses it to check signatures. Nothing else changes.',
      advice: `Nothing is broken. Remove key ${tag} from ${zone} once the RFC 5011 remove `
        + 'hold-down (30 days) has passed; make sure no DS or trust anchor still names it.' })
  })
}

/**
 * RFC 7344 (CDS/CDNSKEY) and RFC 8078 (the delete signal): what the zone asks of its parent,
 * compared with the DS the parent has. Only full checks ask for them.
 */
export function cdsNotes(v: ZoneVisit, parentZone: string, ds: readonly DSData[],
  keys: readonly DNSKEYData[], at: Date): Finding[] {
  const zone = nameToText(v.zone)
  const cds = apexRecords(v.cds ?? [], v.zone, RRType.CDS)
  const cdnskey = apexRecords(v.cdnskey ?? [], v.zone, RRType.CDNSKEY)
  if ((cds === null && cdnskey === null) || ds.length === 0) return []
  const cdsData = (cds?.set ?? []).flatMap((rr) => (rr.data.kind === 'CDS' ? [rr.data] : []))
  const keyData = (cdnskey?.set ?? []).flatMap((rr) =>
    (rr.data.kind === 'CDNSKEY' ? [rr.data] : []))
  const servers = [...new Set([...cds?.servers ?? [], ...cdnskey?.servers ?? []])]
  const dsLines = ds.map((d) => `DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${
    hex(d.digest).toUpperCase()}`)
  const evidence = [...cdsData.map((d) => `CDS ${d.keyTag} ${d.algorithm} ${d.digestType} ${
    hex(d.digest).toUpperCase() || '00'}`), ...keyData.map((k) => `CDNSKEY ${k.flags} ${
    k.protocol} ${k.algorithm} ${k.algorithm === 0 ? Buffer.from(k.publicKey).toString('base64')
    : `(key ${keyTag(k)})`}`), ...dsLines.map((l) => `at ${parentZone}: ${
    l}`), ...signedNote(cds, v.zone, keys, at), ...signedNote(cdnskey, v.zone, keys, at)]
  // RFC 8078 section 4: CDS 0 0 0 00 and CDNSKEY 0 3 0 AA== ask the parent to remove the DS,
  // each as an RRset of that one record. Beside other records it is no signal at all.
  const deletes = [cdsData.filter((d) => d.algorithm === 0).length,
    keyData.filter((k) => k.algorithm === 0).length]
  const sizes = [cdsData.length, keyData.length]
  if (deletes.some((n, i) => n > 0 && sizes[i] !== 1)) {
    const types = ['CDS', 'CDNSKEY'].filter((_, i) => (deletes[i] ?? 0) > 0 && sizes[i] !== 1)
    return [finding('CDS_MISMATCH', { zone, recordZone: zone, servers, evidence,
      message: `The ${types.join(' and ')} set of ${zone} mixes the RFC 8078 delete signal `
        + '(CDS 0 0 0 00 / CDNSKEY 0 3 0 AA==) with keys. The delete signal is a set of that '
        + 'one record (RFC 8078 section 4), so this set is neither a request to remove the DS '
        + 'nor a valid list of keys: parents that scan CDS ignore it, and the DS at '
        + `${parentZone} stays as it is.`,
      advice: `If ${zone} is to stay signed, remove the delete record (CDS 0 0 0 00 / CDNSKEY 0 3 `
        + '0 AA==) and keep only the records for the keys the DS should name. If it is to be '
        + 'unsigned, publish the delete record alone.' })]
  }
  if (deletes.some((n) => n > 0)) {
    return [finding('CDS_DELETE', { zone, recordZone: zone, servers, evidence,
      message: `${zone} publishes the RFC 8078 delete signal (CDS 0 0 0 00 / CDNSKEY 0 3 0 AA==) `
        + `while ${parentZone} still has its DS (${ds.map((d) => `key ${d.keyTag}`).join(', ')}). `
        + `A parent that scans CDS removes the DS, and ${zone} then resolves as unsigned.`,
      advice: `If ${zone} is meant to stay signed, remove the CDS and CDNSKEY records from it. `
        + 'If it is being unsigned on purpose, keep the zone signed until the DS is gone from '
        + `${parentZone} and its TTL has passed.` })]
  }
  const dsSet = new Set(dsLines)
  const cdsSet = new Set(cdsData.map((d) => `DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${
    hex(d.digest).toUpperCase()}`))
  const cdsDiffers = cds !== null && (cdsSet.size !== dsSet.size
    || [...cdsSet].some((l) => !dsSet.has(l)))
  const covers = (k: DNSKEYData, d: DSData): boolean => k.algorithm === d.algorithm
    && keyTag(k) === d.keyTag && sameBytes(dsDigest(v.zone, k, d.digestType), d.digest)
  const keysDiffer = cdnskey !== null && (keyData.some((k) => !ds.some((d) => covers(k, d)))
    || ds.some((d) => !keyData.some((k) => covers(k, d))))
  if (!cdsDiffers && !keysDiffer) return []
  const wanted = [...new Set([...cdsData.map((d) => d.keyTag), ...keyData.map((k) => keyTag(k))])]
  const asked = cdsData.map((d) => `${zone} IN DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${
    hex(d.digest).toUpperCase()}`)
  return [finding('CDS_MISMATCH', { zone, recordZone: parentZone, servers, evidence,
    keyTag: wanted[0],
    message: `${zone} publishes ${[cds === null ? '' : 'CDS', cdnskey === null ? '' : 'CDNSKEY']
      .filter((x) => x !== '').join(' and ')} for key ${wanted.join(', ')}, asking ${parentZone} `
      + `for a DS that differs from the one it has (key ${[...new Set(ds.map((d) => d.keyTag))]
        .join(', ')}; RFC 7344). The parent has not made the change: it may not scan CDS, or `
      + 'it is still waiting. The zone validates today through the current DS; removing the key '
      + 'that DS names before the parent updates would break it.',
    advice: `If ${parentZone} (the registrar) does not act on CDS, submit the DS yourself${
      asked.length > 0 ? `: ${asked.join(' ; ')}` : ''}; keep the old key until the new DS has `
      + 'been visible longer than its TTL. If the CDS is left over, remove it from the zone.' })]
}

function apexRecords(responses: readonly ServerResponse[], zone: Name, type: number):
  { set: RR[]; sigs: readonly RR[]; servers: readonly string[] } | null {
  for (const g of groupResponses(responses).groups) {
    const set = g.message.answer.filter((rr) => rr.type === type && nameEquals(rr.name, zone))
    if (set.length > 0) return { set, sigs: g.message.answer, servers: g.servers }
  }
  return null
}

/** A parent acts only on a validly signed CDS (RFC 7344 4.1): say so when it is not. */
function signedNote(found: { set: RR[]; sigs: readonly RR[]; servers: readonly string[] } | null,
  zone: Name, keys: readonly DNSKEYData[], at: Date): string[] {
  if (found === null || found.set[0] === undefined) return []
  const out = validateRRset({ rrset: found.set, sigs: found.sigs, keys, zone, at,
    servers: found.servers })
  return out.status === 'secure' ? [] : [`${label(found.set)} is not validly signed (${out.code}):`
    + ' a parent ignores it']
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * RFC 1034 4.2.2, RFC 2181 5.4.1: the parent's delegation NS set and the zone's own apex NS
 * set should be the same; resolvers learn the one and may replace it with the other.
 */
export function nsSetNotes(v: ZoneVisit, parentZone: string): Finding[] {
  const zone = nameToText(v.zone)
  const parentSet = new Map<string, string>()
  for (const r of v.referrals) {
    for (const rr of r.message?.authority ?? []) {
      if (rr.data.kind === 'NS' && nameEquals(rr.name, v.zone)) {
        parentSet.set(nameToText(rr.data.target).toLowerCase(), nameToText(rr.data.target))
      }
    }
  }
  const childSet = new Map<string, string>()
  const childServers: string[] = []
  for (const r of v.apexNs ?? []) {
    const ns = (r.message?.answer ?? []).filter((rr) => rr.data.kind === 'NS'
      && nameEquals(rr.name, v.zone))
    if (ns.length > 0) childServers.push(serverLabel(r))
    for (const rr of ns) {
      if (rr.data.kind === 'NS') {
        childSet.set(nameToText(rr.data.target).toLowerCase(), nameToText(rr.data.target))
      }
    }
  }
  if (parentSet.size === 0 || childSet.size === 0) return []
  const onlyParent = [...parentSet.keys()].filter((n) => !childSet.has(n))
  const onlyChild = [...childSet.keys()].filter((n) => !parentSet.has(n))
  if (onlyParent.length === 0 && onlyChild.length === 0) return []
  const addresses = (n: string): string => {
    const ns = v.nameServers.find((x) => x.name !== null && nameToText(x.name).toLowerCase() === n)
    const list = ns?.addresses.map((a) => serverLabel({ server: a.address, port: a.port })) ?? []
    return list.length === 0 ? 'no address found' : list.join(', ')
  }
  const names = (m: Map<string, string>): string => [...m.values()].sort().join(', ')
  const parts = [
    onlyChild.length > 0 ? `only in the zone: ${onlyChild.map((n) => `${n} (${addresses(n)})`)
      .join(', ')}` : '',
    onlyParent.length > 0 ? `only at the parent: ${onlyParent.map((n) => `${n} (${addresses(n)})`)
      .join(', ')}` : '',
  ].filter((x) => x !== '')
  return [finding('NS_SET_MISMATCH', { zone, recordZone: parentZone, servers: childServers,
    record: `${zone} NS`,
    evidence: [`${parentZone} delegates to: ${names(parentSet)}`,
      `${zone} NS (from ${childServers.join(', ')}): ${names(childSet)}`, ...parts],
    message: `${parentZone} delegates ${zone} to ${names(parentSet)}, but the zone's own NS set `
      + `lists ${names(childSet)} (${parts.join('; ')}). Resolvers find the zone through the `
      + 'parent\'s set and may then switch to the zone\'s own (RFC 2181 section 5.4.1), so a '
      + 'server on one side only gets part of the queries; if it is stale or gone, some lookups '
      + 'fail or slow down.',
    advice: `Make the two sets the same: update the delegation of ${zone} at the registrar (the `
      + `${parentZone} zone), or remove from the zone's NS records the servers that should not `
      + 'serve it.' })]
}
