// Authenticated denial of existence: does a set of NSEC or NSEC3 records prove what a
// negative (or wildcard) response claims? Pure checks over plain records whose signatures the
// caller has already verified; the answer is a result value, never a thrown error.
//
// Glossary (RFC 5155 section 1.3, RFC 4035 section 5.4):
// - an NSEC or NSEC3 record *matches* a name when its (hashed) owner is that name;
// - it *covers* a name when the name (or its hash) sorts strictly between the owner and the
//   next field, the last record of the chain wrapping round to the first;
// - the *closest encloser* of a missing name is its longest existing ancestor, and the *next
//   closer* name is the ancestor one label longer; the *source of synthesis* is "*." plus the
//   closest encloser, the only wildcard that could have answered.
// Worked example (RFC 5155 B.1): a.c.x.w.example is NXDOMAIN because x.w.example is matched,
// c.x.w.example (the next closer) is covered, and *.x.w.example is covered.
import { RRType } from '../wire/types.js'
import type { Name, NSEC3Data, NSECData, RR } from '../wire/types.js'
import {
  canonicalName, compareNames, isSubdomain, nameEquals, nameToText, nameToWire, parentName,
} from '../wire/name.js'
import { typeToText as typeText } from '../wire/text.js'
import { base32HexDecode, base32HexEncode } from '../wire/base32hex.js'
import {
  NSEC3_FLAG_OPT_OUT, NSEC3_HASH_BUDGET, NSEC3_HASH_SHA1, NSEC3_ITERATIONS_INSECURE_ABOVE,
  NSEC3_SHA1_LENGTH, compareHashes, nsec3Hash,
} from './nsec3.js'

/** What a successful check proved. */
export type DenialProofKind =
  | 'nxdomain'
  | 'nodata'
  | 'wildcard-nodata'
  | 'no-ds'
  /** Only insecurity is proven: an Opt-Out NSEC3 covers the next closer name. */
  | 'opt-out'
  | 'wildcard-answer'

/** Why a check failed; stable machine-readable codes. */
export type DenialFailureReason =
  /** No NSEC or NSEC3 record of the zone was given (or all were unusable). */
  | 'no-records'
  /** NSEC3 records were given but all use a hash algorithm other than SHA-1 (RFC 5155 8.1). */
  | 'unknown-hash-algorithm'
  /** The NSEC3 records disagree on hash algorithm, iterations or salt (RFC 5155 8.2). */
  | 'params-differ'
  /** Iteration count above the limit: the caller treats the zone as insecure (RFC 9276 3.2). */
  | 'iterations-too-high'
  /** The proof would need more hashes than the budget: could not decide, not bogus. */
  | 'budget-exceeded'
  /** The name asked about is not inside the zone given. */
  | 'outside-zone'
  /** A name the proof needs covered is neither matched nor covered. */
  | 'not-covered'
  /** No record matches the query name, so the type's absence is not shown. */
  | 'not-matched'
  /** NXDOMAIN claimed, but a record shows the name exists (possibly as empty non-terminal). */
  | 'name-exists'
  /** The queried type (or CNAME, or DS for a referral) is in the matching type bitmap. */
  | 'type-in-bitmap'
  /** The source of synthesis is not shown absent (or is shown present). */
  | 'wildcard-not-denied'
  /** NSEC3: no ancestor of the name is matched, so there is no closest encloser. */
  | 'closest-encloser-missing'
  /** The record is the parent side of a zone cut and cannot deny names below it (6840 4.1). */
  | 'ancestor-delegation'
  /** The record's owner has a DNAME: names below it are redirected, not absent (6840 4.1). */
  | 'dname-redirect'
  /** Insecure delegation claimed, but the matching record has no NS bit (RFC 6840 4.4). */
  | 'not-a-delegation'
  /** A DS denial comes from the child zone's apex (SOA bit set), not the parent. */
  | 'child-apex-record'
  /** The next closer name is covered by an NSEC3 without the Opt-Out flag (RFC 5155 8.9). */
  | 'opt-out-not-set'
  /** A name closer to the query name than the wildcard exists, so no wildcard applies. */
  | 'closer-match-exists'
  /** The RRSIG labels count does not fit the query name and zone (RFC 4035 5.3.4). */
  | 'labels-mismatch'

export type DenialMechanism = 'nsec' | 'nsec3'

export interface DenialSuccess {
  readonly ok: true
  readonly proof: DenialProofKind
  readonly mechanism: DenialMechanism
  /**
   * True when an Opt-Out NSEC3 covers the next closer name: unsigned delegations may hide in
   * that span, so the answer is insecure rather than secure (RFC 5155 section 9.2).
   */
  readonly optOut: boolean
  /** The records the proof rests on, each once, in the order they were used. */
  readonly usedRecords: readonly RR[]
  readonly closestEncloser?: Name
  readonly nextCloser?: Name
  /** The source of synthesis the proof was about. */
  readonly wildcard?: Name
  readonly hashesComputed: number
  /** A plain sentence naming the names and hashes involved. */
  readonly detail: string
}

export interface DenialFailure {
  readonly ok: false
  readonly reason: DenialFailureReason
  /**
   * True when the records given neither match nor cover a name the proof needs: the record
   * that would prove it was not sent. False when the records given contradict the claim.
   */
  readonly recordAbsent: boolean
  /** Which kind of record was examined; null when none was usable. */
  readonly mechanism: DenialMechanism | null
  readonly hashesComputed: number
  readonly detail: string
}

export type DenialResult = DenialSuccess | DenialFailure

export interface DenialOptions {
  /** Iteration counts above this yield 'iterations-too-high'. */
  readonly iterationsInsecureAbove?: number
  /** Most distinct names hashed per call. */
  readonly hashBudget?: number
}

/** A name inside a zone; `zone` is the apex of the zone that signed the records. */
export interface NameQuery {
  readonly name: Name
  readonly zone: Name
}

export interface TypeQuery extends NameQuery {
  readonly type: number
}

/** A delegation from `parent` (the zone that signed the records) to `child`. */
export interface DelegationQuery {
  readonly child: Name
  readonly parent: Name
}

/** A wildcard-expanded answer; `labels` is the RRSIG labels field of the answer's signature. */
export interface WildcardQuery extends NameQuery {
  readonly labels: number
}

/** RFC 4035 section 5.4 / RFC 5155 section 8.4: the name and any wildcard for it are absent. */
export function proveNxdomain(
  query: NameQuery, records: readonly RR[], options: DenialOptions = {},
): DenialResult {
  return dispatch(query.name, query.zone, records, options, {
    nsec: (set) => nsecNxdomain(query.name, set),
    nsec3: (ctx) => nsec3Nxdomain(query.name, ctx),
  })
}

/**
 * The name exists without the type: RFC 4035 section 5.4 and RFC 5155 sections 8.5 to 8.7
 * (wildcard NODATA included), with the CNAME check of RFC 6840 section 4.3. A DS query is
 * checked as RFC 5155 section 8.6 asks, so `zone` is then the parent zone.
 */
export function proveNodata(
  query: TypeQuery, records: readonly RR[], options: DenialOptions = {},
): DenialResult {
  return dispatch(query.name, query.zone, records, options, {
    nsec: (set) => nsecNodata(query, set),
    nsec3: (ctx) => nsec3Nodata(query.name, query.type, ctx),
  })
}

/**
 * An insecure delegation (RFC 4035 section 5.2, RFC 5155 section 8.9, RFC 6840 section 4.4):
 * a record matching the child with NS set and DS and SOA clear, or with NSEC3 an Opt-Out
 * record covering the next closer name of the child.
 */
export function proveNoDs(
  query: DelegationQuery, records: readonly RR[], options: DenialOptions = {},
): DenialResult {
  return dispatch(query.child, query.parent, records, options, {
    nsec: (set) => nsecNoDs(query.child, set),
    nsec3: (ctx) => nsec3NoDs(query.child, ctx),
  })
}

/**
 * A wildcard expansion is legitimate: no name closer to the query name exists (RFC 4035
 * section 5.3.4, RFC 5155 section 8.8). The closest encloser is the query name cut to
 * `labels` labels.
 */
export function proveWildcardAnswer(
  query: WildcardQuery, records: readonly RR[], options: DenialOptions = {},
): DenialResult {
  const { name, zone, labels } = query
  if (!Number.isInteger(labels) || labels < zone.length || labels >= name.length) {
    return {
      ok: false, reason: 'labels-mismatch', mechanism: null, hashesComputed: 0,
      recordAbsent: false,
      detail: `An RRSIG labels count of ${labels} cannot come from a wildcard expansion of ` +
        `${nameToText(name)} (${name.length} labels) in zone ${nameToText(zone)} ` +
        `(${zone.length} labels).`,
    }
  }
  return dispatch(name, zone, records, options, {
    nsec: (set) => nsecWildcardAnswer(name, labels, set),
    nsec3: (ctx) => nsec3WildcardAnswer(name, labels, ctx),
  })
}

// ---------------------------------------------------------------------------------------
// Record selection and the shared frame

interface NsecEntry { readonly rr: RR; readonly data: NSECData }

interface Nsec3Entry {
  readonly rr: RR
  readonly data: NSEC3Data
  /** The owner's first label, decoded: the hash of the original owner name. */
  readonly hash: Uint8Array
}

interface NsecSet { readonly zone: Name; readonly entries: readonly NsecEntry[] }

interface Nsec3Context {
  readonly zone: Name
  readonly entries: readonly Nsec3Entry[]
  /** Hashes a name once per call; throws BudgetExceeded past the budget. */
  hash(name: Name): Uint8Array
}

interface Handlers {
  nsec(set: NsecSet): Outcome
  nsec3(ctx: Nsec3Context): Outcome
}

/** A result before the frame adds the mechanism and hash count. */
type Outcome =
  | {
    readonly ok: true; readonly proof: DenialProofKind; readonly optOut: boolean
    readonly used: readonly (NsecEntry | Nsec3Entry)[]; readonly closestEncloser?: Name
    readonly nextCloser?: Name; readonly wildcard?: Name; readonly detail: string
  }
  | {
    readonly ok: false; readonly reason: DenialFailureReason; readonly detail: string
    readonly absent?: boolean
  }

class BudgetExceeded extends Error {
  constructor(readonly budget: number, readonly at: Name) {
    super(`NSEC3 hash budget of ${budget} exhausted`)
  }
}

function dispatch(
  name: Name, zone: Name, records: readonly RR[], options: DenialOptions, handlers: Handlers,
): DenialResult {
  if (!isSubdomain(name, zone)) {
    return fail(null, 0, 'outside-zone',
      `${nameToText(name)} is not inside zone ${nameToText(zone)}.`)
  }
  const nsec: NsecEntry[] = []
  const nsec3: Nsec3Entry[] = []
  let unknownAlgorithm = 0
  let unusable = 0
  for (const rr of records) {
    const data = rr.data
    if (data.kind === 'NSEC') {
      // Records of another zone prove nothing about this one.
      if (isSubdomain(rr.name, zone) && isSubdomain(data.next, zone)) nsec.push({ rr, data })
      else unusable++
    } else if (data.kind === 'NSEC3') {
      const entry = nsec3Entry(rr, data, zone)
      if (entry === 'unknown-algorithm') unknownAlgorithm++
      else if (entry === null) unusable++
      else nsec3.push(entry)
    }
  }

  // TODO(denial): a response mixing NSEC and NSEC3 for one zone is judged on its NSEC3
  // records alone; RFC 5155 section 10.4 transitions could warrant trying both.
  if (nsec3.length > 0) return runNsec3(nsec3, zone, options, handlers)
  if (nsec.length > 0) {
    return finish('nsec', 0, handlers.nsec({ zone, entries: nsec }))
  }
  if (unknownAlgorithm > 0) {
    return fail('nsec3', 0, 'unknown-hash-algorithm',
      `All ${unknownAlgorithm} NSEC3 records use a hash algorithm other than SHA-1 (1), ` +
      'so they are ignored (RFC 5155 section 8.1).')
  }
  const ignored = unusable > 0 ? ` (${unusable} records ignored: wrong owner or flags)` : ''
  return fail(null, 0, 'no-records',
    `No NSEC or NSEC3 record of zone ${nameToText(zone)} was given${ignored}.`, true)
}

/** Decodes an NSEC3 owner, or says why the record is skipped (RFC 5155 sections 8.1, 8.2). */
function nsec3Entry(rr: RR, data: NSEC3Data, zone: Name): Nsec3Entry | 'unknown-algorithm' | null {
  const first = rr.name[0]
  if (first === undefined || rr.name.length !== zone.length + 1) return null
  if (!nameEquals(parentName(rr.name), zone)) return null
  if (data.hashAlgorithm !== NSEC3_HASH_SHA1) return 'unknown-algorithm'
  // Flags other than 0 or 1 must be ignored (RFC 5155 section 8.2).
  if ((data.flags & ~NSEC3_FLAG_OPT_OUT) !== 0) return null
  const hash = base32HexDecode(String.fromCharCode(...first))
  if (hash === null || hash.length !== NSEC3_SHA1_LENGTH) return null
  if (data.nextHashed.length !== NSEC3_SHA1_LENGTH) return null
  return { rr, data, hash }
}

function runNsec3(
  entries: readonly Nsec3Entry[], zone: Name, options: DenialOptions, handlers: Handlers,
): DenialResult {
  const first = (entries[0] as Nsec3Entry).data
  const odd = entries.find((e) => e.data.iterations !== first.iterations ||
    compareHashes(e.data.salt, first.salt) !== 0)
  if (odd !== undefined) {
    return fail('nsec3', 0, 'params-differ',
      `NSEC3 records disagree: ${describe(entries[0] as Nsec3Entry)} has ` +
      `${paramsText(first)} but ${describe(odd)} has ${paramsText(odd.data)} ` +
      '(RFC 5155 section 8.2).')
  }
  const limit = options.iterationsInsecureAbove ?? NSEC3_ITERATIONS_INSECURE_ABOVE
  if (first.iterations > limit) {
    return fail('nsec3', 0, 'iterations-too-high',
      `The NSEC3 records of ${nameToText(zone)} use ${first.iterations} iterations, more ` +
      `than ${limit}; validators treat such zones as insecure (RFC 9276 section 3.2).`)
  }

  const budget = options.hashBudget ?? NSEC3_HASH_BUDGET
  const cache = new Map<string, Uint8Array>()
  let computed = 0
  const params = { salt: first.salt, iterations: first.iterations }
  const ctx: Nsec3Context = {
    zone,
    entries,
    hash(name) {
      const key = Buffer.from(nameToWire(canonicalName(name))).toString('hex')
      const known = cache.get(key)
      if (known !== undefined) return known
      if (computed >= budget) throw new BudgetExceeded(budget, name)
      computed++
      const digest = nsec3Hash(name, params)
      cache.set(key, digest)
      return digest
    },
  }
  try {
    const outcome = handlers.nsec3(ctx)
    return finish('nsec3', computed, outcome)
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error
    return fail('nsec3', computed, 'budget-exceeded',
      `Proving this needed more than ${error.budget} NSEC3 hashes (stopped before hashing ` +
      `${nameToText(error.at)}), so it could not be decided.`)
  }
}

function finish(
  mechanism: DenialMechanism, hashesComputed: number, outcome: Outcome,
): DenialResult {
  if (!outcome.ok) {
    return fail(mechanism, hashesComputed, outcome.reason, outcome.detail, outcome.absent)
  }
  const usedRecords: RR[] = []
  for (const entry of outcome.used) {
    if (!usedRecords.includes(entry.rr)) usedRecords.push(entry.rr)
  }
  const { proof, optOut, closestEncloser, nextCloser, wildcard, detail } = outcome
  return {
    ok: true, proof, mechanism, optOut, usedRecords, hashesComputed, detail,
    ...(closestEncloser === undefined ? {} : { closestEncloser }),
    ...(nextCloser === undefined ? {} : { nextCloser }),
    ...(wildcard === undefined ? {} : { wildcard }),
  }
}

function fail(
  mechanism: DenialMechanism | null, hashesComputed: number, reason: DenialFailureReason,
  detail: string, recordAbsent = false,
): DenialFailure {
  return { ok: false, reason, mechanism, hashesComputed, detail, recordAbsent }
}

/** The records given contradict the claim (or cannot speak for the name). */
function refuse(reason: DenialFailureReason, detail: string): Outcome {
  return { ok: false, reason, detail }
}

/** The record the proof needs is not among those given: nothing sent speaks for the name. */
function absent(reason: DenialFailureReason, detail: string): Outcome {
  return { ok: false, reason, detail, absent: true }
}

// ---------------------------------------------------------------------------------------
// NSEC (RFC 4035 section 5.4, RFC 6840 section 4.1)

function nsecMatch(set: NsecSet, name: Name): NsecEntry | undefined {
  return set.entries.find((e) => nameEquals(e.rr.name, name))
}

/** Owner < name < next in canonical order; the zone's last NSEC wraps to the apex. */
function nsecCovers(entry: NsecEntry, name: Name, zone: Name): boolean {
  const owner = entry.rr.name
  if (compareNames(name, owner) <= 0) return false
  if (compareNames(owner, entry.data.next) < 0) return compareNames(name, entry.data.next) < 0
  // RFC 4034 section 4.1.1: the last NSEC's next name is the apex, so it covers the rest.
  return isSubdomain(name, zone)
}

type NsecCover =
  | { readonly entry: NsecEntry }
  | { readonly refused: Outcome & { readonly ok: false } }
  | null

/**
 * The NSEC covering `name`, unless it cannot speak for names below its owner (RFC 6840
 * section 4.1): a parent-side delegation NSEC (NS without SOA) or one with DNAME.
 */
function nsecCover(set: NsecSet, name: Name): NsecCover {
  const entry = set.entries.find((e) => nsecCovers(e, name, set.zone))
  if (entry === undefined) return null
  const owner = entry.rr.name
  if (isSubdomain(name, owner) && !nameEquals(name, owner)) {
    const types = entry.data.types
    if (types.includes(RRType.DNAME)) {
      return { refused: { ok: false, reason: 'dname-redirect', detail:
        `${describe(entry)} covers ${nameToText(name)} but has DNAME, so names below ` +
        `${nameToText(owner)} are redirected, not absent (RFC 6840 section 4.1).` } }
    }
    if (types.includes(RRType.NS) && !types.includes(RRType.SOA)) {
      return { refused: { ok: false, reason: 'ancestor-delegation', detail:
        `${describe(entry)} covers ${nameToText(name)} but is the parent side of the zone cut ` +
        `at ${nameToText(owner)} and cannot deny names below it (RFC 6840 section 4.1).` } }
    }
  }
  return { entry }
}

/**
 * An NSEC whose next name is `name` itself: it says the name exists, so it can never cover it
 * (a record deleted after signing leaves exactly this behind).
 */
function nsecNamingNext(set: NsecSet, name: Name): NsecEntry | undefined {
  return set.entries.find((e) => nameEquals(e.data.next, name))
}

/** The NSEC records given, for a message that says why none of them fits. */
function given(set: NsecSet): string {
  const list = set.entries.slice(0, 4).map(describe).join(', ')
  const more = set.entries.length > 4 ? `, and ${set.entries.length - 4} more` : ''
  return ` (the response has ${list}${more})`
}

/** True when the covering NSEC's next name lies below `name`: an empty non-terminal. */
function nsecShowsEmptyNonTerminal(entry: NsecEntry, name: Name): boolean {
  const next = entry.data.next
  return isSubdomain(next, name) && !nameEquals(next, name)
}

/** The longest ancestor of `name` shared with the covering NSEC's owner or next name. */
function nsecClosestEncloser(entry: NsecEntry, name: Name): Name {
  const a = commonAncestor(name, entry.rr.name)
  const b = commonAncestor(name, entry.data.next)
  return a.length >= b.length ? a : b
}

function nsecNxdomain(name: Name, set: NsecSet): Outcome {
  const match = nsecMatch(set, name)
  if (match !== undefined) {
    return refuse('name-exists',
      `${describe(match)} shows ${nameToText(name)} exists with ${typesText(match.data.types)}.`)
  }
  const cover = nsecCover(set, name)
  if (cover === null) {
    const pointer = nsecNamingNext(set, name)
    if (pointer !== undefined) {
      return refuse('name-exists', `${describe(pointer)} names ${nameToText(name)} as the next ` +
        `name of the zone, so it cannot cover ${nameToText(name)}: the NSEC chain says the ` +
        'name exists.')
    }
    return absent('not-covered', `No NSEC record covers ${nameToText(name)}${given(set)}.`)
  }
  if ('refused' in cover) return cover.refused
  if (nsecShowsEmptyNonTerminal(cover.entry, name)) {
    return refuse('name-exists', `${describe(cover.entry)} shows ${nameToText(name)} exists ` +
      `as an empty non-terminal above ${nameToText(cover.entry.data.next)}.`)
  }
  const encloser = nsecClosestEncloser(cover.entry, name)
  const wildcard = wildcardOf(encloser)
  const wildcardMatch = nsecMatch(set, wildcard)
  if (wildcardMatch !== undefined) {
    return refuse('wildcard-not-denied', `${describe(wildcardMatch)} shows the wildcard ` +
      `${nameToText(wildcard)} exists, so ${nameToText(name)} should have been answered.`)
  }
  const wildcardCover = nsecCover(set, wildcard)
  if (wildcardCover === null) {
    return absent('wildcard-not-denied',
      `No NSEC record covers the wildcard ${nameToText(wildcard)} at closest encloser ` +
      `${nameToText(encloser)}.`)
  }
  if ('refused' in wildcardCover) return wildcardCover.refused
  return {
    ok: true, proof: 'nxdomain', optOut: false, used: [cover.entry, wildcardCover.entry],
    closestEncloser: encloser, wildcard,
    detail: `${describe(cover.entry)} covers ${nameToText(name)} and ` +
      `${describe(wildcardCover.entry)} covers the wildcard ${nameToText(wildcard)}.`,
  }
}

function nsecNodata(query: TypeQuery, set: NsecSet): Outcome {
  const { name, type } = query
  const match = nsecMatch(set, name)
  if (match !== undefined) {
    const refused = bitmapRefusal(match, name, type, set.zone)
    if (refused !== null) return refused
    return {
      ok: true, proof: 'nodata', optOut: false, used: [match],
      detail: `${describe(match)} matches ${nameToText(name)} and lists only ` +
        `${typesText(match.data.types)}, without ${typeText(type)}.`,
    }
  }
  const cover = nsecCover(set, name)
  if (cover === null) {
    return absent('not-matched',
      `No NSEC record matches or covers ${nameToText(name)}${given(set)}.`)
  }
  if ('refused' in cover) return cover.refused
  if (nsecShowsEmptyNonTerminal(cover.entry, name)) {
    return {
      ok: true, proof: 'nodata', optOut: false, used: [cover.entry],
      detail: `${describe(cover.entry)} shows ${nameToText(name)} is an empty non-terminal, ` +
        'which holds no data of any type.',
    }
  }
  // A DS lives at a delegation point, never at a wildcard, so only other types may be
  // answered from one (RFC 4035 section 5.4, last case).
  if (type !== RRType.DS) {
    const encloser = nsecClosestEncloser(cover.entry, name)
    const wildcard = wildcardOf(encloser)
    const wildcardMatch = nsecMatch(set, wildcard)
    if (wildcardMatch !== undefined) {
      const refused = bitmapRefusal(wildcardMatch, wildcard, type, set.zone)
      if (refused !== null) return refused
      return {
        ok: true, proof: 'wildcard-nodata', optOut: false, used: [cover.entry, wildcardMatch],
        closestEncloser: encloser, wildcard,
        detail: `${describe(cover.entry)} covers ${nameToText(name)} and ` +
          `${describe(wildcardMatch)} shows the wildcard lacks ${typeText(type)}.`,
      }
    }
  }
  return refuse('not-matched', `No NSEC record matches ${nameToText(name)}; ` +
    `${describe(cover.entry)} instead shows the name does not exist.`)
}

function nsecNoDs(child: Name, set: NsecSet): Outcome {
  const match = nsecMatch(set, child)
  if (match === undefined) {
    const cover = nsecCover(set, child)
    const why = cover !== null && 'entry' in cover
      ? `; ${describe(cover.entry)} shows the name does not exist` : ''
    return (cover === null ? absent : refuse)('not-matched',
      `No NSEC record matches the delegation ${nameToText(child)}${why}.`)
  }
  const refused = delegationRefusal(match, child)
  if (refused !== null) return refused
  return {
    ok: true, proof: 'no-ds', optOut: false, used: [match],
    detail: `${describe(match)} shows an unsigned delegation at ${nameToText(child)}: NS ` +
      'without DS or SOA.',
  }
}

function nsecWildcardAnswer(name: Name, labels: number, set: NsecSet): Outcome {
  const encloser = name.slice(name.length - labels)
  const wildcard = wildcardOf(encloser)
  const match = nsecMatch(set, name)
  if (match !== undefined) {
    return refuse('closer-match-exists', `${describe(match)} shows ${nameToText(name)} ` +
      'exists, so no wildcard should have answered.')
  }
  const cover = nsecCover(set, name)
  if (cover === null) {
    const pointer = nsecNamingNext(set, name)
    if (pointer !== undefined) {
      return refuse('closer-match-exists', `${describe(pointer)} names ${nameToText(name)} as ` +
        `the next name of the zone, so ${nameToText(name)} exists and ` +
        `${nameToText(wildcard)} cannot have answered for it.`)
    }
    return absent('not-covered', `No NSEC record covers ${nameToText(name)}${given(set)}, so ` +
      `nothing shows that ${nameToText(name)} does not exist, and a closer match than ` +
      `${nameToText(wildcard)} is not ruled out.`)
  }
  if ('refused' in cover) return cover.refused
  const shown = nsecClosestEncloser(cover.entry, name)
  if (shown.length > labels || nsecShowsEmptyNonTerminal(cover.entry, name)) {
    return refuse('closer-match-exists', `${describe(cover.entry)} shows ` +
      `${nameToText(shown)} exists, closer to ${nameToText(name)} than ${nameToText(wildcard)}.`)
  }
  if (shown.length < labels) {
    return refuse('labels-mismatch', `${describe(cover.entry)} shows nothing exists at ` +
      `${nameToText(encloser)}, so the wildcard ${nameToText(wildcard)} cannot have answered.`)
  }
  return {
    ok: true, proof: 'wildcard-answer', optOut: false, used: [cover.entry],
    closestEncloser: encloser, wildcard,
    detail: `${describe(cover.entry)} covers ${nameToText(name)}, so the answer could only ` +
      `come from ${nameToText(wildcard)}.`,
  }
}

// ---------------------------------------------------------------------------------------
// NSEC3 (RFC 5155 section 8)

function nsec3Match(ctx: Nsec3Context, hash: Uint8Array): Nsec3Entry | undefined {
  return ctx.entries.find((e) => compareHashes(e.hash, hash) === 0)
}

function nsec3Cover(ctx: Nsec3Context, hash: Uint8Array): Nsec3Entry | undefined {
  return ctx.entries.find((e) => {
    const owner = e.hash
    const next = e.data.nextHashed
    if (compareHashes(hash, owner) === 0) return false
    // The last record of the chain wraps round: it covers everything after its owner and
    // everything before the first hash (RFC 5155 section 3.1.7).
    if (compareHashes(owner, next) < 0) {
      return compareHashes(owner, hash) < 0 && compareHashes(hash, next) < 0
    }
    return compareHashes(owner, hash) < 0 || compareHashes(hash, next) < 0
  })
}

function isOptOut(entry: Nsec3Entry): boolean {
  return (entry.data.flags & NSEC3_FLAG_OPT_OUT) !== 0
}

type EncloserProof =
  | {
    readonly kind: 'found'; readonly encloser: Name; readonly encloserRecord: Nsec3Entry
    readonly nextCloser: Name; readonly nextCloserRecord: Nsec3Entry
  }
  | { readonly kind: 'name-matched'; readonly record: Nsec3Entry }
  | { readonly kind: 'failed'; readonly outcome: Outcome & { readonly ok: false } }

/** RFC 5155 section 8.3: walk up from the name until an ancestor is matched. */
function closestEncloserProof(name: Name, ctx: Nsec3Context): EncloserProof {
  let current = name
  let below: { readonly name: Name; readonly hash: Uint8Array } | null = null
  let coveredBelow: Nsec3Entry | null = null
  for (;;) {
    const hash = ctx.hash(current)
    const match = nsec3Match(ctx, hash)
    if (match !== undefined) {
      if (below === null) return { kind: 'name-matched', record: match }
      if (coveredBelow === null) {
        return { kind: 'failed', outcome: { ok: false, reason: 'not-covered', absent: true,
          detail: `${describe(match)} matches ancestor ${nameToText(current)}, but no NSEC3 ` +
          `record covers the next closer name ${nameToText(below.name)} (hash ` +
          `${base32HexEncode(below.hash)}).` } }
      }
      // RFC 5155 section 8.3 and RFC 6840 section 4.1: the encloser's record must not come
      // from above a zone cut (NS without SOA) nor carry a DNAME.
      const types = match.data.types
      if (types.includes(RRType.DNAME)) {
        return { kind: 'failed', outcome: { ok: false, reason: 'dname-redirect', detail:
          `${describe(match)} for closest encloser ${nameToText(current)} has DNAME, so ` +
          'names below it are redirected, not absent (RFC 6840 section 4.1).' } }
      }
      if (types.includes(RRType.NS) && !types.includes(RRType.SOA)) {
        return { kind: 'failed', outcome: { ok: false, reason: 'ancestor-delegation', detail:
          `${describe(match)} for closest encloser ${nameToText(current)} is the parent side ` +
          'of a zone cut and cannot deny names below it (RFC 6840 section 4.1).' } }
      }
      return {
        kind: 'found', encloser: current, encloserRecord: match, nextCloser: below.name,
        nextCloserRecord: coveredBelow,
      }
    }
    below = { name: current, hash }
    coveredBelow = nsec3Cover(ctx, hash) ?? null
    if (nameEquals(current, ctx.zone)) break
    current = parentName(current)
  }
  return { kind: 'failed', outcome: { ok: false, reason: 'closest-encloser-missing',
    absent: true, detail: `No NSEC3 record matches ${nameToText(name)} or any of its ` +
    `ancestors in ${nameToText(ctx.zone)}, so there is no closest encloser.` } }
}

function nsec3Nxdomain(name: Name, ctx: Nsec3Context): Outcome {
  const proof = closestEncloserProof(name, ctx)
  if (proof.kind === 'failed') return proof.outcome
  if (proof.kind === 'name-matched') {
    return refuse('name-exists', `${describe(proof.record)} matches ${nameToText(name)} ` +
      `(hash ${base32HexEncode(proof.record.hash)}), so the name exists.`)
  }
  const wildcard = wildcardOf(proof.encloser)
  const wildcardHash = ctx.hash(wildcard)
  const wildcardMatch = nsec3Match(ctx, wildcardHash)
  if (wildcardMatch !== undefined) {
    return refuse('wildcard-not-denied', `${describe(wildcardMatch)} matches the wildcard ` +
      `${nameToText(wildcard)}, so ${nameToText(name)} should have been answered from it.`)
  }
  const wildcardCover = nsec3Cover(ctx, wildcardHash)
  if (wildcardCover === undefined) {
    return absent('wildcard-not-denied', `No NSEC3 record covers the wildcard ` +
      `${nameToText(wildcard)} (hash ${base32HexEncode(wildcardHash)}) at closest encloser ` +
      `${nameToText(proof.encloser)}.`)
  }
  return {
    ok: true, proof: 'nxdomain', optOut: isOptOut(proof.nextCloserRecord),
    used: [proof.encloserRecord, proof.nextCloserRecord, wildcardCover],
    closestEncloser: proof.encloser, nextCloser: proof.nextCloser, wildcard,
    detail: `${describe(proof.encloserRecord)} matches closest encloser ` +
      `${nameToText(proof.encloser)}, ${describe(proof.nextCloserRecord)} covers next closer ` +
      `${nameToText(proof.nextCloser)} and ${describe(wildcardCover)} covers ` +
      `${nameToText(wildcard)}.`,
  }
}

function nsec3Nodata(name: Name, type: number, ctx: Nsec3Context): Outcome {
  const hash = ctx.hash(name)
  const match = nsec3Match(ctx, hash)
  if (match !== undefined) {
    const refused = bitmapRefusal(match, name, type, ctx.zone)
    if (refused !== null) return refused
    return {
      ok: true, proof: 'nodata', optOut: false, used: [match],
      detail: `${describe(match)} matches ${nameToText(name)} (hash ` +
        `${base32HexEncode(hash)}) and lists ${typesText(match.data.types)}, without ` +
        `${typeText(type)}.`,
    }
  }
  const proof = closestEncloserProof(name, ctx)
  if (proof.kind === 'failed') return proof.outcome
  if (proof.kind === 'name-matched') {
    // Unreachable: the name's own hash was checked above; kept for the type checker.
    return refuse('not-matched', `Inconsistent NSEC3 match for ${nameToText(name)}.`)
  }
  // RFC 5155 section 8.7: a wildcard at the closest encloser that lacks the type.
  if (type !== RRType.DS) {
    const wildcard = wildcardOf(proof.encloser)
    const wildcardHash = ctx.hash(wildcard)
    const wildcardMatch = nsec3Match(ctx, wildcardHash)
    if (wildcardMatch !== undefined) {
      const refused = bitmapRefusal(wildcardMatch, wildcard, type, ctx.zone)
      if (refused !== null) return refused
      return {
        ok: true, proof: 'wildcard-nodata', optOut: isOptOut(proof.nextCloserRecord),
        used: [proof.encloserRecord, proof.nextCloserRecord, wildcardMatch],
        closestEncloser: proof.encloser, nextCloser: proof.nextCloser, wildcard,
        detail: `${describe(proof.encloserRecord)} matches closest encloser ` +
          `${nameToText(proof.encloser)}, ${describe(proof.nextCloserRecord)} covers ` +
          `${nameToText(proof.nextCloser)} and ${describe(wildcardMatch)} shows ` +
          `${nameToText(wildcard)} lacks ${typeText(type)}.`,
      }
    }
  }
  // RFC 5155 section 8.6 (DS) and erratum 3441 to section 8.5 (an empty non-terminal above
  // an unsigned delegation): an Opt-Out record over the next closer name proves insecurity.
  if (isOptOut(proof.nextCloserRecord)) {
    return {
      ok: true, proof: 'opt-out', optOut: true,
      used: [proof.encloserRecord, proof.nextCloserRecord],
      closestEncloser: proof.encloser, nextCloser: proof.nextCloser,
      detail: `No NSEC3 record matches ${nameToText(name)}; ${describe(proof.nextCloserRecord)} ` +
        `has Opt-Out and covers next closer ${nameToText(proof.nextCloser)}, so any data there ` +
        'is unsigned.',
    }
  }
  return refuse('not-matched', `No NSEC3 record matches ${nameToText(name)} (hash ` +
    `${base32HexEncode(hash)}); ${describe(proof.nextCloserRecord)} instead shows next closer ` +
    `${nameToText(proof.nextCloser)} does not exist.`)
}

function nsec3NoDs(child: Name, ctx: Nsec3Context): Outcome {
  const hash = ctx.hash(child)
  const match = nsec3Match(ctx, hash)
  if (match !== undefined) {
    const refused = delegationRefusal(match, child)
    if (refused !== null) return refused
    return {
      ok: true, proof: 'no-ds', optOut: false, used: [match],
      detail: `${describe(match)} matches ${nameToText(child)} (hash ${base32HexEncode(hash)}) ` +
        'with NS and without DS or SOA: an unsigned delegation.',
    }
  }
  const proof = closestEncloserProof(child, ctx)
  if (proof.kind === 'failed') return proof.outcome
  if (proof.kind === 'name-matched') {
    return refuse('not-matched', `Inconsistent NSEC3 match for ${nameToText(child)}.`)
  }
  if (!isOptOut(proof.nextCloserRecord)) {
    return refuse('opt-out-not-set', `No NSEC3 record matches ${nameToText(child)} (hash ` +
      `${base32HexEncode(hash)}) and ${describe(proof.nextCloserRecord)}, which covers next ` +
      `closer ${nameToText(proof.nextCloser)}, lacks Opt-Out (RFC 5155 section 8.9).`)
  }
  return {
    ok: true, proof: 'opt-out', optOut: true, used: [proof.encloserRecord, proof.nextCloserRecord],
    closestEncloser: proof.encloser, nextCloser: proof.nextCloser,
    detail: `${describe(proof.encloserRecord)} matches closest provable encloser ` +
      `${nameToText(proof.encloser)} and ${describe(proof.nextCloserRecord)} has Opt-Out and ` +
      `covers next closer ${nameToText(proof.nextCloser)}.`,
  }
}

function nsec3WildcardAnswer(name: Name, labels: number, ctx: Nsec3Context): Outcome {
  const encloser = name.slice(name.length - labels)
  const nextCloser = name.slice(name.length - labels - 1)
  const wildcard = wildcardOf(encloser)
  const hash = ctx.hash(nextCloser)
  const match = nsec3Match(ctx, hash)
  if (match !== undefined) {
    return refuse('closer-match-exists', `${describe(match)} matches next closer ` +
      `${nameToText(nextCloser)}, so ${nameToText(wildcard)} cannot have answered for ` +
      `${nameToText(name)}.`)
  }
  const cover = nsec3Cover(ctx, hash)
  if (cover === undefined) {
    return absent('not-covered', `No NSEC3 record covers next closer ` +
      `${nameToText(nextCloser)} (hash ${base32HexEncode(hash)}) (RFC 5155 section 8.8).`)
  }
  return {
    ok: true, proof: 'wildcard-answer', optOut: isOptOut(cover), used: [cover],
    closestEncloser: encloser, nextCloser, wildcard,
    detail: `${describe(cover)} covers next closer ${nameToText(nextCloser)} (hash ` +
      `${base32HexEncode(hash)}), so the answer could only come from ${nameToText(wildcard)}.`,
  }
}

// ---------------------------------------------------------------------------------------
// Type bitmap rules shared by NSEC and NSEC3

type AnyEntry = NsecEntry | Nsec3Entry

/** Why a record matching `name` does not show `type` absent, or null when it does. */
function bitmapRefusal(entry: AnyEntry, name: Name, type: number, zone: Name): Outcome | null {
  const types = entry.data.types
  const ns = types.includes(RRType.NS)
  const soa = types.includes(RRType.SOA)
  if (type === RRType.DS) {
    // A DS is denied by the parent; the child apex's record (SOA set) speaks for the
    // wrong zone (RFC 4035 section 5.2, RFC 5155 section 8.6). The root has no parent.
    if (soa && name.length > 0) {
      return refuse('child-apex-record', `${describe(entry)} at ${nameToText(name)} has SOA, ` +
        'so it comes from the child zone and cannot deny its DS.')
    }
  } else if (ns && !soa && !nameEquals(name, zone)) {
    // RFC 6840 section 4.1: a parent-side delegation record only speaks for DS.
    return refuse('ancestor-delegation', `${describe(entry)} is the parent side of the zone ` +
      `cut at ${nameToText(name)}, so it cannot deny ${typeText(type)} there ` +
      '(RFC 6840 section 4.1).')
  }
  if (types.includes(type)) {
    return refuse('type-in-bitmap', `${describe(entry)} lists ${typeText(type)} in its type ` +
      `bitmap at ${nameToText(name)}, although the answer says ${nameToText(name)} has no ` +
      `${typeText(type)}.`)
  }
  // RFC 6840 section 4.3: a NODATA must also rule out a CNAME at the name.
  if (type !== RRType.CNAME && types.includes(RRType.CNAME)) {
    return refuse('type-in-bitmap', `${describe(entry)} lists CNAME at ${nameToText(name)}, ` +
      `so the ${typeText(type)} query should have been answered with it.`)
  }
  return null
}

/** Why a record matching `child` does not show an unsigned delegation, or null. */
function delegationRefusal(entry: AnyEntry, child: Name): Outcome | null {
  const types = entry.data.types
  if (types.includes(RRType.SOA)) {
    return refuse('child-apex-record', `${describe(entry)} at ${nameToText(child)} has SOA, ` +
      'so it comes from the child zone, not the parent (RFC 5155 section 8.9).')
  }
  if (types.includes(RRType.DS)) {
    return refuse('type-in-bitmap', `${describe(entry)} lists DS at ${nameToText(child)}, ` +
      'so the delegation is signed.')
  }
  if (!types.includes(RRType.NS)) {
    return refuse('not-a-delegation', `${describe(entry)} lists no NS at ` +
      `${nameToText(child)}, so there is no delegation there (RFC 6840 section 4.4).`)
  }
  return null
}

// ---------------------------------------------------------------------------------------
// Small helpers

const ASTERISK = Uint8Array.of(0x2a)

function wildcardOf(encloser: Name): Name {
  return [ASTERISK, ...encloser]
}

function commonAncestor(a: Name, b: Name): Name {
  let shared = 0
  while (shared < a.length && shared < b.length &&
    nameEquals(a.slice(a.length - shared - 1), b.slice(b.length - shared - 1))) {
    shared++
  }
  return a.slice(a.length - shared)
}

function describe(entry: AnyEntry): string {
  if (entry.data.kind === 'NSEC') {
    return `NSEC ${nameToText(entry.rr.name)} -> ${nameToText(entry.data.next)}`
  }
  const optOut = (entry.data.flags & NSEC3_FLAG_OPT_OUT) !== 0 ? ' (Opt-Out)' : ''
  return `NSEC3 ${nameToText(entry.rr.name)} -> ${base32HexEncode(entry.data.nextHashed)}` +
    optOut
}

function paramsText(data: NSEC3Data): string {
  const salt = data.salt.length === 0 ? '-' : Buffer.from(data.salt).toString('hex')
  return `algorithm ${data.hashAlgorithm}, ${data.iterations} iterations, salt ${salt}`
}

function typesText(types: readonly number[]): string {
  return types.length === 0 ? 'no types' : types.map(typeText).join(' ')
}
