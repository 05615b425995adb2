// The batch input rules: one name per line with an optional type, blank lines and # comments
// skipped, bad lines reported with their number and skipped, each (name, type) checked once,
// and the list read only as fast as names are taken.
// Type numbers are IANA's: A 1 (RFC 1035 3.2.2), MX 15 (RFC 1035 3.2.2), AAAA 28 (RFC 3596
// 2.1). The A-label of "bücher" is Python's idna codec's ('bücher.example'.encode('idna')).
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { BadLine, BatchItem } from '../../../src/batch/input.js'
import { countListLines, parseLine, readBatchInput } from '../../../src/batch/input.js'
import { nameToText } from '../../../src/wire/name.js'

async function readAll(text: string, opts: Parameters<typeof readBatchInput>[1] = {}):
  Promise<BatchItem[]> {
  const items: BatchItem[] = []
  for await (const item of readBatchInput(Readable.from([text]), opts)) items.push(item)
  return items
}

const show = (items: readonly BatchItem[]): string[] =>
  items.map((i) => `${i.line} ${nameToText(i.name)} ${i.type}`)

describe('parseLine', () => {
  it('takes a name alone as a question for its A records', () => {
    const p = parseLine('example.com')
    expect(p !== null && 'name' in p ? [nameToText(p.name), p.type] : p)
      .toEqual(['example.com.', 1])
  })

  it('takes a type after white space, in any case', () => {
    const p = parseLine('  www.example.com \t aaaa  ')
    expect(p !== null && 'name' in p ? [nameToText(p.name), p.type] : p)
      .toEqual(['www.example.com.', 28])
  })

  it.each([[''], ['   '], ['# a comment'], ['   # indented comment'], ['\t']])(
    'skips the blank or comment line %j', (line) => {
      expect(parseLine(line)).toBeNull()
    })

  it('drops a comment after the name and type', () => {
    const p = parseLine('example.com MX # mail')
    expect(p !== null && 'name' in p ? [nameToText(p.name), p.type] : p)
      .toEqual(['example.com.', 15])
  })

  it.each([
    ['an empty label', 'a..example', /empty label/],
    ['an unknown type', 'example.com NOTATYPE', /not a record type/],
    ['a meta type (RFC 8482 ANY)', 'example.com ANY', /meta-type/],
    ['a zone transfer type', 'example.com AXFR', /meta-type/],
    ['three words', 'example.com A extra', /found 3 words/],
    ['a comma-separated line', 'example.com,A', /name/],
    ['a line far longer than a name', `${'a'.repeat(2000)}.example`, /longer than/],
  ])('gives a reason for %s', (_what, line, reason) => {
    const p = parseLine(line)
    expect(p !== null && 'reason' in p ? p.reason : p).toMatch(reason)
  })
})

describe('readBatchInput', () => {
  it('reports bad lines with their line number and goes on with the rest', async () => {
    const bad: BadLine[] = []
    const items = await readAll('one.example\n\n# c\nbad..name\ntwo.example TXT\n'
      + 'three.example BOGUS\nfour.example\n', { onBadLine: (b) => { bad.push(b) } })
    expect(show(items)).toEqual(['1 one.example. 1', '5 two.example. 16', '7 four.example. 1'])
    expect(bad.map((b) => [b.line, b.text])).toEqual([[4, 'bad..name'],
      [6, 'three.example BOGUS']])
  })

  it('checks a name and type once, whatever their case and trailing dot', async () => {
    const dups: number[] = []
    const items = await readAll('WWW.Example.COM\nwww.example.com.\nwww.example.com aaaa\n'
      + 'www.example.com AAAA\nwww.example.com a\n', {
      onSkip: (i, why) => { if (why === 'duplicate') dups.push(i.line) } })
    expect(show(items)).toEqual(['1 WWW.Example.COM. 1', '3 www.example.com. 28'])
    expect(dups).toEqual([2, 4, 5])
  })

  it('takes an internationalised name and its A-label as the same name', async () => {
    const items = await readAll('bücher.example\nxn--bcher-kva.example\n')
    expect(show(items)).toEqual(['1 xn--bcher-kva.example. 1'])
  })

  it('reads CRLF line ends and a byte order mark', async () => {
    const items = await readAll('\uFEFFone.example\r\ntwo.example MX\r\n')
    expect(show(items)).toEqual(['1 one.example. 1', '2 two.example. 15'])
  })

  it('skips what the skip set holds, reporting it as done', async () => {
    const done: number[] = []
    const first = await readAll('a.example\nb.example\n')
    const items = await readAll('A.EXAMPLE.\nb.example MX\nc.example\n', {
      skip: new Set(first.map((i) => i.key)),
      onSkip: (i, why) => { if (why === 'done') done.push(i.line) } })
    expect(show(items)).toEqual(['2 b.example. 15', '3 c.example. 1'])
    expect(done).toEqual([1])
  })

  it('reads the list only as far as the consumer has taken names', async () => {
    // Two million lines on demand; if the reader ran ahead it would produce them all.
    let produced = 0
    const source = new Readable({
      read() {
        if (produced >= 2_000_000) { this.push(null); return }
        const lines: string[] = []
        for (let i = 0; i < 1000; i++) lines.push(`n${produced++}.example`)
        this.push(`${lines.join('\n')}\n`)
      },
    })
    let taken = 0
    for await (const _item of readBatchInput(source)) {
      if (++taken % 10 === 0) await new Promise((r) => setTimeout(r, 1))
      if (taken === 300) break
    }
    expect(taken).toBe(300)
    expect(produced).toBeLessThan(100_000)
  })
})

describe('countListLines', () => {
  it('counts the lines that are neither blank nor comments', async () => {
    expect(await countListLines(Readable.from(['a.example\n\n# x\n  b.example MX # y\n  #\n'
      + 'c..bad\n']))).toBe(3)
  })
})
