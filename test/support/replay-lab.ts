// The recorded lab served again on loopback (src/lab/replay-server.ts), the command-line
// arguments that point `check` or `batch` at it instead of any real root, and `batch` run in
// process: shared by the tests that run the commands over the recordings.
import { join } from 'node:path'
import { Readable } from 'node:stream'
import yargs from 'yargs'
import { batchCommand } from '../../src/cli/batch.js'
import { labDir, labRecordings } from '../../src/cli/demo.js'
import { UsageError } from '../../src/cli/input.js'
import { startReplayServer } from '../../src/lab/replay-server.js'
import { readManifest } from '../lab/labinfo.js'

export interface ReplayLab {
  readonly port: number
  /** --allow-net, --root-hints, --port, --trust-anchor and --timeout for the replayed lab. */
  readonly args: string[]
  close(): Promise<void>
}

export async function startReplayLab(): Promise<ReplayLab> {
  const server = await startReplayServer(labRecordings())
  return { port: server.port, close: () => server.close(),
    args: ['--allow-net', '127.0.0.0/8', '--root-hints', readManifest().rootServers.join(','),
      '--port', String(server.port), '--trust-anchor', join(labDir(), 'trust-anchor.xml'),
      '--timeout', '1000'] }
}

export interface BatchRun { code: number | null; out: string; err: string }

/**
 * Runs `batch` in this process as main.ts registers it, with `stdin` as the list and its
 * stdout and stderr collected; `mainFormat` adds main's global --format (text, json, table;
 * default text) beside batch's own.
 */
export async function runBatch(args: string[], stdin = '', mainFormat = false):
  Promise<BatchRun> {
  let out = ''
  let err = ''
  let code: number | null = null
  const base = yargs(args)
  if (mainFormat) {
    base.option('format', { choices: ['text', 'json', 'table'], default: 'text' })
  }
  await base.command(batchCommand({ setCode: (c) => { code = c }, io: {
    stdin: Readable.from([stdin]), stdout: (s) => { out += s }, stderr: (s) => { err += s },
    stderrIsTTY: false, signals: false, exit: (c) => { throw new Error(`exit ${c}`) },
  } })).strict().fail((msg, e) => { throw e ?? new UsageError(msg) }).parseAsync()
  return { code, out, err }
}
