import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ResolvedRedaction } from '../config/types.js';
import { DEFAULT_REDACT_QUERY_PARAMETERS } from './redact-patterns.js';

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

// What to do with an attribute, decided once per key and cached.
const KEEP = 0;
const REDACT = 1;
const URL_QUERY = 2;
const ROUTE_QUERY = 3;
/**
 * Attributes whose value is a URL, a path with a query, or a query string. `url.path` holds no query by the semantic
 * conventions, but some instrumentations put one there (@fastify/otel did): its query, if any, is redacted too.
 */
const URL_KEYS: ReadonlySet<string> = new Set(['url.full', 'http.url', 'url.query', 'http.target', 'url.path']);
/**
 * Any other instrumentation's route, path or URL attribute (`http.route`, `nestjs.route`, `app.request.path`,
 * `*.url`, `*.uri`, `*.target`), and the express, koa and fastify layer names, which hold the route or mount path: these hold
 * templates, but one built from a request could hold its query. Only a query after a `?` is redacted in them.
 */
const ROUTE_KEY = /(?:^|[._])(?:route|path|url|uri|target)$/i;
const ROUTE_NAME_KEYS: ReadonlySet<string> = new Set(['express.name', 'koa.name', 'fastify.name']);
/** Attribute keys are low-cardinality; the cache stops growing past this many (later keys are classified each time). */
const MAX_CACHED_KEYS = 4096;
/** Query parameter names longer than this are matched each time instead of cached. */
const MAX_CACHED_NAME_LENGTH = 128;
const CAMEL_BOUNDARY = /([a-z0-9])([A-Z])/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A span processor that hides secrets before any exporter sees the span: in `onEnd`, before the batch processor
 * queues it, the values of span, event and link attributes whose key matches a configured key become "[REDACTED]",
 * query parameters with a matching name are redacted inside URL attributes (url.full, http.url, url.query,
 * http.target, url.path) and after the `?` of any route, path or URL attribute (http.route, *.path, *.url, ...), and configured value patterns (bearer tokens, JWTs, emails, your RegExps) are replaced in every
 * string value. Keys match as whole words, case-insensitively (`http.request.header.authorization`, `db.password`,
 * `access_token` and `authToken` all match "authorization"/"password"/"token"). All regexes are built here, once;
 * per span the work is one loop over the attributes with a cached decision per key. Never throws.
 *
 * Added first in the pipeline by {@link initTracing} unless `redact: false`.
 * @internal
 */
export class RedactionProcessor implements SpanProcessor {
  private readonly keyMatcher: RegExp;
  private readonly patterns: readonly RegExp[];
  private readonly decisions = new Map<string, number>();
  /** Whether a query parameter name (as written in the URL, still encoded) names a secret, cached like `decisions`. */
  private readonly parameterDecisions = new Map<string, boolean>();

  constructor(redaction: ResolvedRedaction) {
    const words = redaction.keys.map(escapeRegExp).join('|');
    // A key (or parameter name) matches when a configured word appears between non-alphanumeric boundaries.
    this.keyMatcher = words === '' ? /(?!)/ : new RegExp(`(?:^|[^a-z0-9])(?:${words})(?:$|[^a-z0-9])`);
    this.patterns = redaction.patterns;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      this.redactAttributes(span.attributes);
      const events = span.events;
      for (let i = 0; i < events.length; i++) this.redactAttributes(events[i]!.attributes);
      const links = span.links;
      for (let i = 0; i < links.length; i++) this.redactAttributes(links[i]!.attributes);
    } catch {
      // An exotic span implementation: leave it as it is rather than break the app.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** True when an attribute key or query parameter name names a secret. */
  isSecretName(name: string): boolean {
    return this.keyMatcher.test(name.replace(CAMEL_BOUNDARY, '$1.$2').toLowerCase());
  }

  private classify(key: string): number {
    let decision = this.decisions.get(key);
    if (decision === undefined) {
      decision = this.isSecretName(key)
        ? REDACT
        : URL_KEYS.has(key)
          ? URL_QUERY
          : ROUTE_KEY.test(key) || ROUTE_NAME_KEYS.has(key)
            ? ROUTE_QUERY
            : KEEP;
      if (this.decisions.size < MAX_CACHED_KEYS) this.decisions.set(key, decision);
    }
    return decision;
  }

  private redactAttributes(attributes: Attributes | undefined): void {
    if (attributes === undefined) return;
    // The SDK's ended spans keep a plain, writable attributes object; ReadableSpan only types it read-only.
    const writable = attributes as Record<string, unknown>;
    for (const key in writable) {
      const decision = this.classify(key);
      if (decision === REDACT) {
        writable[key] = REDACTED;
        continue;
      }
      let value = writable[key];
      if (decision === URL_QUERY && typeof value === 'string') value = this.redactQuery(value);
      else if (decision === ROUTE_QUERY && typeof value === 'string' && value.includes('?')) value = this.redactQuery(value);
      if (this.patterns.length > 0) value = this.redactPatterns(value);
      if (value !== writable[key]) writable[key] = value;
    }
  }

  private redactPatterns(value: unknown): unknown {
    if (typeof value === 'string') return this.replacePatterns(value);
    if (!Array.isArray(value)) return value;
    const items = value as readonly unknown[];
    let copy: unknown[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item !== 'string') continue;
      const replaced = this.replacePatterns(item);
      if (replaced !== item) {
        copy ??= items.slice();
        copy[i] = replaced;
      }
    }
    return copy ?? value;
  }

  private replacePatterns(text: string): string {
    let result = text;
    for (let i = 0; i < this.patterns.length; i++) result = result.replace(this.patterns[i]!, REDACTED);
    return result;
  }

  /** Whether the query parameter `name` (still encoded) names a secret; decoded and matched once per name. */
  private isSecretParameter(name: string): boolean {
    let decision = this.parameterDecisions.get(name);
    if (decision === undefined) {
      const decoded = safeDecode(name);
      decision = this.isSecretName(decoded) || DEFAULT_REDACT_QUERY_PARAMETERS.has(decoded.toLowerCase());
      // Names come from the request (a client can send any): only short ones are kept, at most MAX_CACHED_KEYS.
      if (name.length <= MAX_CACHED_NAME_LENGTH && this.parameterDecisions.size < MAX_CACHED_KEYS)
        this.parameterDecisions.set(name, decision);
    }
    return decision;
  }

  /** Redacts the values of secret parameters in `?a=1&b=2` (the whole value may be a URL, a path or a bare query). */
  private redactQuery(value: string): string {
    let start = value.indexOf('?');
    if (start === -1) {
      // url.query may come without its '?'; a URL or path without one has nothing to redact.
      if (value.includes('/') || !value.includes('=')) return value;
      start = -1;
    }
    const hash = value.indexOf('#', start + 1);
    const end = hash === -1 ? value.length : hash;
    // The result is built from the first secret parameter on: a query without one costs no string building.
    let out: string | undefined;
    let pos = start + 1;
    while (pos <= end) {
      let amp = value.indexOf('&', pos);
      if (amp === -1 || amp > end) amp = end;
      const eq = value.indexOf('=', pos);
      // Only a parameter with a value can be redacted.
      const name = eq !== -1 && eq < amp ? value.slice(pos, eq) : undefined;
      if (name !== undefined && this.isSecretParameter(name)) out = `${out ?? value.slice(0, pos)}${name}=${REDACTED}`;
      else if (out !== undefined) out += value.slice(pos, amp);
      if (out !== undefined && amp < end) out += '&';
      pos = amp + 1;
    }
    return out === undefined ? value : out + value.slice(end);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
