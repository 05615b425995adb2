// The replay server against recordings of a real server: NSD serves a tiny zone on 127.0.0.20
// and 127.0.0.21, exchange() records what it answers, NSD is stopped, and the replay server must
// give back NSD's bytes. Expected bytes are NSD's; dig (bind9-dnsutils) checks as an
// independent client that REFUSED, TC and the TCP retry look right on the wire.
// Needs root in a loopback-only namespace:
//   unshare -n sh -c 'ip link set lo up; npx vitest run --project unit test/unit/lab'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReplayServer, type ReplayServer } from '../../../src/lab/replay-server.js'
import { parseAllowNet } from '../../../src/net/guard.js'
import { exchange, type ExchangeResult } from '../../../src/net/transport.js'
import type { CapturedExchange } from '../../../src/probe/capture.js'
import { buildQuery, decodeMessage } from '../../../src/wire/message.js'
import { nameEquals, nameFromText } from '../../../src/wire/name.js'
import { Rcode, RRType } from '../../../src/wire/types.js'

const A = '127.0.0.20'
const B = '127.0.0.21'
const guard = parseAllowNet('127.0.0.0/8')

const ZONE = [
  '$TTL 300',
  '@ SOA ns1 hostmaster 1 3600 900 604800 300',
  '@ NS ns1',
  'ns1 A 127.0.0.20',
  'www A 127.0.0.80',
  // Twelve 80-byte strings: far over 512 bytes, so a 512-byte UDP query is answered with TC.
  ...Array.from({ length: 12 }, (_, i) => `big TXT "record-${i}-${'x'.repeat(70)}"`),
].join('\n')

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function fromHex(text: string | null | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(text ?? '', 'hex'))
}

function query(name: string, type: number, opts: { id?: number; udpSize?: number } = {}) {
  return buildQuery({
    id: opts.id ?? 0x0101, name: nameFromText(name), type, rd: false,
    ...(opts.udpSize === undefined ? {} : { udpSize: opts.udpSize }),
  })
}

/** The capture entries for one exchange, as the probe writes them. */
function captured(server: string, port: number, qname: string, qtype: number,
  result: ExchangeResult): CapturedExchange[] {
  return result.attempts.map((a) => ({
    server, port, transport: a.transport, qname, qtype, sentAt: a.sentAt, ms: a.ms,
    query: hex(a.query), response: a.response === null ? null : hex(a.response),
    ...(a.error === undefined ? {} : { error: a.error, errorDetail: a.detail ?? '' }),
  }))
}

function withId(bytes: Uint8Array, id: number): Uint8Array {
  const out = bytes.slice()
  out[0] = id >> 8
  out[1] = id & 0xff
  return out
}

async function dig(server: string, port: number, args: readonly string[]): Promise<string> {
  // Always an explicit @server on loopback, never the system resolver. Asynchronous, since the
  // replay server answering it runs in this very process.
  return new Promise((resolve) => {
    execFile('dig', [`@${server}`, '-p', String(port), '+norec', '+tries=1', '+timeout=2',
      ...args], { encoding: 'utf8', timeout: 10_000 }, (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`))
  })
}

async function freePort(address: string): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, address, resolve))
  const port = socket.address().port
  await new Promise<void>((resolve) => socket.close(resolve))
  return port
}

async function startNsd(dir: string, port: number): Promise<ChildProcess> {
  writeFileSync(join(dir, 'replay.test.zone'), `${ZONE}\n`)
  writeFileSync(join(dir, 'nsd.conf'), [
    'server:',
    `  ip-address: ${A}`, `  ip-address: ${B}`, `  port: ${port}`,
    '  username: ""', '  chroot: ""', `  zonesdir: "${dir}"`, `  pidfile: "${dir}/nsd.pid"`,
    '  database: ""', `  xfrdfile: "${dir}/xfrd.state"`, `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdir: "${dir}"`, `  logfile: "${dir}/nsd.log"`, '  server-count: 1',
    'remote-control:', '  control-enable: no',
    'zone:', '  name: replay.test', '  zonefile: replay.test.zone', '',
  ].join('\n'))
  const nsd = spawn('nsd', ['-d', '-c', join(dir, 'nsd.conf')], { stdio: 'ignore' })
  const probe = query('www.replay.test', RRType.A)
  for (let i = 0; i < 50; i++) {
    const result = await exchange({ address: A, port }, probe,
      { guard, timeoutMs: 200, retries: 0 })
    if (result.response !== null) return nsd
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  nsd.kill()
  throw new Error(`NSD did not start on ${A}:${port}; see ${dir}/nsd.log`)
}

// What NSD answered, keyed by name: the recordings and the bytes they must give back.
const recorded: Record<string, ExchangeResult> = {}
const exchanges: CapturedExchange[] = []
let replay: ReplayServer
let workDir: string

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'replay-test-'))
  const nsdPort = await freePort(A)
  const nsd = await startNsd(workDir, nsdPort)
  try {
    const record = async (key: string, server: string, name: string, type: number,
      udpSize?: number): Promise<void> => {
      const result = await exchange({ address: server, port: nsdPort },
        query(name, type, udpSize === undefined ? {} : { udpSize }), { guard, timeoutMs: 1000 })
      recorded[key] = result
      exchanges.push(...captured(server, nsdPort, `${name}.`, type, result))
    }
    await record('wwwA', A, 'www.replay.test', RRType.A)
    await record('wwwB', B, 'www.replay.test', RRType.A)
    await record('big', A, 'big.replay.test', RRType.TXT, 512)
  } finally {
    const exited = new Promise((resolve) => nsd.once('exit', resolve))
    nsd.kill('SIGTERM')
    await exited
  }
  // A server that never answered: recorded as two timeouts, nothing else.
  for (let i = 0; i < 2; i++) {
    exchanges.push({
      server: B, port: nsdPort, transport: 'udp', qname: 'dead.replay.test.', qtype: RRType.A,
      sentAt: new Date(0).toISOString(), ms: 2000, query: hex(query('dead.replay.test', 1)),
      response: null, error: 'timeout', errorDetail: 'no response within 2000 ms',
    })
  }
  replay = await startReplayServer(exchanges)
})

afterAll(async () => {
  await replay?.close()
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
})

describe('the recordings taken from NSD', () => {
  it('hold a plain answer and a truncated UDP answer followed by TCP', () => {
    expect(recorded.wwwA?.attempts.map((a) => a.transport)).toEqual(['udp'])
    expect(recorded.big?.attempts.map((a) => a.transport)).toEqual(['udp', 'tcp'])
    expect(decodeMessage(fromHex(exchanges.find((e) => e.qname === 'big.replay.test.' &&
      e.transport === 'udp')?.response)).flags.tc).toBe(true)
  })
})

describe('startReplayServer()', () => {
  it('binds every recorded address on one shared port', () => {
    expect(replay.addresses).toEqual([A, B])
    expect(replay.port).toBeGreaterThan(0)
  })

  it('answers with the recorded bytes, only the ID rewritten to the query ID', async () => {
    const result = await exchange({ address: A, port: replay.port },
      query('WWW.Replay.TEST', RRType.A, { id: 0x4242 }), { guard, timeoutMs: 1000 })
    expect(result.attempts).toHaveLength(1)
    const original = recorded.wwwA?.response ?? new Uint8Array(0)
    expect(original.length).toBeGreaterThan(12)
    expect(result.response).toEqual(withId(original, 0x4242))
  })

  it('answers each address from its own recordings', async () => {
    const result = await exchange({ address: B, port: replay.port },
      query('www.replay.test', RRType.A, { id: 7 }), { guard, timeoutMs: 1000 })
    expect(result.response).toEqual(withId(recorded.wwwB?.response ?? new Uint8Array(0), 7))
    // big.replay.test was recorded at A only.
    const other = await exchange({ address: B, port: replay.port },
      query('big.replay.test', RRType.TXT, { id: 8 }), { guard, timeoutMs: 1000 })
    expect(decodeMessage(other.response ?? new Uint8Array(0)).rcode).toBe(Rcode.REFUSED)
  })

  it('replays a truncated UDP answer so the client retries over TCP and gets the TCP bytes',
    async () => {
      const result = await exchange({ address: A, port: replay.port },
        query('big.replay.test', RRType.TXT, { id: 0x0bad, udpSize: 4096 }),
        { guard, timeoutMs: 1000 })
      const [udp, tcp] = recorded.big?.attempts ?? []
      expect(result.attempts.map((a) => a.transport)).toEqual(['udp', 'tcp'])
      expect(result.attempts[0]?.response).toEqual(withId(udp?.response ?? new Uint8Array(0),
        0x0bad))
      expect(result.response).toEqual(withId(tcp?.response ?? new Uint8Array(0), 0x0bad))
    })

  it('looks like a DNS server that truncates to dig, which retries over TCP', async () => {
    const out = await dig(A, replay.port, ['big.replay.test', 'TXT', '+bufsize=512'])
    expect(out).toContain('Truncated, retrying in TCP mode')
    expect(out).toContain('status: NOERROR')
    expect(out).toMatch(/ANSWER: 12,/)
    expect(out).toContain('(TCP)')
  })

  it('answers a question it has no recording for with REFUSED and the question echoed',
    async () => {
      const asked = query('nope.replay.test', RRType.AAAA, { id: 0x7777 })
      const result = await exchange({ address: A, port: replay.port }, asked,
        { guard, timeoutMs: 1000 })
      const message = decodeMessage(result.response ?? new Uint8Array(0))
      expect(message.id).toBe(0x7777)
      expect(message.flags.qr).toBe(true)
      expect(message.rcode).toBe(Rcode.REFUSED)
      expect(message.question).toHaveLength(1)
      expect(message.question[0]?.type).toBe(RRType.AAAA)
      expect(nameEquals(message.question[0]?.name ?? [], nameFromText('nope.replay.test')))
        .toBe(true)
      const out = await dig(A, replay.port, ['nope.replay.test', 'AAAA'])
      expect(out).toContain('status: REFUSED')
      expect(out).toMatch(/;nope\.replay\.test\.\s+IN\s+AAAA/)
    })

  it('stays silent where the recording timed out, over UDP and TCP', async () => {
    for (const tcp of [false, true]) {
      const result = await exchange({ address: B, port: replay.port },
        query('dead.replay.test', RRType.A), { guard, timeoutMs: 300, retries: 0, tcp })
      expect(result.attempts.map((a) => a.error)).toEqual(['timeout'])
    }
  })

  it('keeps serving after a query whose name compresses into itself', async () => {
    // Header (ID 0x0001, one question) then a name that is a pointer to its own offset, 12:
    // a parser that follows pointers without a bound never returns from this.
    const loop = Uint8Array.from(Buffer.from('000100000001000000000000c00c00010001', 'hex'))
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.send(loop, replay.port, A, () => resolve()))
    await new Promise<void>((resolve) => socket.close(resolve))
    const result = await exchange({ address: A, port: replay.port },
      query('www.replay.test', RRType.A, { id: 9 }), { guard, timeoutMs: 1000, retries: 0 })
    expect(result.response).toEqual(withId(recorded.wwwA?.response ?? new Uint8Array(0), 9))
  })

  it('answers a UDP query from a TCP-only recording with TC when it exceeds the UDP size',
    async () => {
      const tcpOnly = exchanges.filter((e) => e.qname === 'big.replay.test.' &&
        e.transport === 'tcp')
      const full = fromHex(tcpOnly[0]?.response)
      expect(full.length).toBeGreaterThan(512)
      const server = await startReplayServer(tcpOnly, { host: A })
      try {
        const result = await exchange({ address: A, port: server.port },
          query('big.replay.test', RRType.TXT, { id: 3, udpSize: 512 }),
          { guard, timeoutMs: 1000 })
        expect(result.attempts.map((a) => a.transport)).toEqual(['udp', 'tcp'])
        const truncated = decodeMessage(result.attempts[0]?.response ?? new Uint8Array(0))
        expect(truncated.flags.tc).toBe(true)
        expect(truncated.answer).toHaveLength(0)
        expect(result.response).toEqual(withId(full, 3))
      } finally {
        await server.close()
      }
    })

  it('refuses to bind an address outside 127.0.0.0/8', async () => {
    const elsewhere = (server: string): CapturedExchange => ({ ...exchanges[0] as
      CapturedExchange, server })
    for (const address of ['192.0.2.1', '::1', '::ffff:127.0.0.1', '127.1']) {
      await expect(startReplayServer([elsewhere(address)])).rejects.toThrow(RangeError)
    }
    await expect(startReplayServer([], { host: '10.0.0.1' })).rejects.toThrow(/127\.0\.0\.0\/8/)
  })

  it('fails with EADDRINUSE when the port asked for is taken', async () => {
    const taken = createSocket('udp4')
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.22', resolve))
    try {
      await expect(startReplayServer([], { host: '127.0.0.22', port: taken.address().port }))
        .rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await new Promise<void>((resolve) => taken.close(resolve))
    }
  })

  it('frees every port, UDP and TCP, when closed', async () => {
    const server = await startReplayServer(exchanges)
    // An idle TCP client must not keep close() waiting.
    const idle = await new Promise<Socket>((resolve) => {
      const socket: Socket = connect(server.port, A, () => resolve(socket))
    })
    idle.on('error', () => undefined)
    await server.close()
    for (const address of server.addresses) {
      const udp = createSocket('udp4')
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind(server.port, address, () => resolve())
      })
      await new Promise<void>((resolve) => udp.close(resolve))
      const tcp = createServer()
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen(server.port, address, () => resolve())
      })
      await new Promise<void>((resolve) => tcp.close(() => resolve()))
    }
    idle.destroy()
  })
})
