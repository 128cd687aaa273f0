// A host name, optionally preceded by "*." (any subdomain): payments.internal, *.internal, 127.0.0.1.
const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/i;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

interface UrlPrefix {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
}

function parseUrl(value: string | URL): URL | null {
  if (typeof value !== 'string') return value;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function parsePrefix(entry: string): UrlPrefix | null {
  if (!entry.includes('://')) return null;
  const url = parseUrl(entry);
  if (url === null || DEFAULT_PORTS[url.protocol] === undefined) return null;
  return { protocol: url.protocol, hostname: url.hostname, port: url.port || DEFAULT_PORTS[url.protocol]!, path: url.pathname };
}

/**
 * True when `entry` is a valid `propagateTo` string: an http(s) URL prefix or a host name (`*.` allowed). @internal
 */
export function isDestinationEntry(entry: string): boolean {
  return parsePrefix(entry) !== null || HOST_NAME.test(entry);
}

/**
 * Decides whether an outgoing request may carry trace context, from the `propagateTo` list:
 * URL prefixes (scheme, host and port equal; the path starts with the prefix's path at a segment boundary),
 * host names (exact, or `*.example.com` for any subdomain) and RegExps tested against the full URL.
 * Everything is parsed once, at construction. An unparseable URL is not allowed. Never throws.
 * @internal
 */
export class DestinationFilter {
  private readonly prefixes: UrlPrefix[] = [];
  private readonly hosts = new Set<string>();
  private readonly hostSuffixes: string[] = [];
  private readonly patterns: RegExp[] = [];

  constructor(entries: ReadonlyArray<string | RegExp>) {
    for (const entry of entries) {
      if (entry instanceof RegExp) {
        // Without g/y, test() keeps no state between calls.
        this.patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
        continue;
      }
      const prefix = parsePrefix(entry);
      if (prefix !== null) this.prefixes.push(prefix);
      else if (entry.startsWith('*.')) this.hostSuffixes.push(entry.slice(1).toLowerCase());
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /** True when a request to `destination` may carry trace context. */
  allows(destination: string | URL): boolean {
    try {
      const url = parseUrl(destination);
      if (url === null) return false;
      const hostname = url.hostname.toLowerCase();
      if (this.hosts.has(hostname)) return true;
      for (const suffix of this.hostSuffixes) if (hostname.endsWith(suffix)) return true;
      if (this.prefixes.length > 0) {
        const port = url.port || DEFAULT_PORTS[url.protocol];
        for (const p of this.prefixes) {
          if (p.protocol !== url.protocol || p.hostname !== hostname || p.port !== port) continue;
          if (p.path.endsWith('/') ? url.pathname.startsWith(p.path) : url.pathname === p.path || url.pathname.startsWith(`${p.path}/`))
            return true;
        }
      }
      if (this.patterns.length > 0) {
        const href = url.href;
        for (const pattern of this.patterns) if (pattern.test(href)) return true;
      }
      return false;
    } catch {
      return false;
    }
  }
}
