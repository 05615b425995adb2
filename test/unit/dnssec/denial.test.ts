// Denial-of-existence proofs against two kinds of fixtures (test/fixtures/denial/README.md):
// RFC 5155 Appendix B responses rebuilt from the RFC text, and real NSD responses for zones
// signed by dnssec-signzone. Each success case is then broken the way the RFCs forbid.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  proveNoDs, proveNodata, proveNxdomain, proveWildcardAnswer, type DenialResult,
} from '../../../src/dnssec/denial.js'
import { nameFromText, nameToText } from '../../../src/wire/name.js'
import { rrFromText, typeFromText } from '../../../src/wire/text.js'
import {
  RRType, type NSEC3Data, type NSECData, type Name, type RR,
} from '../../../src/wire/types.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/denial')

interface Fixture {
  readonly name: Name
  readonly type: number
  readonly zone: Name
  readonly rcode: string
  readonly answer: readonly RR[]
  readonly authority: readonly RR[]
}

/** Reads a fixture: "; key: value" header lines, then records under "; section: x". */
function load(path: string): Fixture {
  const header = new Map<string, string>()
  const sections: Record<string, RR[]> = { answer: [], authority: [] }
  let section: RR[] | null = null
  for (const line of readFileSync(join(FIXTURES, path), 'utf8').split('\n')) {
    const meta = /^; ([a-z]+): (.*)$/.exec(line)
    if (meta !== null) {
      const [, key = '', value = ''] = meta
      if (key === 'section') section = sections[value] ?? null
      else header.set(key, value)
      continue
    }
    if (line.trim() === '' || line.startsWith(';')) continue
    if (section === null) throw new Error(`${path}: record outside a section: ${line}`)
    section.push(rrFromText(line))
  }
  const [qname = '', qtype = ''] = (header.get('query') ?? '').split(' ')
  const type = typeFromText(qtype)
  if (type === null) throw new Error(`${path}: no query type`)
  return {
    name: nameFromText(qname), type, zone: nameFromText(header.get('zone') ?? ''),
    rcode: header.get('rcode') ?? '', answer: sections.answer ?? [],
    authority: sections.authority ?? [],
  }
}

const n = nameFromText

function nsec3Of(rr: RR): NSEC3Data {
  if (rr.data.kind !== 'NSEC3') throw new Error('not an NSEC3 record')
  return rr.data
}

function nsecOf(rr: RR): NSECData {
  if (rr.data.kind !== 'NSEC') throw new Error('not an NSEC record')
  return rr.data
}

/** The record whose owner starts with `label`. */
function byOwner(records: readonly RR[], label: string, type: number = RRType.NSEC3): RR {
  const found = records.find((rr) => rr.type === type &&
    nameToText(rr.name).toLowerCase().startsWith(`${label.toLowerCase()}.`))
  if (found === undefined) throw new Error(`no record owned by ${label}`)
  return found
}

function without(records: readonly RR[], drop: RR): RR[] {
  return records.filter((rr) => rr !== drop)
}

function replace(records: readonly RR[], old: RR, next: RR): RR[] {
  return records.map((rr) => (rr === old ? next : rr))
}

function withNsec3(rr: RR, patch: Partial<NSEC3Data>): RR {
  return { ...rr, data: { ...nsec3Of(rr), ...patch } }
}

function withNsec(rr: RR, patch: Partial<NSECData>): RR {
  return { ...rr, data: { ...nsecOf(rr), ...patch } }
}

function ok(result: DenialResult) {
  if (!result.ok) throw new Error(`expected a proof, got ${result.reason}: ${result.detail}`)
  return result
}

function reason(result: DenialResult): string {
  return result.ok ? `ok (${result.proof})` : result.reason
}

function texts(names: readonly RR[]): string[] {
  return names.map((rr) => nameToText(rr.name).toLowerCase())
}

function rrsigLabels(answer: readonly RR[]): number {
  const sig = answer.find((rr) => rr.data.kind === 'RRSIG')
  if (sig === undefined || sig.data.kind !== 'RRSIG') throw new Error('no RRSIG in answer')
  return sig.data.labels
}

// --------------------------------------------------------------------------------------
// RFC 5155 Appendix B: what each record matches or covers is stated in the RFC's comments.

describe('RFC 5155 B.1 name error', () => {
  const fx = load('rfc5155/b1-name-error.txt')
  const query = { name: fx.name, zone: fx.zone }
  const nextCloserCover = byOwner(fx.authority, '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom')
  const encloserMatch = byOwner(fx.authority, 'b4um86eghhds6nea196smvmlo4ors995')
  const wildcardCover = byOwner(fx.authority, '35mthgpgcu1qg68fab165klnsnk3dpvl')

  it('proveNxdomain() accepts the three NSEC3 records of B.1', () => {
    const result = ok(proveNxdomain(query, fx.authority))
    expect(result.proof).toBe('nxdomain')
    expect(result.mechanism).toBe('nsec3')
    expect(nameToText(result.closestEncloser ?? [])).toBe('x.w.example.')
    expect(nameToText(result.nextCloser ?? [])).toBe('c.x.w.example.')
    expect(nameToText(result.wildcard ?? [])).toBe('*.x.w.example.')
    expect(result.usedRecords).toHaveLength(3)
    expect(result.usedRecords).toEqual(
      expect.arrayContaining([nextCloserCover, encloserMatch, wildcardCover]))
    // Appendix A signs every NSEC3 with Opt-Out (flags 1): RFC 5155 9.2 withholds AD.
    expect(result.optOut).toBe(true)
  })

  it('proveNxdomain() hashes each name once: qname, next closer, encloser, wildcard', () => {
    expect(ok(proveNxdomain(query, fx.authority)).hashesComputed).toBe(4)
  })

  it('proveNxdomain() fails wildcard-not-denied without the record covering *.x.w.example', () => {
    expect(reason(proveNxdomain(query, without(fx.authority, wildcardCover))))
      .toBe('wildcard-not-denied')
  })

  it('proveNxdomain() fails wildcard-not-denied when a non-covering record is swapped in', () => {
    // ai.example's NSEC3 (gjeqe526... -> ji6neoae...) does not cover 92pqneeg...
    const ai = rrFromText('gjeqe526plbf1g8mklp59enfd789njgi.example. 3600 IN NSEC3 1 1 12 ' +
      'aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG')
    expect(reason(proveNxdomain(query, replace(fx.authority, wildcardCover, ai))))
      .toBe('wildcard-not-denied')
  })

  it('proveNxdomain() fails not-covered without the record covering the next closer name', () => {
    const result = proveNxdomain(query, without(fx.authority, nextCloserCover))
    expect(reason(result)).toBe('not-covered')
    expect(result.ok ? '' : result.detail).toContain('0va5bpr2ou0vk0lbqeeljri88laipsfh')
  })

  it('proveNxdomain() fails without the record matching the closest encloser', () => {
    // example's own NSEC3 then matches an ancestor whose child w.example is not covered.
    expect(reason(proveNxdomain(query, without(fx.authority, encloserMatch))))
      .toBe('not-covered')
  })

  it('proveNxdomain() fails name-exists for x.w.example, which B.1 shows matched', () => {
    expect(reason(proveNxdomain({ name: n('x.w.example'), zone: fx.zone }, fx.authority)))
      .toBe('name-exists')
  })

  it('proveNxdomain() fails wildcard-not-denied when the wildcard itself is matched', () => {
    // B.5's records: w.example matched, z.w.example covered, *.w.example matched, so
    // z.w.example should have been answered from the wildcard.
    const b5 = load('rfc5155/b5-wildcard-no-data.txt')
    const result = proveNxdomain({ name: n('z.w.example'), zone: fx.zone }, b5.authority)
    expect(reason(result)).toBe('wildcard-not-denied')
    expect(result.ok ? '' : result.detail).toContain('*.w.example.')
  })

  it('proveNxdomain() fails params-differ when one record has another salt', () => {
    const salted = withNsec3(wildcardCover, { salt: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xde) })
    expect(reason(proveNxdomain(query, replace(fx.authority, wildcardCover, salted))))
      .toBe('params-differ')
  })

  it('proveNxdomain() fails params-differ when one record has other iterations', () => {
    const other = withNsec3(wildcardCover, { iterations: 13 })
    expect(reason(proveNxdomain(query, replace(fx.authority, wildcardCover, other))))
      .toBe('params-differ')
  })

  it('proveNxdomain() fails iterations-too-high above 150 without hashing anything', () => {
    const heavy = fx.authority.map((rr) => rr.type === RRType.NSEC3
      ? withNsec3(rr, { iterations: 151 }) : rr)
    const result = proveNxdomain(query, heavy)
    expect(reason(result)).toBe('iterations-too-high')
    expect(result.hashesComputed).toBe(0)
  })

  it('proveNxdomain() honours a lower iterationsInsecureAbove option', () => {
    expect(reason(proveNxdomain(query, fx.authority, { iterationsInsecureAbove: 11 })))
      .toBe('iterations-too-high')
  })

  it('proveNxdomain() fails unknown-hash-algorithm when no record uses SHA-1', () => {
    const sha2 = fx.authority.map((rr) => rr.type === RRType.NSEC3
      ? withNsec3(rr, { hashAlgorithm: 2 }) : rr)
    expect(reason(proveNxdomain(query, sha2))).toBe('unknown-hash-algorithm')
  })

  it('proveNxdomain() ignores an extra record with an unknown hash algorithm', () => {
    const extra = withNsec3(wildcardCover, { hashAlgorithm: 2, iterations: 99 })
    expect(reason(proveNxdomain(query, [...fx.authority, extra]))).toBe('ok (nxdomain)')
  })

  it('proveNxdomain() ignores a record with flags other than 0 or 1 (RFC 5155 8.2)', () => {
    const flagged = withNsec3(wildcardCover, { flags: 2 })
    expect(reason(proveNxdomain(query, replace(fx.authority, wildcardCover, flagged))))
      .toBe('wildcard-not-denied')
  })

  it('proveNxdomain() fails budget-exceeded when the proof needs more hashes', () => {
    const result = proveNxdomain(query, fx.authority, { hashBudget: 3 })
    expect(reason(result)).toBe('budget-exceeded')
    expect(result.hashesComputed).toBe(3)
  })

  it('proveNxdomain() stops at the default budget for a name 70 labels deep', () => {
    const deep = n(`${Array.from({ length: 66 }, () => 'a').join('.')}.c.x.w.example`)
    const result = proveNxdomain({ name: deep, zone: fx.zone }, fx.authority)
    expect(reason(result)).toBe('budget-exceeded')
    expect(result.hashesComputed).toBe(64)
  })

  it('proveNxdomain() fails no-records when only the SOA is given', () => {
    expect(reason(proveNxdomain(query, fx.authority.filter((rr) => rr.type === RRType.SOA))))
      .toBe('no-records')
  })

  it('proveNxdomain() fails outside-zone for a name not below the zone', () => {
    expect(reason(proveNxdomain({ name: n('a.example.org'), zone: fx.zone }, fx.authority)))
      .toBe('outside-zone')
  })

  it('proveNxdomain() ignores NSEC3 records whose owner is not directly below the zone', () => {
    const moved = fx.authority.map((rr) => rr.type === RRType.NSEC3
      ? { ...rr, name: [...rr.name.slice(0, 1), ...n('sub.example')] } : rr)
    expect(reason(proveNxdomain(query, moved))).toBe('no-records')
  })
})

describe('RFC 5155 B.2 no data', () => {
  const fx = load('rfc5155/b2-no-data.txt')
  const match = byOwner(fx.authority, '2t7b4g4vsa5smi47k61mv5bv1a22bojr')

  it('proveNodata() accepts the NSEC3 matching ns1.example without MX', () => {
    const result = ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority))
    expect(result.proof).toBe('nodata')
    expect(result.usedRecords).toEqual([match])
    expect(result.optOut).toBe(false)
  })

  it('proveNodata() fails type-in-bitmap for A, which the record lists', () => {
    expect(reason(proveNodata({ name: fx.name, type: RRType.A, zone: fx.zone }, fx.authority)))
      .toBe('type-in-bitmap')
  })

  it('proveNodata() fails type-in-bitmap when MX is added to the bitmap', () => {
    const withMx = withNsec3(match, { types: [RRType.A, RRType.MX, RRType.RRSIG] })
    const result = proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, [withMx])
    expect(reason(result)).toBe('type-in-bitmap')
  })

  it('proveNodata() fails type-in-bitmap when CNAME is in the bitmap (RFC 6840 4.3)', () => {
    const withCname = withNsec3(match, { types: [RRType.CNAME, RRType.RRSIG] })
    const result = proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, [withCname])
    expect(reason(result)).toBe('type-in-bitmap')
  })

  it('proveNodata() fails without a matching record for ns1.example', () => {
    const result = proveNodata({ name: fx.name, type: fx.type, zone: fx.zone },
      without(fx.authority, match))
    expect(result.ok).toBe(false)
  })
})

describe('RFC 5155 B.2.1 no data, empty non-terminal', () => {
  const fx = load('rfc5155/b21-no-data-ent.txt')

  it('proveNodata() accepts the empty-bitmap NSEC3 matching y.w.example', () => {
    const result = ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority))
    expect(result.proof).toBe('nodata')
    expect(texts(result.usedRecords)).toEqual(['ji6neoaepv8b5o6k4ev33abha8ht9fgc.example.'])
  })

  it('proveNodata() fails type-in-bitmap when A is added to the empty bitmap', () => {
    const match = byOwner(fx.authority, 'ji6neoaepv8b5o6k4ev33abha8ht9fgc')
    const records = replace(fx.authority, match, withNsec3(match, { types: [RRType.A] }))
    expect(reason(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, records)))
      .toBe('type-in-bitmap')
  })
})

describe('RFC 5155 B.3 referral to an Opt-Out unsigned zone', () => {
  const fx = load('rfc5155/b3-referral-opt-out.txt')
  const child = n('c.example')
  const cover = byOwner(fx.authority, '35mthgpgcu1qg68fab165klnsnk3dpvl')

  it('proveNoDs() accepts the Opt-Out NSEC3 covering c.example', () => {
    const result = ok(proveNoDs({ child, parent: fx.zone }, fx.authority))
    expect(result.proof).toBe('opt-out')
    expect(result.optOut).toBe(true)
    expect(nameToText(result.closestEncloser ?? [])).toBe('example.')
    expect(nameToText(result.nextCloser ?? [])).toBe('c.example.')
    expect(result.usedRecords).toHaveLength(2)
  })

  it('proveNodata() for DS at c.example gives the same Opt-Out proof (RFC 5155 8.6)', () => {
    const result = ok(proveNodata({ name: child, type: RRType.DS, zone: fx.zone }, fx.authority))
    expect(result.proof).toBe('opt-out')
  })

  it('proveNoDs() fails opt-out-not-set when the covering record lacks Opt-Out', () => {
    const records = replace(fx.authority, cover, withNsec3(cover, { flags: 0 }))
    expect(reason(proveNoDs({ child, parent: fx.zone }, records))).toBe('opt-out-not-set')
  })

  it('proveNoDs() fails closest-encloser-missing without the apex record', () => {
    const apex = byOwner(fx.authority, '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom')
    expect(reason(proveNoDs({ child, parent: fx.zone }, without(fx.authority, apex))))
      .toBe('closest-encloser-missing')
  })

  it('proveNoDs() fails type-in-bitmap for a.example, whose matching record lists DS', () => {
    // 35mthgpg... is H(a.example): NS DS RRSIG, a signed delegation.
    expect(reason(proveNoDs({ child: n('a.example'), parent: fx.zone }, fx.authority)))
      .toBe('type-in-bitmap')
  })

  it('proveNoDs() fails not-a-delegation when the matching record has no NS', () => {
    const noNs = withNsec3(cover, { types: [RRType.RRSIG] })
    expect(reason(proveNoDs({ child: n('a.example'), parent: fx.zone }, [noNs])))
      .toBe('not-a-delegation')
  })
})

describe('RFC 5155 B.4 wildcard expansion', () => {
  const fx = load('rfc5155/b4-wildcard-expansion.txt')
  const labels = rrsigLabels(fx.answer)

  it('proveWildcardAnswer() accepts the NSEC3 covering next closer z.w.example', () => {
    expect(labels).toBe(2)
    const result = ok(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels },
      fx.authority))
    expect(result.proof).toBe('wildcard-answer')
    expect(nameToText(result.nextCloser ?? [])).toBe('z.w.example.')
    expect(nameToText(result.wildcard ?? [])).toBe('*.w.example.')
    expect(result.hashesComputed).toBe(1)
  })

  it('proveWildcardAnswer() fails no-records without the covering record', () => {
    const cover = byOwner(fx.authority, 'q04jkcevqvmu85r014c7dkba38o0ji5r')
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels },
      without(fx.authority, cover)))).toBe('no-records')
  })

  it('proveWildcardAnswer() fails not-covered when a non-covering record is swapped in', () => {
    const cover = byOwner(fx.authority, 'q04jkcevqvmu85r014c7dkba38o0ji5r')
    const other = rrFromText('r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. 3600 IN NSEC3 1 1 12 ' +
      'aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG')
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels },
      replace(fx.authority, cover, other)))).toBe('not-covered')
  })

  it('proveWildcardAnswer() fails closer-match-exists when the next closer is matched', () => {
    // With labels 1 the next closer is w.example, which k8udemvp... matches.
    const w = rrFromText('k8udemvp1j2f7eg6jebps17vp3n8i58h.example. 3600 IN NSEC3 1 1 12 ' +
      'aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi')
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels: 1 },
      [...fx.authority, w]))).toBe('closer-match-exists')
  })

  it('proveWildcardAnswer() fails labels-mismatch when labels do not fit the name', () => {
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels: 4 },
      fx.authority))).toBe('labels-mismatch')
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels: 0 },
      fx.authority))).toBe('labels-mismatch')
  })
})

describe('RFC 5155 B.5 wildcard no data', () => {
  const fx = load('rfc5155/b5-wildcard-no-data.txt')
  const query = { name: fx.name, type: fx.type, zone: fx.zone }
  const wildcardMatch = byOwner(fx.authority, 'r53bq7cc2uvmubfu5ocmm6pers9tk9en')

  it('proveNodata() accepts the wildcard NODATA of B.5', () => {
    const result = ok(proveNodata(query, fx.authority))
    expect(result.proof).toBe('wildcard-nodata')
    expect(nameToText(result.closestEncloser ?? [])).toBe('w.example.')
    expect(nameToText(result.nextCloser ?? [])).toBe('z.w.example.')
    expect(nameToText(result.wildcard ?? [])).toBe('*.w.example.')
    expect(result.usedRecords).toHaveLength(3)
    // a.z.w.example, z.w.example, w.example, *.w.example: the query name hashed once.
    expect(result.hashesComputed).toBe(4)
  })

  it('proveNodata() fails type-in-bitmap for MX, which the wildcard holds', () => {
    expect(reason(proveNodata({ ...query, type: RRType.MX }, fx.authority)))
      .toBe('type-in-bitmap')
  })

  it('proveNodata() falls back to the Opt-Out proof without the wildcard record', () => {
    // The record covering z.w.example has Opt-Out, so an unsigned name may hide there
    // (RFC 5155 8.5 as corrected by erratum 3441).
    const result = ok(proveNodata(query, without(fx.authority, wildcardMatch)))
    expect(result.proof).toBe('opt-out')
    expect(result.optOut).toBe(true)
  })

  it('proveNodata() fails not-matched without the wildcard record and without Opt-Out', () => {
    const records = without(fx.authority, wildcardMatch).map((rr) => rr.type === RRType.NSEC3
      ? withNsec3(rr, { flags: 0 }) : rr)
    expect(reason(proveNodata(query, records))).toBe('not-matched')
  })
})

// --------------------------------------------------------------------------------------
// Real responses: NSD 4.6.1 serving zones signed by dnssec-signzone 9.18 (see README).

describe('NSEC responses from NSD', () => {
  const get = (f: string) => load(`nsd/nsec-${f}.txt`)

  it('proveNxdomain() accepts NSD\'s NXDOMAIN for nope.nsec.test', () => {
    const fx = get('nxdomain')
    expect(fx.rcode).toBe('NXDOMAIN')
    const result = ok(proveNxdomain({ name: fx.name, zone: fx.zone }, fx.authority))
    expect(result.mechanism).toBe('nsec')
    expect(nameToText(result.closestEncloser ?? [])).toBe('nsec.test.')
    // dname.nsec.test. -> ns1.nsec.test. covers nope; the DNAME does not matter, as nope is
    // not below dname. The apex NSEC covers *.nsec.test.
    expect(texts(result.usedRecords)).toEqual(['dname.nsec.test.', 'nsec.test.'])
  })

  it('proveNxdomain() accepts NSD\'s NXDOMAIN for a.b.nope.nsec.test', () => {
    const fx = get('nxdomain-deep')
    ok(proveNxdomain({ name: fx.name, zone: fx.zone }, fx.authority))
  })

  it('proveNodata() accepts NSD\'s NODATA for a.nsec.test MX and CNAME', () => {
    for (const f of ['nodata', 'nodata-cname']) {
      const fx = get(f)
      expect(ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority))
        .proof).toBe('nodata')
    }
  })

  it('proveNodata() accepts NSD\'s NODATA for the empty non-terminal c.nsec.test', () => {
    const fx = get('ent-nodata')
    const result = ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone },
      fx.authority))
    expect(result.proof).toBe('nodata')
    expect(texts(result.usedRecords)).toEqual(['a.nsec.test.'])
  })

  it('proveNoDs() accepts NSD\'s referral to the unsigned sub.nsec.test', () => {
    const fx = get('referral-insecure')
    const result = ok(proveNoDs({ child: n('sub.nsec.test'), parent: fx.zone },
      fx.authority))
    expect(result.proof).toBe('no-ds')
  })

  it('proveNodata() accepts NSD\'s DS NODATA for sub.nsec.test from the parent', () => {
    const fx = get('ds-nodata-insecure')
    expect(fx.type).toBe(RRType.DS)
    ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority))
  })

  it('proveWildcardAnswer() accepts NSD\'s expansion of *.w.nsec.test', () => {
    const fx = get('wildcard-answer')
    const labels = rrsigLabels(fx.answer)
    expect(labels).toBe(3)
    const result = ok(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels },
      fx.authority))
    expect(nameToText(result.wildcard ?? [])).toBe('*.w.nsec.test.')
  })

  it('proveWildcardAnswer() fails closer-match-exists when labels claim *.nsec.test', () => {
    const fx = get('wildcard-answer')
    expect(reason(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels: 2 },
      fx.authority))).toBe('closer-match-exists')
  })

  it('proveNodata() accepts NSD\'s wildcard NODATA for foo.w.nsec.test A', () => {
    const fx = get('wildcard-nodata')
    const result = ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone },
      fx.authority))
    expect(result.proof).toBe('wildcard-nodata')
  })

  it('proveNodata() fails type-in-bitmap for the wildcard\'s own TXT', () => {
    const fx = get('wildcard-nodata')
    expect(reason(proveNodata({ name: fx.name, type: RRType.TXT, zone: fx.zone },
      fx.authority))).toBe('type-in-bitmap')
  })

  it('proveNxdomain() fails wildcard-not-denied where the wildcard exists', () => {
    const fx = get('wildcard-nodata')
    expect(reason(proveNxdomain({ name: fx.name, zone: fx.zone }, fx.authority)))
      .toBe('wildcard-not-denied')
  })

  it('proveNxdomain() fails name-exists for a.nsec.test and the empty non-terminal c', () => {
    const nodata = get('nodata')
    expect(reason(proveNxdomain({ name: nodata.name, zone: nodata.zone }, nodata.authority)))
      .toBe('name-exists')
    const ent = get('ent-nodata')
    expect(reason(proveNxdomain({ name: ent.name, zone: ent.zone }, ent.authority)))
      .toBe('name-exists')
  })

  it('proveNodata() fails type-in-bitmap for A at a.nsec.test', () => {
    const fx = get('nodata')
    expect(reason(proveNodata({ name: fx.name, type: RRType.A, zone: fx.zone }, fx.authority)))
      .toBe('type-in-bitmap')
  })

  it('proveNxdomain() fails ancestor-delegation below the sub.nsec.test cut', () => {
    // The parent-side NSEC at sub (NS, no SOA) cannot deny www.sub (RFC 6840 4.1).
    const fx = get('referral-insecure')
    expect(reason(proveNxdomain({ name: n('www.sub.nsec.test'), zone: fx.zone },
      fx.authority))).toBe('ancestor-delegation')
  })

  it('proveNodata() fails ancestor-delegation for A at the sub.nsec.test cut', () => {
    const fx = get('referral-insecure')
    expect(reason(proveNodata({ name: n('sub.nsec.test'), type: RRType.A, zone: fx.zone },
      fx.authority))).toBe('ancestor-delegation')
  })

  it('proveNxdomain() fails dname-redirect below dname.nsec.test', () => {
    const fx = get('nxdomain')
    expect(reason(proveNxdomain({ name: n('x.dname.nsec.test'), zone: fx.zone },
      fx.authority))).toBe('dname-redirect')
  })

  it('proveNoDs() fails not-a-delegation at a.nsec.test, which has no NS', () => {
    const fx = get('nodata')
    expect(reason(proveNoDs({ child: fx.name, parent: fx.zone }, fx.authority)))
      .toBe('not-a-delegation')
  })

  it('proveNoDs() fails type-in-bitmap at the signed delegation secure.nsec.test', () => {
    // From the dnssec-signzone output of generate.sh: NS DS at secure.
    const secure = rrFromText('secure.nsec.test. 300 IN NSEC sub.nsec.test. NS DS RRSIG NSEC')
    expect(reason(proveNoDs({ child: n('secure.nsec.test'), parent: n('nsec.test') },
      [secure]))).toBe('type-in-bitmap')
  })

  it('proveNoDs() and DS proveNodata() fail child-apex-record for a child apex NSEC', () => {
    const fx = get('referral-insecure')
    const sub = byOwner(fx.authority, 'sub', RRType.NSEC)
    const apexSide = withNsec(sub, {
      types: [RRType.NS, RRType.SOA, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY],
    })
    const records = replace(fx.authority, sub, apexSide)
    expect(reason(proveNoDs({ child: sub.name, parent: fx.zone }, records)))
      .toBe('child-apex-record')
    expect(reason(proveNodata({ name: sub.name, type: RRType.DS, zone: fx.zone }, records)))
      .toBe('child-apex-record')
  })

  it('proveNxdomain() fails not-covered when the covering NSEC is dropped', () => {
    const fx = get('nxdomain')
    const cover = byOwner(fx.authority, 'dname', RRType.NSEC)
    expect(reason(proveNxdomain({ name: fx.name, zone: fx.zone }, without(fx.authority, cover))))
      .toBe('not-covered')
  })

  it('proveNxdomain() fails wildcard-not-denied when the apex NSEC is dropped', () => {
    const fx = get('nxdomain')
    const apex = fx.authority.find((rr) => rr.type === RRType.NSEC &&
      nameToText(rr.name) === 'nsec.test.')
    if (apex === undefined) throw new Error('fixture lacks the apex NSEC')
    expect(reason(proveNxdomain({ name: fx.name, zone: fx.zone }, without(fx.authority, apex))))
      .toBe('wildcard-not-denied')
  })

  it('proveNxdomain() treats the zone\'s last NSEC as wrapping to the apex', () => {
    // From the signed zone: z.nsec.test. is last and points back at the apex.
    const last = rrFromText('z.nsec.test. 300 IN NSEC nsec.test. MX RRSIG NSEC')
    const apex = rrFromText('nsec.test. 300 IN NSEC a.nsec.test. A NS SOA RRSIG NSEC DNSKEY')
    const result = ok(proveNxdomain({ name: n('zz.nsec.test'), zone: n('nsec.test') },
      [last, apex]))
    expect(texts(result.usedRecords)).toEqual(['z.nsec.test.', 'nsec.test.'])
  })

  it('proveNxdomain() ignores NSEC records of another zone', () => {
    const fx = get('nxdomain')
    expect(reason(proveNxdomain({ name: n('nope.other.test'), zone: n('other.test') },
      fx.authority))).toBe('no-records')
  })
})

describe('NSEC3 responses from NSD', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['nxdomain', 'nxdomain'], ['nxdomain-deep', 'nxdomain'], ['nodata', 'nodata'],
    ['nodata-cname', 'nodata'], ['ent-nodata', 'nodata'], ['ds-nodata-insecure', 'nodata'],
    ['wildcard-nodata', 'wildcard-nodata'],
  ]

  it.each(cases)('the nsec3.test %s response proves %s', (f, proof) => {
    const fx = load(`nsd/nsec3-${f}.txt`)
    const result = fx.rcode === 'NXDOMAIN'
      ? proveNxdomain({ name: fx.name, zone: fx.zone }, fx.authority)
      : proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority)
    const proved = ok(result)
    expect(proved.proof).toBe(proof)
    expect(proved.mechanism).toBe('nsec3')
    expect(proved.optOut).toBe(false)
  })

  it('proveNoDs() accepts the NSEC3 matching sub.nsec3.test with NS only', () => {
    const fx = load('nsd/nsec3-referral-insecure.txt')
    expect(ok(proveNoDs({ child: n('sub.nsec3.test'), parent: fx.zone }, fx.authority)).proof)
      .toBe('no-ds')
  })

  it('proveWildcardAnswer() accepts the nsec3.test wildcard expansion', () => {
    const fx = load('nsd/nsec3-wildcard-answer.txt')
    const labels = rrsigLabels(fx.answer)
    ok(proveWildcardAnswer({ name: fx.name, zone: fx.zone, labels }, fx.authority))
  })

  it('proveNodata() fails ancestor-delegation for A at the sub.nsec3.test cut', () => {
    const fx = load('nsd/nsec3-referral-insecure.txt')
    expect(reason(proveNodata({ name: n('sub.nsec3.test'), type: RRType.A, zone: fx.zone },
      fx.authority))).toBe('ancestor-delegation')
  })

  it('the optout.test NXDOMAIN, NODATA and wildcard responses prove their claims', () => {
    for (const f of ['nxdomain', 'nxdomain-deep', 'nodata', 'nodata-cname', 'ent-nodata',
      'wildcard-nodata']) {
      const fx = load(`nsd/optout-${f}.txt`)
      const result = fx.rcode === 'NXDOMAIN'
        ? proveNxdomain({ name: fx.name, zone: fx.zone }, fx.authority)
        : proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority)
      expect(reason(result), f).toMatch(/^ok/)
    }
  })

  it('proveNoDs() accepts the Opt-Out referral to sub.optout.test', () => {
    const fx = load('nsd/optout-referral-insecure.txt')
    const result = ok(proveNoDs({ child: n('sub.optout.test'), parent: fx.zone },
      fx.authority))
    expect(result.proof).toBe('opt-out')
    expect(nameToText(result.nextCloser ?? [])).toBe('sub.optout.test.')
  })

  it('proveNodata() accepts the Opt-Out DS NODATA for sub.optout.test', () => {
    const fx = load('nsd/optout-ds-nodata-insecure.txt')
    expect(ok(proveNodata({ name: fx.name, type: fx.type, zone: fx.zone }, fx.authority))
      .proof).toBe('opt-out')
  })
})

// --------------------------------------------------------------------------------------
// Records NSD served for the lab's broken NSEC zones (lab/recordings, issue 5): a record
// deleted after signing leaves the chain pointing at it. RFC 4034 4.1.1: an NSEC's next name
// is the next owner name of the zone that holds data, so it shows that name exists.

describe('NSEC proofs that a deletion after signing broke', () => {
  const badCover = [
    rrFromText('ns1.nsec-bad-cover.lab.test. 300 IN NSEC www.nsec-bad-cover.lab.test. A RRSIG '
      + 'NSEC'),
    rrFromText('nsec-bad-cover.lab.test. 300 IN NSEC ns1.nsec-bad-cover.lab.test. A NS SOA TXT '
      + 'RRSIG NSEC DNSKEY'),
  ]
  const wildcardSent = [rrFromText('ns1.wildcard-no-proof.lab.test. 300 IN NSEC '
    + '*.w.wildcard-no-proof.lab.test. A RRSIG NSEC')]

  it('proveNxdomain() refuses an NSEC that names the denied name as its next name', () => {
    const result = proveNxdomain({ name: n('www.nsec-bad-cover.lab.test'),
      zone: n('nsec-bad-cover.lab.test') }, badCover)
    expect(reason(result)).toBe('name-exists')
    if (result.ok) return
    // The records contradict the claim; none is missing.
    expect(result.recordAbsent).toBe(false)
    expect(result.mechanism).toBe('nsec')
    expect(result.detail).toContain('NSEC ns1.nsec-bad-cover.lab.test. -> '
      + 'www.nsec-bad-cover.lab.test. names www.nsec-bad-cover.lab.test. as the next name')
  })

  it('proveNodata() says which type the bitmap lists although the answer denies it', () => {
    const result = proveNodata({ name: n('www.bitmap-lie.lab.test'), type: RRType.A,
      zone: n('bitmap-lie.lab.test') },
    [rrFromText('www.bitmap-lie.lab.test. 300 IN NSEC bitmap-lie.lab.test. A RRSIG NSEC')])
    expect(reason(result)).toBe('type-in-bitmap')
    if (result.ok) return
    expect(result.recordAbsent).toBe(false)
    expect(result.detail).toContain('lists A in its type bitmap at www.bitmap-lie.lab.test.')
  })

  it('proveWildcardAnswer() reports the covering NSEC as absent when none reaches the name',
    () => {
      // RRSIG labels 4 for x.w.wildcard-no-proof.lab.test. (5 labels): the source of synthesis
      // is *.w.wildcard-no-proof.lab.test. (RFC 4035 5.3.4); the NSEC sent ends at it.
      const result = proveWildcardAnswer({ name: n('x.w.wildcard-no-proof.lab.test'),
        zone: n('wildcard-no-proof.lab.test'), labels: 4 }, wildcardSent)
      expect(reason(result)).toBe('not-covered')
      if (result.ok) return
      expect(result.recordAbsent).toBe(true)
      expect(result.detail).toContain('ns1.wildcard-no-proof.lab.test. -> '
        + '*.w.wildcard-no-proof.lab.test.')
    })

  it('proveWildcardAnswer() refuses an NSEC that names the query name as its next name', () => {
    // Had *.w's NSEC pointed at x.w, x.w would exist and the wildcard could not answer.
    const pointing = rrFromText('*.w.wildcard-no-proof.lab.test. 300 IN NSEC '
      + 'x.w.wildcard-no-proof.lab.test. A RRSIG NSEC')
    const result = proveWildcardAnswer({ name: n('x.w.wildcard-no-proof.lab.test'),
      zone: n('wildcard-no-proof.lab.test'), labels: 4 }, [pointing])
    expect(reason(result)).toBe('closer-match-exists')
    expect(result.ok ? true : result.recordAbsent).toBe(false)
  })

  it('marks a proof without any NSEC or NSEC3 record as absent', () => {
    const result = proveNxdomain({ name: n('nope.nsec-bad-cover.lab.test'),
      zone: n('nsec-bad-cover.lab.test') }, [])
    expect(reason(result)).toBe('no-records')
    expect(result.ok ? false : result.recordAbsent).toBe(true)
  })
})
