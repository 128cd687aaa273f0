import type { RedactPatternName } from '../config/types.js';

/**
 * The built-in value patterns of `redact.patterns` / TRACEWIRE_REDACT_PATTERNS, and the keys redacted by default.
 * Each pattern is global (it replaces every occurrence) and matches only the secret itself.
 * @internal
 */
export const REDACT_PATTERNS: Readonly<Record<RedactPatternName, RegExp>> = Object.freeze({
  // RFC 6750 b64token after the scheme name.
  bearer: /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
  // header.payload.signature, base64url; the header of every JWT starts with '{"' -> "eyJ". Only where a run of
  // base64url characters starts (the lookbehind): a match may then begin at one place per run, which keeps the
  // scan linear in the input (with \b, "eyJ-eyJ-eyJ-..." started a scan to the end of the run at every "eyJ").
  jwt: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  // The same rule for the local part: a match begins only where a run of local-part characters begins, so a long
  // run without "@" is scanned once, not once per position (64 KiB of letters took 7 s before).
  email: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
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

/**
 * Query parameter names redacted in URL attributes besides those matching the redact keys: names that carry
 * credentials in URLs but are too generic to redact as attribute-key words (`key` or `code` as words would hide
 * `messaging.kafka.message.key` and `http.response.status_code`). Matched whole and case-insensitively. Drawn from
 * the default scrubbers of Sentry (password, passwd, api_key, apikey, auth, credentials, session, private_key) and
 * Datadog (pass/pwd/passphrase, api/private/access/secret key, token, consumer key and secret, signature, signed,
 * authentication), the OAuth 2.0 parameters that carry secrets (code, access_token, refresh_token, id_token,
 * client_secret, assertion), and the session identifiers OWASP names (sid, session, sessionid, jsessionid,
 * phpsessid).
 * @internal
 */
export const DEFAULT_REDACT_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'api_key',
  'apikey',
  'api-key',
  'key',
  'access_key',
  'accesskey',
  'secret_key',
  'private_key',
  'privatekey',
  'code',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'assertion',
  'session',
  'sessionid',
  'session_id',
  'sid',
  'jsessionid',
  'phpsessid',
  'pass',
  'passwd',
  'pwd',
  'passphrase',
  'auth',
  'credentials',
  'jwt',
  'signature',
  'sig',
  'signed',
  'consumer_key',
  'consumer_secret',
]);
