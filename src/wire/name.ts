// Domain names: parsing from user text, presentation, canonical order (RFC 4034 section 6.1).
// OWNER: wire helper. Contract below; bodies to be written.
import type { Name } from './types.js'

/** Raised for a name a user typed that is not a valid domain name. */
export class NameSyntaxError extends SyntaxError {
  override readonly name = 'NameSyntaxError'
}

/**
 * Parses presentation text ("www.Example.test", "example.test.", "\\046", "\\.") into labels.
 * Relative names are taken as absolute. Internationalised names are converted to their ASCII
 * (A-label) form first. Throws NameSyntaxError on an empty label, a label over 63 octets, a
 * name over 255 octets on the wire, or a character that cannot appear in a host name typed by
 * a user (allowUnderscore etc. decided by the implementation; document it).
 */
export declare function nameFromText(text: string): Name
/** Presentation form with a trailing dot, escaping bytes outside LDH as \DDD or \. */
export declare function nameToText(name: Name): string
/** Case-insensitive (ASCII only) equality. */
export declare function nameEquals(a: Name, b: Name): boolean
/** ASCII letters lowercased, as canonical form requires. */
export declare function canonicalName(name: Name): Name
/** Canonical DNS name order (RFC 4034 section 6.1): negative, zero or positive. */
export declare function compareNames(a: Name, b: Name): number
/** True when `name` is `ancestor` or below it. */
export declare function isSubdomain(name: Name, ancestor: Name): boolean
/** The name with its first label removed; the root's parent is the root. */
export declare function parentName(name: Name): Name
/** Uncompressed wire form. */
export declare function nameToWire(name: Name): Uint8Array
