// --resume: the names an earlier run already wrote to its JSON lines file are not checked
// again. The file is first cut back to its last whole line, since a run killed in the middle
// of a write may have left part of one, and the next line appended would be glued to it.
import { closeSync, createReadStream, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { nameFromZoneText } from '../wire/name.js'
import type { BadLine } from './input.js'
import { itemKey } from './input.js'
import { KeySet } from './keyset.js'
import { parseRecordType } from '../cli/input.js'

const NEWLINE = 0x0a
const CHUNK = 64 * 1024

/**
 * Cuts the file after its last newline; returns the number of bytes removed (0 when the file
 * ends with a newline, is empty, or does not exist).
 */
/** How every results line begins: a report (`check --json`, compact) or a check's error. */
const LINE_STARTS = ['{"schema":"dnssec-doctor/report/1"',
  '{"schema":"dnssec-doctor/batch-error/1"']

/** --out names a file that is not a batch results file. */
export class NotResultsError extends Error {
  override readonly name = 'NotResultsError'
}

export function dropPartialLine(path: string): number {
  let fd: number
  try {
    fd = openSync(path, 'r+')
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return 0
    throw e
  }
  try {
    const size = fstatSync(fd).size
    const buf = Buffer.alloc(CHUNK)
    // Read backwards a chunk at a time: only the tail is looked at, however big the file.
    let keep = 0
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - CHUNK)
      const n = readSync(fd, buf, 0, end - start, start)
      const at = buf.subarray(0, n).lastIndexOf(NEWLINE)
      if (at >= 0) {
        keep = start + at + 1
        break
      }
      end = start
    }
    if (keep === size) return 0
    // Only a report cut short is ours to cut: any other text means --out names a file that is
    // not a results file, and nothing of it may be destroyed.
    const longest = Math.max(...LINE_STARTS.map((l) => l.length))
    const head = Buffer.alloc(Math.min(longest, size - keep))
    readSync(fd, head, 0, head.length, keep)
    const text = head.toString('utf8')
    if (!LINE_STARTS.some((start) => start.startsWith(text) || text.startsWith(start))) {
      throw new NotResultsError(`${path} does not end with a dnssec-doctor report; it is not a `
        + 'results file of batch (nothing was changed)')
    }
    ftruncateSync(fd, keep)
    return size - keep
  } finally {
    closeSync(fd)
  }
}

/**
 * The keys (see itemKey) of the reports in a JSON lines file written by an earlier run. A line
 * that is not a report is passed to onBadLine and its name, if any, will be checked again.
 * A missing file holds no keys.
 */
export async function readDoneKeys(path: string, opts: { onBadLine?: (b: BadLine) => void } = {}):
  Promise<KeySet> {
  const keys = new KeySet()
  const stream = createReadStream(path)
  const missing = new Promise<boolean>((resolve) => {
    stream.once('error', (e) => { resolve('code' in e && e.code === 'ENOENT') })
    stream.once('open', () => { resolve(false) })
  })
  if (await missing) return keys
  let line = 0
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++
    if (text.trim() === '') continue
    const key = reportKey(text)
    if (typeof key === 'string') keys.add(key)
    else opts.onBadLine?.({ line, text: text.slice(0, 80), reason: key.reason })
  }
  return keys
}

function reportKey(text: string): string | { reason: string } {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { reason: 'not JSON (a line cut short?)' }
  }
  const query = typeof data === 'object' && data !== null && 'query' in data ? data.query : null
  if (typeof query !== 'object' || query === null || !('name' in query) || !('type' in query)
    || typeof query.name !== 'string' || typeof query.type !== 'string') {
    return { reason: 'not a dnssec-doctor report (no query name and type)' }
  }
  try {
    // A report's name is our presentation text (a ',' stays unescaped): read it leniently.
    return itemKey(nameFromZoneText(query.name), parseRecordType(query.type))
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}
