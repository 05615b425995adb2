// lab/README.md's scenario table is what a reader of the lab sees first: it must list every
// scenario lab/build.sh made, at its address, with the code the manifest designs for it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LAB_DIR, readManifest, scenarioZones } from '../lab/labinfo.js'

const readme = readFileSync(join(LAB_DIR, 'README.md'), 'utf8')
const rows = new Map(readme.split('\n')
  .map((line) => /^\| (\d+) \| ([a-z0-9-]+) \|(.*)\|$/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => [m[2] ?? '', { n: Number(m[1]), rest: m[3] ?? '' }]))

describe('lab/README.md scenario table', () => {
  it.each(scenarioZones(readManifest()).map((z) => [z.zone, z] as const))(
    '%s: listed with its address and designed code', (_zone, z) => {
      const row = rows.get(z.zone.replace(/\.lab\.test\.$/, ''))
      expect(row, 'row').toBeDefined()
      expect(`127.0.40.${row?.n}`).toBe(z.servers[0])
      for (const code of [z.scenario.expect.code, ...z.scenario.expect.findings]) {
        if (code !== null) expect(row?.rest).toContain(code)
      }
    })
})
