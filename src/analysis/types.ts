// The report model: what the analysis produces and every output format renders. It is the
// JSON schema of `check --json` (docs/json.md), so fields are added, never renamed.
import type { Finding } from '../findings.js'
import type { ResolverObservation } from './resolvers.js'

/** The four RFC 4035 section 4.3 states. */
export type Status = 'secure' | 'insecure' | 'bogus' | 'indeterminate'

export type SignatureStatus =
  | 'valid' | 'expired' | 'not-yet-valid' | 'invalid' | 'no-key' | 'unsupported' | 'unchecked'

export interface SignatureReport {
  readonly owner: string
  readonly covers: string
  readonly keyTag: number
  readonly algorithm: number
  readonly signer: string
  readonly inception: string
  readonly expiration: string
  readonly status: SignatureStatus
  readonly servers: readonly string[]
}

export interface DsReport {
  readonly keyTag: number
  readonly algorithm: number
  readonly digestType: number
  readonly digest: string
  /** digest-mismatch: a key with this tag and algorithm exists but hashes differently. */
  readonly status: 'matches' | 'digest-mismatch' | 'no-key' | 'unsupported'
  readonly servers: readonly string[]
}

export interface KeyReport {
  readonly keyTag: number
  readonly algorithm: number
  readonly flags: number
  /** KSK when the SEP bit is set (RFC 4034 2.1.1), else ZSK; revoked per RFC 5011. */
  readonly role: 'KSK' | 'ZSK'
  readonly revoked: boolean
  /** A DS (or trust anchor) at the parent matches this key. */
  readonly matchedByDs: boolean
  /** This key has a valid signature over the DNSKEY RRset. */
  readonly signsKeySet: boolean
  readonly servers: readonly string[]
}

export interface ServerReport {
  readonly address: string
  readonly port: number
  readonly names: readonly string[]
  /** The SOA serial this server serves for the zone; null when it gave none. */
  readonly serial: number | null
}

export interface ZoneReport {
  readonly zone: string
  readonly parent: string | null
  readonly status: Status
  /** Plain words on why this link has its status. */
  readonly summary: string
  readonly servers: readonly ServerReport[]
  readonly ds: readonly DsReport[]
  readonly dsSignatures: readonly SignatureReport[]
  readonly dnskeys: readonly KeyReport[]
  readonly dnskeySignatures: readonly SignatureReport[]
}

export interface AnswerReport {
  readonly name: string
  readonly type: string
  readonly zone: string
  readonly status: Status
  readonly rcode: string
  readonly records: readonly string[]
  readonly signatures: readonly SignatureReport[]
  /** For negative answers: what the NSEC/NSEC3 records prove, in words. */
  readonly denial: string | null
  readonly servers: readonly string[]
}

export interface BrokenLink {
  readonly zone: string
  readonly code: Finding['code']
  readonly recordZone: string
  readonly party: Finding['party']
  readonly servers: readonly string[]
  readonly keyTag?: number
  readonly algorithm?: number
  readonly message: string
  readonly advice: string
}

export interface Report {
  readonly schema: 'dnssec-doctor/report/1'
  readonly query: { readonly name: string; readonly type: string }
  readonly at: string
  readonly status: Status
  readonly brokenLink: BrokenLink | null
  /** For an insecure verdict: where the chain became unsigned, and why. */
  readonly insecureAt: { readonly zone: string; readonly reason: string } | null
  /** For an indeterminate verdict: the first zone that could not be decided, and why. */
  readonly undecidedAt: { readonly zone: string; readonly reason: string } | null
  readonly findings: readonly Finding[]
  readonly chain: readonly ZoneReport[]
  readonly answers: readonly AnswerReport[]
  readonly trustAnchor: string
  /** What each recursive resolver answered (empty when none was asked). */
  readonly resolvers: readonly ResolverObservation[]
  /** One paragraph joining the resolvers' answers and the chain walk; null without them. */
  readonly conclusion: string | null
}
