// Bad input and damaged captures through main(): exit 2 with one clear line, never a raw
// JavaScript error; replay must analyse a capture with the anchors it was taken with.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { labDir } from '../../../src/cli/demo.js'
import { runCli } from '../../support/run-cli.js'

const run = runCli

const tmp = mkdtempSync(join(tmpdir(), 'dnssec-doctor-hostile-'))
const capture = join(labDir(), 'recordings', 'ds-stale.json')
const anchor = join(labDir(), 'trust-anchor.xml')
const RAW_JS = /Cannot read properties|is not a function|Invalid time value|The first argument/

describe('replay', () => {
  it('uses the trust anchor recorded in the capture when none is given', async () => {
    // The demo's diagnosis for this recording is DS_NO_MATCHING_DNSKEY at ds-stale.lab.test.
    const r = await run(['replay', capture])
    expect(r.out).not.toMatch(/TRUST_ANCHOR_MISMATCH/)
    expect(r.out).toMatch(/DS_NO_MATCHING_DNSKEY/)
  })

  it.each([
    ['an exchange that is null', (c: any) => { c.exchanges = [null, ...c.exchanges] }],
    ['a qname that is a number', (c: any) => { c.exchanges[0].qname = 5 }],
    ['an exchange without response', (c: any) => { delete c.exchanges[0].response }],
    ['a response that is a number', (c: any) => { c.exchanges[0].response = 12345 }],
    ['a startedAt that is not a time', (c: any) => { c.startedAt = 'yesterday' }],
  ])('a capture with %s is refused with exit 2 and a clear line', async (_what, damage) => {
    const c = JSON.parse(readFileSync(capture, 'utf8'))
    damage(c)
    const file = join(tmp, 'damaged.json')
    writeFileSync(file, JSON.stringify(c))
    const r = await run(['replay', file, '--trust-anchor', anchor])
    expect(r.err).not.toMatch(RAW_JS)
    expect(r.code).toBe(2)
  })
})

describe('--at', () => {
  it.each([['-1'], ['1.5'], ['1 2'], ['2026-11-31T00:00:00Z']])(
    '--at %s is either refused as a time or read as that time, never as 2001',
    async (at) => {
      const r = await run(['replay', capture, '--trust-anchor', anchor, '--at', at])
      expect(r.err).not.toMatch(/2001-/)
      expect(r.out).not.toMatch(/2001-|2026-12-01/)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/--at/)
    })
})

describe('--save', () => {
  it('an unwritable --save path is a usage error (exit 2), not exit 3 with the report lost',
    async () => {
      // Nothing listens on this loopback port: the walk ends at once with ECONNREFUSED.
      const r = await run(['check', 'x.test', '--allow-net', '127.0.0.0/8', '--root-hints',
        '127.0.66.49:20549', '--timeout', '200', '--save', join(tmp, 'no', 'such', 'dir.json')])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/--save|dir\.json/)
    })
})
