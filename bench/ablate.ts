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
const names = readFileSync(`${dir}/names.txt`, 'utf8').split('\n').filter((l) => l !== '')
  .slice(0, count).map((l) => l.split(/\s+/)[0] ?? '')
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
  writeFileSync(recorded, JSON.stringify(exchanges))
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
    }
    const used = process.cpuUsage(cpu)
    console.log(`round ${round}: walk ${us(walking)} µs/name, analysis ${us(analysing)}, JSON ${
      us(writing)}; CPU ${((used.user + used.system) / names.length).toFixed(0)} µs/name; ${
      ((verificationCount() - checks) / names.length).toFixed(2)} signature checks/name`)
  }
}

if (existsSync(recorded)) {
  await replay(JSON.parse(readFileSync(recorded, 'utf8')) as CapturedExchange[])
} else {
  await record()
}
