// Runs the real check() against a fake root on loopback, guarded to 127.0.0.0/8.
import { parseTrustAnchors } from '../../../src/anchors.js'
import type { Report } from '../../../src/analysis/types.js'
import { check } from '../../../src/check.js'
import { guardFromEnv } from '../../../src/net/guard.js'
import { nameFromText } from '../../../src/wire/name.js'

export async function checkAgainst(anchor: string, root: string, port: number, name: string,
  type = 1): Promise<Report> {
  const { report } = await check({ name: nameFromText(name), type }, {
    anchors: parseTrustAnchors(anchor, 'fake root anchor', new Date()),
    rootServers: [{ address: root, port }], guard: guardFromEnv({}, '127.0.0.0/8'),
    authPort: port, timeoutMs: 1000 })
  return report
}
