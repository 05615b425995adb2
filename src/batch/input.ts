// The batch input: a list of names, one per line, read as a stream so that a list of a
// million names runs in bounded memory. Format (docs/batch.md):
//
//   example.com            # type A
//   www.example.com AAAA
//   # a comment line; blank lines are skipped too
//
// A name and a type are parsed as `check` parses them (nameFromText, parseRecordType).
import { StringDecoder } from 'node:string_decoder'
import type { Readable } from 'node:stream'
import { nameFromText, nameToText } from '../wire/name.js'
import type { Name } from '../wire/types.js'
import { typeToText } from '../wire/text.js'
import { parseRecordType, UsageError } from '../cli/input.js'
import { KeySet } from './keyset.js'

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
  readonly skip?: { has(key: string): boolean }
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
  if (body === TOO_LONG || body.length > MAX_LINE) {
    return { reason: `the line is longer than ${MAX_LINE} characters` }
  }
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
  // distinct names (16 bytes each at most: 16 MB for a million; keyset.ts). Without it a
  // repeated name would be checked again.
  const seen = new KeySet()
  let line = 0
  {
    for await (const raw of boundedLines(input, MAX_LINE)) {
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
      if (!seen.add(item.key)) {
        opts.onSkip?.(item, 'duplicate')
        continue
      }
      if (opts.skip?.has(item.key) === true) {
        opts.onSkip?.(item, 'done')
        continue
      }
      yield item
    }
  }
}

const MAX_RUN_WITHOUT_NEWLINE = 1 << 20

/** A line longer than the bound, cut: parseLine reports it, and its bytes were not kept. */
const TOO_LONG = '\u0000too long'

/**
 * The stream's lines, ended by LF, CRLF or a lone CR, holding at most `max` characters of any
 * one line: the rest of a longer line is skipped as it streams by, so /dev/zero or a binary
 * file cannot fill the memory (readline keeps a whole line before anyone can look at it).
 */
export async function* boundedLines(input: Readable, max: number): AsyncGenerator<string> {
  let current = ''
  let overlong = false
  let skipped = 0
  let lines = 0
  // The last text ended with a CR: an LF first in the next one completes that CRLF, which
  // is one line end however the stream was cut into chunks.
  let afterCR = false
  const take = (piece: string): void => {
    if (!overlong && current.length + piece.length <= max) {
      current += piece
      return
    }
    // `skipped` is the whole line's length so far, the part kept before it grew too long
    // included, so the limit below is the same however the stream was cut into chunks.
    skipped += overlong ? piece.length : current.length + piece.length
    overlong = true
    current = ''
    // No list of names has a megabyte without a line break: /dev/zero, a binary file.
    if (skipped > MAX_RUN_WITHOUT_NEWLINE) {
      throw new UsageError(`line ${lines + 1} of the list runs past ${
        MAX_RUN_WITHOUT_NEWLINE} characters: it is not a list of names (one per line)`)
    }
  }
  const finish = (): string => {
    lines++
    const line = overlong ? TOO_LONG : current
    current = ''
    overlong = false
    skipped = 0
    return line
  }
  for await (const text of decoded(input)) {
    // The decoder gives '' for a chunk that only began a character: nothing to decide yet.
    if (text === '') continue
    let from = afterCR && text.charCodeAt(0) === LF ? 1 : 0
    // The next LF and CR at or after `from` (-1: none left); indexOf keeps a list with LF
    // ends as fast as before lone CRs counted.
    let lf = text.indexOf('\n', from)
    let cr = text.indexOf('\r', from)
    while (lf >= 0 || cr >= 0) {
      const end = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr
      take(text.slice(from, end))
      from = end === cr && text.charCodeAt(cr + 1) === LF ? cr + 2 : end + 1
      yield finish()
      if (lf >= 0 && lf < from) lf = text.indexOf('\n', from)
      if (cr >= 0 && cr < from) cr = text.indexOf('\r', from)
    }
    take(text.slice(from))
    afterCR = text.charCodeAt(text.length - 1) === CR
  }
  if (current !== '' || overlong) yield finish()
}

const LF = 0x0a
const CR = 0x0d

/** The stream's text, the decoder's tail (a character cut short) last. */
async function* decoded(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8')
  for await (const chunk of input) {
    yield typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)
  }
  yield decoder.end()
}

/**
 * The number of lines that are neither blank nor comments: the most names the list can hold,
 * for the progress line's total. Reads the whole stream (a file, read a second time).
 */
export async function countListLines(input: Readable): Promise<number> {
  let n = 0
  for await (const raw of boundedLines(input, MAX_LINE)) {
    if (raw.replace(/(^|\s)#.*$/, '').trim() !== '') n++
  }
  return n
}
