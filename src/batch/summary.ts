// The end of a batch in a few lines: how many names had which verdict, which finding codes
// came up most, and which names took longest. Kept as counters, never as a list of reports,
// so it costs the same for ten names and for a million.
import type { Report, Status } from '../analysis/types.js'

/**
 * A verdict, or `error`: the check itself threw (a bug, not a DNS problem); its results line
 * says so with the message (errorJsonLine in output.ts).
 */
export type BatchStatus = Status | 'error'

export const STATUSES: readonly BatchStatus[] =
  ['secure', 'insecure', 'bogus', 'indeterminate', 'error']

const TOP_CODES = 10
const SLOWEST = 5

export interface Slow {
  readonly name: string
  readonly type: string
  readonly ms: number
}

export interface Tally {
  readonly status: Record<BatchStatus, number>
  /** Per finding code, the number of names whose report has it (once per name). */
  readonly codes: Map<string, number>
  /** The slowest names so far, slowest first, at most SLOWEST. */
  slowest: Slow[]
  /** Names whose report is a problem by exitCodeFor's rule (bogus, or an error or warning). */
  problems: number
  /** Lines skipped: bad, repeated, or already in the results of an earlier run. */
  badLines: number
  duplicates: number
  resumed: number
}

export function newTally(): Tally {
  return { status: { secure: 0, insecure: 0, bogus: 0, indeterminate: 0, error: 0 },
    codes: new Map(), slowest: [], problems: 0, badLines: 0, duplicates: 0, resumed: 0 }
}

export function checked(t: Tally): number {
  return STATUSES.reduce((sum, s) => sum + t.status[s], 0)
}

/** Counts one report; `problem` is whether exitCodeFor gave it 1. */
export function addReport(t: Tally, r: Report, opts: { ms: number; problem: boolean }): void {
  t.status[r.status]++
  if (opts.problem) t.problems++
  for (const code of new Set(r.findings.map((f) => f.code))) {
    t.codes.set(code, (t.codes.get(code) ?? 0) + 1)
  }
  addSlow(t, { name: r.query.name, type: r.query.type, ms: opts.ms })
}

/** Counts one name of a batch, whatever ran its check (engine.ts). */
export function addOutcome(t: Tally, o: { name: string; type: string; status: BatchStatus;
  codes: readonly string[]; problem: boolean }, ms: number): void {
  t.status[o.status]++
  if (o.problem) t.problems++
  for (const code of o.codes) t.codes.set(code, (t.codes.get(code) ?? 0) + 1)
  addSlow(t, { name: o.name, type: o.type, ms })
}

export function addFailure(t: Tally, slow: Slow): void {
  t.status.error++
  addSlow(t, slow)
}

function addSlow(t: Tally, s: Slow): void {
  const last = t.slowest[t.slowest.length - 1]
  if (t.slowest.length >= SLOWEST && last !== undefined && last.ms >= s.ms) return
  t.slowest = [...t.slowest, s].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST)
}

/** The most frequent codes, most frequent first, ties in code order. */
export function topCodes(t: Tally): [string, number][] {
  return [...t.codes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_CODES)
}

/**
 * The batch's exit code: 1 when any name has a problem (the rule of `check`), else 3 when
 * every name checked was undecided (indeterminate, or its check threw), else 2 when no line
 * of the list was a name at all, else 0.
 */
export function batchExitCode(t: Tally): number {
  if (t.problems > 0) return 1
  const n = checked(t)
  // No line of the list was a name (empty, comments only, or only bad lines): a script that
  // generated the list must not read this as success.
  if (n === 0 && t.resumed === 0 && t.duplicates === 0) return 2
  if (n > 0 && t.status.indeterminate + t.status.error === n) return 3
  return 0
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

/** "340 ms" below ten seconds, "12.5 s" above. */
export function formatMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** "3 bad lines", "1 duplicate"; empty for none. */
function plural(count: number, what: string): string {
  return count === 0 ? '' : `${count} ${what}${count === 1 ? '' : 's'}`
}

export function statusCounts(t: Tally): string {
  return STATUSES.filter((s) => s !== 'error' || t.status.error > 0)
    .map((s) => `${s} ${t.status[s]}`).join(', ')
}

/** The summary, as plain lines. */
export function renderSummary(t: Tally, opts: { elapsedMs: number; interrupted?: string }):
  string {
  const n = checked(t)
  const rate = opts.elapsedMs > 0 ? n / (opts.elapsedMs / 1000) : 0
  const skipped = [plural(t.badLines, 'bad line'), plural(t.duplicates, 'duplicate'),
    t.resumed === 0 ? '' : `${t.resumed} already done`].filter((s) => s !== '')
  const lines = [`checked ${plural(n, 'name') || '0 names'} in ${formatDuration(opts.elapsedMs)}`
    + ` (${rate.toFixed(1)}/s)${skipped.length === 0 ? '' : `; skipped ${skipped.join(', ')}`}`]
  if (opts.interrupted !== undefined) lines.push(opts.interrupted)
  lines.push(`status: ${statusCounts(t)}`)
  lines.push(`with a problem: ${t.problems}`)
  const codes = topCodes(t)
  if (codes.length > 0) {
    const width = Math.max(...codes.map(([c]) => c.length))
    lines.push('most frequent findings (names):')
    for (const [code, count] of codes) lines.push(`  ${code.padEnd(width)}  ${count}`)
  }
  if (t.slowest.length > 0) {
    lines.push('slowest:')
    for (const s of t.slowest) lines.push(`  ${formatMs(s.ms).padStart(8)}  ${s.name} ${s.type}`)
  }
  return `${lines.join('\n')}\n`
}
