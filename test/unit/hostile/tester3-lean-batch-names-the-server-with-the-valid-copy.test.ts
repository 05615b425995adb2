// The stale scenario (lab/manifest.json): 127.0.40.13 serves the current copy of
// stale.lab.test., 127.0.41.13 an old copy whose signatures expired. The broken link's message
// says which server is bad and which serves a valid copy ("it works sometimes").
// Found: in a lean batch (the default) the good server is missing from the sentence, which
// reads "Only 127.0.41.13 serves this;  serve a valid copy": src/analysis/support.ts onlySome
// takes the good servers from the SOA serials, which lean walks do not ask for.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Report } from '../../../src/analysis/types.js'
import { readManifest } from '../../lab/labinfo.js'
import { type ReplayLab, runBatch, startReplayLab } from '../../support/replay-lab.js'

let lab: ReplayLab
beforeAll(async () => { lab = await startReplayLab() })
afterAll(async () => { await lab.close() })

const stale = readManifest().zones.find((z) => z.zone === 'stale.lab.test.')
const copies = (stale as { copies?: { server: string; expiration: string }[] }).copies ?? []
const good = copies.filter((c) => c.expiration > '2030').map((c) => c.server)
const bad = copies.filter((c) => c.expiration < '2030').map((c) => c.server)

it.each([['lean (default)', []], ['--thorough', ['--thorough']]])(
  'batch %s: the message names the server with the valid copy as well as the bad one',
  async (_mode, extra) => {
    expect(good).toEqual(['127.0.40.13'])
    expect(bad).toEqual(['127.0.41.13'])
    const r = await runBatch(['batch', '-', ...lab.args, '--workers', '0', '--quiet', ...extra],
      'stale.lab.test.\n')
    const rep = JSON.parse(r.out.trim()) as Report
    expect(rep.status).toBe('bogus')
    const msg = rep.brokenLink?.message ?? ''
    expect(msg).toContain(`Only ${bad[0]}`)
    expect(msg).toMatch(new RegExp(`; ${(good[0] ?? '').replace(/\./g, '\\.')}(:\\d+)? .*serves `
      + 'a valid copy'))
    expect(msg).not.toContain(';  serve')
  })
