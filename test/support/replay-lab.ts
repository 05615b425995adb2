// The recorded lab served again on loopback (src/lab/replay-server.ts), and the command-line
// arguments that point `check` or `batch` at it instead of any real root: shared by the tests
// that run the commands over the recordings.
import { join } from 'node:path'
import { labDir, labRecordings } from '../../src/cli/demo.js'
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
