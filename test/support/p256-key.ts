// A fresh ECDSA P-256 key pair for the test kits that sign zones of their own: the private key
// as a KeyObject, and the public point x | y as a DNSKEY carries it (RFC 6605 4).
//
// Made with ECDH rather than generateKeyPairSync + export({ format: 'jwk' }): on Node 20.20
// that pair can deadlock a test process for good. ExportJWK holds the key's mutex while it
// allocates; a garbage collection there runs the destructor of the key-generation job, which
// takes the same mutex (gdb on a CI run stuck for 15 minutes: KeyGenJob::~KeyGenJob under
// ExportJWKEcKey). ECDH makes no such job, and a JWK is only imported here, never exported.
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto'

export interface P256Key {
  readonly privateKey: KeyObject
  /** x | y, 64 octets. */
  readonly point: Buffer
}

export function newP256Key(): P256Key {
  const ecdh = createECDH('prime256v1')
  // Uncompressed form: 0x04 | x | y.
  const raw = ecdh.generateKeys()
  const x = raw.subarray(1, 33)
  const y = raw.subarray(33, 65)
  const d = ecdh.getPrivateKey()
  const privateKey = createPrivateKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256',
    x: x.toString('base64url'), y: y.toString('base64url'),
    d: d.toString('base64url') } })
  return { privateKey, point: Buffer.from(raw.subarray(1)) }
}
