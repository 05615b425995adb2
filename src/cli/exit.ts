// Exit codes, shared by every command: 0 nothing wrong (secure, or insecure by design), 1 a
// DNSSEC or DNS problem, 2 bad usage or input, 3 could not determine.
import type { Report } from '../analysis/types.js'

export const EXIT = { ok: 0, problem: 1, usage: 2, undetermined: 3 } as const

export function exitCodeFor(r: Report): number {
  if (r.status === 'indeterminate') return EXIT.undetermined
  // A dead or stale server is a problem to fix even while the name validates; a query the
  // user's own --allow-net stopped is not.
  const problem = r.findings.some((f) => f.severity === 'error'
    || (f.severity === 'warning' && f.code !== 'QUERY_BLOCKED'))
  return r.status === 'bogus' || problem ? EXIT.problem : EXIT.ok
}
