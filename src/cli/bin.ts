#!/usr/bin/env node
import { hideBin } from 'yargs/helpers'
import { EXIT, main } from './main.js'

let settled = false
main(hideBin(process.argv)).then((code) => {
  settled = true
  process.exitCode = code
}, (e: unknown) => {
  settled = true
  process.stderr.write(`dnssec-doctor: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = EXIT.undetermined
})
// Node exits 0 when nothing is left to wait on, even with the command's promise unsettled (a
// walk waiting on itself): that silence would read as "nothing wrong", so it is an error.
process.on('beforeExit', () => {
  if (settled) return
  settled = true
  process.stderr.write('dnssec-doctor: internal error: the command stopped before it reached '
    + 'a verdict (a wait that can never end); please report it\n')
  process.exitCode = EXIT.undetermined
})
