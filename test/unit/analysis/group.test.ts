// Which responses are the zone's answer and which come from a server that does not serve it
// (RFC 1035 4.1.1: AA marks an answer from an authority for the zone; an error rcode is none).
import { describe, expect, it } from 'vitest'
import { groupResponses } from '../../../src/analysis/group.js'
import type { ServerResponse } from '../../../src/probe/walker.js'
import { decodeMessage } from '../../../src/wire/message.js'
import { rrFromText } from '../../../src/wire/text.js'
import { Rcode, type Message } from '../../../src/wire/types.js'

// A DNSKEY answer as NSD sends it (header: QR AA, one question, one answer).
const QUERY = Buffer.from('12348400000100010000000004746573740000300001', 'hex')
const key = rrFromText('test. 300 IN DNSKEY 257 3 13 '
  + 'tChj9A8sZC4WFGUoMG5ZBC78AQdGERC0W1gz4UkqI8a6ArTLgi471muauuSH6WugEWNc7Rumqn4ZabPqG2iy+g==')

function reply(server: string, patch: Partial<Message>, flags: Partial<Message['flags']> = {}):
  ServerResponse {
  const base = decodeMessage(Buffer.concat([QUERY.subarray(0, 7), Buffer.from([0]),
    QUERY.subarray(8)]))
  const message = { ...base, answer: [key], ...patch, flags: { ...base.flags, ...flags } }
  return { server, port: 53, message, error: null, transport: 'udp', ms: 1 }
}

describe('groupResponses', () => {
  it('sets apart error rcodes and referrals without AA from the zone\'s servers', () => {
    // An upward referral: no AA, no answer, NS records in the authority section.
    const upward = [rrFromText('. 300 IN NS a.root-servers.test.')]
    const { groups, lame } = groupResponses([
      reply('127.0.0.1', {}),
      reply('127.0.0.2', { rcode: Rcode.REFUSED, answer: [] }, { aa: false }),
      reply('127.0.0.3', { rcode: Rcode.SERVFAIL, answer: [] }),
      reply('127.0.0.4', { answer: [], authority: upward }, { aa: false }),
    ], { authoritative: true })
    expect(groups.map((g) => g.servers)).toEqual([['127.0.0.1']])
    expect(lame.map((r) => r.server)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4'])
  })

  it('keeps an empty answer without AA or NS: a broken negative answer, judged as one', () => {
    // Field case C19: NOERROR, nothing in it, AA clear. RFC 2308 3 wants the SOA; no referral.
    const { groups, lame } = groupResponses([reply('127.0.0.5', { answer: [] }, { aa: false })],
      { authoritative: true })
    expect([groups.length, lame.length]).toEqual([1, 0])
  })

  it('keeps an authoritative empty answer (NODATA is evidence) and a non-AA referral for DS',
    () => {
      const nodata = groupResponses([reply('127.0.0.1', { answer: [] })], { authoritative: true })
      expect(nodata.lame).toEqual([])
      // A DS can ride in the parent's referral, which has no AA (RFC 4035 3.1.4).
      const referral = groupResponses([reply('127.0.0.1', { answer: [] }, { aa: false })])
      expect([referral.groups.length, referral.lame.length]).toEqual([1, 0])
    })
})
