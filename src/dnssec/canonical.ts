// The bytes an RRSIG signs (RFC 4034 section 3.1.8.1), built from canonical RR forms
// (RFC 4034 section 6.2, corrected by RFC 6840 sections 5.1 and 5.3).
//
//   signed data = RRSIG rdata without the signature field | RR(1) | RR(2) | ...
//   RR(i)       = owner | type | class | original TTL | rdata length | canonical rdata
//
// Canonical rdata (names lowercased for the RFC 4034 6.2 item 3 types, minus NSEC per
// RFC 6840 5.1) is the wire codec's job: encodeRdata(rdata, { canonical: true }).
import { canonicalName, nameToWire } from '../wire/name.js'
import { encodeRdata } from '../wire/rdata.js'
import type { Name, RR, RRSIGData } from '../wire/types.js'

const WILDCARD_LABEL = Uint8Array.of(0x2a)

function isWildcardLabel(label: Uint8Array | undefined): boolean {
  return label !== undefined && label.length === 1 && label[0] === 0x2a
}

/**
 * The RRSIG labels count of an owner name: its labels without the root and without a
 * leading "*" (RFC 4034 section 3.1.3).
 */
export function labelCount(name: Name): number {
  return isWildcardLabel(name[0]) ? name.length - 1 : name.length
}

/**
 * The owner name as it was signed. When the RRSIG labels field is smaller than the owner's
 * label count the RRset was synthesised from a wildcard, and the signed owner is "*." plus
 * the rightmost `labels` labels (RFC 4034 section 3.1.8.1, RFC 4035 section 5.3.2).
 * Null when `labels` is larger than the owner's label count, which no valid signature can
 * have (RFC 4035 section 5.3.1).
 */
export function signedOwner(owner: Name, labels: number): Name | null {
  const count = labelCount(owner)
  if (labels > count) return null
  if (labels === count) return owner
  return [WILDCARD_LABEL, ...owner.slice(owner.length - labels)]
}

/** Canonical RR ordering within an RRset: rdata as unsigned octets, shorter first on a tie. */
export function compareCanonicalRdata(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!
  }
  return a.length - b.length
}

/**
 * The rdata of each RR in canonical form, sorted in canonical order with duplicates removed
 * (RFC 4034 section 6.3: an RRset holds no duplicate RRs, so equal rdata counts once).
 */
export function canonicalRRset(rrset: readonly RR[]): Uint8Array[] {
  const sorted = rrset
    // `type` lets the codec lowercase names inside types it keeps opaque (PTR, SRV, ...).
    .map((rr) => encodeRdata(rr.data, { canonical: true, type: rr.type }))
    .sort(compareCanonicalRdata)
  return sorted.filter((rd, i) => i === 0 || compareCanonicalRdata(sorted[i - 1]!, rd) !== 0)
}

/** The RRSIG rdata minus its signature, signer name in canonical form (RFC 4034 3.1.8.1). */
export function rrsigSignedPrefix(sig: RRSIGData): Uint8Array {
  const signer = nameToWire(canonicalName(sig.signerName))
  const out = new Uint8Array(18 + signer.length)
  const view = new DataView(out.buffer)
  view.setUint16(0, sig.typeCovered)
  view.setUint8(2, sig.algorithm)
  view.setUint8(3, sig.labels)
  view.setUint32(4, sig.originalTtl >>> 0)
  view.setUint32(8, sig.expiration >>> 0)
  view.setUint32(12, sig.inception >>> 0)
  view.setUint16(16, sig.keyTag)
  out.set(signer, 18)
  return out
}

/** Options for signedData. */
export interface SignedDataOptions {
  /**
   * The owner name to put in each RR instead of its own, after wildcard handling. For callers
   * that already know the signed owner; by default it is worked out from sig.labels.
   */
  readonly owner?: Name
}

/**
 * The exact bytes `sig` covers for `rrset` (RFC 4034 3.1.8.1 and 6.2 items 1-5):
 *
 * 1. owner in canonical form (lowercased, uncompressed), rebuilt as "*.<closest labels>"
 *    when sig.labels is below the owner's label count (RFC 4035 5.3.2);
 * 2. TTL replaced by the RRSIG's original TTL, so decremented cache TTLs still verify;
 * 3. rdata canonical, sorted, duplicates removed (RFC 6840 5.1, 5.3).
 *
 * All RRs of an RRset share owner, type and class, so they are taken from the first RR.
 * Throws RangeError when sig.labels exceeds the owner's label count (no valid signature can
 * cover that RRset) or the RRset is empty; verifyRrsig checks both first.
 */
export function signedData(
  rrset: readonly RR[],
  sig: RRSIGData,
  opts: SignedDataOptions = {},
): Uint8Array {
  const first = rrset[0]
  if (first === undefined) throw new RangeError('Cannot build signed data: the RRset is empty')
  const owner = opts.owner ?? signedOwner(first.name, sig.labels)
  if (owner === null) {
    throw new RangeError(
      `Cannot build signed data: RRSIG labels ${sig.labels} exceeds the owner's ` +
        `${labelCount(first.name)} labels`,
    )
  }

  // One header shared by every RR: owner | type | class | original TTL.
  const ownerWire = nameToWire(canonicalName(owner))
  const header = new Uint8Array(ownerWire.length + 8)
  header.set(ownerWire, 0)
  const hv = new DataView(header.buffer)
  hv.setUint16(ownerWire.length, first.type)
  hv.setUint16(ownerWire.length + 2, first.class)
  hv.setUint32(ownerWire.length + 4, sig.originalTtl >>> 0)

  const prefix = rrsigSignedPrefix(sig)
  const rdatas = canonicalRRset(rrset)
  let size = prefix.length
  for (const rd of rdatas) size += header.length + 2 + rd.length
  const out = new Uint8Array(size)
  out.set(prefix, 0)
  let at = prefix.length
  for (const rd of rdatas) {
    out.set(header, at)
    at += header.length
    out[at] = (rd.length >>> 8) & 0xff
    out[at + 1] = rd.length & 0xff
    at += 2
    out.set(rd, at)
    at += rd.length
  }
  return out
}
