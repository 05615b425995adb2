// Replaying the recorded lab through captureTransport: what a server's failure looks like to
// the analysis. The recordings are the bytes the lab's servers sent (lab/recordings).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readCapture } from '../../../src/check.js'
import { captureTransport } from '../../../src/probe/transports.js'
import { decodeMessage } from '../../../src/wire/message.js'
import { nameFromText } from '../../../src/wire/name.js'
import { RRType } from '../../../src/wire/types.js'

const recording = (label: string) =>
  readCapture(join(import.meta.dirname, '../../../lab/recordings', `${label}.json`))

describe('captureTransport', () => {
  it('reports a truncated UDP answer whose TCP retry failed as tcp-fallback, with both clues',
    async () => {
      // lab/manifest.json: no-tcp.lab.test.'s only server is 127.0.40.42, which refuses TCP.
      const capture = recording('no-tcp')
      const asked = capture.exchanges.filter((e) => e.server === '127.0.40.42'
        && e.qname === 'no-tcp.lab.test.' && e.qtype === RRType.DNSKEY)
      const udp = asked.find((e) => e.transport === 'udp')
      const tcp = asked.find((e) => e.transport === 'tcp')
      expect(udp?.response).toBeTruthy()
      expect(decodeMessage(Buffer.from(udp?.response ?? '', 'hex')).flags.tc).toBe(true)
      const offered = decodeMessage(Buffer.from(udp?.query ?? '', 'hex')).edns?.udpSize
      const r = await captureTransport(capture.exchanges)({ address: '127.0.40.42', port: 53 },
        { name: nameFromText('no-tcp.lab.test.'), type: RRType.DNSKEY })
      expect(r.message).toBeNull()
      expect(r.error).toBe('tcp-fallback')
      expect(r.truncated).toEqual({ udpBytes: (udp?.response ?? '').length / 2,
        bufferSize: offered, tcpError: tcp?.errorDetail })
    })

  it('keeps a plain timeout a timeout', async () => {
    // lab/manifest.json: ns2 of timeout.lab.test. (127.0.42.40) never answers.
    const capture = recording('timeout')
    const r = await captureTransport(capture.exchanges)({ address: '127.0.42.40', port: 53 },
      { name: nameFromText('timeout.lab.test.'), type: RRType.DNSKEY })
    expect(r.error).toBe('timeout')
    expect(r.truncated).toBeUndefined()
  })
})
