// Validating one RRset against a zone's keys (RFC 4035 section 5.3), with every signature's
// own outcome kept for the report. Pure: records, keys and the time in; a result out.
import { algorithmInfo } from '../dnssec/algorithms.js'
import { keyTag } from '../dnssec/keytag.js'
import { rrsigTimeToDate, signatureTimeStatus } from '../dnssec/time.js'
import { verifyRrsig } from '../dnssec/verify.js'
import type { FindingCode } from '../findings.js'
import { nameEquals, nameToText } from '../wire/name.js'
import { typeToText } from '../wire/text.js'
import type { DNSKEYData, Name, RR, RRSIGData } from '../wire/types.js'
import { RRType } from '../wire/types.js'
import type { SignatureReport, SignatureStatus } from './types.js'

/**
 * Signature checks allowed per RRset. A validator that tried every key with a colliding tag
 * against every signature could be made to do millions (KeyTrap, CVE-2023-50387); past this
 * budget the RRset is left undecided, never called bogus.
 */
export const MAX_VERIFICATIONS_PER_RRSET = 8

export const DNSKEY_FLAG_ZONE = 0x0100
export const DNSKEY_FLAG_REVOKE = 0x0080
export const DNSKEY_FLAG_SEP = 0x0001

export type RRsetOutcome = SecureOutcome | FailedOutcome

interface SecureOutcome extends OutcomeBase {
  readonly status: 'secure'
  readonly code: null
}

/** Every outcome that is not secure carries a code, so no caller can mistake it for secure. */
interface FailedOutcome extends OutcomeBase {
  readonly status: 'bogus' | 'indeterminate'
  /** The best signature's failure (the most telling one), or the budget that ran out. */
  readonly code: FindingCode
}

interface OutcomeBase {
  readonly signatures: readonly SignatureReport[]
  /** The signature that decided a failure, for evidence (key tag, dates). */
  readonly culprit: SignatureReport | null
  /** Keys whose signature verified, by key tag. */
  readonly validKeyTags: readonly number[]
  /**
   * The keys that verified a signature, themselves: tags collide (RFC 4034 B), so "a DS key
   * signed this" must be asked of the key, never of its tag.
   */
  readonly validKeys: readonly DNSKEYData[]
}

/** How telling each failure is: an expired but genuine signature beats a wrong-key one. */
const RANK: Record<SignatureStatus, number> = {
  valid: 0, expired: 1, 'not-yet-valid': 2, invalid: 3, unsupported: 4, 'no-key': 5,
  unchecked: 6,
}
const CODE_FOR: Partial<Record<SignatureStatus, FindingCode>> = {
  expired: 'RRSIG_EXPIRED', 'not-yet-valid': 'RRSIG_NOT_YET_VALID', invalid: 'RRSIG_INVALID',
  'no-key': 'RRSIG_NO_MATCHING_DNSKEY',
}

export interface RRsetInput {
  readonly rrset: readonly RR[]
  /** Every RRSIG of the response section, filtered here by owner and covered type. */
  readonly sigs: readonly RR[]
  readonly keys: readonly DNSKEYData[]
  readonly zone: Name
  readonly at: Date
  readonly servers: readonly string[]
}

export function validateRRset(input: RRsetInput): RRsetOutcome {
  const first = input.rrset[0]
  if (first === undefined) throw new RangeError('validateRRset: empty RRset')
  const sigs = input.sigs.filter((s): s is RR<RRSIGData> => s.data.kind === 'RRSIG'
    && s.data.typeCovered === first.type && nameEquals(s.name, first.name))
  if (sigs.length === 0) {
    return { status: 'bogus', code: 'RRSIG_MISSING', signatures: [], culprit: null,
      validKeyTags: [], validKeys: [] }
  }
  const reports: SignatureReport[] = []
  const validKeyTags: number[] = []
  const validKeys: DNSKEYData[] = []
  let budget = MAX_VERIFICATIONS_PER_RRSET
  let undecided = false
  for (const sig of sigs) {
    const { status, key } = judge(sig, input, () => budget-- > 0)
    if (status === 'unchecked') undecided = true
    if (status === 'valid') validKeyTags.push(sig.data.keyTag)
    if (status === 'valid' && key !== null && !validKeys.includes(key)) validKeys.push(key)
    reports.push(sigReport(sig, status, input.at, input.servers))
  }
  if (validKeyTags.length > 0) {
    return { status: 'secure', code: null, signatures: reports, culprit: null, validKeyTags,
      validKeys }
  }
  const best = [...reports].sort((a, b) => RANK[a.status] - RANK[b.status])[0] ?? null
  if (undecided) {
    // More signatures than the budget: could not decide, which is never "secure".
    return { status: 'indeterminate', code: 'VALIDATION_BUDGET_EXCEEDED', signatures: reports,
      culprit: best, validKeyTags, validKeys }
  }
  // A signature whose algorithm we cannot check vouches for nothing: with no other valid
  // signature, no usable key signed the RRset.
  const code = best === null ? 'RRSIG_MISSING' : CODE_FOR[best.status] ?? 'RRSIG_NO_MATCHING_DNSKEY'
  return { status: 'bogus', code, signatures: reports, culprit: best, validKeyTags, validKeys }
}

/** A signature's status, and the key it verified with (null when none did). */
function judge(sig: RR<RRSIGData>, input: RRsetInput, spend: () => boolean):
  { status: SignatureStatus; key: DNSKEYData | null } {
  const s = sig.data
  const none = (status: SignatureStatus): { status: SignatureStatus; key: null } =>
    ({ status, key: null })
  // Cheap checks first (RFC 4035 5.3.1): the signer must be the zone, the labels sane.
  if (!nameEquals(s.signerName, input.zone)) return none('no-key')
  if (!algorithmInfo(s.algorithm).supported) return none('unsupported')
  const candidates = input.keys.filter((k) => k.algorithm === s.algorithm
    && (k.flags & DNSKEY_FLAG_ZONE) !== 0 && (k.flags & DNSKEY_FLAG_REVOKE) === 0
    && keyTag(k) === s.keyTag)
  if (candidates.length === 0) return none('no-key')
  let verified: DNSKEYData | null = null
  for (const key of candidates) {
    if (!spend()) return none('unchecked')
    const r = verifyRrsig(input.rrset, sig, key)
    if (r.ok) {
      verified = key
      break
    }
    if (r.reason === 'unsupported-algorithm') return none('unsupported')
  }
  if (verified === null) return none('invalid')
  // Dates last, as validators do: a genuine but expired signature says "re-sign", not "forged".
  return { status: signatureTimeStatus(s, input.at), key: verified }
}

function sigReport(sig: RR<RRSIGData>, status: SignatureStatus, at: Date,
  servers: readonly string[]): SignatureReport {
  const s = sig.data
  return {
    owner: nameToText(sig.name), covers: typeToText(s.typeCovered), keyTag: s.keyTag,
    algorithm: s.algorithm, signer: nameToText(s.signerName),
    inception: rrsigTimeToDate(s.inception, at).toISOString(),
    expiration: rrsigTimeToDate(s.expiration, at).toISOString(), status, servers,
  }
}

/** Splits a section into RRsets by owner and type, RRSIGs left out, in order of appearance. */
export function rrsetsOf(section: readonly RR[]): RR[][] {
  const sets = new Map<string, RR[]>()
  for (const rr of section) {
    if (rr.type === RRType.RRSIG) continue
    const k = `${nameToText(rr.name).toLowerCase()}|${rr.type}`
    const list = sets.get(k) ?? []
    list.push(rr)
    sets.set(k, list)
  }
  return [...sets.values()]
}
