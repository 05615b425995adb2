// DNSKEYs that share a key tag (it is a 16-bit checksum: collisions are legal and happen).
// Found by hand: the report merges them into one key entry (its servers repeated once per key,
// matchedByDs false although the DS line says "matches").
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeRoot, startFakeRoot } from './fakeroot.js'
import { checkAgainst } from './helpers.js'

let two: FakeRoot

beforeAll(async () => {
  two = await startFakeRoot({ rootAddress: '127.0.66.45', childAddress: '127.0.66.46',
    port: 20545, sameTagKeys: 1 })
})
afterAll(async () => { await two.stop() })

describe('key tag collisions', () => {
  it('lists both keys of a colliding pair, each once', async () => {
    const r = await checkAgainst(two.anchor, '127.0.66.45', 20545, 'nx.example.')
    const root = r.chain[0]!
    expect(root.dnskeys).toHaveLength(2)
    for (const k of root.dnskeys) expect(new Set(k.servers).size).toBe(k.servers.length)
    expect(root.dnskeys.some((k) => k.matchedByDs)).toBe(true)
  })
})
