// Plain words for findings: what a signature's failure means and what to do about it. The
// reader is an administrator, not a DNSSEC expert: say who acts and what to change.
import type { FindingCode } from '../findings.js'
import type { SignatureReport } from './types.js'

export function describeSig(code: FindingCode, s: SignatureReport | null, at: Date): string {
  if (s === null) {
    return code === 'RRSIG_MISSING' ? 'it came without any signature, in a signed zone'
      : 'no signature could be checked'
  }
  const by = `the signature by key ${s.keyTag} (algorithm ${s.algorithm})`
  switch (code) {
    case 'RRSIG_EXPIRED':
      return `${by} expired on ${day(s.expiration)}, ${ago(s.expiration, at)}`
    case 'RRSIG_NOT_YET_VALID':
      return `${by} is valid only from ${day(s.inception)}, ${ahead(s.inception, at)}`
    case 'RRSIG_INVALID':
      return `${by} does not verify: the records or the signature changed after signing, or `
        + 'another key made it'
    case 'RRSIG_NO_MATCHING_DNSKEY':
      return s.status === 'unsupported'
        ? `the only signature uses algorithm ${s.algorithm}, which this validator cannot check`
        : `the signature names key ${s.keyTag} of ${s.signer}, which is not among the zone's `
          + 'validated keys'
    case 'VALIDATION_BUDGET_EXCEEDED':
      return 'it came with more signatures (or keys sharing one key tag) than a validator will '
        + 'try, and none of those tried verified'
    default:
      return `${by}: ${s.status}`
  }
}

export interface AdviceContext {
  readonly zone: string
  readonly parentZone?: string
  readonly suggestedDs?: readonly string[]
}

export function advise(code: FindingCode, c: AdviceContext): string {
  const ds = c.suggestedDs !== undefined && c.suggestedDs.length > 0
    ? ` The DS for the zone's current key would be: ${c.suggestedDs.join(' ; ')}` : ''
  switch (code) {
    case 'DS_DIGEST_MISMATCH':
    case 'DS_NO_MATCHING_DNSKEY':
      return `Update the DS for ${c.zone} at your registrar (the ${c.parentZone ?? 'parent'} zone) `
        + `so that it matches the zone's current key-signing key.${ds}`
    case 'DNSKEY_MISSING':
      return `Either remove the DS for ${c.zone} at your registrar (the zone then resolves as `
        + 'unsigned once caches drop the old DS), or turn on DNSSEC signing at your DNS host and '
        + 'publish a DS for its key. The A, MX and other records need no change.'
    case 'DNSKEY_NOT_SIGNED_BY_DS_KEY':
      return `Have ${c.zone} sign its DNSKEY set with the key the DS names, or replace the DS at `
        + `the registrar with one for the key that signs it.${ds}`
    case 'TRUST_ANCHOR_MISMATCH':
      return 'Update the trust anchor (--trust-anchor) to the root key in use.'
    case 'RRSIG_EXPIRED':
      return `Re-sign ${c.zone} now and make sure its automatic re-signing runs; alert when the `
        + 'earliest signature expiry is a few days away.'
    case 'RRSIG_NOT_YET_VALID':
      return `Check the clock of the machine that signs ${c.zone} (and of this one), then re-sign `
        + 'with an inception time in the past.'
    case 'RRSIG_INVALID':
      return `Re-sign ${c.zone}, and make sure every server loads that signed copy and nothing `
        + 'rewrites records after signing.'
    case 'RRSIG_MISSING':
      return `Re-sign ${c.zone} so that every RRset carries a signature; if a secondary serves `
        + 'it, make sure it loads the signed zone, not the unsigned source.'
    case 'RRSIG_NO_MATCHING_DNSKEY':
      return `Publish the key that made these signatures in ${c.zone}'s DNSKEY set, or re-sign `
        + 'with a published key.'
    case 'VALIDATION_BUDGET_EXCEEDED':
      return `Sign each RRset of ${c.zone} once per key; a server that adds many signatures or `
        + 'keys with colliding tags may be under attack or misconfigured.'
    case 'NSEC_PROOF_MISSING':
      return `The servers of ${c.zone} must serve the NSEC/NSEC3 chain of the signed zone; `
        + 'reload them with the complete signed zone.'
    case 'NSEC_PROOF_INVALID':
    case 'NSEC3_PROOF_INVALID':
      return `The denial records of ${c.zone} no longer match its data: records were changed `
        + 'or deleted after signing. Re-sign the zone after every change, and reload every '
        + 'server with that signed copy.'
    default:
      return 'See docs/findings.md for this code.'
  }
}

function day(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC')
}

function ago(iso: string, at: Date): string {
  return `${span(at.getTime() - Date.parse(iso))} ago`
}

function ahead(iso: string, at: Date): string {
  return `${span(Date.parse(iso) - at.getTime())} from now`
}

function span(ms: number): string {
  const days = Math.floor(ms / 86_400_000)
  if (days >= 2) return `${days} days`
  const hours = Math.floor(ms / 3_600_000)
  return hours >= 2 ? `${hours} hours` : `${Math.max(0, Math.floor(ms / 60_000))} minutes`
}
