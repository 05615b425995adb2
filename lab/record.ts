// Records the responses the demo replays: runs `check` for every lab scenario against the
// live lab (real NSD servers, started by lab/lab.sh inside a loopback-only namespace) and
// saves each capture under lab/recordings/. Run by a developer after lab/build.sh:
//   unshare -n sh -c 'ip link set lo up; lab/lab.sh start /tmp/lab && \
//     node dist/lab/record.js; lab/lab.sh stop /tmp/lab'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadTrustAnchors } from '../src/anchors.js'
import { check } from '../src/check.js'
import { labDir, labScenarios } from '../src/cli/demo.js'
import { parseAllowNet } from '../src/net/guard.js'
import { nameFromText } from '../src/wire/name.js'
import { typeFromText } from '../src/wire/text.js'

async function record(): Promise<void> {
  const dir = labDir()
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as
    { rootServers: string[] }
  const anchors = loadTrustAnchors(join(dir, 'trust-anchor.xml'), new Date())
  const out = join(dir, 'recordings')
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  for (const s of labScenarios(dir)) {
    const { report, capture } = await check({ name: nameFromText(s.query),
      type: typeFromText(s.type) ?? 1 }, { anchors, guard: parseAllowNet('127.0.0.0/8'),
      rootServers: manifest.rootServers.map((address) => ({ address, port: 53 })) })
    const failed = capture.exchanges.filter((e) => e.error !== undefined)
    writeFileSync(join(out, `${s.name}.json`), `${JSON.stringify(capture, null, 1)}\n`)
    process.stderr.write(`${s.name}: ${capture.exchanges.length} exchanges, ${failed.length} `
      + `without answer; verdict ${report.status}\n`)
  }
}

record().catch((e: unknown) => {
  process.stderr.write(`record: ${e instanceof Error ? e.stack : String(e)}\n`)
  process.exitCode = 1
})
