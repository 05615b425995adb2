// A batch worker thread (engine.ts): checks the names the main thread sends, with a session
// and a per-server limiter of its own, and sends back each name's Outcome.
import { parentPort, workerData } from 'node:worker_threads'
import { verificationCount } from '../dnssec/verify.js'
import type { EngineSpec, Question } from './engine.js'
import { Checker } from './engine.js'

const port = parentPort
if (port === null) throw new Error('worker.js runs only as a worker thread of a batch')
const checker = new Checker(workerData as EngineSpec)

port.on('message', (m: ({ id: number } & Question) | { stats: true }) => {
  if ('stats' in m) {
    // Asked only when the batch ends, just before the thread is terminated: its sockets are
    // closed first, since a datagram arriving during termination aborts the process.
    checker.close()
    port.postMessage({ stats: { verifications: verificationCount() } })
    return
  }
  void checker.run(m).then((outcome) => { port.postMessage({ id: m.id, outcome }) })
})
