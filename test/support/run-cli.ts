// Runs the command line in-process and collects what it writes, for tests of its behaviour.
import { vi } from 'vitest'
import { main } from '../../src/cli/main.js'

export interface CliRun {
  readonly code: number
  readonly out: string
  readonly err: string
}

export async function runCli(args: string[]): Promise<CliRun> {
  let out = ''
  let err = ''
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s)
    return true
  })
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s)
    return true
  })
  try {
    return { code: await main(args), out, err }
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
  }
}
