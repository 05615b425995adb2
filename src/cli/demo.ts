// The built-in lab, offline: responses recorded from real servers (NSD serving zones signed
// by dnssec-signzone) are served again from this process on loopback, and the walker talks to
// them over real sockets as it would to the internet. No root rights, no network needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Report } from '../analysis/types.js'
import { loadTrustAnchors } from '../anchors.js'
import { check } from '../check.js'
import { startReplayServer } from '../lab/replay-server.js'
import { parseAllowNet } from '../net/guard.js'
import type { Capture, CapturedExchange } from '../probe/capture.js'
import { table } from 'table'
import { nameFromText } from '../wire/name.js'
import { typeFromText } from '../wire/text.js'

const here = dirname(fileURLToPath(import.meta.url))

export function labDir(): string {
  const found = [join(here, '..', '..', 'lab'), join(here, '..', '..', '..', 'lab')]
    .find((d) => existsSync(join(d, 'manifest.json')))
  if (found === undefined) throw new Error('the lab files (lab/manifest.json) are missing')
  return found
}

export interface LabScenario {
  readonly name: string
  readonly zone: string
  readonly query: string
  readonly type: string
  readonly description: string
  readonly expect: { status: string; brokenZone: string | null; code: string | null }
}

interface ManifestZone {
  zone: string
  scenario?: { query: string; type: string; description: string;
    expect: LabScenario['expect'] }
}

export function labScenarios(dir = labDir()): LabScenario[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as
    { zones: ManifestZone[] }
  return manifest.zones.flatMap((z) => z.scenario == null ? [] : [{
    name: z.zone.replace(/\.lab\.test\.$/, ''), zone: z.zone, query: z.scenario.query,
    type: z.scenario.type, description: z.scenario.description, expect: z.scenario.expect }])
}

export function labRecordings(dir = labDir()): CapturedExchange[] {
  const folder = join(dir, 'recordings')
  return readdirSync(folder).filter((f) => f.endsWith('.json')).sort().flatMap((f) =>
    (JSON.parse(readFileSync(join(folder, f), 'utf8')) as Capture).exchanges)
}

export interface DemoOptions {
  readonly format: 'text' | 'json' | 'table'
  readonly only?: string
  readonly write: (s: string) => void
  readonly render: (r: Report, format: 'text' | 'json' | 'table') => string
  /** Validate as of this time; the lab's healthy signatures run to 2036. */
  readonly at?: Date
}

/** Scenarios checked at once by the demo. */
const DEMO_CONCURRENCY = 6

/** Runs every lab scenario (or one) against the replayed lab; returns the exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const dir = labDir()
  const scenarios = labScenarios(dir).filter((s) => opts.only === undefined
    || s.name === opts.only || s.zone === opts.only)
  if (scenarios.length === 0) {
    throw new Error(`no lab scenario "${opts.only}"; the scenarios are: ${
      labScenarios(dir).map((s) => s.name).join(', ')}`)
  }
  const server = await startReplayServer(labRecordings(dir))
  try {
    const anchors = loadTrustAnchors(join(dir, 'trust-anchor.xml'), opts.at ?? new Date())
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as
      { rootServers: string[] }
    const rootServers = manifest.rootServers.map((address) => ({ address, port: server.port }))
    const guard = parseAllowNet('127.0.0.0/8')
    // A few scenarios at a time: some wait out servers that never answer (timeout, no-tcp),
    // and the replay answers everything else at once. Printed in the lab's order.
    const reports: Report[] = new Array<Report>(scenarios.length)
    let next = 0
    const worker = async (): Promise<void> => {
      for (let i = next++; i < scenarios.length; i = next++) {
        const s = scenarios[i] as LabScenario
        reports[i] = (await check({ name: nameFromText(s.query), type: typeFromText(s.type) ?? 1 },
          { anchors, rootServers, guard, authPort: server.port, timeoutMs: 1000,
            ...(opts.at === undefined ? {} : { at: opts.at }) })).report
      }
    }
    await Promise.all(Array.from({ length: DEMO_CONCURRENCY }, worker))
    for (const [i, s] of scenarios.entries()) {
      const report = reports[i] as Report
      if (opts.format !== 'json') {
        opts.write(`=== lab scenario "${s.name}": ${s.description}\n`)
        opts.write(opts.render(report, opts.format))
        opts.write('\n')
      }
    }
    if (opts.format === 'json') opts.write(`${JSON.stringify(reports, null, 2)}\n`)
    else if (reports.length > 1) opts.write(summary(scenarios, reports))
    return 0
  } finally {
    await server.close()
  }
}

/** One row per scenario, so the whole lab reads at a glance after the long reports. */
function summary(scenarios: readonly LabScenario[], reports: readonly Report[]): string {
  const rows = [['scenario', 'what the lab did', 'verdict', 'broken link']]
  scenarios.forEach((s, i) => {
    const r = reports[i]
    if (r === undefined) return
    const where = r.brokenLink !== null ? `${r.brokenLink.code} at ${r.brokenLink.zone}`
      : r.insecureAt !== null ? `insecure from ${r.insecureAt.zone}` : ''
    rows.push([s.name, s.description, r.status, where])
  })
  return `Lab summary (every zone signed by dnssec-signzone, answers recorded from NSD):\n${
    table(rows, { columns: { 1: { width: 44, wrapWord: true },
      3: { width: 34, wrapWord: true } } })}`
}
