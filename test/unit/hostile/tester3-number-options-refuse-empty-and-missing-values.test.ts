// A number option refuses what is not a number and quotes what was typed (exit 2): src/cli/
// input.ts says every refusal names the text, and `--workers` or `--port` given no value
// already answer "--workers needs a value". Empty text is not a number either, nor is an
// option left without its value at the end of a line (`--timeout "$T"` with T unset, quoted
// or not, is what a script produces).
// Found: an empty or blank value becomes 0 and runs (Number('') is 0): `--workers ''` runs
// without worker threads, `--warn-days ''` with a window of 0 days, no warning; and a bare
// `--concurrency`, `--per-server`, `--timeout` or `--warn-days` (options with a default) runs
// with the default, because yargs puts the default in place of a missing value before the
// coerce sees it. Only `--workers` and `--port`, which have no default, are refused.
// Note: test/unit/number-option-errors-quote-the-typed-text.test.ts pins these very values as
// "what yargs' number type read before" (its '' and ' ' texts and the bare forms); a fix has
// to change that reference too.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { labDir } from '../../../src/cli/demo.js'
import { runCli } from '../../support/run-cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'tester3-numbers-'))
const list = join(tmp, 'one.txt')
writeFileSync(list, 'x.test.\n')
const capture = join(labDir(), 'recordings', 'ds-stale.json')
// Loopback only, nothing listens there.
const root = ['--allow-net', '127.0.0.0/8', '--root-hints', '127.0.66.49:20549']
const batch = (...o: string[]): string[] => ['batch', list, ...root, '--resolvers', 'none',
  '--workers', '0', '--quiet', ...o]
const checkArgs = (...o: string[]): string[] => ['check', 'x.test', ...root,
  '--no-default-resolvers', '--timeout', '200', ...o]

it.each([
  [batch('--workers', ''), '--workers: give a whole number from 0 to 16, not ""'],
  [batch('--workers= '), '--workers: give a whole number from 0 to 16, not " "'],
  [batch('--warn-days', ''), '--warn-days: give a number of days from 0 to 3650, not ""'],
  [checkArgs('--warn-days='), '--warn-days: give a number of days from 0 to 3650, not ""'],
  [['replay', capture, '--warn-days', ' '],
    '--warn-days: give a number of days from 0 to 3650, not " "'],
])('an empty or blank value is refused, quoted: %j', async (args, message) => {
  const r = await runCli(args)
  expect(r.err).toBe(`dnssec-doctor: ${message}\nTry \`dnssec-doctor --help\`.\n`)
  expect(r.code).toBe(2)
})

it.each([
  [batch('--concurrency'), '--concurrency needs a value: a whole number from 1 to 256'],
  [batch('--per-server'), '--per-server needs a value: a whole number from 1 to 64'],
  [batch('--timeout'), '--timeout needs a value: milliseconds, more than 0 and at most 60000'],
  [batch('--warn-days'), '--warn-days needs a value: a number of days from 0 to 3650'],
  [checkArgs('--timeout'), '--timeout needs a value: milliseconds, more than 0 and at most '
    + '60000'],
  [['replay', capture, '--warn-days'],
    '--warn-days needs a value: a number of days from 0 to 3650'],
])('an option left without its value is refused, as --workers is: %j', async (args, message) => {
  const r = await runCli(args)
  expect(r.err).toBe(`dnssec-doctor: ${message}\nTry \`dnssec-doctor --help\`.\n`)
  expect(r.code).toBe(2)
})
