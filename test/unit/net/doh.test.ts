// dohExchange() against small DoH servers of our own on 127.0.66.x, one speaking HTTP/2 and one
// HTTP/1.1, with a throwaway CA and server certificate made by openssl for this run. Run inside
// a loopback-only network namespace:
//   unshare -n sh -c 'ip link set lo up; npx vitest run --project unit test/unit/net/doh.test.ts'
// The request shape pinned here is RFC 8484 section 4.1 (POST, the DNS message as the body,
// content-type application/dns-message, DNS ID 0) and section 6 (a message is at most 65535
// bytes); certificate checks are Node's own, kept on.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as http2 from 'node:http2'
import * as https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { checkDohUrl, dohExchange, DohUrlError, MAX_DOH_RESPONSE_BYTES } from
  '../../../src/net/doh.js'
import { parseAllowNet } from '../../../src/net/guard.js'
import { buildQuery } from '../../../src/wire/message.js'
import { nameFromText } from '../../../src/wire/name.js'
import { RRType } from '../../../src/wire/types.js'

// Count the TLS connections dohExchange opens, still making real ones.
vi.mock('node:tls', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:tls')>()
  return { ...real, connect: vi.fn(real.connect) }
})

const H2_ADDRESS = '127.0.66.1'
const H1_ADDRESS = '127.0.66.2'
/** Listens with the certificate made for 127.0.66.1 only: its name does not match. */
const WRONG_NAME_ADDRESS = '127.0.66.3'
const LOOPBACK_ONLY = parseAllowNet('127.0.0.0/8,::1/128')
const QUERY_ID = 0x5eed
const query = buildQuery({
  id: QUERY_ID, name: nameFromText('www.example.test'), type: RRType.A, rd: true,
  dnssecOk: true,
})

/** The query with its ID set to `id` (RFC 1035 section 4.1.1: the first two bytes). */
function withId(bytes: Uint8Array, id: number): Uint8Array {
  const out = bytes.slice()
  out[0] = id >> 8
  out[1] = id & 0xff
  return out
}

/** The query turned into a response by setting QR (RFC 1035 section 4.1.1) and RA. */
function responseTo(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  out[2] = (out[2] ?? 0) | 0x80
  out[3] = (out[3] ?? 0) | 0x80
  return out
}

interface Received {
  method: string | undefined
  url: string | undefined
  contentType: string | undefined
  accept: string | undefined
  httpVersion: string
  body: Uint8Array
}

type Behaviour = (req: Received, res: ServerResponse | http2.Http2ServerResponse) => void

let dir = ''
let ca = ''
let behaviour: Behaviour = () => undefined
const received: Received[] = []
const servers: Array<http2.Http2SecureServer | https.Server> = []
const sessions = new Set<http2.ServerHttp2Session>()
const sockets = new Set<Socket>()
const ports = new Map<string, number>()

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

// A CA and one server certificate for 127.0.66.1 and 127.0.66.2 (subjectAltName IP entries,
// which is what Node checks an IP literal against: RFC 6125 section 1.7.2, RFC 5280 4.2.1.6).
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl(['req', '-x509', '-new', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=doh test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign'])
  openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', `/CN=${H2_ADDRESS}`])
  writeFileSync(join(dir, 'ext.cnf'),
    `subjectAltName=IP:${H2_ADDRESS},IP:${H1_ADDRESS}\nextendedKeyUsage=serverAuth\n`)
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-set_serial', '1', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.pem'])
}

function handle(req: IncomingMessage | http2.Http2ServerRequest,
  res: ServerResponse | http2.Http2ServerResponse): void {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const r: Received = {
      method: req.method, url: req.url, httpVersion: req.httpVersion,
      contentType: req.headers['content-type'],
      accept: typeof req.headers.accept === 'string' ? req.headers.accept : undefined,
      body: new Uint8Array(Buffer.concat(chunks)),
    }
    received.push(r)
    behaviour(r, res)
  })
}

async function listen(server: http2.Http2SecureServer | https.Server, address: string) {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  ports.set(address, (server.address() as AddressInfo).port)
}

function urlOf(address: string, path = '/dns-query'): URL {
  return new URL(`https://${address}:${ports.get(address) ?? 0}${path}`)
}

/** Answers like a DoH server: 200, application/dns-message, the query turned into a response. */
const answering: Behaviour = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/dns-message' })
  res.end(responseTo(req.body))
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'doh-test-'))
  makeCertificates()
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8')
  const key = readFileSync(join(dir, 'server.key'))
  const cert = readFileSync(join(dir, 'server.pem'))
  const h2 = http2.createSecureServer({ key, cert }, handle)
  h2.on('session', (s) => {
    sessions.add(s)
    s.on('close', () => sessions.delete(s))
  })
  const h1 = https.createServer({ key, cert }, handle)
  const wrongName = http2.createSecureServer({ key, cert }, handle)
  for (const s of [h1, h2, wrongName]) {
    s.on('secureConnection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
  }
  await listen(h2, H2_ADDRESS)
  await listen(h1, H1_ADDRESS)
  await listen(wrongName, WRONG_NAME_ADDRESS)
})

afterAll(async () => {
  for (const s of sessions) s.destroy()
  for (const s of sockets) s.destroy()
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  rmSync(dir, { recursive: true, force: true })
})

beforeEach(() => {
  behaviour = answering
  received.length = 0
  vi.mocked(tls.connect).mockClear()
})

afterEach(() => {
  // A server left waiting (the timeout test) must not hold the next test's connection.
  for (const s of sessions) s.destroy()
  for (const s of sockets) s.destroy()
})

const both = [['HTTP/2', H2_ADDRESS, '2.0'], ['HTTP/1.1', H1_ADDRESS, '1.1']] as const

describe('dohExchange() request (RFC 8484 section 4.1)', () => {
  it.each(both)('over %s POSTs the query with ID 0 as application/dns-message to the URL path',
    async (_name, address, version) => {
      const url = urlOf(address, '/dns-query?probe=1')
      const result = await dohExchange(url, query, { guard: LOOPBACK_ONLY, ca })
      expect(received).toHaveLength(1)
      expect(received[0]).toMatchObject({
        method: 'POST', url: '/dns-query?probe=1', httpVersion: version,
        contentType: 'application/dns-message', accept: 'application/dns-message',
      })
      // The body is the query's bytes with the ID (the first two bytes) set to 0.
      expect(received[0]?.body).toEqual(withId(query, 0))
      expect(result.attempts).toHaveLength(1)
      expect(result.attempts[0]).toMatchObject({ transport: 'https', query: withId(query, 0) })
      expect(result.attempts[0]?.error).toBeUndefined()
      expect(result.response).toEqual(responseTo(withId(query, 0)))
      expect(Date.parse(result.attempts[0]?.sentAt ?? '')).not.toBeNaN()
    })

  it('leaves the caller\'s query bytes unchanged', async () => {
    const before = query.slice()
    await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    expect(query).toEqual(before)
    expect(((query[0] ?? 0) << 8) | (query[1] ?? 0)).toBe(QUERY_ID)
  })

  it('leaves no connection open on the server once it has settled', async () => {
    await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    await vi.waitFor(() => expect(sockets.size).toBe(0), { timeout: 1000 })
  })
})

describe('dohExchange() response handling', () => {
  it.each(both)('over %s reports a 500 status as a network error quoting the body',
    async (_name, address) => {
      behaviour = (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('resolver exploded')
      }
      const result = await dohExchange(urlOf(address), query, { guard: null, ca })
      expect(result.response).toBeNull()
      expect(result.attempts[0]).toMatchObject({ transport: 'https', error: 'network',
        response: null })
      expect(result.attempts[0]?.detail).toContain('HTTP status 500')
      expect(result.attempts[0]?.detail).toContain('resolver exploded')
    })

  it.each(both)('over %s reports a connection dropped before the answer as a network error',
    async (_name, address) => {
      behaviour = (_req, res) => {
        if (res instanceof http2.Http2ServerResponse) res.stream.session?.destroy()
        else res.socket?.destroy()
      }
      const result = await dohExchange(urlOf(address), query, { guard: null, ca,
        timeoutMs: 1500 })
      expect(result.response).toBeNull()
      expect(result.attempts[0]?.error).toBe('network')
      expect(result.attempts[0]?.ms).toBeLessThan(1000)
    })

  it.each(both)('over %s takes an answer sent just before the server closes the connection',
    async (_name, address) => {
      behaviour = (req, res) => {
        res.writeHead(200, { 'content-type': 'application/dns-message' })
        res.end(responseTo(req.body), () => {
          if (res instanceof http2.Http2ServerResponse) res.stream.session?.close()
          else res.socket?.end()
        })
      }
      const result = await dohExchange(urlOf(address), query, { guard: null, ca })
      expect(result.attempts[0]?.error, result.attempts[0]?.detail).toBeUndefined()
      expect(result.response).toEqual(responseTo(withId(query, 0)))
    })

  it('does not follow a redirect', async () => {
    behaviour = (_req, res) => {
      res.writeHead(301, { location: 'https://dns.example/dns-query' })
      res.end()
    }
    const result = await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    expect(result.response).toBeNull()
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]?.detail).toContain('HTTP status 301')
  })

  it.each(both)('over %s times out when the server never answers', async (_name, address) => {
    behaviour = () => undefined
    const started = Date.now()
    const result = await dohExchange(urlOf(address), query, { guard: null, ca, timeoutMs: 200 })
    expect(result.response).toBeNull()
    expect(result.attempts).toHaveLength(1)
    expect(result.attempts[0]?.error).toBe('timeout')
    expect(result.attempts[0]?.ms).toBeGreaterThanOrEqual(190)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it.each(both)('over %s refuses a body longer than 65535 bytes sent without a length',
    async (_name, address) => {
      behaviour = (req, res) => {
        res.writeHead(200, { 'content-type': 'application/dns-message' })
        // In pieces and without content-length, so only counting the bytes can catch it.
        const piece = Buffer.alloc(16_384)
        for (let i = 0; i < 5; i++) res.write(i === 0 ? responseTo(req.body) : piece)
        res.end()
      }
      const result = await dohExchange(urlOf(address), query, { guard: null, ca })
      expect(result.response).toBeNull()
      expect(result.attempts[0]?.error).toBe('malformed')
      expect(result.attempts[0]?.detail).toContain(String(MAX_DOH_RESPONSE_BYTES))
    })

  it.each(both)('over %s refuses at once a body whose content-length is over 65535 bytes',
    async (_name, address) => {
      behaviour = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/dns-message',
          'content-length': String(MAX_DOH_RESPONSE_BYTES + 1) })
        // Headers only: waiting for the body would end in a timeout, not this error.
        if ('flushHeaders' in res) res.flushHeaders()
      }
      const result = await dohExchange(urlOf(address), query, { guard: null, ca,
        timeoutMs: 1500 })
      expect(result.attempts[0]?.error).toBe('malformed')
      expect(result.attempts[0]?.detail).toContain(String(MAX_DOH_RESPONSE_BYTES))
      expect(result.attempts[0]?.ms).toBeLessThan(1000)
    })

  it('accepts a body of exactly 65535 bytes as far as size goes', async () => {
    behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/dns-message' })
      const body = Buffer.alloc(MAX_DOH_RESPONSE_BYTES)
      Buffer.from(responseTo(req.body)).copy(body)
      res.end(body)
    }
    const result = await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    // Trailing bytes after the message: the decoder's complaint, not the size limit's.
    expect(result.attempts[0]?.error).toBe('malformed')
    expect(result.attempts[0]?.detail).not.toContain('longer than')
    expect(result.attempts[0]?.response?.length).toBe(MAX_DOH_RESPONSE_BYTES)
  })

  it('calls a 200 with another content-type malformed and keeps the bytes', async () => {
    behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(responseTo(req.body))
    }
    const result = await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('malformed')
    expect(result.attempts[0]?.detail).toContain('text/html')
    expect(result.attempts[0]?.response).toEqual(responseTo(withId(query, 0)))
  })

  it('calls an answer with another ID than the 0 sent malformed', async () => {
    behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/dns-message' })
      res.end(responseTo(withId(req.body, QUERY_ID)))
    }
    const result = await dohExchange(urlOf(H2_ADDRESS), query, { guard: null, ca })
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('malformed')
    expect(result.attempts[0]?.detail).toContain(`ID ${QUERY_ID}`)
  })
})

describe('dohExchange() certificates', () => {
  it('refuses the server\'s certificate without the private CA', async () => {
    const result = await dohExchange(urlOf(H2_ADDRESS), query, { guard: null })
    expect(result.response).toBeNull()
    expect(result.attempts[0]?.error).toBe('network')
    expect(result.attempts[0]?.detail).toMatch(/certificate/i)
    expect(received).toHaveLength(0)
  })

  it('refuses a certificate that does not name the address asked', async () => {
    const result = await dohExchange(urlOf(WRONG_NAME_ADDRESS), query, { guard: null, ca })
    expect(result.attempts[0]?.error).toBe('network')
    expect(result.attempts[0]?.detail).toContain('ERR_TLS_CERT_ALTNAME_INVALID')
    expect(received).toHaveLength(0)
  })
})

describe('dohExchange() and the address guard', () => {
  it('returns one blocked attempt for an address outside the guard without connecting',
    async () => {
      const result = await dohExchange(urlOf(H2_ADDRESS), query,
        { guard: parseAllowNet('10.0.0.0/8'), ca })
      expect(result.response).toBeNull()
      expect(result.attempts).toHaveLength(1)
      expect(result.attempts[0]).toMatchObject({ transport: 'https', error: 'blocked',
        response: null })
      expect(result.attempts[0]?.detail).toContain('10.0.0.0/8')
      expect(tls.connect).not.toHaveBeenCalled()
      expect(received).toHaveLength(0)
    })

  it('judges an IPv6 literal without its brackets', async () => {
    const result = await dohExchange(new URL('https://[2001:db8::53]/dns-query'), query,
      { guard: LOOPBACK_ONLY })
    expect(result.attempts[0]?.error).toBe('blocked')
    expect(result.attempts[0]?.detail).toContain('2001:db8::53 is outside')
    expect(tls.connect).not.toHaveBeenCalled()
  })

  it('refuses a hostname URL before any lookup or connection, even without a guard',
    async () => {
      const url = new URL('https://dns.example/dns-query')
      await expect(dohExchange(url, query, { guard: null })).rejects.toThrow(DohUrlError)
      await expect(dohExchange(url, query, { guard: null }))
        .rejects.toThrow(/host must be an IP address/)
      expect(() => checkDohUrl(new URL('https://localhost/dns-query'))).toThrow(DohUrlError)
      expect(tls.connect).not.toHaveBeenCalled()
    })

  it('refuses another scheme and takes the port and path from the URL', () => {
    expect(() => checkDohUrl(new URL('http://127.0.0.1/dns-query'))).toThrow(/must be https/)
    expect(checkDohUrl(new URL('https://1.1.1.1/dns-query'))).toEqual({
      address: '1.1.1.1', port: 443, path: '/dns-query',
    })
    expect(checkDohUrl(new URL('https://[::1]:8443/q?x=1'))).toEqual({
      address: '::1', port: 8443, path: '/q?x=1',
    })
  })
})
