// The batch input: a list of names, one per line, read as a stream so that a list of a
// million names runs in bounded memory. Format (docs/batch.md):
//
//   example.com            # type A
//   www.example.com AAAA
//   # a comment line; blank lines are skipped too
//
// A name and a type are parsed as `check` parses them (nameFromText, parseRecordType).
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { nameFromText, nameToText } from '../wire/name.js'
import type { Name } from '../wire/types.js'
import { typeToText } from '../wire/text.js'
import { parseRecordType } from '../cli/input.js'

export interface BatchItem {
  /** 1-based line number in the input, for messages. */
  readonly line: number
  readonly name: Name
  readonly type: number
  /** The duplicate and resume key: see itemKey. */
  readonly key: string
}

export interface BadLine {
  readonly line: number
  readonly text: string
  readonly reason: string
}

export interface ReadOptions {
  /** Called for each line that is not a name and optional type; the line is skipped. */
  readonly onBadLine?: (bad: BadLine) => void
  /** Called for a repeated name and type (and for one in `skip`); the line is skipped. */
  readonly onSkip?: (item: BatchItem, why: 'duplicate' | 'done') => void
  /** Keys already checked (a resumed run): skipped without a check. */
  readonly skip?: ReadonlySet<string>
}

/** A line longer than this is not a name (255 octets, escaped as \DDD, plus a type). */
const MAX_LINE = 4 * 255 + 64

/**
 * The key two lines share when they ask the same question: the name in presentation form,
 * ASCII lower-cased (names compare case-insensitively, RFC 4343), and the type number.
 */
export function itemKey(name: Name, type: number): string {
  return `${nameToText(name).toLowerCase()} ${typeToText(type)}`
}

/**
 * Parses one input line: null for a blank or comment line, else the name and type, or the
 * reason the line is bad. A "#" at the start of a line or after white space starts a comment
 * (a "#" inside a name is not allowed unescaped anyway).
 */
export function parseLine(text: string): { name: Name; type: number } | { reason: string } | null {
  const body = text.replace(/(^|\s)#.*$/, '').trim()
  if (body === '') return null
  if (body.length > MAX_LINE) return { reason: `the line is longer than ${MAX_LINE} characters` }
  const words = body.split(/\s+/)
  if (words.length > 2) {
    return { reason: `expected a name and an optional type, found ${words.length} words` }
  }
  const [nameText = '', typeText = 'A'] = words
  try {
    return { name: nameFromText(nameText), type: parseRecordType(typeText) }
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}

/**
 * The questions of a list, in order, each (name, type) once. Lines are pulled from the stream
 * only as the consumer asks for items, so a slow consumer holds back the reading (readline's
 * async iterator pauses its input when it runs ahead).
 */
export async function* readBatchInput(input: Readable, opts: ReadOptions = {}):
  AsyncGenerator<BatchItem> {
  // The keys seen so far: the one part of the run that grows with the list, bounded by its
  // distinct names (about 100 bytes each: 100 MB for a million). Without it a repeated name
  // would be checked again.
  const seen = new Set<string>()
  const lines = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  try {
    for await (const raw of lines) {
      line++
      // A byte order mark, as some editors write, is not part of the first name.
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw
      const parsed = parseLine(text)
      if (parsed === null) continue
      if ('reason' in parsed) {
        opts.onBadLine?.({ line, text, reason: parsed.reason })
        continue
      }
      const item = { line, ...parsed, key: itemKey(parsed.name, parsed.type) }
      if (seen.has(item.key)) {
        opts.onSkip?.(item, 'duplicate')
        continue
      }
      seen.add(item.key)
      if (opts.skip?.has(item.key) === true) {
        opts.onSkip?.(item, 'done')
        continue
      }
      yield item
    }
  } finally {
    lines.close()
  }
}

/**
 * The number of lines that are neither blank nor comments: the most names the list can hold,
 * for the progress line's total. Reads the whole stream (a file, read a second time).
 */
export async function countListLines(input: Readable): Promise<number> {
  let n = 0
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    if (raw.replace(/(^|\s)#.*$/, '').trim() !== '') n++
  }
  return n
}
