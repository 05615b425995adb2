// The resolver comparison, attacked with fake recursive resolvers on loopback (run inside
// `unshare -n`). Found by hand with /tmp/breakit2/fakeres.mjs and fakedoh.mjs:
//  1. a response the transport itself refused (TCP or DoH: another question, wrong ID, wrong
//     content-type) is still read as the resolver's answer, so AD on it counts as "validated";
//  2. the conclusion paragraph says the opposite of the table (insecure: "resolvers answer it"
//     while one answered SERVFAIL; bogus: "no resolver asked fails" while one answered
//     SERVFAIL with and without CD; secure: a failing resolver is not mentioned at all);
//  3. a resolver's EDE text reaches the terminal raw (escape sequences, newlines).
import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { observeResolvers } from '../../../src/analysis/resolvers.js'
import type { CapturedExchange } from '../../../src/probe/capture.js'
import { runCli } from '../../support/run-cli.js'
import { encName, type FakeRoot, rd, rec, startFakeRoot, T } from './fakeroot.js'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = '127.0.67.41'
const CHILD = '127.0.67.42'
const PORT = 20671
const RES = '127.0.67.43'
const RES_PORT = 20672

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }

interface Q { id: number; flags: number; qname: string; qtype: number; cd: boolean }
function parse(buf: Buffer): Q {
  const labels: string[] = []
  let off = 12
  while (buf[off] !== 0) {
    labels.push(buf.subarray(off + 1, off + 1 + buf[off]!).toString('latin1'))
    off += 1 + buf[off]!
  }
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2), qname: `${labels.join('.')}.`,
    qtype: buf.readUInt16BE(off + 1), cd: (buf.readUInt16BE(2) & 0x10) !== 0 }
}
function reply(q: Q, o: { rcode?: number; ad?: boolean; tc?: boolean; qtype?: number;
  answer?: Buffer[]; ede?: { code: number; text: string } }): Buffer {
  const flags = 0x8000 | 0x80 | (q.flags & 0x100) | (o.ad === true ? 0x20 : 0)
    | (o.tc === true ? 0x200 : 0) | (q.cd ? 0x10 : 0) | (o.rcode ?? 0)
  const t = o.ede === undefined ? Buffer.alloc(0) : Buffer.from(o.ede.text)
  const opts = o.ede === undefined ? Buffer.alloc(0)
    : Buffer.concat([u16(15), u16(2 + t.length), u16(o.ede.code), t])
  const an = o.answer ?? []
  return Buffer.concat([u16(q.id), u16(flags), u16(1), u16(an.length), u16(0), u16(1),
    encName(q.qname), u16(o.qtype ?? q.qtype), u16(1), ...an,
    Buffer.from([0]), u16(41), u16(1232), u32(0x8000), u16(opts.length), opts])
}
const aRecord = (name: string): Buffer => Buffer.concat([encName(name), u16(1), u16(1), u32(300),
  u16(4), Buffer.from([192, 0, 2, 1])])

// The fake resolver's behaviour per query name (first label).
const ESC = '\x1b[2J\x1b]0;owned\x07\nline two'
function answer(q: Q, tcp: boolean): Buffer {
  const label = q.qname.split('.')[0]
  if (label === 'escape' || label === 'x') {
    return q.cd ? reply(q, { answer: [aRecord(q.qname)] })
      : reply(q, { rcode: 2, ede: { code: 7, text: ESC } })
  }
  if (label === 'dead') return reply(q, { rcode: 2 }) // SERVFAIL, also with CD
  if (label === 'good') return q.cd ? reply(q, { answer: [aRecord(q.qname)] }) : reply(q, { rcode: 2 })
  // UDP: truncated; TCP: an AD "answer" whose question is AAAA, not the A asked.
  if (label === 'wrongq') {
    return tcp ? reply(q, { ad: true, qtype: 28, answer: [aRecord(q.qname)] }) : reply(q, { tc: true })
  }
  return reply(q, { rcode: 5 })
}

let fake: FakeRoot
let udp: Socket
let tcp: Server
let anchorFile: string

beforeAll(async () => {
  fake = await startFakeRoot({ rootAddress: ROOT, childAddress: CHILD, port: PORT,
    child: (q) => (q.qtype === T.A && q.qname.endsWith('.test.')
      ? { aa: true, answer: [rec(q.qname, T.A, rd.A('192.0.2.1'))] } : null),
    root: (q, signed) => (q.qname === 'good.' && q.qtype === T.A
      ? { aa: true, answer: signed([rec('good.', T.A, rd.A('192.0.2.1'))]) }
      : q.qname === 'dead.' && q.qtype === T.A
        ? { aa: true, answer: (() => {
          const s = signed([rec('dead.', T.A, rd.A('192.0.2.1'))])
          s[1]!.data[s[1]!.data.length - 5]! ^= 0xff // corrupt the signature: bogus
          return s
        })() } : null) })
  anchorFile = join(mkdtempSync(join(tmpdir(), 'resolvers-')), 'anchor')
  writeFileSync(anchorFile, fake.anchor)
  udp = createSocket('udp4')
  udp.on('message', (buf, r) => { udp.send(answer(parse(buf), false), r.port, r.address) })
  await new Promise<void>((resolve) => udp.bind(RES_PORT, RES, resolve))
  tcp = createServer((s) => {
    let acc = Buffer.alloc(0)
    s.on('error', () => {})
    s.on('data', (d) => {
      acc = Buffer.concat([acc, d])
      if (acc.length < 2 || acc.length < 2 + acc.readUInt16BE(0)) return
      const out = answer(parse(acc.subarray(2)), true)
      s.end(Buffer.concat([u16(out.length), out]))
    })
  })
  await new Promise<void>((resolve) => tcp.listen(RES_PORT, RES, resolve))
})
afterAll(async () => {
  await fake.stop()
  await new Promise<void>((r) => udp.close(() => r()))
  await new Promise<void>((r) => tcp.close(() => r()))
})

const base = ['--no-default-resolvers', '--allow-net', '127.0.0.0/8', '--timeout', '800',
  '--resolver', `r=${RES}:${RES_PORT}`]
const check = (name: string, more: string[] = []) => runCli(['check', name, ...base,
  '--root-hints', `${ROOT}:${PORT}`, '--port', String(PORT), '--trust-anchor', anchorFile,
  ...more])

describe('a response the transport refused is not an answer', () => {
  it('TCP answer for another question (AAAA instead of A) with AD is not "validated"', async () => {
    const run = await runCli(['resolvers', 'wrongq.example', ...base, '--json'])
    const [o] = JSON.parse(run.out).resolvers
    expect(o.verdict).not.toBe('validated')
    expect(o.ad).toBe(false)
    expect(run.code).not.toBe(0)
  })

  it('observeResolvers ignores the bytes of an attempt marked malformed (DoH wrong content-type)', () => {
    // What dohExchange records for 200 text/html whose body happens to be a DNS answer.
    const q: Q = { id: 0, flags: 0x100, qname: 'x.example.', qtype: 1, cd: false }
    const bytes = reply(q, { ad: true, answer: [aRecord('x.example.')] }).toString('hex')
    const e: CapturedExchange = { server: '127.0.67.2', port: 8443, transport: 'https',
      qname: 'x.example.', qtype: 1, sentAt: new Date().toISOString(), ms: 1, query: bytes,
      response: bytes, error: 'malformed', errorDetail: 'content-type text/html is not '
        + 'application/dns-message', resolver: 'd', cd: false }
    const [o] = observeResolvers([e], 'x.example.', 1)
    expect(o?.verdict).not.toBe('validated')
    expect(o?.rcode).toBeNull()
  })
})

describe('the conclusion agrees with the table', () => {
  it('insecure name, resolver SERVFAIL: the conclusion does not say resolvers answer it', async () => {
    const run = await check('x.test', ['--json'])
    const r = JSON.parse(run.out)
    expect(r.status).toBe('insecure')
    expect(r.resolvers[0].verdict).toBe('validation-failure')
    expect(r.conclusion).not.toMatch(/resolvers answer it without validation/)
    expect(r.conclusion).toMatch(/r at 127\.0\.67\.43/)
  })

  it('secure name, resolver fails validation: the conclusion names the failing resolver', async () => {
    const run = await check('good.', ['--json'])
    const r = JSON.parse(run.out)
    expect(r.status).toBe('secure')
    expect(r.resolvers[0].verdict).toBe('validation-failure')
    expect(r.conclusion).toMatch(/r at 127\.0\.67\.43/)
  })

  it('bogus name, resolver SERVFAIL with and without CD: not "no resolver asked fails"', async () => {
    const run = await check('dead.', ['--json'])
    const r = JSON.parse(run.out)
    expect(r.status).toBe('bogus')
    expect(r.resolvers[0].rcode).toBe('SERVFAIL')
    expect(r.conclusion).not.toMatch(/no resolver asked fails/)
  })
})

describe('text from a resolver cannot drive the terminal', () => {
  it('EDE text with escape sequences and newlines is neutralised in the text report', async () => {
    const run = await check('escape.test')
    expect(run.out).toMatch(/RESOLVER_VALIDATION_FAILURE/)
    // eslint-disable-next-line no-control-regex
    expect(run.out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
  })
})
