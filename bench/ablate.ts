// Where one batch name's CPU time goes, without the network: the walk (over recorded
// responses), the analysis and the JSON line, each timed on its own, in this thread.
//
//   node dist/bench/ablate.js [BENCHDIR] [N]
//
// The first run (the bench lab started, inside its network namespace) checks N names of
// BENCHDIR/names.txt as `batch` does and records every exchange into
// BENCHDIR/ablate-exchanges.json; every later run replays that file through the walker with
// a session, then `analyze`, then `jsonLine`, three times (the first warms the JIT), and
// prints microseconds per name for each part. Replaying turns each response from hex back
// into bytes, which a live walk does not do, so the walk's figure is an upper bound.
// A recording is refused when a query went unanswered (no lab running), and kept with the
// names and the root anchor it was made with: a replay uses those names, and refuses a lab
// rebuilt since (another anchor).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

import { analyze } from '../src/analysis/chain.js'
import { checkOptionsOf } from '../src/batch/engine.js'
import type { CheckSpec } from '../src/batch/engine.js'
import { jsonLine } from '../src/batch/output.js'
import { check, newCheckSession } from '../src/check.js'
import { verificationCount } from '../src/dnssec/verify.js'
import type { CapturedExchange } from '../src/probe/capture.js'
import { captureTransport } from '../src/probe/transports.js'
import { walk } from '../src/probe/walker.js'
import { nameFromText } from '../src/wire/name.js'

const dir = process.argv[2] ?? '/tmp/dnssec-doctor-bench'
const count = Number(process.argv[3] ?? 3000)
if (!Number.isInteger(count) || count < 1) fail(`N must be a whole number above 0, not ${count}`)
const anchor = readFileSync(`${dir}/root-anchor.ds`, 'utf8')
let names = readFileSync(`${dir}/names.txt`, 'utf8').split('\n').filter((l) => l !== '')
  .slice(0, count).map((l) => l.split(/\s+/)[0] ?? '')

/** What a recording holds: the exchanges, and what they were made of. */
interface Recording {
  readonly anchor: string
  readonly names: readonly string[]
  readonly exchanges: readonly CapturedExchange[]
}

function fail(message: string): never {
  console.error(`ablate: ${message}`)
  process.exit(2)
}
const spec: CheckSpec = {
  trustAnchor: `${dir}/root-anchor.ds`, at: null, allowNet: '127.0.90.0/24',
  rootHints: '127.0.90.1', port: null, timeoutMs: 2000, ipv6: false, thorough: false,
  resolvers: false, warnDays: 7,
}
const recorded = `${dir}/ablate-exchanges.json`

async function record(): Promise<void> {
  const opts = { ...checkOptionsOf(spec, newCheckSession({ lean: true })), captureBytes: true }
  const exchanges: CapturedExchange[] = []
  for (const n of names) {
    const { capture } = await check({ name: nameFromText(n), type: 1 }, opts)
    exchanges.push(...capture.exchanges)
  }
  opts.udpPool?.close()
  const unanswered = exchanges.filter((e) => e.response === null).length
  if (unanswered > 0) {
    fail(`${unanswered} of ${exchanges.length} queries got no answer: is the bench lab started `
      + '(bench/batch-lab.sh start, in the same network namespace)? Nothing recorded.')
  }
  const data: Recording = { anchor, names, exchanges }
  writeFileSync(recorded, JSON.stringify(data))
  console.log(`recorded ${exchanges.length} exchanges of ${names.length} names in ${recorded}`)
}

const us = (ns: bigint): string => (Number(ns) / 1000 / names.length).toFixed(0)

async function replay(exchanges: readonly CapturedExchange[]): Promise<void> {
  const base = checkOptionsOf(spec, newCheckSession({ lean: true }))
  base.udpPool?.close()
  const at = new Date()
  for (let round = 1; round <= 3; round++) {
    const transport = captureTransport(exchanges)
    const session = newCheckSession({ lean: true })
    let walking = 0n
    let analysing = 0n
    let writing = 0n
    const checks = verificationCount()
    // Per verdict too: what a healthy name costs beside a broken one.
    const byStatus = new Map<string, { names: number; ns: bigint }>()
    const cpu = process.cpuUsage()
    for (const n of names) {
      const t0 = process.hrtime.bigint()
      const w = await walk({ name: nameFromText(n), type: 1 }, transport,
        { rootServers: base.rootServers, session: session.walk, lean: true })
      const t1 = process.hrtime.bigint()
      const report = analyze(w, { anchors: base.anchors, at, states: session.states })
      const t2 = process.hrtime.bigint()
      jsonLine(report)
      const t3 = process.hrtime.bigint()
      walking += t1 - t0
      analysing += t2 - t1
      writing += t3 - t2
      const b = byStatus.get(report.status) ?? { names: 0, ns: 0n }
      byStatus.set(report.status, { names: b.names + 1, ns: b.ns + t3 - t0 })
    }
    const used = process.cpuUsage(cpu)
    console.log(`round ${round}: walk ${us(walking)} µs/name, analysis ${us(analysing)}, JSON ${
      us(writing)}; CPU ${((used.user + used.system) / names.length).toFixed(0)} µs/name; ${
      ((verificationCount() - checks) / names.length).toFixed(2)} signature checks/name`)
    console.log(`  walk + analysis + JSON by verdict: ${[...byStatus].map(([status, b]) =>
      `${status} ${(Number(b.ns) / 1000 / b.names).toFixed(0)} µs (${b.names} names)`)
      .join(', ')}`)
  }
}

if (existsSync(recorded)) {
  const data = JSON.parse(readFileSync(recorded, 'utf8')) as Partial<Recording>
  if (!Array.isArray(data.exchanges) || !Array.isArray(data.names)) {
    fail(`${recorded} is not a recording of this script: delete it and record again`)
  }
  if (data.anchor !== anchor) {
    fail(`${recorded} was made with another root anchor (the lab was rebuilt since): delete `
      + 'it and record again')
  }
  if (names.length > data.names.length) {
    console.log(`replaying the ${data.names.length} names recorded, not ${names.length}`)
  }
  names = data.names.slice(0, names.length)
  await replay(data.exchanges)
} else {
  await record()
}
