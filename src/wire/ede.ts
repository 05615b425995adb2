// Extended DNS Error info codes: 0-24 from RFC 8914 section 4, 25-30 as the IANA registry
// lists them since (27, Unsupported NSEC3 Iterations Value, is RFC 9276's).

const NAMES = [
  'Other Error', 'Unsupported DNSKEY Algorithm', 'Unsupported DS Digest Type', 'Stale Answer',
  'Forged Answer', 'DNSSEC Indeterminate', 'DNSSEC Bogus', 'Signature Expired',
  'Signature Not Yet Valid', 'DNSKEY Missing', 'RRSIGs Missing', 'No Zone Key Bit Set',
  'NSEC Missing', 'Cached Error', 'Not Ready', 'Blocked', 'Censored', 'Filtered', 'Prohibited',
  'Stale NXDOMAIN Answer', 'Not Authoritative', 'Not Supported', 'No Reachable Authority',
  'Network Error', 'Invalid Data', 'Signature Expired before Valid', 'Too Early',
  'Unsupported NSEC3 Iterations Value', 'Unable to conform to policy', 'Synthesized',
  'Invalid Query Type',
] as const

export function edeName(code: number): string {
  return NAMES[code] ?? (code >= 49152 ? `Private Use ${code}` : `Unassigned ${code}`)
}

/** Codes that say the resolver's DNSSEC validation failed (RFC 8914 codes 1-12, 25, 27). */
export function isDnssecEde(code: number): boolean {
  return (code >= 1 && code <= 12 && code !== 3 && code !== 4) || code === 25 || code === 27
}
