// A number option given something that is not a number is refused (exit 2, one line, no
// trace) with the text the user typed, `not "abc"`, never `not NaN`; and every option still
// takes exactly the values yargs' own number type read before (the reference below), except
// blank text and a missing value, now refused.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yargs from 'yargs'
import type { Argv } from 'yargs'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PER_SERVER } from '../../src/batch/limiter.js'
import { DEFAULT_CONCURRENCY } from '../../src/batch/runner.js'
import { batchOptions } from '../../src/cli/batch.js'
import { labDir } from '../../src/cli/demo.js'
import type { NumberArg } from '../../src/cli/input.js'
import { withTrustOptions, withWalkOptions } from '../../src/cli/options.js'
import { runCli } from '../support/run-cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'number-options-'))
const list = join(tmp, 'empty.txt')
writeFileSync(list, '')
const capture = join(labDir(), 'recordings', 'ds-stale.json')
// Loopback only, nothing listens there; every case is refused before anything is asked.
const root = ['--root-hints', '127.0.66.49:20549']
const lab = (command: string): string[] => ['--allow-net', '127.0.0.0/8',
  ...command === 'batch' ? [...root, '--resolvers', 'none']
    : command === 'check' ? [...root, '--no-default-resolvers']
      : command === 'resolvers' ? ['--no-default-resolvers'] : []]

describe('a number option given a non-number names what was typed', () => {
  it.each([
    [['batch', list, '--workers', 'abc'], '--workers: give a whole number from 0 to 16, not "abc"'],
    [['batch', list, '--concurrency', '1.5x'],
      '--concurrency: give a whole number from 1 to 256, not "1.5x"'],
    [['batch', list, '--per-server=ten'], '--per-server: give a whole number from 1 to 64, '
      + 'not "ten"'],
    [['batch', list, '--timeout', '2s'], '--timeout: give milliseconds, more than 0 and at '
      + 'most 60000, not "2s"'],
    [['batch', list, '--port', 'domain'], '--port: give a port number from 1 to 65535, '
      + 'not "domain"'],
    [['batch', list, '--warn-days', 'a week'], '--warn-days: give a number of days from 0 to '
      + '3650, not "a week"'],
    [['check', 'x.test', '--timeout', '1,5'], '--timeout: give milliseconds, more than 0 and '
      + 'at most 60000, not "1,5"'],
    [['check', 'x.test', '--port', '53/udp'], '--port: give a port number from 1 to 65535, '
      + 'not "53/udp"'],
    [['check', 'x.test', '--warn-days', 'seven'], '--warn-days: give a number of days from 0 '
      + 'to 3650, not "seven"'],
    [['resolvers', 'x.test', '--resolver', 'r=127.0.66.49:20549', '--timeout', 'abc'],
      '--timeout: give milliseconds, more than 0 and at most 60000, not "abc"'],
    [['replay', capture, '--warn-days', 'abc'], '--warn-days: give a number of days from 0 '
      + 'to 3650, not "abc"'],
    // The last of a repeated option counts, as it always did.
    [['batch', list, '--workers', '2', '--workers', 'two'],
      '--workers: give a whole number from 0 to 16, not "two"'],
    // Echoed to a terminal: an escape character is shown, not sent (CWE-150).
    [['batch', list, '--workers', 'a\u001b[2Jb'],
      '--workers: give a whole number from 0 to 16, not "a\\x1b[2Jb"'],
  ])('%j', async (args, message) => {
    const r = await runCli([...args, ...lab(args[0] ?? '')])
    expect(r.code).toBe(2)
    expect(r.err).toBe(`dnssec-doctor: ${message}\nTry \`dnssec-doctor --help\`.\n`)
    expect(r.out).toBe('')
  })

  it.each([
    [['batch', list, '--workers', '17'], '--workers: give a whole number from 0 to 16, not 17'],
    [['batch', list, '--concurrency', '0'], '--concurrency: give a whole number from 1 to '
      + '256, not 0'],
    [['check', 'x.test', '--port', '65536'], '--port: give a port number from 1 to 65535, '
      + 'not 65536'],
    [['check', 'x.test', '--timeout', '0'], '--timeout: give milliseconds, more than 0 and at '
      + 'most 60000, not 0'],
    [['batch', list, '--workers'], '--workers needs a value: a whole number from 0 to 16'],
    [['check', 'x.test', '--no-timeout'], '--timeout: give milliseconds, more than 0 and at '
      + 'most 60000, not --no-timeout'],
  ])('an out-of-range or missing value is refused the same way: %j', async (args, message) => {
    const r = await runCli([...args, ...lab(args[0] ?? '')])
    expect(r.code).toBe(2)
    expect(r.err).toBe(`dnssec-doctor: ${message}\nTry \`dnssec-doctor --help\`.\n`)
  })
})

describe('the values a number option takes are those of yargs\' number type', () => {
  // What the options were read as before, with `type: 'number'`: yargs turns the text into
  // Number(text) and the last of a repeated option counts.
  const reference = (name: string, dflt: number | undefined, args: string[]): number => {
    const a = yargs(args).option(name, { type: 'number',
      ...(dflt === undefined ? {} : { default: dflt }) }).parseSync()
    const v: unknown = a[name]
    return Number(Array.isArray(v) ? v[v.length - 1] : v)
  }
  const texts = ['abc', '', ' ', '0', '-0', '7', '16', '1.5', '1.0', '3.', '.5', '+3', '1e1',
    '1e400', '1e-400', '0x10', '0b11', '0o7', '007', ' 5 ', '5\n', '\t3', 'Infinity', 'NaN',
    '1_0', '1,5', 'true', 'false', '65536', '9007199254740993', '\u0663']
  const forms = (o: string): string[][] => [
    ...texts.flatMap((t) => [[`--${o}`, t], [`--${o}=${t}`]]),
    [`--${o}`], [`--no-${o}`], [`--${o}`, '3', `--${o}`, 'x'], [`--${o}`, 'x', `--${o}`, '3'],
    [`--${o}`, '3', `--${o}`], [`--${o}`, '-2'], [`--${o}`, '--other'],
  ]
  const declared: [string, number | undefined, (y: Argv) => Argv][] = [
    ['port', undefined, (y) => withWalkOptions(y) as Argv],
    ['timeout', 2000, (y) => withWalkOptions(y) as Argv],
    ['warn-days', 7, (y) => withTrustOptions(y) as Argv],
    ['concurrency', DEFAULT_CONCURRENCY, (y) => batchOptions(y) as unknown as Argv],
    ['per-server', DEFAULT_PER_SERVER, (y) => batchOptions(y) as unknown as Argv],
    ['workers', undefined, (y) => batchOptions(y) as unknown as Argv],
  ]
  // Two exceptions, refused now where the number type read a value: blank text (Number('')
  // is 0) and an option left without its value (the number type put the default there).
  const blankOrBare = (name: string, args: string[]): boolean => {
    const at = args.map((a, i) => [a, i] as const)
      .filter(([a]) => a === `--${name}` || a.startsWith(`--${name}=`)).pop()
    if (at === undefined) return false
    const [flag, i] = at
    const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1)
      : args[i + 1] !== undefined && !args[i + 1]!.startsWith('--') ? args[i + 1] : undefined
    return value === undefined || value.trim() === ''
  }
  it.each(declared)('--%s', (name, dflt, declare) => {
    for (const args of forms(name)) {
      const ours = declare(yargs(args)).parseSync()[name] as NumberArg | undefined
      const want = blankOrBare(name, args) ? Number.NaN : reference(name, dflt, args)
      // Checked with Object.is: NaN equals NaN, and -0 stays apart from 0.
      expect([args, ours === undefined ? undefined : Object.is(ours.value, want)])
        .toEqual([args, true])
    }
  })
})
