// Servers of one zone should answer one question identically. Responses are grouped by
// content, each distinct answer is judged once, and the judgement is attributed to the
// servers that gave it: that is how a stale secondary is named instead of averaged away.
import type { ServerResponse } from '../probe/walker.js'
import { rrToText } from '../wire/text.js'
import type { Message } from '../wire/types.js'

export interface ResponseGroup {
  readonly message: Message
  readonly servers: readonly string[]
}

export interface Grouped {
  readonly groups: readonly ResponseGroup[]
  /** Servers that gave no usable response, with why. */
  readonly failed: readonly ServerResponse[]
}

export function serverLabel(r: { server: string; port: number }): string {
  const host = r.server.includes(':') ? `[${r.server}]` : r.server
  return r.port === 53 ? r.server : `${host}:${r.port}`
}

/** Groups by rcode and the records of the sections that matter (TTLs ignored: caches vary). */
export function groupResponses(responses: readonly ServerResponse[]): Grouped {
  const groups = new Map<string, { message: Message; servers: string[] }>()
  const failed: ServerResponse[] = []
  // One answer is one group: no need to put its records into text to compare them.
  const answered = responses.filter((r) => r.message !== null)
  if (answered.length === 1 && answered[0]?.message != null) {
    const r = answered[0]
    return { groups: [{ message: r.message as Message, servers: [serverLabel(r)] }],
      failed: responses.filter((x) => x.message === null) }
  }
  for (const r of responses) {
    if (r.message === null) {
      failed.push(r)
      continue
    }
    const k = fingerprint(r.message)
    const g = groups.get(k)
    if (g === undefined) groups.set(k, { message: r.message, servers: [serverLabel(r)] })
    else g.servers.push(serverLabel(r))
  }
  return { groups: [...groups.values()], failed }
}

function fingerprint(m: Message): string {
  const lines = [...m.answer, ...m.authority]
    .map((rr) => rrToText({ ...rr, ttl: 0 }))
    .sort()
  return `${m.rcode}\n${lines.join('\n')}`
}
