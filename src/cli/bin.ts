#!/usr/bin/env node
import { hideBin } from 'yargs/helpers'
import { EXIT, main } from './main.js'

main(hideBin(process.argv)).then((code) => { process.exitCode = code }, (e: unknown) => {
  process.stderr.write(`dnssec-doctor: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = EXIT.undetermined
})
