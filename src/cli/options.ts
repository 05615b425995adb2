// Command-line options more than one command takes, declared once. Number options have no
// `type: 'number'`: lastNumber (input.ts) says why.
import type { Argv } from 'yargs'
import { lastNumber, lastString } from './input.js'

/** How a walk reaches servers: `check` and `batch`. */
export function withWalkOptions<T>(y: Argv<T>) {
  return y
    .option('root-hints', { type: 'string', coerce: lastString,
      describe: 'Root servers: ADDR[:PORT],...' })
    .option('port', { coerce: lastNumber,
      describe: 'Ask every authoritative server on this port (lab use)' })
    .option('timeout', { coerce: lastNumber, defaultDescription: '2000',
      describe: 'Per-query timeout, ms' })
    .option('ipv6', { type: 'boolean', default: false, describe: 'Also ask IPv6 addresses' })
}

/** What every command judges against: the time, the anchor, the networks, the warning window. */
export function withTrustOptions<T>(y: Argv<T>) {
  return y
    .option('at', { type: 'string', coerce: lastString,
      describe: 'Validate as of this time (ISO 8601 or seconds since 1970)' })
    .option('trust-anchor', { type: 'string', coerce: lastString, describe: 'Trust anchor '
      + 'file: RFC 7958 XML, or DS/DNSKEY lines (default: the root KSK-2017 and KSK-2024)' })
    .option('warn-days', { coerce: lastNumber, defaultDescription: '7', describe: 'Warn '
      + 'about signatures that expire within this many days (RRSIG_EXPIRES_SOON)' })
    .option('allow-net', { type: 'string', coerce: lastString, describe: 'Only send queries '
      + 'to these networks, e.g. 127.0.0.0/8 (or set DNSSEC_DOCTOR_ALLOW_NET)' })
}
