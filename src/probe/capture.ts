// The capture: every query the walker sent and every response it got, as wire bytes. The
// analysis reads only this, so a saved capture can be re-analysed offline (`replay`) and the
// lab's recordings are captures too.

export const CAPTURE_FORMAT = 'dnssec-doctor-capture/1'

export interface CapturedExchange {
  /** Server address (IPv4 or IPv6 text) and port the query went to. */
  readonly server: string
  readonly port: number
  /** 'https' only for a resolver asked over DNS over HTTPS (RFC 8484). */
  readonly transport: 'udp' | 'tcp' | 'https'
  /** The question, in presentation form (lowercase, trailing dot) and as a type number. */
  readonly qname: string
  readonly qtype: number
  /** ISO 8601 time the query was sent, and how long the answer took. */
  readonly sentAt: string
  readonly ms: number
  /** Query and response as lowercase hex; response null when none came. */
  readonly query: string
  readonly response: string | null
  /** Why no usable response came: 'timeout', 'blocked' (address guard), 'network', ... */
  readonly error?: string
  readonly errorDetail?: string
  /**
   * Set for the resolver comparison: which resolver was asked, and whether checking was
   * disabled. Exchanges without it are the walk's own, with RD clear.
   */
  readonly resolver?: string
  readonly cd?: boolean
}

export interface Capture {
  readonly format: typeof CAPTURE_FORMAT
  readonly tool: string
  readonly startedAt: string
  readonly query: { readonly name: string; readonly type: number }
  /** Root servers asked, as ADDR:PORT or [ADDR]:PORT, and the trust anchor as DS lines. */
  readonly rootHints: readonly string[]
  /** The port every server learnt from a referral was asked on, when not 53 (lab use). */
  readonly authPort: number | null
  readonly trustAnchors: readonly string[]
  readonly exchanges: readonly CapturedExchange[]
}
