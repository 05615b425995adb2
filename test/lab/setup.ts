// vitest globalSetup for the 'lab' project: starts the lab (NSD per level, unbound resolvers)
// once for the whole run and stops it afterwards. Lab tests never skip: without root in a
// loopback-only network namespace they fail with the command that provides one.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { LAB_DIR, namespaceInterfaces } from './labinfo.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory holding the lab's configs, logs and pids for this run. */
    labRunDir: string
  }
}

const HOW = 'run the suite with `npm test` (scripts/test.sh makes the namespace)'

function labSh(command: 'start' | 'stop', runDir: string): void {
  const r = spawnSync('bash', [join(LAB_DIR, 'lab.sh'), command, runDir], { encoding: 'utf8' })
  if (r.status !== 0) {
    const why = r.error?.message ?? `exit ${r.status ?? r.signal}`
    throw new Error(`lab/lab.sh ${command} failed (${why}):\n${r.stdout}${r.stderr}`)
  }
}

export default function setup(project: TestProject): () => void {
  if (process.getuid?.() !== 0) {
    throw new Error(`lab tests need root (the lab binds port 53): ${HOW}`)
  }
  const ifaces = namespaceInterfaces()
  if (ifaces.length !== 1 || ifaces[0] !== 'lo') {
    throw new Error(
      `lab tests need a network namespace with only lo, found ${ifaces.join(', ')}: ${HOW}`,
    )
  }
  const runDir = mkdtempSync(join(tmpdir(), 'dnssec-doctor-lab-'))
  labSh('start', runDir)
  project.provide('labRunDir', runDir)
  return () => {
    labSh('stop', runDir)
    // Logs are kept when asked, to read unbound's validation failures after a run.
    if (process.env.KEEP_LAB_RUN === undefined) rmSync(runDir, { recursive: true, force: true })
  }
}
