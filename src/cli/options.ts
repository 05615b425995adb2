// Command-line options more than one command takes, declared once.
import type { Argv } from 'yargs'
import { lastNumber, lastString } from './input.js'

/** How a walk reaches servers: `check` and `batch`. */
export function withWalkOptions<T>(y: Argv<T>) {
  return y
    .option('root-hints', { type: 'string', coerce: lastString,
      describe: 'Root servers: ADDR[:PORT],...' })
    .option('port', { type: 'number', coerce: lastNumber,
      describe: 'Ask every authoritative server on this port (lab use)' })
    .option('timeout', { type: 'number', coerce: lastNumber, default: 2000,
      describe: 'Per-query timeout, ms' })
    .option('ipv6', { type: 'boolean', default: false, describe: 'Also ask IPv6 addresses' })
}
