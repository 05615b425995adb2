import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { CODES } from '../../src/findings.js'

const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8')
const documented = [...doc.matchAll(/^### ([A-Z0-9_]+) \((error|warning|info), ([a-z-]+)\)$/gm)]

describe('docs/findings.md', () => {
  test('documents every finding code with its severity and party', () => {
    const inDoc = new Map(documented.map((m) => [m[1], { severity: m[2], party: m[3] }]))
    for (const [code, info] of Object.entries(CODES)) {
      expect(inDoc.get(code), code).toEqual({ severity: info.severity, party: info.party })
    }
  })

  test('lists no code the tool does not have', () => {
    for (const m of documented) expect(Object.keys(CODES)).toContain(m[1])
  })

  test('gives each code the RFC it rests on, an example and the fix (issue 5)', () => {
    const sections = doc.split(/\n(?=### )/).slice(1)
    expect(sections).toHaveLength(documented.length)
    for (const section of sections) {
      const code = section.split(' ')[1]
      // QUERY_BLOCKED is the tool's own rule: it says so instead of citing an RFC.
      expect(section, code).toMatch(/RFC \d+|follows no RFC/)
      expect(section, code).toMatch(/Example( \([^)]*\))?:/)
      expect(section, code).toContain('Fix:')
    }
  })

  test('names only lab scenarios that exist in its examples', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../lab/manifest.json', import.meta.url),
      'utf8')) as { zones: Array<{ zone: string; scenario: unknown }> }
    const labels = manifest.zones.filter((z) => z.scenario !== null)
      .map((z) => z.zone.replace(/\.lab\.test\.$/, ''))
    const named = [...doc.matchAll(/lab scenarios? ((?:`[a-z0-9-]+`(?:,? (?:or |and )?)?)+)/g)]
      .flatMap((m) => [...(m[1] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]))
    expect(named.length).toBeGreaterThan(10)
    for (const label of named) expect(labels, label).toContain(label)
  })

  test('keeps the codes the issue names for monitors', () => {
    // From the issue that defined the tool: scripts key on these exact names.
    for (const code of ['DS_DIGEST_MISMATCH', 'DS_NO_MATCHING_DNSKEY', 'DNSKEY_MISSING',
      'DNSKEY_NOT_SIGNED_BY_DS_KEY', 'RRSIG_MISSING', 'RRSIG_EXPIRED', 'RRSIG_NOT_YET_VALID',
      'RRSIG_INVALID', 'RRSIG_NO_MATCHING_DNSKEY', 'NSEC_PROOF_MISSING', 'NSEC3_PROOF_INVALID',
      'NSEC3_ITERATIONS_EXCESSIVE', 'ALGORITHM_UNSUPPORTED', 'NS_INCONSISTENT', 'NS_UNREACHABLE',
      'RESOLVER_VALIDATION_FAILURE']) {
      expect(Object.keys(CODES)).toContain(code)
    }
  })
})
