// `check` users type `--no-default-resolvers`; batch spells it `--resolvers none` (its
// default, docs/batch.md). The tester found batch refusing check's spelling as an unknown
// argument. It now means the same; a contradiction with --resolvers is refused (exit 2) before
// anything is asked. Only loopback: the replayed lab, and no resolver asked in any case here.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Report } from '../../../src/analysis/types.js'
import { type ReplayLab, runBatch, startReplayLab } from '../../support/replay-lab.js'

let lab: ReplayLab
beforeAll(async () => { lab = await startReplayLab() })
afterAll(async () => { await lab.close() })

it('batch --no-default-resolvers checks the list without asking any resolver', async () => {
  // ecdsa.lab.test.: secure by lab/manifest.json's design.
  const r = await runBatch(['batch', '-', ...lab.args, '--workers', '0', '--quiet',
    '--no-default-resolvers'], 'ecdsa.lab.test.\n')
  expect(r.err).toBe('')
  const line = JSON.parse(r.out.trim()) as Report
  expect(line.query.name).toBe('ecdsa.lab.test.')
  expect(line.resolvers).toEqual([])
  expect(r.code).toBe(0)
})

it('--default-resolvers with --resolvers none is a contradiction, refused', async () => {
  await expect(runBatch(['batch', '-', ...lab.args, '--workers', '0', '--quiet',
    '--resolvers', 'none', '--default-resolvers'], 'ecdsa.lab.test.\n'))
    .rejects.toThrow('--default-resolvers and --resolvers none say opposite things')
})

it('--no-default-resolvers with --resolvers default is refused too', async () => {
  await expect(runBatch(['batch', '-', ...lab.args, '--workers', '0', '--quiet',
    '--resolvers', 'default', '--no-default-resolvers'], 'ecdsa.lab.test.\n'))
    .rejects.toThrow('--no-default-resolvers and --resolvers default say opposite things')
})
