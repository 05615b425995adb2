// The floor of the batch benchmark: the least a Node program built from this project's wire
// codec, canonical form and node:crypto can do per name of the bench lab, with nothing else.
// Per name, as a resolver does: the referral from bench.test. (the DS and its RRSIG, checked
// with bench.test.'s key), the child's DNSKEY set (the DS digest, the KSK's RRSIG), the answer
// (the ZSK's RRSIG and its dates). No walker, no session, no findings, no report, no line
// written: whatever `batch` costs above this is the price of being a doctor rather than a
// resolver, and whatever this costs above unbound is the price of Node and its crypto calls.
//
// It knows the lab's shape (bench.test. at 127.0.90.3, every child at 127.0.90.4) and trusts
// bench.test.'s keys without walking to them; it is a measurement, not a validator.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

import { dsDigest } from '../src/dnssec/digest.js'
import { keyTag } from '../src/dnssec/keytag.js'
import { verificationCount, verifyRrsig } from '../src/dnssec/verify.js'
import { buildQuery, decodeMessage } from '../src/wire/message.js'
import { nameEquals, nameFromText } from '../src/wire/name.js'
import type { DNSKEYData, DSData, Message, RR, RRSIGData } from '../src/wire/types.js'
import { RRType } from '../src/wire/types.js'

const PARENT = '127.0.90.3'
const CHILDREN = '127.0.90.4'

export type FloorVerdict = 'secure' | 'insecure' | 'bogus' | 'error'

export interface FloorResult {
  readonly verdicts: Map<string, FloorVerdict>
  readonly seconds: number
  /** The whole process's user + system CPU time, ms. */
  readonly cpuMs: number
  readonly verifications: number
}

/** One UDP socket, queries matched by id; each query waits at most timeoutMs. */
class Asker {
  private readonly pending = new Map<number, (m: Message | null) => void>()
  private next = 1

  constructor(private readonly socket: Socket) {
    socket.on('message', (bytes) => {
      let m: Message
      try {
        m = decodeMessage(bytes)
      } catch {
        return
      }
      const done = this.pending.get(m.id)
      if (done === undefined) return
      this.pending.delete(m.id)
      done(m)
    })
  }

  ask(server: string, name: string, type: number, timeoutMs = 2000): Promise<Message | null> {
    let id = this.next
    while (this.pending.has(id)) id = (id + 1) & 0xffff
    this.next = (id + 1) & 0xffff
    const q = buildQuery({ id, name: nameFromText(name), type, rd: false, dnssecOk: true })
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve(null)
      }, timeoutMs)
      this.pending.set(id, (m) => {
        clearTimeout(timer)
        resolve(m)
      })
      this.socket.send(q, 53, server)
    })
  }
}

function sigsOf(section: readonly RR[], type: number): RR<RRSIGData>[] {
  return section.filter((rr): rr is RR<RRSIGData> => rr.data.kind === 'RRSIG'
    && rr.data.typeCovered === type)
}

function of(section: readonly RR[], type: number): RR[] {
  return section.filter((rr) => rr.type === type)
}

/** One of the RRSIGs verifies with a key of the given tag and its dates hold now. */
function signed(rrset: readonly RR[], sigs: readonly RR<RRSIGData>[],
  keys: readonly DNSKEYData[], now: number): boolean {
  for (const s of sigs) {
    const key = keys.find((k) => k.algorithm === s.data.algorithm && keyTag(k) === s.data.keyTag)
    if (key === undefined || !verifyRrsig(rrset, s, key).ok) continue
    // Serial arithmetic is not needed within the lab's years.
    return s.data.inception <= now && now <= s.data.expiration
  }
  return false
}

async function checkName(a: Asker, name: string, parentKeys: readonly DNSKEYData[]):
  Promise<FloorVerdict> {
  const now = Math.floor(Date.now() / 1000)
  const referral = await a.ask(PARENT, name, RRType.A)
  if (referral === null) return 'error'
  const ds = of(referral.authority, RRType.DS)
  let verdict: FloorVerdict
  if (ds.length > 0) {
    verdict = signed(ds, sigsOf(referral.authority, RRType.DS), parentKeys, now) ? 'secure'
      : 'bogus'
  } else {
    // No DS: the NSEC that proves it, checked for its signature only.
    const nsec = of(referral.authority, RRType.NSEC)
    verdict = nsec.length > 0 && signed(nsec, sigsOf(referral.authority, RRType.NSEC),
      parentKeys, now) ? 'insecure' : 'bogus'
  }
  const [keySet, answer] = await Promise.all([
    verdict === 'secure' ? a.ask(CHILDREN, name, RRType.DNSKEY) : Promise.resolve(null),
    a.ask(CHILDREN, name, RRType.A)])
  if (answer === null) return 'error'
  if (verdict !== 'secure') return verdict
  if (keySet === null) return 'error'
  const owner = nameFromText(name)
  const keyRRs = keySet.answer.filter((rr) => rr.type === RRType.DNSKEY
    && nameEquals(rr.name, owner))
  const keys = keyRRs.map((rr) => rr.data as DNSKEYData)
  const sep = keys.filter((k) => ds.some((d) => {
    const x = d.data as DSData
    const digest = x.keyTag === keyTag(k) ? dsDigest(owner, k, x.digestType) : null
    return digest !== null && Buffer.from(digest).equals(x.digest)
  }))
  if (sep.length === 0 || !signed(keyRRs, sigsOf(keySet.answer, RRType.DNSKEY), sep, now)) {
    return 'bogus'
  }
  const rrset = of(answer.answer, RRType.A)
  return rrset.length > 0 && signed(rrset, sigsOf(answer.answer, RRType.A), keys, now)
    ? 'secure' : 'bogus'
}

/** A worker: checks the names it is given, `concurrency` at once, and sends the verdicts. */
async function workerMain(): Promise<void> {
  const port = parentPort
  if (port === null) return
  const { names, concurrency } = workerData as { names: string[]; concurrency: number }
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => { socket.bind(0, '127.0.0.1', resolve) })
  const a = new Asker(socket)
  const keySet = await a.ask(PARENT, 'bench.test.', RRType.DNSKEY)
  const parentKeys = (keySet?.answer ?? []).filter((rr) => rr.type === RRType.DNSKEY)
    .map((rr) => rr.data as DNSKEYData)
  const verdicts: [string, FloorVerdict][] = []
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < names.length) {
      const name = names[next++] as string
      verdicts.push([name, await checkName(a, name, parentKeys)])
    }
  }))
  socket.close()
  port.postMessage({ verdicts, verifications: verificationCount() })
}

/** Checks `names` on `workers` threads, each taking an equal share. */
export async function runFloor(names: readonly string[], workers: number, concurrency: number):
  Promise<FloorResult> {
  const script = fileURLToPath(import.meta.url)
  const started = performance.now()
  const cpu = process.cpuUsage()
  const shares = Array.from({ length: workers }, (_, w) => names.filter((_, i) => i % workers
    === w))
  const results = await Promise.all(shares.map((share) => new Promise<{
    verdicts: [string, FloorVerdict][]; verifications: number }>((resolve, reject) => {
    const w = new Worker(script, { workerData: { names: share, concurrency } })
    w.once('message', resolve)
    w.once('error', reject)
  })))
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { verdicts: new Map(results.flatMap((r) => r.verdicts)), seconds,
    cpuMs: (used.user + used.system) / 1000,
    verifications: results.reduce((n, r) => n + r.verifications, 0) }
}

if (!isMainThread) void workerMain()
