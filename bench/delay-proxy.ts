// A UDP relay that makes loopback name servers as far away as real ones, for the batch
// benchmark under latency. On loopback an answer comes back in microseconds, so a batch is
// bound by CPU and how many names it keeps in flight hardly matters; real servers are tens of
// milliseconds away, and then it is nearly all that matters. This kernel has no netem, so
// the delay is added here: each datagram is held DELAY_MS / 2 on its way in and again on its
// way out.
//
//   node dist/bench/delay-proxy.js DELAY_MS FRONT=BACK [FRONT=BACK ...]
//
// Each FRONT address (port 53) relays to the server at BACK (port 53). The query ID is
// rewritten on the way to the server, so that queries of many clients (unbound's random
// source ports, the batch's pooled sockets) share one upstream socket without mixing up
// answers. UDP only: the bench lab's answers fit in a datagram. A datagram from a client is
// never sent anywhere but its pair's BACK, and both sides must be in 127.0.0.0/8.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'

interface Waiting {
  readonly address: string
  readonly port: number
  readonly id0: number
  readonly id1: number
  readonly at: number
}

function fail(message: string): never {
  console.error(`delay-proxy: ${message}`)
  process.exit(2)
}

const loopback = (a: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)

/** Answers the server has not given within this long are forgotten (the client gave up). */
const FORGET_MS = 10_000

function relay(front: string, back: string, delayMs: number): void {
  const half = delayMs / 2
  const waiting = new Map<number, Waiting>()
  let next = 0
  const inbound = createSocket('udp4')
  const upstream: Socket = createSocket('udp4')
  inbound.on('message', (msg, from) => {
    if (msg.length < 12 || waiting.size >= 0xffff) return
    while (waiting.has(next)) next = (next + 1) & 0xffff
    const id = next
    next = (next + 1) & 0xffff
    waiting.set(id, { address: from.address, port: from.port, id0: msg[0] as number,
      id1: msg[1] as number, at: Date.now() })
    msg[0] = id >> 8
    msg[1] = id & 0xff
    setTimeout(() => { upstream.send(msg) }, half)
  })
  upstream.on('message', (msg) => {
    if (msg.length < 12) return
    const id = ((msg[0] as number) << 8) | (msg[1] as number)
    const w = waiting.get(id)
    if (w === undefined) return
    waiting.delete(id)
    msg[0] = w.id0
    msg[1] = w.id1
    setTimeout(() => { inbound.send(msg, w.port, w.address) }, half)
  })
  for (const s of [inbound, upstream]) {
    s.on('error', (e) => { fail(`${front} -> ${back}: ${e.message}`) })
  }
  setInterval(() => {
    const old = Date.now() - FORGET_MS
    for (const [id, w] of waiting) if (w.at < old) waiting.delete(id)
  }, FORGET_MS).unref()
  inbound.bind(53, front)
  upstream.connect(53, back)
}

const [delayText, ...pairs] = process.argv.slice(2)
const delayMs = Number(delayText)
if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 10_000 || pairs.length === 0) {
  fail('usage: delay-proxy.js DELAY_MS (0 to 10000) FRONT=BACK [FRONT=BACK ...]')
}
for (const p of pairs) {
  const [front, back] = p.split('=')
  if (front === undefined || back === undefined || !loopback(front) || !loopback(back)
    || front === back) {
    fail(`"${p}" is not FRONT=BACK with two different 127.x.y.z addresses`)
  }
  relay(front, back, delayMs)
}
console.error(`delay-proxy: ${pairs.length} relays, ${delayMs} ms round trip added`)
