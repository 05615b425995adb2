// docs/json.md promises field names to scripts; a real report (the recorded lab, replayed)
// must have exactly the documented fields, so neither side drifts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors } from '../../src/anchors.js'
import { readCapture, replay } from '../../src/check.js'
import { labDir } from '../../src/cli/demo.js'

const doc = readFileSync(new URL('../../docs/json.md', import.meta.url), 'utf8')

/** The first-column field names of the table under a heading. */
function documented(heading: string): string[] {
  const part = doc.split(/^## /m).find((s) => s.startsWith(`${heading}\n`)) ?? ''
  return [...part.matchAll(/^\| `([^`]+)`(?:, `([^`]+)`)?(?:, `([^`]+)`)? \|/gm)]
    .flatMap((m) => [m[1], m[2], m[3]].filter((x): x is string => x !== undefined))
}

async function labReport(name: string) {
  const capture = readCapture(join(labDir(), 'recordings', `${name}.json`))
  const anchors = loadTrustAnchors(join(labDir(), 'trust-anchor.xml'), new Date())
  return replay(capture, { anchors })
}

describe('JSON report fields match docs/json.md', () => {
  it('has the documented top-level fields', async () => {
    const r = await labReport('ds-mismatch')
    expect(Object.keys(r).sort()).toEqual(documented('Report').sort())
  })

  it('has the documented brokenLink fields for a DS problem', async () => {
    const r = await labReport('ds-mismatch')
    expect(Object.keys(r.brokenLink ?? {}).sort()).toEqual(documented('brokenLink').sort())
  })

  it('has only documented chain, answer and finding fields', async () => {
    const r = await labReport('expired')
    for (const z of r.chain) {
      expect(Object.keys(z).sort()).toEqual(documented('chain[]').map((f) =>
        f.replace('[]', '')).sort())
    }
    for (const a of r.answers) {
      expect(Object.keys(a).sort()).toEqual(documented('answers[]').map((f) =>
        f.replace('[]', '')).sort())
    }
    const allowed = documented('findings[]')
    for (const f of r.findings) for (const k of Object.keys(f)) expect(allowed).toContain(k)
  })
})
