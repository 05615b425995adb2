// Helpers for the lab tests: the manifest written by lab/build.sh, the lab's addresses, and
// thin wrappers around dig and delv (the independent tools the tests compare against).
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const LAB_DIR = join(REPO_DIR, 'lab')

/** Validating unbound shared by all lab tests. */
export const VALIDATING_RESOLVER = '127.0.53.1'
/** unbound with module-config "iterator": answers without validating. */
export const NON_VALIDATING_RESOLVER = '127.0.53.11'
/** Validating unbound queried only by servers.test.ts, so its cache is cold there. */
export const GROUND_TRUTH_RESOLVER = '127.0.53.2'
/** Validating unbound whose only server for stale.lab.test. is the stale secondary. */
export const PINNED_RESOLVER = '127.0.53.3'
/** Validating unbound whose clock libfaketime holds before every lab inception (C18). */
export const CLOCK_RESOLVER = '127.0.53.4'
/** BIND named 9.18, validating with the lab's anchor (its built-in root key unused). */
export const BIND_RESOLVER = '127.0.53.21'
/** Knot Resolver (kresd) 5.6, validating with the lab's anchor (the real root key removed). */
export const KNOT_RESOLVER = '127.0.53.31'
/** PowerDNS Recursor 4.8, validating with the lab's anchor (its compiled-in root DS cleared). */
export const PDNS_RESOLVER = '127.0.53.41'
/** Knot Resolver's DNS over HTTPS endpoint (kresd's doh2: HTTP/2 only, port 443). */
export const KNOT_DOH_URL = `https://${KNOT_RESOLVER}/dns-query`

/**
 * The CA lab.sh makes for each run and signs kresd's DoH certificate with (the certificate names
 * 127.0.53.31 as an IP subjectAltName). `runDir` is the global setup's inject('labRunDir').
 */
export function labDohCa(runDir: string): string {
  return join(runDir, 'doh-ca.pem')
}

export type ResolverName = 'unbound' | 'bind' | 'knot' | 'pdns'

export interface ValidatingResolverInfo {
  name: ResolverName
  /** Product and the version lab/README.md records. */
  software: string
  address: string
}

/** One validating resolver per implementation the lab runs, all with the lab's trust anchor. */
export const VALIDATING_RESOLVERS: readonly ValidatingResolverInfo[] = [
  { name: 'unbound', software: 'unbound 1.17.1', address: VALIDATING_RESOLVER },
  { name: 'bind', software: 'BIND 9.18.49', address: BIND_RESOLVER },
  { name: 'knot', software: 'Knot Resolver 5.6.0', address: KNOT_RESOLVER },
  { name: 'pdns', software: 'PowerDNS Recursor 4.8.8', address: PDNS_RESOLVER },
]

export type ExpectedStatus = 'secure' | 'insecure' | 'bogus'
/** A finding code of src/findings.ts, as the scenario was designed to produce it. */
export type ExpectedCode = string

export interface LabKey {
  tag: number
  algorithm: number
  flags: number
  /** Public key file, relative to the repository (absent for discarded keys). */
  file?: string
}

export interface LabDs {
  tag: number
  algorithm: number
  digestType: number
  /** Upper-case hex, as dnssec-dsfromkey prints it. */
  digest: string
}

export interface LabScenario {
  query: string
  type: string
  description: string
  /** The address of the final A record the question leads to; null for none (NODATA etc.). */
  answer: string | null
  expect: {
    status: ExpectedStatus
    brokenZone: string | null
    code: ExpectedCode | null
    /** For a failure only one of the zone's servers causes. */
    via?: string
    /** The answer's rcode when not NOERROR (a name that does not exist). */
    rcode?: string
    /** Other finding codes the report must carry (warnings of a secure zone, side findings). */
    findings: string[]
    /** Where an insecure chain becomes unsigned, when not the scenario zone (its child). */
    insecureAt?: string
  }
}

export interface LabCopy {
  server: string
  serial: number
  inception: string
  expiration: string
  file: string
}

export interface LabZone {
  zone: string
  parent: string | null
  servers: string[]
  signed: boolean
  denial: 'NSEC' | 'NSEC3' | null
  keys: LabKey[]
  dsAtParent: LabDs[]
  /** ISO times from dnssec-signzone's -s/-e; null for unsigned zones. */
  inception: string | null
  expiration: string | null
  serial: number
  /** The zone file served (relative to the repository). */
  file: string
  scenario: LabScenario | null
  /** Keys that made a DS at the parent and were then thrown away. */
  discardedKeys?: LabKey[]
  /** Zones served in different versions by different servers (scenario stale). */
  copies?: LabCopy[]
  /** The signer when not the manifest's (scenario nsec3-iter: ldns-signzone). */
  signer?: string
  /** NSEC3 parameters the signer was given, when the scenario is about them. */
  nsec3?: { iterations: number; salt: string }
}

export interface LabManifest {
  signer: string
  rootServers: string[]
  rootServerNames: Record<string, string>
  resolvers: { validating: string; nonValidating: string; groundTruth: string }
  trustAnchor: LabDs & { zone: string; files: { ds: string; xml: string; bind: string } }
  rootHints: string
  zones: LabZone[]
}

export type LabScenarioZone = LabZone & { scenario: LabScenario }

let cached: LabManifest | undefined

/** The committed lab/manifest.json (read once). */
export function readManifest(): LabManifest {
  cached ??= JSON.parse(readFileSync(join(LAB_DIR, 'manifest.json'), 'utf8')) as LabManifest
  return cached
}

/** The zones that carry a scenario, in the manifest's order (scenario 1 first). */
export function scenarioZones(manifest: LabManifest = readManifest()): LabScenarioZone[] {
  return manifest.zones.filter((z): z is LabScenarioZone => z.scenario !== null)
}

/**
 * Scenarios where the lab's resolvers stall: signer-stopped (field case C03) has expired
 * signatures and a second server that never answers; unbound 1.17 gave no answer within 20 s
 * and BIND 9.18 SERVFAIL after 10 s (measured), longer than a client waits. The generic
 * resolver tests leave them out; test/lab/resolvers.test.ts pins the stall on its own.
 */
export const RESOLVERS_STALL: ReadonlySet<string> = new Set(['signer-stopped.lab.test.'])

/**
 * The EDE codes a validating resolver attaches when it lands on the one bad copy of a via
 * scenario (lab/manifest.json expect.via), as the lab's resolvers gave them: the precise code
 * on a fresh failure, 6 once the failure is cached. Which copy a resolver asks is drawn, so two
 * asks in a row may differ.
 */
export const VIA_EDE: Readonly<Record<string, readonly number[]>> = {
  // Expired signatures on the stale copy.
  'stale.lab.test.': [7, 6],
  // No NSEC3 proof on the stripped copy: 12 NSEC Missing, or 9 DNSKEY Missing (seen when the
  // proof goes missing from a DS answer while unbound builds the chain).
  'nsec3-partial.lab.test.': [12, 9, 6],
}

/** The scenarios the lab's resolvers answer in time: all but RESOLVERS_STALL. */
export function resolverScenarioZones(manifest: LabManifest = readManifest()):
  LabScenarioZone[] {
  return scenarioZones(manifest).filter((z) => !RESOLVERS_STALL.has(z.zone))
}

/**
 * The address the scenario's final A record holds (lab/build.sh writes it: 127.0.99.N for the
 * zone on 127.0.40.N, or the alias target's), or null when the designed answer has none.
 */
export function scenarioAnswer(zone: LabScenarioZone): string | null {
  return zone.scenario.answer
}

/** The addresses a resolver's answer must hold for an answer with this rcode. */
export function designedAddresses(z: LabScenarioZone, rcode: string): string[] {
  const answer = scenarioAnswer(z)
  return rcode === 'NOERROR' && answer !== null ? [answer] : []
}

// Why: the preamble forbids any query that could leave loopback.
function assertLoopback(server: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(server)) {
    throw new Error(`refusing to query ${server}: the lab is loopback only`)
  }
}

export interface DigOptions {
  type?: string
  /** Set DO (dig +dnssec). */
  dnssec?: boolean
  /** Set CD (dig +cd). */
  cd?: boolean
  /** Clear RD (dig +norec), for authoritative servers. */
  norec?: boolean
  /** Ask over DNS over HTTPS (dig +https, POST to /dns-query on 443), trusting this CA file. */
  httpsCa?: string
}

export interface Ede {
  code: number
  /** The EXTRA-TEXT, without dig's parentheses. */
  text: string
}

export interface DigResult {
  status: string
  flags: string[]
  /** Answer section lines as dig prints them, whitespace collapsed. */
  answer: string[]
  ede: Ede[]
  raw: string
}

/** Parses dig's default output. Throws when the header is missing (no answer at all). */
export function parseDig(raw: string): DigResult {
  const status = /status: ([A-Z0-9]+)/.exec(raw)?.[1]
  const flags = /;; flags: ([a-z ]*);/.exec(raw)?.[1]
  if (status === undefined || flags === undefined) {
    throw new Error(`dig printed no response header:\n${raw}`)
  }
  const ede: Ede[] = []
  for (const m of raw.matchAll(/^; EDE: (\d+)(?: \([^)]*\))?(?:: \((.*)\))?$/gm)) {
    ede.push({ code: Number(m[1]), text: m[2] ?? '' })
  }
  const answer: string[] = []
  const lines = raw.split('\n')
  const start = lines.indexOf(';; ANSWER SECTION:')
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '') break
      answer.push(line.trim().replace(/\s+/g, ' '))
    }
  }
  return { status, flags: flags.trim().split(/\s+/), answer, ede, raw }
}

/** The A addresses the answer section gives for NAME (TTLs ignored: caches count down). */
export function addressesOf(r: DigResult, name: string): string[] {
  const rows = r.answer.map((l) => l.split(' '))
  // Follow the answer's CNAME chain from the name asked, as a resolver's client does.
  let owner = name
  for (let hops = 0; hops < 8; hops++) {
    const alias = rows.find((f) => f[0] === owner && f[2] === 'IN' && f[3] === 'CNAME')
    if (alias?.[4] === undefined) break
    owner = alias[4]
  }
  return rows.filter((f) => f[0] === owner && f[2] === 'IN' && f[3] === 'A').map((f) => f[4] ?? '')
}

/** Runs dig against an explicit loopback server; retries are dig's own (+tries). */
export async function dig(server: string, name: string, options: DigOptions = {}) {
  assertLoopback(server)
  const args = [`@${server}`, name, options.type ?? 'A', '+time=3', '+tries=3']
  if (options.dnssec === true) args.push('+dnssec')
  if (options.cd === true) args.push('+cd')
  if (options.norec === true) args.push('+norec')
  if (options.httpsCa !== undefined) args.push('+https', `+tls-ca=${options.httpsCa}`)
  const { stdout } = await run('dig', args)
  return parseDig(stdout)
}

/**
 * One dig try, no recursion, one-second wait, with raw extra arguments (+tcp, a type): resolves
 * to the parsed answer, rejects with dig's own words when no answer came (timeout, refused).
 */
export async function digOnce(server: string, name: string, extra: string[]):
  Promise<DigResult> {
  assertLoopback(server)
  const args = [`@${server}`, name, '+time=1', '+tries=1', '+norec', ...extra]
  const out = await run('dig', args).catch((e: unknown) => {
    const err = e as { stdout?: string; stderr?: string }
    throw new Error(`${err.stdout ?? ''}${err.stderr ?? ''}`)
  })
  if (!/status: /.test(out.stdout)) throw new Error(out.stdout)
  return parseDig(out.stdout)
}

export type DelvVerdict = 'secure' | 'insecure' | 'bogus'

export interface DelvResult {
  verdict: DelvVerdict
  /** delv's comment lines (its reasons), whitespace kept. */
  messages: string[]
  raw: string
}

/**
 * delv validating on its own, with the lab's trust anchor, through a resolver that does not
 * validate (delv 9.18 cannot recurse by itself and does not set CD).
 */
export async function delv(server: string, name: string, options: { type?: string } = {}) {
  assertLoopback(server)
  const anchor = join(LAB_DIR, 'root-anchor.conf')
  if (!existsSync(anchor)) throw new Error(`no ${anchor}: run lab/build.sh`)
  const args = [`@${server}`, '-a', anchor, '+root=.', name, options.type ?? 'A']
  // delv exits non-zero when resolution fails; its output still carries the verdict.
  const out = await run('delv', args).catch((e: unknown) => {
    const err = e as { stdout?: string; stderr?: string }
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? '' }
  })
  const raw = `${out.stdout}${out.stderr}`
  const messages = raw.split('\n').filter((l) => l.startsWith(';'))
  let verdict: DelvVerdict
  // Failure first: for an alias, delv validates the CNAME and then fails on its target. An
  // unsigned link anywhere in an alias chain makes the whole answer insecure.
  // A negative answer prints ";; resolution failed: ncache ..." too, beside its verdict.
  if (raw.includes('; negative response, fully validated')) verdict = 'secure'
  else if (raw.includes('; negative response, unsigned')) verdict = 'insecure'
  else if (raw.includes(';; resolution failed')) verdict = 'bogus'
  else if (raw.includes('unsigned answer')) verdict = 'insecure'
  else if (raw.includes('; fully validated')) verdict = 'secure'
  else throw new Error(`delv gave no verdict:\n${raw}`)
  return { verdict, messages, raw } satisfies DelvResult
}

/** Interfaces of this process's network namespace (/proc/self/net/dev is per namespace). */
export function namespaceInterfaces(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim() ?? '')
    .filter((n) => n !== '')
}
