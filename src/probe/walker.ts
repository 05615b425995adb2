// The walker: iterative resolution from the root, as a validating resolver does it, asking
// every address of every server of every zone on the way. It only gathers; it judges nothing.
// The same code runs over the network (check) and over a saved capture (replay), so analysis
// never depends on anything a capture does not hold.
import type { ServerAddress } from '../anchors.js'
import { TtlCache } from './cache.js'
import { dsMatchesKey } from '../dnssec/digest.js'
import { keyTag } from '../dnssec/keytag.js'
import { isSubdomain, nameEquals, nameToText } from '../wire/name.js'
import type { DNSKEYData, DSData, Message, Name, RR } from '../wire/types.js'
import { Rcode, RRType } from '../wire/types.js'

/** One server's reply to one question, already decoded; error when there was none. */
export interface ServerResponse {
  readonly server: string
  readonly port: number
  readonly message: Message | null
  /**
   * 'timeout' | 'blocked' | 'network' | 'malformed' | 'mismatch' | 'not-recorded', or
   * 'tcp-fallback': the UDP answer was truncated (TC=1) and the TCP retry failed.
   */
  readonly error: string | null
  readonly detail?: string
  /** Set with 'tcp-fallback': what the truncated UDP answer and the TCP attempt showed. */
  readonly truncated?: {
    readonly udpBytes: number
    /** The EDNS buffer size the query offered: the full answer is larger. */
    readonly bufferSize: number
    readonly tcpError: string
  }
  readonly transport: 'udp' | 'tcp'
  readonly ms: number
}

export interface Question { readonly name: Name; readonly type: number }

/** Sends one question to one server; live over sockets, or answered from a capture. */
export type Transport = (server: ServerAddress, question: Question) => Promise<ServerResponse>

export interface NameServer {
  readonly name: Name | null
  readonly addresses: readonly ServerAddress[]
}

export interface ZoneVisit {
  readonly zone: Name
  readonly parent: ZoneVisit | null
  readonly nameServers: readonly NameServer[]
  /** Every distinct address of every name server, in the order asked. */
  readonly servers: readonly ServerAddress[]
  /** The parent's servers' answers to `zone DS` (empty for the root). */
  readonly ds: readonly ServerResponse[]
  /** Each server's answer to `zone DNSKEY`. */
  readonly dnskey: readonly ServerResponse[]
  /** Each server's answer to `zone SOA`: the serial tells a stale copy from a fresh one. */
  readonly soa: readonly ServerResponse[]
  /** The parent's referral responses that led here. */
  readonly referrals: readonly ServerResponse[]
  /** Name servers named in the referral that had no address we could find. */
  readonly unresolvedNameServers: readonly Name[]
  /**
   * Name servers whose address lookup led back into a zone still being visited (a.test. lists
   * ns.c.test., and c.test. is served by ns.a.test. without glue), or waited too long on
   * another walk's visit: each with why. Resolvers cannot follow such a loop either.
   */
  readonly lookupLoops?: readonly { readonly name: Name; readonly why: string }[]
  /**
   * Full checks only (empty in lean walks and for the root): the zone's own apex NS set as its
   * servers answer it, and the CDS and CDNSKEY it publishes for its parent (RFC 7344).
   */
  readonly apexNs?: readonly ServerResponse[]
  readonly cds?: readonly ServerResponse[]
  readonly cdnskey?: readonly ServerResponse[]
}

export interface AnswerStep {
  readonly question: Question
  readonly zone: ZoneVisit
  /** Every server of `zone` asked the question. */
  readonly responses: readonly ServerResponse[]
  /** Set when the answer is an alias the walk followed (CNAME or DNAME-synthesised). */
  readonly aliasTarget: Name | null
}

export interface WalkResult {
  readonly question: Question
  readonly root: ZoneVisit
  readonly steps: readonly AnswerStep[]
  /** Limits that stopped the walk: referral depth, CNAME hops, name server lookups. */
  readonly limits: readonly string[]
  /** The alias chain, when it comes back to a name it already passed (a loop). */
  readonly aliasLoop: readonly string[] | null
}

export interface WalkOptions {
  readonly rootServers: readonly ServerAddress[]
  /** Every server learnt from glue is asked on this port (lab use; 53 normally). */
  readonly port?: number
  readonly ipv6?: boolean
  /**
   * Lean, for batch runs over many names: no SOA serials, the DS taken from the referral when
   * it carries it, and a zone that has referred names before (a TLD) asked for a referral at
   * one address per name, kept only when the child looks healthy through it (else every
   * address, as check asks). A healthy name under known parents costs 1 + 2 queries per
   * address of its own zone: the zone's own addresses are all asked, since a stale secondary
   * is exactly what people monitoring zones need to see.
   */
  readonly lean?: boolean
  /** Zones and answers shared with other walks of the same run (see newWalkSession). */
  readonly session?: WalkSession
  /**
   * The transport's per-query timeout (default 2000 ms): a walk waits at most
   * LIMITS.sharedWaitTimeouts of them for a zone another walk of the session is visiting.
   */
  readonly timeoutMs?: number
}

/** What the walks of one batch run share, each entry for as long as its TTL allows. */
export interface WalkSession {
  readonly zones: TtlCache<Promise<ZoneVisit>>
  readonly answers: TtlCache<Promise<ServerResponse>>
  /**
   * Questions to a zone's servers in flight, by the name one label below that zone they are
   * under (example.com. for www.example.com. asked of com.): see Walker.resolve. An entry
   * lives for one exchange; there are never more than the walks in flight.
   */
  readonly claims?: Map<string, Promise<void>>
  /** Zones that have answered some question of the session with a referral (lean walks). */
  readonly referring?: WeakSet<ZoneVisit>
  /**
   * Servers that let a question of some walk time out lately: a lean walk asking a parent at
   * one address picks another (a resolver's infrastructure cache does the same).
   */
  readonly silent?: TtlCache<true>
  /** A zone not yet known to refer, with a walk asking it now (see Walker.firstContact). */
  readonly contacts?: WeakMap<ZoneVisit, Promise<void>>
}

/** Bounds for a session: a million names must not mean a million cached answers. */
export const SESSION_LIMITS = {
  // Measured (docs/performance.md): a zone visit with its responses holds 20-50 KB. LRU
  // keeps the shared parents (the root, TLDs, hosting zones recur all along a list); every
  // other entry only lives long enough to be promoted out of V8's young generation and
  // collected later at full cost. A quarter of the earlier 1,000 zones and 3,000 answers cut
  // the bench's CPU per name by a tenth and its peak by 40 MB, with the same queries per
  // name. Batch workers split these bounds.
  zones: 250,
  answers: 750,
  /** No entry lives longer than this, whatever its TTL (the run may last hours). */
  maxTtlMs: 3_600_000,
  /** A server that did not answer is not asked again for this long. */
  failureTtlMs: 30_000,
} as const

/**
 * A session; `share` > 1 gives it that fraction of the bounds (batch workers each keep one, and
 * together they stay within SESSION_LIMITS).
 */
export function newWalkSession(opts: { share?: number } = {}): WalkSession {
  const share = Math.max(1, opts.share ?? 1)
  return { zones: new TtlCache(Math.ceil(SESSION_LIMITS.zones / share)),
    answers: new TtlCache(Math.ceil(SESSION_LIMITS.answers / share)), claims: new Map(),
    referring: new WeakSet(), silent: new TtlCache(256), contacts: new WeakMap() }
}

/** Work limits (KeyTrap-era resolvers cap the same things). */
export const LIMITS = {
  /** Zone cuts followed for one name; no real name has more than a handful. */
  referrals: 24,
  /** Alias hops; BIND and unbound stop near this many. */
  aliases: 8,
  /** Names of glueless name servers resolved per walk, and how deep such lookups nest. */
  nsLookups: 16,
  nsLookupDepth: 3,
  /** Addresses asked per zone: a hostile referral cannot make us query a thousand servers. */
  serversPerZone: 16,
  /**
   * Query timeouts a walk waits for a zone visit that another walk of a batch started. Two
   * walks can each hold a visit the other's name-server lookup needs; the chain of zones of
   * one walk cannot see that, so the wait is bounded. Known cost: a visit slower than this
   * (many dead servers, nested glueless lookups) fails the lookup that waited for it.
   */
  sharedWaitTimeouts: 10,
  /** Names below a zone's apex asked for their SOA when an unsigned answer hides a cut. */
  cutProbes: 4,
} as const

/** Why a lookup stopped without an answer (a loop of zone visits, or a wait that ran out). */
interface Stop { readonly stop: string }
type Loop = NonNullable<ZoneVisit['lookupLoops']>[number]
const isStop = (x: unknown): x is Stop => typeof x === 'object' && x !== null && 'stop' in x

export async function walk(question: Question, transport: Transport,
  opts: WalkOptions): Promise<WalkResult> {
  const w = new Walker(transport, opts)
  return w.run(question)
}

class Walker {
  private readonly zones: TtlCache<Promise<ZoneVisit>>
  private readonly cache: TtlCache<Promise<ServerResponse>>
  private readonly claims: Map<string, Promise<void>>
  private readonly referring: WeakSet<ZoneVisit>
  private readonly lately: TtlCache<true> | null
  private readonly contacts: WeakMap<ZoneVisit, Promise<void>>
  private readonly limits: string[] = []
  /** Cache keys of this walk's own questions, dropped from a shared session at the end. */
  private readonly asked = new Set<string>()
  /**
   * Servers that let a question of this walk time out: later questions are not sent to them,
   * as a resolver's infrastructure cache would do, so one dead server costs one timeout per
   * round of questions instead of one per question.
   */
  private readonly silent = new Set<string>()

  /** Each limit once: a hostile zone can hit the same one many times. */
  private limit(text: string): void {
    if (!this.limits.includes(text) && this.limits.length < 32) this.limits.push(text)
  }
  private nsLookups = 0
  /** Visits this walk started; any other pending visit is another walk's (bounded wait). */
  private readonly own = new WeakSet<Promise<ZoneVisit>>()
  /** Every loop or wait that stopped a lookup of this walk, in order (bounded). */
  private readonly stops: string[] = []

  private stopped(text: string): Stop {
    if (this.stops.length < 64) this.stops.push(text)
    return { stop: text }
  }

  constructor(private readonly transport: Transport, private readonly opts: WalkOptions) {
    const session = opts.session ?? newWalkSession()
    this.zones = session.zones
    this.cache = session.answers
    this.claims = session.claims ?? new Map()
    this.referring = session.referring ?? new WeakSet()
    this.lately = session.silent ?? null
    this.contacts = session.contacts ?? new WeakMap()
  }

  async run(question: Question): Promise<WalkResult> {
    let rootVisit = this.zones.get(key([]))
    if (rootVisit === undefined) {
      rootVisit = this.visit([], null, [{ name: null, addresses: this.opts.rootServers }], [], [])
      this.zones.set(key([]), rootVisit, SESSION_LIMITS.maxTtlMs)
    }
    const root = await rootVisit
    const steps: AnswerStep[] = []
    let target: Question = question
    const chain = [key(question.name)]
    let aliasLoop: string[] | null = null
    for (let hop = 0; ; hop++) {
      const start = await this.closestKnown(target, root)
      const step = isStop(start) ? start : await this.resolve(target, start, 0, [])
      if (isStop(step)) this.limit(step.stop)
      if (step === null || isStop(step)) break
      steps.push(step)
      if (question.type === RRType.CNAME) break
      // The links inside this answer, then where the chain leaves the zone (if it does).
      const links = answerChain(step, target.name)
      const next = step.aliasTarget === null ? null : key(step.aliasTarget)
      // The target that leaves the zone is normally the answer's last link already.
      const names = next === null || links.includes(next) ? links : [...links, next]
      const again = names.find((n, i) => chain.includes(n) || names.indexOf(n) !== i)
      chain.push(...names.filter((n) => !chain.includes(n)))
      if (again !== undefined) {
        aliasLoop = [...chain, again]
        break
      }
      if (next === null || step.aliasTarget === null) break
      if (hop + 1 >= LIMITS.aliases) {
        this.limit(`stopped after ${LIMITS.aliases} aliases`)
        break
      }
      target = { name: step.aliasTarget, type: question.type }
    }
    // The questions about this name itself (its referrals and answers) will not be asked
    // again by other names of a batch: drop them, keep what zones share (DNSKEY, DS).
    for (const k of this.asked) this.cache.delete(k)
    return { question, root, steps, limits: this.limits, aliasLoop }
  }

  /**
   * The deepest zone already visited that encloses the name, as a resolver starts from the
   * closest delegation it has cached (RFC 1034 5.3.3): with a shared session, the names of a
   * batch under a known zone skip the root and the TLD.
   */
  private async closestKnown(q: Question, root: ZoneVisit): Promise<ZoneVisit | Stop> {
    // A DS lives on the parent side of a cut (RFC 4035 3.1.4.1): never start at the zone itself.
    const name = q.type === RRType.DS ? q.name.slice(1) : q.name
    for (let i = 0; i < name.length; i++) {
      const known = this.zones.get(key(name.slice(i)))
      if (known !== undefined) return this.waitFor(known, key(name.slice(i)))
    }
    return root
  }

  /**
   * A visit from the session: another walk's may wait on this one (each needing a name server
   * the other's zone holds), so that wait is bounded. Timers are cleared, never left running.
   */
  private async waitFor(visit: Promise<ZoneVisit>, zone: string): Promise<ZoneVisit | Stop> {
    if (this.own.has(visit)) return visit
    const ms = LIMITS.sharedWaitTimeouts * (this.opts.timeoutMs ?? 2000)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<Stop>((resolve) => {
      timer = setTimeout(() => resolve(this.stopped(`waited ${ms} ms for ${zone}, which `
        + 'another lookup of this run was visiting')), ms)
    })
    try {
      return await Promise.race([visit, late])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Descends from `start` by referrals until some zone answers for the name. `chain`: the zones
   * whose visits wait on this lookup (a name server's address); entering one again is a loop.
   */
  private async resolve(q: Question, start: ZoneVisit, depth: number,
    chain: readonly string[]): Promise<AnswerStep | Stop | null> {
    let zone = start
    for (let cuts = 0; cuts < LIMITS.referrals; cuts++) {
      // Walks of a batch asking one zone about names under the same label below it
      // (www.example.com. and mail.example.com., both of com.) ask one at a time: the first
      // one's referral enters example.com. for the others, which then start there instead of
      // each fetching the same referral. A claim lasts one exchange, never a zone visit (which
      // may look up name servers through other walks), so walks cannot wait on each other.
      const below = q.name.length > zone.zone.length
        ? key(q.name.slice(q.name.length - zone.zone.length - 1)) : null
      const busy = below === null ? undefined : this.claims.get(below)
      if (below !== null && busy !== undefined) {
        await busy
        const known = this.zones.get(below)
        if (known !== undefined) {
          const next = await this.waitFor(known, below)
          if (isStop(next)) return next
          zone = next
          continue
        }
      }
      const contact = await this.firstContact(zone)
      const release = below === null || this.claims.has(below) ? (): void => undefined
        : this.claim(below)
      // Lean: a parent that has referred names before is asked at one address first (one
      // exchange under the claim), and that referral kept only when the child it leads to
      // looks healthy through it (quickReferral, after the claim is let go: a zone visit may
      // wait on other walks). Anything else asks every address, as below.
      let picked: ServerResponse | null
      try {
        picked = await this.askOne(zone, q)
      } catch (e) {
        release()
        contact?.()
        throw e
      }
      if (picked !== null) {
        // Another walk made the zone a referring one meanwhile: nothing left to wait for.
        contact?.()
        release()
        const quick = await this.quickReferral(zone, q, picked, depth, chain)
        if (quick !== null) {
          if (isStop(quick)) return quick
          zone = quick
          continue
        }
      }
      const again = picked === null ? release
        : below === null || this.claims.has(below) ? (): void => undefined : this.claim(below)
      let responses: ServerResponse[]
      try {
        responses = await this.askAll(zone.servers, q)
      } catch (e) {
        again()
        contact?.()
        throw e
      }
      if (responses.some((r) => r.message?.rcode === Rcode.NOERROR
        && delegationIn(r.message, zone.zone, q) !== null)) this.referring.add(zone)
      contact?.()
      const usable = responses.find((r) => r.message !== null
        && (r.message.rcode === Rcode.NOERROR || r.message.rcode === Rcode.NXDOMAIN))
      const child = usable?.message == null ? null : delegationIn(usable.message, zone.zone, q)
      if (usable?.message == null || child === null) again()
      if (usable?.message == null) return { question: q, zone, responses, aliasTarget: null }
      if (child !== null) {
        const referrals = responses.filter((r) => r.message !== null
          && delegationIn(r.message, zone.zone, q) !== null)
        // enter() puts the zone in the session before its first await: released after it.
        const entering = this.enter(child, zone, usable.message, referrals, depth, chain)
        again()
        const next = await entering
        if (isStop(next)) return next
        zone = next
        continue
      }
      // A server authoritative for both parent and child answers from the child without a
      // referral; the signer name of its signatures reveals the cut (RFC 4035 5.3.1).
      const cut = hiddenCut(usable.message, zone.zone, q.name)
        ?? await this.probeCut(zone, q, usable.message)
      if (cut !== null && this.zones.get(key(cut)) === undefined) {
        zone = await this.visit(cut, zone, zone.nameServers, [], [], depth,
          [...chain, key(cut)])
        const answers = await this.askAll(zone.servers, q)
        return { question: q, zone, responses: answers,
          aliasTarget: aliasTarget(usable.message, q, zone.zone) }
      }
      return { question: q, zone, responses,
        aliasTarget: aliasTarget(usable.message, q, zone.zone) }
    }
    this.limit(`stopped after ${LIMITS.referrals} referrals for ${nameToText(q.name)}`)
    return null
  }

  /**
   * An unsigned answer from a signed zone for a name below its apex, with nothing in it that
   * names another zone: the server may serve a child zone too and have answered from it (a
   * server minimising its responses leaves out the child's NS). Asks the SOA of each name
   * between the apex and the answer, as validators look for the cut of unsigned data
   * (RFC 4035 5.2, 4.3), and returns the first that is a zone apex; bounded.
   */
  /** Claims `below` (see resolve) until the returned function is called. */
  private claim(below: string): () => void {
    return hold(this.claims, below)
  }

  private async probeCut(zone: ZoneVisit, q: Question, msg: Message): Promise<Name | null> {
    if (msg.answer.length === 0 || [...msg.answer, ...msg.authority]
      .some((rr) => rr.type === RRType.RRSIG)) return null
    const signed = zone.dnskey.some((r) => r.message?.answer
      .some((rr) => rr.type === RRType.DNSKEY) === true)
    if (!signed || q.name.length <= zone.zone.length) return null
    for (let n = zone.zone.length + 1; n <= q.name.length
      && n <= zone.zone.length + LIMITS.cutProbes; n++) {
      const name = q.name.slice(q.name.length - n)
      const answers = await this.askAll(zone.servers, { name, type: RRType.SOA })
      if (answers.some((r) => r.message?.flags.aa === true && r.message.answer
        .some((rr) => rr.type === RRType.SOA && nameEquals(rr.name, name)))) return name
    }
    return null
  }

  private async enter(child: Name, parent: ZoneVisit, referral: Message,
    referrals: ServerResponse[], depth: number, chain: readonly string[]):
    Promise<ZoneVisit | Stop> {
    const k = key(child)
    // Its visit waits on this very lookup: waiting for it would never end (RFC 1034 5.3.3).
    if (chain.includes(k)) return this.stopped(`${[...chain, k].join(' -> ')} loops`)
    const known = this.zones.get(k)
    if (known !== undefined) return this.waitFor(known, k)
    // Claimed before the first await, so that concurrent walks share one visit of the zone.
    const visit = this.enterNew(child, parent, referral, referrals, depth, [...chain, k])
    this.own.add(visit)
    this.zones.set(k, visit, SESSION_LIMITS.maxTtlMs)
    return visit
  }

  private async enterNew(child: Name, parent: ZoneVisit, referral: Message,
    referrals: ServerResponse[], depth: number, chain: readonly string[], store = true):
    Promise<ZoneVisit> {
    const nsNames = referral.authority
      .filter((rr) => rr.type === RRType.NS && nameEquals(rr.name, child))
      .map((rr) => (rr.data.kind === 'NS' ? rr.data.target : []))
    const unresolved: Name[] = []
    const loops: Loop[] = []
    const nameServers: NameServer[] = []
    for (const ns of nsNames.slice(0, LIMITS.serversPerZone)) {
      // Glue counts only for names inside the zone that sent the referral: its servers have no
      // say over other names (RFC 2181 5.4.1), and resolvers drop such records as possible
      // poison (unbound's scrubber); those names are looked up where they live.
      let addresses = isSubdomain(ns, parent.zone) ? this.glue(referral, ns) : []
      // A name server inside the zone it serves can only be reached through glue: looking it
      // up would need that very zone (RFC 1034 4.2.1).
      if (addresses.length === 0 && !isSubdomain(ns, child)) {
        addresses = await this.lookupAddresses(ns, depth, chain, loops)
      }
      if (addresses.length === 0) unresolved.push(ns)
      nameServers.push({ name: ns, addresses })
    }
    if (nsNames.length > LIMITS.serversPerZone) {
      this.limit(`used only ${LIMITS.serversPerZone} of ${nsNames.length} name servers of ${
        nameToText(child)}`)
    }
    return this.visit(child, parent, nameServers, referrals, unresolved, depth, chain, loops,
      store)
  }

  private async visit(zone: Name, parent: ZoneVisit | null, parentNs: readonly NameServer[],
    referrals: readonly ServerResponse[], unresolved: readonly Name[], depth = 0,
    chain: readonly string[] = [key(zone)], parentLoops: readonly Loop[] = [], store = true):
    Promise<ZoneVisit> {
    const loops = [...parentLoops]
    const lean = this.opts.lean === true
    // A full check asks the zone for its own NS set: a server that only the child lists
    // (RFC 2181 5.4.1) still gets queries from resolvers that learnt it, so it is asked too.
    // Known cost: this question comes before the others, and its timeout does not silence the
    // server (see askAll), so a dead server delays the zone by one timeout round more (measured:
    // the demo's timeout scenario, 1 s timeout, 2 s -> 4 s); asking it alongside DNSKEY/SOA
    // would need a second round for the servers only the zone lists.
    const full = !lean && parent !== null && referrals.length > 0
    const apexNs = full ? await this.askAll(dedupe(parentNs.flatMap((ns) => ns.addresses)),
      { name: zone, type: RRType.NS }, true) : []
    const nameServers = [...parentNs,
      ...await this.childOnly(zone, parentNs, apexNs, depth, chain, loops)]
    const servers = dedupe(nameServers.flatMap((ns) => ns.addresses))
    if (servers.length > LIMITS.serversPerZone) {
      this.limit(`asked only ${LIMITS.serversPerZone} of ${servers.length} addresses of ${
        nameToText(zone)}`)
      servers.length = LIMITS.serversPerZone
    }
    // With DO set, a signed parent's referral carries the DS or the proof there is none.
    const dsInReferral = lean && referrals.some((r) => r.message?.authority.some((rr) =>
      (rr.type === RRType.DS && nameEquals(rr.name, zone))
      || rr.type === RRType.NSEC || rr.type === RRType.NSEC3) === true)
    const [ds, dnskey, soa, cds, cdnskey] = await Promise.all([
      parent === null ? [] : dsInReferral ? referrals.slice(0, 1)
        : this.askAll(parent.servers, { name: zone, type: RRType.DS }),
      this.askAll(servers, { name: zone, type: RRType.DNSKEY }),
      lean ? [] : this.askAll(servers, { name: zone, type: RRType.SOA }),
      full ? this.askAll(servers, { name: zone, type: RRType.CDS }, true) : [],
      full ? this.askAll(servers, { name: zone, type: RRType.CDNSKEY }, true) : [],
    ])
    const visit: ZoneVisit = { zone, parent, nameServers, servers, ds, dnskey, soa, referrals,
      unresolvedNameServers: unresolved, apexNs, cds, cdnskey,
      ...(loops.length === 0 ? {} : { lookupLoops: loops }) }
    // A zone is known for as long as its keys may be cached (RFC 4035 5.3.3: the TTLs); one
    // whose name-server lookup looped only briefly: a later walk finds the zones done.
    if (store) this.remember(visit)
    return visit
  }

  private remember(visit: ZoneVisit): void {
    const ttl = ttlOf([...visit.ds, ...visit.dnskey])
    this.zones.set(key(visit.zone), Promise.resolve(visit), visit.lookupLoops === undefined
      ? ttl : Math.min(ttl, SESSION_LIMITS.failureTtlMs))
  }

  /**
   * Lean walks: a zone with several addresses, not yet known to refer, that another walk is
   * asking now (the first names of a list under a TLD, checked at once): wait for that one
   * exchange, which tells, instead of each asking every address. The first walk gets the
   * function to call once its exchange is done.
   */
  private async firstContact(zone: ZoneVisit): Promise<(() => void) | null> {
    if (this.opts.lean !== true || zone.servers.length < 2 || this.referring.has(zone)) {
      return null
    }
    const pending = this.contacts.get(zone)
    if (pending !== undefined) {
      await pending
      return null
    }
    // Called once its exchange is done (or skipped).
    return hold(this.contacts, zone)
  }

  /**
   * Lean walks: a zone that has referred names before (a TLD) is asked at one of its addresses,
   * picked by the name so that the names of a list spread over them, avoiding addresses that
   * went silent lately; null when the zone is asked at every address instead.
   */
  private async askOne(zone: ZoneVisit, q: Question): Promise<ServerResponse | null> {
    if (this.opts.lean !== true || zone.servers.length < 2 || !this.referring.has(zone)) {
      return null
    }
    const live = zone.servers.filter((s) => !this.silent.has(`${s.address}|${s.port}`)
      && this.lately?.get(`${s.address}|${s.port}`) === undefined)
    if (live.length === 0) return null
    return this.ask(live[spread(key(q.name)) % live.length] as ServerAddress, q, false)
  }

  /**
   * The zone one address's referral leads to, kept (and shared with the session) only when the
   * child looks healthy through it; null when every address must be asked (see
   * healthyThrough). Known gap: a parent address out of step in a way the child still looks
   * healthy through (an old NS set whose servers still answer, an old DS whose key is still
   * published) is seen only by `check` and `--thorough`, which ask every address; catching it
   * here would take a second address per name, doubling the parent's queries.
   */
  private async quickReferral(zone: ZoneVisit, q: Question, picked: ServerResponse,
    depth: number, chain: readonly string[]): Promise<ZoneVisit | Stop | null> {
    const m = picked.message
    if (m === null || m.rcode !== Rcode.NOERROR) return null
    const child = delegationIn(m, zone.zone, q)
    if (child === null) return null
    const k = key(child)
    if (chain.includes(k)) return null
    const known = this.zones.get(k)
    if (known !== undefined) return this.waitFor(known, k)
    const visit = await this.enterNew(child, zone, m, [picked], depth, [...chain, k], false)
    if (!healthyThrough(visit, zone)) return null
    const now = this.zones.get(k)
    if (now !== undefined) return this.waitFor(now, k)
    this.remember(visit)
    return visit
  }

  /** Name servers in the zone's own NS set that the referral did not name, with addresses. */
  private async childOnly(zone: Name, parentNs: readonly NameServer[],
    apexNs: readonly ServerResponse[], depth: number, chain: readonly string[],
    loops: Loop[]): Promise<NameServer[]> {
    const out: NameServer[] = []
    for (const r of apexNs) {
      const m = r.message
      if (m === null) continue
      for (const rr of m.answer) {
        if (rr.data.kind !== 'NS' || !nameEquals(rr.name, zone)) continue
        const ns = rr.data.target
        if ([...parentNs, ...out].some((x) => x.name !== null && nameEquals(x.name, ns))) continue
        if (parentNs.length + out.length >= LIMITS.serversPerZone) return out
        // Addresses in the answer count only for names inside the zone: the zone's servers
        // have no say over other names (RFC 2181 5.4.1; unbound's scrubber drops such records
        // as possible poison), so an outside name is looked up where it lives.
        const inZone = isSubdomain(ns, zone)
        let addresses = inZone ? this.glue(m, ns) : []
        if (!inZone) addresses = await this.lookupAddresses(ns, depth, chain, loops)
        out.push({ name: ns, addresses })
      }
    }
    return out
  }

  private glue(referral: Message, ns: Name): ServerAddress[] {
    const port = this.opts.port ?? 53
    return referral.additional
      .filter((rr) => nameEquals(rr.name, ns)
        && (rr.type === RRType.A || (this.opts.ipv6 === true && rr.type === RRType.AAAA)))
      .flatMap((rr) => (rr.data.kind === 'A' || rr.data.kind === 'AAAA'
        ? [{ address: rr.data.address, port }] : []))
  }

  /**
   * A glueless name server: resolve its address from the root, with a bounded budget. A lookup
   * that loops back into `chain` fails at once, its reason added to `loops`.
   */
  private async lookupAddresses(ns: Name, depth: number, chain: readonly string[],
    loops: Loop[]): Promise<ServerAddress[]> {
    if (depth >= LIMITS.nsLookupDepth || this.nsLookups >= LIMITS.nsLookups) {
      this.limit('stopped resolving glueless name servers: lookup limit')
      return []
    }
    this.nsLookups++
    const root = await this.zones.get(key([]))
    if (root === undefined) return []
    const seen = this.stops.length
    const step = await this.resolve({ name: ns, type: RRType.A }, root, depth + 1, chain)
    const port = this.opts.port ?? 53
    for (const r of isStop(step) ? [] : step?.responses ?? []) {
      const found = (r.message?.answer ?? [])
        .filter((rr) => rr.data.kind === 'A' && nameEquals(rr.name, ns))
        .map((rr) => ({ address: (rr.data as { address: string }).address, port }))
      if (found.length > 0) return found
    }
    // A loop anywhere inside this lookup (even in a nested one) is why it found nothing.
    const why = this.stops.slice(seen)
    if (why.length > 0) loops.push({ name: ns, why: why.join('; ') })
    return []
  }

  /**
   * `extra`: a question of the check's own (apex NS, CDS, CDNSKEY) that resolvers never ask
   * while resolving; a timeout on it says nothing of the questions they do ask, so it does not
   * put the server on the silent list (a server may drop only unknown types, RFC 3597 aside).
   */
  private askAll(servers: readonly ServerAddress[], q: Question, extra = false):
    Promise<ServerResponse[]> {
    return Promise.all(servers.map((s) => this.ask(s, q, extra)))
  }

  private ask(s: ServerAddress, q: Question, extra: boolean): Promise<ServerResponse> {
    const k = `${s.address}|${s.port}|${key(q.name)}|${q.type}`
    if (q.type !== RRType.DNSKEY && q.type !== RRType.DS) this.asked.add(k)
    const known = this.cache.get(k)
    if (known !== undefined) return known
    const server = `${s.address}|${s.port}`
    if (this.silent.has(server)) {
      return Promise.resolve({ server: s.address, port: s.port, transport: 'udp', ms: 0,
        message: null, error: 'timeout',
        detail: 'not asked: it did not answer an earlier question of this check' })
    }
    const p = this.transport(s, q)
    if (!extra) {
      void p.then((r) => {
        // A server that truncates and then never answers over TCP is as good as silent for
        // the pick of askOne; only a timeout silences it for the rest of this walk.
        if (r.error === 'timeout' || r.error === 'tcp-fallback') {
          this.lately?.set(server, true, SESSION_LIMITS.failureTtlMs)
        }
        if (r.error === 'timeout') this.silent.add(server)
      })
    }
    this.cache.set(k, p, SESSION_LIMITS.maxTtlMs)
    // Once answered, kept for the answer's TTL (a failure briefly), within the session bounds.
    void p.then((r) => { this.cache.expireIn(k, ttlOf([r])) })
    return p
  }
}

/** The CNAME targets an answer chains through from `from`, in order (bounded). */
function answerChain(step: AnswerStep, from: Name): string[] {
  const msg = step.responses.find((r) => r.message !== null)?.message
  const out: string[] = []
  let current = from
  for (let i = 0; msg != null && i < LIMITS.aliases; i++) {
    const link = msg.answer.find((rr) => rr.type === RRType.CNAME && nameEquals(rr.name, current))
    if (link?.data.kind !== 'CNAME') break
    current = link.data.target
    out.push(key(current))
  }
  return out
}

/** How long responses may be reused: their smallest TTL, within the session's bounds. */
function ttlOf(responses: readonly ServerResponse[]): number {
  let ttl: number = SESSION_LIMITS.maxTtlMs
  for (const r of responses) {
    if (r.message === null) {
      ttl = Math.min(ttl, SESSION_LIMITS.failureTtlMs)
      continue
    }
    for (const rr of [...r.message.answer, ...r.message.authority]) {
      ttl = Math.min(ttl, rr.ttl * 1000)
    }
  }
  return ttl
}

function key(name: Name): string {
  return nameToText(name).toLowerCase()
}

/**
 * A pending promise under `k` in `m` for others to wait on; the function returned settles it
 * and removes it if it is still this one's (a second call changes nothing).
 */
function hold<K>(m: { get(k: K): Promise<void> | undefined; set(k: K, p: Promise<void>): unknown;
  delete(k: K): unknown }, k: K): () => void {
  let done!: () => void
  const mine = new Promise<void>((resolve) => { done = resolve })
  m.set(k, mine)
  return () => {
    if (m.get(k) === mine) m.delete(k)
    done()
  }
}

/** A number from a name, the same every run: which of a zone's addresses a name asks first. */
function spread(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/**
 * Whether a child entered through one address's referral looks as the whole parent would
 * show it: every server of the child answered its DNSKEY question, and a DS of the referral
 * matches (by its digest) a key the child publishes and signs its key set with, or (no DS) the
 * child publishes no key and a signed parent proved the DS absent. Known gap: that last case
 * is taken from one address, so a child left unsigned under a DS that this address does not
 * serve yet (and the others do) reads insecure where `check` says bogus; asking every
 * address for it would cost unsigned names, most names of a real list, every address again.
 * Anything else (a stale or lame parent address, a DS change not yet everywhere, glue to a
 * dead server, or a child truly broken) is looked at with every address of the parent, as
 * `check` does.
 */
function healthyThrough(v: ZoneVisit, parent: ZoneVisit): boolean {
  const referral = v.referrals[0]?.message
  if (referral == null || v.dnskey.length === 0 || v.unresolvedNameServers.length > 0
    || v.lookupLoops !== undefined) return false
  const keys: DNSKEYData[] = []
  for (const r of v.dnskey) {
    if (r.message === null || r.message.rcode !== Rcode.NOERROR) return false
    for (const rr of r.message.answer) {
      if (rr.data.kind === 'DNSKEY' && nameEquals(rr.name, v.zone)) keys.push(rr.data)
    }
  }
  const ds = referral.authority.filter((rr): rr is RR<DSData> => rr.data.kind === 'DS'
    && nameEquals(rr.name, v.zone))
  if (ds.length === 0) {
    const parentSigned = parent.dnskey.some((r) => r.message?.answer
      .some((rr) => rr.type === RRType.DNSKEY) === true)
    return keys.length === 0 && (!parentSigned || referral.authority
      .some((rr) => rr.type === RRType.NSEC || rr.type === RRType.NSEC3))
  }
  // A DS whose digest matches a published key that signs the key set: one that only shares a
  // tag with a key, or names a standby key, is looked at with every address.
  const signers = new Set<string>()
  for (const r of v.dnskey) {
    for (const rr of r.message?.answer ?? []) {
      if (rr.data.kind === 'RRSIG' && rr.data.typeCovered === RRType.DNSKEY) {
        signers.add(`${rr.data.keyTag}/${rr.data.algorithm}`)
      }
    }
  }
  return ds.some((d) => keys.some((k) => k.algorithm === d.data.algorithm
    && keyTag(k) === d.data.keyTag && signers.has(`${d.data.keyTag}/${k.algorithm}`)
    && dsMatchesKey(d, k) === true))
}

function dedupe(list: readonly ServerAddress[]): ServerAddress[] {
  const seen = new Set<string>()
  return list.filter((s) => {
    const k = `${s.address}|${s.port}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/**
 * The child zone a response delegates to, or null: a non-authoritative answer whose authority
 * section has NS records for a name strictly below the current zone and at or above the
 * queried name (RFC 1034 4.3.2). A DS question is answered by the parent, never referred.
 */
export function delegationIn(msg: Message, zone: Name, q: Question): Name | null {
  if (msg.flags.aa || msg.answer.length > 0) return null
  const ns = msg.authority.find((rr) => rr.type === RRType.NS)
  if (ns === undefined) return null
  if (nameEquals(ns.name, zone) || !isSubdomain(ns.name, zone) || !isSubdomain(q.name, ns.name)) {
    return null
  }
  if (q.type === RRType.DS && nameEquals(q.name, ns.name)) return null
  return ns.name
}

/** The deeper zone whose signatures or SOA an answer carries, when it is below `zone`. */
function hiddenCut(msg: Message, zone: Name, qname: Name): Name | null {
  const owners: Name[] = []
  for (const rr of [...msg.answer, ...msg.authority]) {
    if (rr.data.kind === 'RRSIG') owners.push(rr.data.signerName)
    else if (rr.type === RRType.SOA) owners.push(rr.name)
  }
  // An authoritative answer's NS in the authority section are its own zone's (RFC 2181 6.1):
  // below our zone, that is the child the server answered from, signed or not.
  if (msg.flags.aa) {
    for (const rr of msg.authority) if (rr.type === RRType.NS) owners.push(rr.name)
  }
  for (const o of owners) {
    if (!nameEquals(o, zone) && isSubdomain(o, zone) && isSubdomain(qname, o)) {
      // Step one label at a time would find intermediate cuts; the signer is the nearest.
      return o
    }
  }
  return null
}

/**
 * Where an answer's alias chain leaves the zone, if it does. Links inside the zone come in
 * the same answer and are validated there; a target outside it needs a walk of its own.
 */
function aliasTarget(msg: Message, q: Question, zone: Name): Name | null {
  if (q.type === RRType.CNAME) return null
  let current = q.name
  const passed = [key(current)]
  for (let i = 0; i < LIMITS.aliases; i++) {
    const link: RR | undefined = msg.answer.find((rr) => rr.type === RRType.CNAME
      && nameEquals(rr.name, current))
    if (link === undefined || link.data.kind !== 'CNAME') break
    current = link.data.target
    if (passed.includes(key(current))) return null // a loop inside the answer
    passed.push(key(current))
    if (!isSubdomain(current, zone)) return current
  }
  if (nameEquals(current, q.name)) return null
  // The chain stayed in the zone: done if the final RRset or a negative answer is here.
  const ends = msg.answer.some((rr) => rr.type === q.type && nameEquals(rr.name, current))
  return ends || msg.rcode === Rcode.NXDOMAIN || msg.authority.some((rr) => rr.type === RRType.SOA)
    ? null : current
}
