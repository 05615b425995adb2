// The finding catalogue: every problem the tool can report, under a stable code. Scripts and
// monitors key on these codes, so a code is never renamed or reused; docs/findings.md lists
// them and a unit test checks that the two agree.

export type Severity = 'error' | 'warning' | 'info'

/** Who has to act: the reader's first question (docs/report-lessons.md in the shared docs). */
export type Party =
  | 'registrar' // the DS at the parent: changed through the registrar or the parent's operator
  | 'dns-host' // the zone's signer, keys or data: the DNS host or whoever signs the zone
  | 'server-operator' // one particular server
  | 'resolver-operator'
  | 'none'

export interface CodeInfo {
  readonly severity: Severity
  readonly party: Party
  /** What the code means, one line, for docs and for `--explain`. */
  readonly meaning: string
  readonly rfc: string
}

export const CODES = {
  DS_DIGEST_MISMATCH: {
    severity: 'error', party: 'registrar', rfc: 'RFC 4035 5.2, RFC 4034 5.1.4',
    meaning: 'A DS names a DNSKEY by key tag and algorithm, but its digest does not match that key',
  },
  DS_NO_MATCHING_DNSKEY: {
    severity: 'error', party: 'registrar', rfc: 'RFC 4035 5.2',
    meaning: 'No DNSKEY of the zone has the key tag and algorithm that a DS names',
  },
  DNSKEY_MISSING: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.2',
    meaning: 'The parent has a DS for the zone, but the zone serves no DNSKEY RRset',
  },
  DNSKEY_NOT_SIGNED_BY_DS_KEY: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.2',
    meaning: 'A DNSKEY matches the DS, but no valid signature by that key covers the DNSKEY RRset',
  },
  RRSIG_MISSING: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 3.1.1, 5.3',
    meaning: 'An RRset in a signed zone came without any signature',
  },
  RRSIG_EXPIRED: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.3.1',
    meaning: 'The signature expiration time has passed',
  },
  RRSIG_NOT_YET_VALID: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.3.1',
    meaning: 'The signature inception time is still in the future',
  },
  RRSIG_INVALID: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.3.3',
    meaning: 'The signature does not verify against the key it names',
  },
  RRSIG_NO_MATCHING_DNSKEY: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.3.1',
    meaning: 'A signature names a key tag that no validated DNSKEY of the signer has',
  },
  NSEC_PROOF_MISSING: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.4, RFC 5155 8',
    meaning: 'A negative (or wildcard) answer in a signed zone came without the NSEC or NSEC3'
      + ' record its proof needs: none was sent, or none sent matches or covers the name',
  },
  NSEC_PROOF_INVALID: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.4, RFC 6840 4.1',
    meaning: 'The NSEC records sent contradict what the answer claims (a next name or a type'
      + ' bitmap shows that the name or type exists)',
  },
  NSEC3_PROOF_INVALID: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 5155 8',
    meaning: 'The NSEC3 records sent do not prove what the answer claims',
  },
  NSEC3_ITERATIONS_EXCESSIVE: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 9276 3.1',
    meaning: 'NSEC3 uses extra iterations (RFC 9276 asks for 0); above a validator\'s limit it'
      + ' treats answers as unsigned',
  },
  ALGORITHM_UNSUPPORTED: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 4035 5.2, RFC 8624',
    meaning: 'The DS records use only algorithms or digests this validator does not support,'
      + ' so the zone is treated as unsigned',
  },
  NS_INCONSISTENT: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 1034 4.2.2',
    meaning: 'The servers of one zone give different answers to the same question',
  },
  NS_UNREACHABLE: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 1035 4.2',
    meaning: 'A server of the zone did not answer (timeout, network error, or refused)',
  },
  TCP_FALLBACK_FAILED: {
    severity: 'error', party: 'server-operator', rfc: 'RFC 7766 5, RFC 1035 4.2.1',
    meaning: 'A truncated UDP answer (TC=1) could not be completed over TCP: the server does'
      + ' not answer DNS over TCP',
  },
  RESOLVER_VALIDATION_FAILURE: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 4035 5.5',
    meaning: 'A validating resolver answers SERVFAIL, but answers with CD set: validation fails',
  },
  // Added for the cases the walk meets beyond the list above.
  INSECURE_DELEGATION: {
    severity: 'info', party: 'none', rfc: 'RFC 4035 5.2',
    meaning: 'The parent proves that the zone has no DS: the zone is unsigned by design',
  },
  TRUST_ANCHOR_MISMATCH: {
    severity: 'error', party: 'resolver-operator', rfc: 'RFC 4035 5, RFC 7958',
    meaning: 'No root DNSKEY matches the configured trust anchor',
  },
  QUERY_BLOCKED: {
    severity: 'warning', party: 'none', rfc: '-',
    meaning: 'The address guard (--allow-net) stopped a query to this server',
  },
  RESPONSE_MALFORMED: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 1035 4.1',
    meaning: 'A server sent a response that cannot be parsed or does not match the question',
  },
  NS_NO_ADDRESS: {
    severity: 'warning', party: 'registrar', rfc: 'RFC 1034 4.2.1',
    meaning: 'A name server of the zone has no address the walk could find (missing glue, or a'
      + ' name that does not resolve)',
  },
  SERVER_ERROR_RCODE: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 1035 4.1.1',
    meaning: 'A server answered with SERVFAIL, REFUSED or another error for its own zone, or'
      + ' without authority (a lame delegation)',
  },
  WALK_LIMIT_REACHED: {
    severity: 'warning', party: 'none', rfc: 'RFC 1034 5.3.3',
    meaning: 'A referral, CNAME or work limit stopped the walk before it could finish',
  },
  DS_UNSUPPORTED_ENTRY: {
    severity: 'info', party: 'registrar', rfc: 'RFC 8624 3.3',
    meaning: 'A DS uses an algorithm or digest type this validator does not support;'
      + ' other DS records are used instead',
  },
  RESOLVER_DISAGREES: {
    severity: 'warning', party: 'resolver-operator', rfc: 'RFC 7646, RFC 4035 5.5',
    meaning: 'A resolver\'s answer contradicts the chain walk: validated what we find bogus, or'
      + ' failed what we find secure',
  },
  RRSIG_EXPIRES_SOON: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 4035 5.3.1, RFC 6781 4.4.2',
    meaning: 'A signature on the chain is valid now but expires within the warning window'
      + ' (--warn-days): re-signing has to happen before then',
  },
  NSEC3_OPT_OUT_INSECURE: {
    severity: 'info', party: 'none', rfc: 'RFC 5155 9.2',
    meaning: 'The NSEC3 record covering the name has the opt-out flag: an unsigned delegation'
      + ' may hide there, so the negative answer is insecure',
  },
  CNAME_LOOP: {
    severity: 'error', party: 'dns-host', rfc: 'RFC 1034 3.6.2',
    meaning: 'The alias chain comes back to a name it already passed: the name cannot resolve',
  },
  VALIDATION_BUDGET_EXCEEDED: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 4035 5.3.3, CVE-2023-50387',
    meaning: 'An RRset came with more signatures or colliding keys than a validator checks'
      + ' (the KeyTrap limit): it cannot be validated',
  },
  DS_STALE_ENTRY: {
    severity: 'info', party: 'registrar', rfc: 'RFC 7583',
    meaning: 'A DS names no key the zone publishes, but another DS still validates the zone',
  },
  // Issue 5: problems of zones that still validate, which a careful operator wants named.
  RRSIG_TTL_BEYOND_EXPIRY: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 4035 5.3.3',
    meaning: 'An RRset\'s TTL (or its signature\'s original TTL) reaches past the signature\'s'
      + ' expiration: validators cut it short, but a cache may serve the records after expiry',
  },
  RRSIG_ORIGINAL_TTL_MISMATCH: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 4034 3.1.4, RFC 4035 5.3.3',
    meaning: 'A server serves an RRset with a TTL above the original TTL in its signature: the'
      + ' TTL was changed after signing',
  },
  ALGORITHM_DEPRECATED: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 8624 3.1',
    meaning: 'The zone is signed with an algorithm RFC 8624 says not to sign with any more'
      + ' (RSAMD5, DSA, RSASHA1, RSASHA1-NSEC3-SHA1, ECC-GOST)',
  },
  DS_DIGEST_DEPRECATED: {
    severity: 'warning', party: 'registrar', rfc: 'RFC 8624 3.3',
    meaning: 'The parent has a DS with a digest type RFC 8624 says not to publish (SHA-1, GOST)',
  },
  RRSIG_ALGORITHM_MISSING: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 4035 2.2, RFC 6840 5.11',
    meaning: 'An RRset lacks a signature by an algorithm of the zone\'s DNSKEY set; validators'
      + ' may accept it (RFC 6840 5.11), but the zone breaks RFC 4035 2.2',
  },
  DNSKEY_REVOKED: {
    severity: 'info', party: 'dns-host', rfc: 'RFC 5011 2.1, 3',
    meaning: 'The DNSKEY set holds a key with the REVOKE flag: validators no longer trust it',
  },
  CDS_MISMATCH: {
    severity: 'warning', party: 'registrar', rfc: 'RFC 7344 4.1',
    meaning: 'The CDS or CDNSKEY records the zone publishes do not match the DS at the parent:'
      + ' a change the parent has not made (yet)',
  },
  CDS_DELETE: {
    severity: 'warning', party: 'dns-host', rfc: 'RFC 8078 4',
    meaning: 'The zone publishes the CDS/CDNSKEY delete signal while its parent has a DS: a'
      + ' parent that acts on it makes the zone insecure',
  },
  NS_SET_MISMATCH: {
    severity: 'warning', party: 'registrar', rfc: 'RFC 1034 4.2.2, RFC 2181 5.4.1',
    meaning: 'The parent\'s delegation names other name servers than the zone\'s own NS set',
  },
  NEGATIVE_ANSWER_WITHOUT_SOA: {
    severity: 'warning', party: 'server-operator', rfc: 'RFC 2308 2.2, 3',
    meaning: 'A server of the zone gave a negative answer (NXDOMAIN, or NOERROR without the'
      + ' records asked) without the zone\'s SOA: stricter resolvers answer SERVFAIL for it',
  },
  RESOLVER_CLOCK_SKEW: {
    severity: 'error', party: 'resolver-operator', rfc: 'RFC 4035 5.3.1, RFC 8914 4.8, 4.9',
    meaning: 'A validating resolver rejects signatures as expired or not yet valid (EDE 7 or 8)'
      + ' that the chain walk finds valid now: its clock is wrong',
  },
} as const satisfies Record<string, CodeInfo>

export type FindingCode = keyof typeof CODES

export interface Finding {
  readonly code: FindingCode
  readonly severity: Severity
  /** The zone whose link this is about (the child, for DS and DNSKEY problems). */
  readonly zone: string
  /** The zone that serves the wrong record, when that is another zone (DS: the parent). */
  readonly recordZone?: string
  readonly party: Party
  readonly servers?: readonly string[]
  readonly record?: string
  readonly keyTag?: number
  readonly algorithm?: number
  readonly message: string
  readonly advice: string
  readonly evidence?: readonly string[]
}

export function finding(
  code: FindingCode,
  fields: Omit<Finding, 'code' | 'severity' | 'party'> & { severity?: Severity; party?: Party },
): Finding {
  const info: CodeInfo = CODES[code]
  return { code, severity: info.severity, party: info.party, ...fields }
}
