import type { IncomingMessage } from 'node:http';
import { maskUrl, maskUrlCredentials } from '../../internal/mask-url.js';

const MiB = 1024 * 1024;
const MAX_FORWARDS_IN_FLIGHT = 64;
const FORWARD_TIMEOUT_MS = 10_000;
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);

/**
 * The traces URL to forward to: a base URL gets /v1/traces appended, a URL with a path is used as is. @internal
 *
 * @example
 * ```ts
 * forwardTarget('http://localhost:14318'); // 'http://localhost:14318/v1/traces'
 * ```
 */
export function forwardTarget(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/v1/traces';
  return parsed.toString();
}

/**
 * `--forward`: sends every accepted request, as received, to an OTLP/HTTP traces URL, with at most 64 requests and
 * `maxBytes` in flight (beyond that requests are counted and not forwarded, said once). Failures are said once per
 * kind on `err`, credentials masked, then counted. Never throws. @internal
 *
 * @example
 * ```ts
 * const forwarder = new RequestForwarder('http://localhost:14318', 16 * 1024 * 1024, process.stderr, reportOnce);
 * forwarder.forward(req, body);
 * await forwarder.settle(5000);
 * ```
 */
export class RequestForwarder {
  /** The traces URL as given (credentials included; printed only through maskUrl). */
  readonly url: string;
  /** The URL requests go to: `url` without its credentials, which fetch refuses in a URL. */
  private readonly target: string;
  /** `Basic …` from the credentials in `url` (as doctor and the OTLP exporters send them), or undefined. */
  private readonly authorization: string | undefined;
  forwarded = 0;
  failed = 0;
  dropped = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private bytes = 0;
  private readonly reported = new Set<string>();

  constructor(
    url: string,
    private readonly maxBytes: number,
    private readonly err: NodeJS.WritableStream,
    private readonly reportOnce: (kind: string, line: string) => void,
  ) {
    this.url = forwardTarget(url);
    const parsed = new URL(this.url);
    this.authorization =
      parsed.username === '' && parsed.password === ''
        ? undefined
        : `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
    this.target = parsed.toString();
  }

  /** Forwards one request's body with its end-to-end headers. */
  forward(req: IncomingMessage, raw: Buffer): void {
    if (this.inFlight.size >= MAX_FORWARDS_IN_FLIGHT || this.bytes + raw.length > this.maxBytes) {
      this.dropped++;
      this.reportOnce(
        'forward',
        `forwarding to ${maskUrl(this.url)} falls behind (${MAX_FORWARDS_IN_FLIGHT} requests or ${this.maxBytes / MiB} MiB in flight); requests beyond it are not forwarded`,
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
    }
    // Credentials in --forward are for the backend; they replace an authorization the sender gave tracewire dev.
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    const done = fetch(this.target, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS) })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.forwarded++;
        else this.fail(`HTTP ${res.status}`);
      })
      .catch((error: unknown) =>
        this.fail(String((error as Error & { cause?: Error })?.cause?.message ?? (error as Error)?.message ?? error)),
      )
      .finally(() => {
        this.inFlight.delete(done);
        this.bytes -= raw.length;
      });
    this.inFlight.add(done);
    this.bytes += raw.length;
  }

  /** Waits for the requests in flight, at most `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private fail(what: string): void {
    this.failed++;
    if (this.reported.has(what)) return;
    this.reported.add(what);
    this.err.write(
      `tracewire dev: forwarding to ${maskUrl(this.url)} failed: ${maskUrlCredentials(what)} (further failures like this are only counted)\n`,
    );
  }
}
