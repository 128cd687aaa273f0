import type { RedactPatternName } from '../config/types.js';

/**
 * The built-in value patterns of `redact.patterns` / TRACEWIRE_REDACT_PATTERNS, and the keys redacted by default.
 * Each pattern is global (it replaces every occurrence) and matches only the secret itself.
 * @internal
 */
export const REDACT_PATTERNS: Readonly<Record<RedactPatternName, RegExp>> = Object.freeze({
  // RFC 6750 b64token after the scheme name.
  bearer: /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
  // header.payload.signature, base64url; the header of every JWT starts with '{"' -> "eyJ".
  jwt: /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
});

/** @internal */
export const REDACT_PATTERN_NAMES = Object.keys(REDACT_PATTERNS) as RedactPatternName[];

/** Attribute keys (and query parameter names) redacted unless `redact: false`. @internal */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
  'password',
  'secret',
  'token',
]);
