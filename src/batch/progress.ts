// Progress on stderr while a batch runs: on a terminal one line redrawn in place, elsewhere
// (a log file, a CI job) a plain line now and then, so a log is not flooded.
import type { Tally } from './summary.js'
import { checked, formatDuration, statusCounts } from './summary.js'

/** Without a terminal: a line at most this often, or after this many names. */
export const LOG_EVERY_MS = 10_000
export const LOG_EVERY_NAMES = 1000
/** On a terminal: redraw at most this often. */
export const TTY_EVERY_MS = 250

/**
 * "1200/5000 names, 40.0/s, ETA 1m35s; secure 900, insecure 250, ...": done out of the total
 * when it is known (else done alone), the average rate, and the time left at that rate.
 */
export function progressLine(t: Tally, opts: { total: number | null; elapsedMs: number }):
  string {
  const done = checked(t)
  const rate = opts.elapsedMs > 0 ? done / (opts.elapsedMs / 1000) : 0
  const parts = [`${opts.total === null ? done : `${done}/${opts.total}`} names`,
    `${rate.toFixed(1)}/s`]
  if (opts.total !== null && rate > 0) {
    parts.push(`ETA ${formatDuration(Math.max(0, opts.total - done) / rate * 1000)}`)
  }
  return `${parts.join(', ')}; ${statusCounts(t)}`
}

export interface ProgressOptions {
  readonly write: (s: string) => void
  /** A terminal: redraw one line in place. */
  readonly tty: boolean
  readonly now?: () => number
}

export class Progress {
  private readonly now: () => number
  private readonly started: number
  private lastAt: number
  private lastDone = 0
  /** The line now on the terminal, to be cleared before other output. */
  private shown = false

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? (() => Date.now())
    this.started = this.now()
    this.lastAt = this.started
  }

  /** After each result and on a timer: prints when it is time to. */
  update(t: Tally, total: number | null, force = false): void {
    const at = this.now()
    const done = checked(t)
    const due = this.opts.tty ? at - this.lastAt >= TTY_EVERY_MS
      : at - this.lastAt >= LOG_EVERY_MS || done - this.lastDone >= LOG_EVERY_NAMES
    if (!due && !force) return
    this.lastAt = at
    this.lastDone = done
    const line = progressLine(t, { total, elapsedMs: at - this.started })
    if (this.opts.tty) {
      // \r and "erase to end of line" (ECMA-48 EL): the new line replaces the old in place.
      this.opts.write(`\r${line}\u001b[K`)
      this.shown = true
    } else {
      this.opts.write(`progress: ${line}\n`)
    }
  }

  /** A message (a bad line) on its own line, without mixing it into the progress line. */
  note(text: string): void {
    this.clear()
    this.opts.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** Removes the progress line before the summary. */
  clear(): void {
    if (!this.shown) return
    this.opts.write('\r\u001b[K')
    this.shown = false
  }
}
