// The command line as a user meets it: exit codes (0 fine, 1 problem, 2 bad input, 3 could not
// determine), one clear line for bad input and never a stack trace. Runs main() in-process.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { labDir } from '../../src/cli/demo.js'
import { runCli } from '../support/run-cli.js'
import { readManifest } from '../lab/labinfo.js'

const run = runCli

const tmp = mkdtempSync(join(tmpdir(), 'dnssec-doctor-cli-'))
const lab = labDir()
const capture = (name: string): string => join(lab, 'recordings', `${name}.json`)
const anchor = join(lab, 'trust-anchor.xml')

describe('bad input gets one clear line and exit code 2', () => {
  it.each([
    ['an empty label', ['check', 'a..b.test']],
    ['a label over 63 octets', ['check', `${'a'.repeat(64)}.test`]],
    ['a name over 255 octets', ['check', `${'abcdefghi.'.repeat(26)}test`]],
    ['a space in the name', ['check', 'exa mple.test']],
    ['a slash in the name', ['check', 'a/b.test']],
    ['an unknown record type', ['check', 'example.test', 'NOTATYPE']],
    ['a time that is not one', ['check', 'example.test', '--at', 'yesterday-ish']],
    ['a bad root hint', ['check', 'example.test', '--root-hints', '300.1.1.1']],
    ['a bad network', ['check', 'example.test', '--allow-net', '127.0.0.0/33']],
    ['a missing trust anchor file', ['check', 'example.test', '--trust-anchor', '/nonexistent']],
    ['a missing capture', ['replay', join(tmp, 'missing.json')]],
    ['no command', []],
    ['an unknown option', ['check', 'example.test', '--frobnicate']],
    ['a meta query type (RFC 8482 ANY)', ['check', 'example.test', 'ANY']],
    ['a zone transfer type', ['check', 'example.test', 'AXFR']],
    ['a date that does not exist', ['check', 'example.test', '--at', '2026-02-30']],
    ['a device instead of an anchor file', ['check', 'example.test', '--trust-anchor',
      '/dev/zero']],
  ])('%s', async (_what, args) => {
    // The guard comes first so that a bad --allow-net in args, given last, is the one used.
    const r = await run(args.length === 0 ? [] : [args[0] ?? '', '--allow-net', '127.0.0.0/8',
      ...args.slice(1)])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toMatch(/^dnssec-doctor: \S/)
    expect(r.err).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('refuses a capture that is not JSON, and one that is not ours', async () => {
    const garbage = join(tmp, 'garbage.json')
    writeFileSync(garbage, '\u0000\u0001not json')
    expect((await run(['replay', garbage])).code).toBe(2)
    const other = join(tmp, 'other.json')
    writeFileSync(other, JSON.stringify({ format: 'something-else', exchanges: [] }))
    expect((await run(['replay', other])).code).toBe(2)
  })

  it('refuses an anchor whose SHA-256 digest is not 32 bytes (RFC 4509)', async () => {
    const short = join(tmp, 'short.ds')
    writeFileSync(short, '. IN DS 20326 8 2 ABCD\n')
    const r = await run(['replay', capture('ecdsa'), '--trust-anchor', short])
    expect(r.code).toBe(2)
    expect(r.err).toContain('32 bytes')
  })

  it('refuses an anchor for a zone other than the root instead of applying it to the root',
    async () => {
      const other = join(tmp, 'other.ds')
      writeFileSync(other, 'example. IN DS 20326 8 2 '
        + 'E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n')
      const r = await run(['replay', capture('ecdsa'), '--trust-anchor', other])
      expect(r.code).toBe(2)
      expect(r.err).toContain('only root')
    })

  it('refuses a trust anchor file with no usable key', async () => {
    const empty = join(tmp, 'anchor.xml')
    writeFileSync(empty, '<TrustAnchor><Zone>.</Zone></TrustAnchor>')
    const r = await run(['replay', capture('ecdsa'), '--trust-anchor', empty])
    expect(r.code).toBe(2)
    expect(r.err).toContain('KeyDigest')
  })
})

describe('exit codes follow the verdict', () => {
  it('is 0 for a secure name and 1 for a bogus one (recorded lab)', async () => {
    expect((await run(['replay', capture('ecdsa'), '--trust-anchor', anchor])).code).toBe(0)
    const bogus = await run(['replay', capture('bad-sig'), '--trust-anchor', anchor])
    expect(bogus.code).toBe(1)
    expect(bogus.out).toContain('RRSIG_INVALID')
  })

  it('ends the text report with the verdict and the broken link', async () => {
    const r = await run(['replay', capture('ds-mismatch'), '--trust-anchor', anchor])
    const last = r.out.trimEnd().split('\n').pop()
    expect(last).toBe('Verdict: ds-mismatch.lab.test. A is BOGUS, broken at '
      + 'ds-mismatch.lab.test. (DS_DIGEST_MISMATCH)')
  })

  it('takes the trust anchor as a DS line in zone-file syntax (dnssec-dsfromkey output)',
    async () => {
      const r = await run(['replay', capture('ecdsa'), '--trust-anchor',
        join(lab, 'root-anchor.ds'), '--json'])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.out).status).toBe('secure')
    })

  it('is 0 for an insecure delegation, unsigned by design', async () => {
    const r = await run(['replay', capture('insecure'), '--trust-anchor', anchor, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).insecureAt.zone).toBe('insecure.lab.test.')
  })

  it('is 3 when every server is out of reach: the guard blocks the default root servers',
    async () => {
      // The real root servers are outside 127/8: the guard must refuse every query before a
      // socket is opened, and the verdict is "could not determine".
      const r = await run(['check', 'example.com', '--allow-net', '127.0.0.0/8', '--json'])
      expect(r.code).toBe(3)
      const report = JSON.parse(r.out)
      expect(report.status).toBe('indeterminate')
      expect(report.findings.map((f: { code: string }) => f.code)).toContain('QUERY_BLOCKED')
    })
})

describe('resolvers', () => {
  it('reads a resolver set from a file and asks each one (nothing listens: no response)',
    async () => {
      const file = join(tmp, 'resolvers.txt')
      writeFileSync(file, '# lab resolvers\nfirst=127.0.66.97:20597\n\nsecond=127.0.66.98:20598\n')
      const r = await run(['resolvers', 'example.test', '--resolver-file', file,
        '--no-default-resolvers', '--allow-net', '127.0.0.0/8', '--timeout', '300', '--json'])
      expect(r.code).toBe(3)
      const list = JSON.parse(r.out).resolvers
      expect(list.map((o: { name: string }) => o.name)).toEqual(['first', 'second'])
      expect(list.map((o: { verdict: string }) => o.verdict)).toEqual(['no-response',
        'no-response'])
    })

  it('refuses a resolver that is not NAME=ADDR[:PORT]', async () => {
    const r = await run(['resolvers', 'example.test', '--resolver', 'x=not-an-address',
      '--no-default-resolvers'])
    expect(r.code).toBe(2)
  })
})

describe('the default address guard', () => {
  it('does not ask loopback or other special-use addresses unless --allow-net names them',
    async () => {
      // RFC 6890 special-use ranges: glue or hints pointing there are not queried by default.
      const r = await run(['check', 'example.test', '--root-hints', '127.0.66.99', '--json'])
      expect(r.code).toBe(3)
      const report = JSON.parse(r.out)
      expect(report.findings.map((f: { code: string }) => f.code)).toContain('QUERY_BLOCKED')
      expect(report.resolvers).toEqual([]) // a private root: public resolvers not asked
    })
})

describe('signatures that expire soon (--warn-days)', () => {
  // The lab's healthy zones were signed with -e 20361101000000 (lab/manifest.json).
  const ecdsa = () => readManifest().zones.find((z) => z.zone === 'ecdsa.lab.test.')

  it('warns for every zone on the path four days before the signer\'s end date', async () => {
    const end = Date.parse(ecdsa()?.expiration ?? '')
    const at = new Date(end - 4 * 86_400_000).toISOString()
    const r = await run(['replay', capture('ecdsa'), '--at', at, '--json'])
    const report = JSON.parse(r.out)
    const soon = report.findings.filter((f: { code: string }) => f.code === 'RRSIG_EXPIRES_SOON')
    expect(soon.map((f: { zone: string }) => f.zone).sort()).toEqual(
      ['.', 'ecdsa.lab.test.', 'lab.test.', 'test.'])
    expect(soon[0].message).toContain((ecdsa()?.expiration ?? 'x').slice(0, 10))
    expect(report.status).toBe('secure')
    expect(r.code).toBe(1) // a problem to act on, though the name still validates
  })

  it('says nothing while the end date is further away than the window', async () => {
    const end = Date.parse(ecdsa()?.expiration ?? '')
    const at = new Date(end - 8 * 86_400_000).toISOString()
    const r = await run(['replay', capture('ecdsa'), '--at', at, '--json'])
    expect(r.out).not.toContain('RRSIG_EXPIRES_SOON')
    const wider = await run(['replay', capture('ecdsa'), '--at', at, '--warn-days', '10',
      '--json'])
    expect(wider.out).toContain('RRSIG_EXPIRES_SOON')
  })
})

describe('--at validates as of another time', () => {
  it('finds the lab root signatures expired after their end date (from the signer: -e)',
    async () => {
      const root = readManifest().zones.find((z) => z.zone === '.')
      const after = new Date(Date.parse(root?.expiration ?? '') + 86_400_000).toISOString()
      const r = await run(['replay', capture('ecdsa'), '--trust-anchor', anchor, '--at', after,
        '--json'])
      expect(r.code).toBe(1)
      const report = JSON.parse(r.out)
      expect(report.brokenLink.zone).toBe('.')
      expect(report.brokenLink.code).toBe('RRSIG_EXPIRED')
      expect(report.brokenLink.message).toContain((root?.expiration ?? 'x').slice(0, 10))
    })
})

describe('demo', () => {
  it('diagnoses every lab scenario offline and exits 0', async () => {
    const r = await run(['demo', '--format', 'table'])
    expect(r.code).toBe(0)
    for (const z of readManifest().zones.filter((x) => x.scenario != null)) {
      expect(r.out).toContain(`lab scenario "${z.zone.replace('.lab.test.', '')}"`)
    }
  // Two scenarios wait out a server that never answers (1 s per try).
  }, 30_000)

  it('names the scenarios when asked for one that does not exist', async () => {
    const r = await run(['demo', 'no-such-scenario'])
    expect(r.code).not.toBe(0)
    expect(r.err).toContain('ds-mismatch')
  })
})
