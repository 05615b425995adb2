// Which crypto API should verify DNSSEC signatures? Verifies the same real signatures (from
// the dnssec-signzone fixture in test/fixtures/dnssec) with node:crypto (our verifySignature,
// keys cached), Node's WebCrypto (crypto.subtle) and @peculiar/webcrypto, and prints
// operations per second and the ratio against node:crypto.
//
//   npx tsc -p . && node dist/bench/crypto.js [seconds per run, default 1] [rounds, default 3]
import { readFileSync } from 'node:fs'
import { webcrypto } from 'node:crypto'
import { fileURLToPath } from 'node:url'

import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'

import { signedData } from '../src/dnssec/canonical.js'
import { clearKeyCache, dnskeyJwk, verifySignature } from '../src/dnssec/verify.js'
import { nameEquals, nameFromText } from '../src/wire/name.js'
import { parseZoneText } from '../src/wire/text.js'
import type { DNSKEYData, RR, RRSIGData } from '../src/wire/types.js'

// dist/bench/crypto.js and bench/crypto.ts are both two levels below the project root.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURES = `${ROOT}test/fixtures/dnssec/`

interface Case {
  readonly label: string
  readonly algorithm: number
  readonly key: Uint8Array
  readonly data: Uint8Array
  readonly signature: Uint8Array
  /** WebCrypto import and verify parameters for this algorithm. */
  readonly importParams: RsaHashedImportParams | EcKeyImportParams | Algorithm
  readonly verifyParams: Algorithm | EcdsaParams
}

type Subtle = webcrypto.SubtleCrypto

/** Verifies kept in flight at once in the parallel WebCrypto rows. */
const PARALLEL = 16

const isKey = (rr: RR): rr is RR<DNSKEYData> => rr.data.kind === 'DNSKEY'
const isSig = (rr: RR): rr is RR<RRSIGData> => rr.data.kind === 'RRSIG'

function loadCases(): Case[] {
  const origin = nameFromText('crypto.test.')
  const zone = parseZoneText(readFileSync(`${FIXTURES}crypto.test.signed`, 'utf8'), { origin })
  const owner = nameFromText('www.crypto.test.')
  const rrset = zone.filter((rr) => nameEquals(rr.name, owner) && rr.type === 1)
  const keys = zone.filter(isKey)
  const sigs = zone.filter(isSig).filter((rr) => nameEquals(rr.name, owner))
  const pick = (algorithm: number): { key: Uint8Array; data: Uint8Array; sig: Uint8Array } => {
    const sig = sigs.find((s) => s.data.typeCovered === 1 && s.data.algorithm === algorithm)
    const key = keys.find((k) => k.data.algorithm === algorithm)
    if (sig === undefined || key === undefined) {
      throw new Error(`fixture lacks algorithm ${algorithm}`)
    }
    return { key: key.data.publicKey, data: signedData(rrset, sig.data), sig: sig.data.signature }
  }
  const p256 = pick(13)
  const rsa = pick(8)
  const ed = pick(15)
  return [
    {
      label: 'ECDSA P-256 (13)', algorithm: 13, key: p256.key, data: p256.data,
      signature: p256.sig, importParams: { name: 'ECDSA', namedCurve: 'P-256' },
      verifyParams: { name: 'ECDSA', hash: 'SHA-256' },
    },
    {
      label: 'RSA-2048 SHA-256 (8)', algorithm: 8, key: rsa.key, data: rsa.data,
      signature: rsa.sig, importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      verifyParams: { name: 'RSASSA-PKCS1-v1_5' },
    },
    {
      label: 'Ed25519 (15)', algorithm: 15, key: ed.key, data: ed.data, signature: ed.sig,
      importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' },
    },
  ]
}

/** Runs `op` for about `seconds` and returns operations per second. */
async function measure(seconds: number, op: Op): Promise<number> {
  // Warm up (JIT, key caches) and check that the operation really verifies.
  for (let i = 0; i < 20; i++) {
    if (!(await op())) throw new Error('a good signature did not verify')
  }
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  let count = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) await op()
    count += 50
  }
  return count / ((performance.now() - start) / 1000)
}

async function webCryptoOp(subtle: Subtle, c: Case): Promise<() => Promise<boolean>> {
  const built = dnskeyJwk(c.algorithm, c.key)
  if (!built.ok) throw new Error(built.detail)
  const key = await subtle.importKey('jwk', built.jwk as webcrypto.JsonWebKey, c.importParams,
    false, ['verify'])
  return () => subtle.verify(c.verifyParams, key, c.signature, c.data)
}

type Op = () => boolean | Promise<boolean>

interface Row { readonly api: string; readonly opsPerSecond: number | null; readonly note: string }

/** The contenders for one case, each as a named operation (or the reason it cannot run). */
async function contenders(c: Case): Promise<[string, Op | string, number][]> {
  const out: [string, Op | string, number][] = [
    ['node:crypto (cached key)', () => verifySignature(c.algorithm, c.key, c.data,
      c.signature).ok, 1],
    ['node:crypto (import each time)', () => {
      clearKeyCache()
      return verifySignature(c.algorithm, c.key, c.data, c.signature).ok
    }, 1],
  ]
  const subtles: [string, Subtle][] = [
    ['WebCrypto crypto.subtle', webcrypto.subtle],
    ['@peculiar/webcrypto', new PeculiarCrypto().subtle as unknown as Subtle],
  ]
  for (const [api, subtle] of subtles) {
    try {
      const op = await webCryptoOp(subtle, c)
      out.push([api, op, 1])
      // WebCrypto runs on the libuv thread pool, so many verifies in flight may overlap.
      const batch = async (): Promise<boolean> =>
        (await Promise.all(Array.from({ length: PARALLEL }, op))).every(Boolean)
      out.push([`${api} x${PARALLEL} in flight`, batch, PARALLEL])
    } catch (err) {
      out.push([api, err instanceof Error ? err.message : String(err), 1])
    }
  }
  return out
}

// Other work on the machine skews single runs, so every contender runs once per round,
// interleaved, and the best round counts.
async function benchCase(c: Case, seconds: number, rounds: number): Promise<Row[]> {
  const ops = await contenders(c)
  const best = new Map<string, number>()
  for (let round = 0; round < rounds; round++) {
    for (const [api, op, perCall] of ops) {
      if (typeof op === 'string') continue
      const rate = (await measure(seconds, op)) * perCall
      best.set(api, Math.max(best.get(api) ?? 0, rate))
    }
  }
  return ops.map(([api, op]) => ({
    api,
    opsPerSecond: best.get(api) ?? null,
    note: typeof op === 'string' ? op : '',
  }))
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '1')
  const rounds = Number(process.argv[3] ?? '3')
  const lines = [
    `node ${process.version}, ${seconds} s per run, best of ${rounds} interleaved rounds`,
  ]
  for (const c of loadCases()) {
    const rows = await benchCase(c, seconds, rounds)
    const base = rows[0]?.opsPerSecond ?? 1
    lines.push('', c.label)
    for (const r of rows) {
      const ops = r.opsPerSecond === null ? 'n/a' : Math.round(r.opsPerSecond).toString()
      const ratio = r.opsPerSecond === null ? '' : `${(r.opsPerSecond / base).toFixed(2)}x`
      lines.push(`  ${r.api.padEnd(40)} ${ops.padStart(9)} ops/s  ${ratio.padStart(6)}  ${r.note}`)
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
