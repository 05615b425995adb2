// A zone whose own NS set names a server whose address can only be found through that same
// zone: a.test. lists ns.c.test. (only in its own NS set), and c.test. is delegated, without
// glue, to ns.a.test. Looking up ns.c.test. needs c.test., whose server needs a.test., which is
// still being visited. RFC 1034 5.3.3 asks resolvers to bound such work, and unbound answers
// the name (it takes a.test.'s glue and ignores the unresolvable extra server). The check must
// end within its timeouts with a verdict, never wait on itself.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseTrustAnchors } from '../../../src/anchors.js'
import { check } from '../../../src/check.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'
import { type Net, rd, rec, startNet, T } from './issue5-kit.js'

const PORT = 20591
let net: Net
beforeAll(async () => {
  net = await startNet([
    { name: '.', addresses: ['127.0.91.1'], records: [
      rec('.', T.NS, rd.name('a.root.')), rec('a.root.', T.A, rd.A('127.0.91.1')),
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.91.2'))] },
    { name: 'test.', addresses: ['127.0.91.2'], records: [
      rec('test.', T.NS, rd.name('ns1.test.')), rec('ns1.test.', T.A, rd.A('127.0.91.2')),
      rec('a.test.', T.NS, rd.name('ns.a.test.')), rec('ns.a.test.', T.A, rd.A('127.0.91.3')),
      rec('c.test.', T.NS, rd.name('ns.a.test.'))],
    // c.test.'s referral carries no glue: ns.a.test. must be looked up.
    hook: (q, r) => (q.qname.endsWith('c.test.') ? { ...r, additional: [] } : r) },
    { name: 'a.test.', addresses: ['127.0.91.3'], records: [
      rec('a.test.', T.NS, rd.name('ns.a.test.')), rec('a.test.', T.NS, rd.name('ns.c.test.')),
      rec('ns.a.test.', T.A, rd.A('127.0.91.3')), rec('www.a.test.', T.A, rd.A('127.0.0.80'))] },
    { name: 'c.test.', addresses: ['127.0.91.4'], records: [
      rec('c.test.', T.NS, rd.name('ns.a.test.'))] },
  ], PORT)
})
afterAll(async () => { await net.stop() })

it('a name-server lookup that leads back into the zone being visited ends with a verdict',
  async () => {
    const run = check({ name: nameFromText('www.a.test.'), type: 1 }, {
      anchors: parseTrustAnchors(net.anchor, 'kit root', new Date()),
      rootServers: [{ address: '127.0.91.1', port: PORT }],
      guard: guardFromEnv({}, '127.0.0.0/8'), authPort: PORT, timeoutMs: 500 })
    const outcome = await Promise.race([run.then((r) => r.report.status),
      new Promise<string>((resolve) => { setTimeout(() => resolve('still waiting'), 15_000) })])
    expect(outcome).not.toBe('still waiting')
    // www.a.test. is signed and served by a.test.'s glued server: secure, as unbound says.
    expect(outcome).toBe('secure')
  }, 20_000)

it('the command line does not exit 0 without a verdict on it', async () => {
  const { spawn } = await import('node:child_process')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'issue5-loop-'))
  writeFileSync(join(dir, 'anchor'), net.anchor)
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'check', 'www.a.test.',
    '--allow-net', '127.0.0.0/8', '--no-default-resolvers', '--root-hints',
    `127.0.91.1:${PORT}`, '--port', String(PORT), '--trust-anchor', join(dir, 'anchor'),
    '--timeout', '500'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => { child.kill(); resolve(null) }, 15_000)
    child.on('exit', (c) => { clearTimeout(t); resolve(c) })
  })
  // README: the last line of the text report is the verdict; 0 means "nothing wrong".
  expect({ code, out }).not.toEqual({ code: 0, out: '' })
  expect(out).toMatch(/Verdict: /)
}, 20_000)
