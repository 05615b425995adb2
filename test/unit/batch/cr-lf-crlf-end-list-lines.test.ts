// A list's lines end at LF, CRLF or a CR alone (old Mac files), as Python's universal newlines
// read them: the reference below is python3's io.TextIOWrapper(newline=None). A CRLF is one
// line end even when the stream is cut between its CR and its LF, line numbers count those
// ends, and a run of a megabyte with none of them is still refused.
import { execFileSync } from 'node:child_process'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { BadLine } from '../../../src/batch/input.js'
import { boundedLines, countListLines, readBatchInput } from '../../../src/batch/input.js'
import { nameToText } from '../../../src/wire/name.js'

/** The lines python3 reads from these bytes in universal newlines mode. */
function pythonLines(bytes: Buffer): string[] {
  const out = execFileSync('python3', ['-c', 'import io, json, sys\n'
    + 'f = io.TextIOWrapper(io.BytesIO(sys.stdin.buffer.read()), encoding="utf-8", '
    + 'newline=None)\n'
    + 'print(json.dumps([l[:-1] if l.endswith("\\n") else l for l in f]))'],
  { input: bytes, encoding: 'utf8' })
  return JSON.parse(out) as string[]
}

async function lines(chunks: readonly (string | Buffer)[]): Promise<string[]> {
  const got: string[] = []
  for await (const l of boundedLines(Readable.from(chunks), 1000)) got.push(l)
  return got
}

async function read(chunks: readonly (string | Buffer)[]):
  Promise<{ items: string[]; bad: number[] }> {
  const items: string[] = []
  const bad: number[] = []
  const opts = { onBadLine: (b: BadLine) => { bad.push(b.line) } }
  for await (const i of readBatchInput(Readable.from(chunks), opts)) {
    items.push(`${i.line} ${nameToText(i.name)}`)
  }
  return { items, bad }
}

describe('list line ends', () => {
  it('reads a list with CR-only line ends as one name per line', async () => {
    const text = 'a.test\rb.test\r'
    expect(pythonLines(Buffer.from(text))).toEqual(['a.test', 'b.test'])
    expect(await read([text])).toEqual({ items: ['1 a.test.', '2 b.test.'], bad: [] })
  })

  it('numbers the lines of a list that mixes LF, CRLF and CR as python3 does', async () => {
    const text = 'a.test\r\nb.test\rbad..one\nc.test\r\r\n\rbad..two\r\n\nd.test MX'
    const want = pythonLines(Buffer.from(text))
    const at = (s: string): number => want.indexOf(s) + 1
    expect(await lines([text])).toEqual(want)
    expect(await read([text])).toEqual({
      items: [`${at('a.test')} a.test.`, `${at('b.test')} b.test.`, `${at('c.test')} c.test.`,
        `${at('d.test MX')} d.test.`],
      bad: [at('bad..one'), at('bad..two')],
    })
  })

  it('takes a CRLF cut between two chunks as one line end', async () => {
    // Without the CR held over, the LF would end an empty line and shift every number after.
    expect(await read(['a.test\r', '\nbad..name\r', '\nc.test\r', '\n']))
      .toEqual({ items: ['1 a.test.', '3 c.test.'], bad: [2] })
    // A chunk that only begins a character (the decoder gives nothing) between CR and LF.
    const bytes = Buffer.from('a.test\r\n\u00fc.test\n')
    const lf = bytes.indexOf(0x0a)
    expect(await lines([bytes.subarray(0, lf), bytes.subarray(lf, lf + 1),
      bytes.subarray(lf + 1, lf + 2), bytes.subarray(lf + 2)]))
      .toEqual(pythonLines(bytes))
  })

  it('reads the same lines however the bytes are cut into chunks', async () => {
    const bytes = Buffer.from('\u00fc.test\r\r\nb\u00fc\rc\n\r\nd\r')
    const want = pythonLines(bytes)
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]
        expect([i, j, await lines(chunks)]).toEqual([i, j, want])
      }
    }
  })

  it('counts the names of a CR-only list for the progress line', async () => {
    expect(await countListLines(Readable.from(['a.test\r\r# c\rb.test MX # d\r  \r'])))
      .toBe(2)
  })

  it('still refuses a megabyte without a line end, naming its line', async () => {
    // In the 64 KiB chunks a file stream gives.
    const run = Array.from({ length: 18 }, () => 'x'.repeat(1 << 16))
    await expect(read(['a.test\rb.test\r', ...run]))
      .rejects.toThrow(/^line 3 of the list runs past 1048576 characters/)
    // CR-ended lines are line ends: two megabytes of them are a list, not one long line.
    const many = 'n.test\r'.repeat(300_000)
    expect(await countListLines(Readable.from([many]))).toBe(300_000)
  })
})
