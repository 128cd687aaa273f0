import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import { maskUrl } from '../../internal/mask-url.js';
import { OtlpDecodeError, OtlpTooManySpansError } from '../otlp/otlp-json.js';
import type { Painter } from '../terminal/create-painter.js';
import { terminalText } from '../terminal/terminal-text.js';
import { RequestForwarder } from './forward-requests.js';
import { hostNameOf, hostPolicy, isAllowedHost, type HostPolicy } from './is-allowed-host.js';
import { JsonlSink } from './jsonl-sink.js';
import { INGEST_LIMITS } from './limit-otlp-request.js';
import { limitMessage, MAX_PENDING_SPANS, MAX_TRACE_SPANS, memoryBudget, type MemoryBudget } from './memory-budget.js';
import {
  busy,
  CLOSED,
  decodeRequest,
  HttpProblem,
  MAX_BODY,
  MAX_UPLOADS_IN_FLIGHT,
  readBody,
  tooLarge,
  type DecodedRequest,
  type Uploads,
} from './read-otlp-request.js';
import { describeReceiverStats, type ReceiverStats } from './receiver-stats.js';
import { TracePrinter } from './trace-printer.js';
import { TraceAssembler, type AssemblerLimit } from './trace-assembler.js';
import type { TraceTree } from './build-trace-tree.js';
import { DEFAULT_MAX_TRACES, TraceStore } from './viewer/trace-store.js';
import { ViewerRoutes } from './viewer/viewer-routes.js';

/** Options of {@link startDevServer}. @internal */
export interface DevServerOptions {
  readonly host: string;
  readonly port: number;
  /** When false and `port` is busy, another free port is used (and said so). */
  readonly portIsExplicit: boolean;
  /** A trace prints once its root ended and no span came for this long, ms. */
  readonly quietMs: number;
  /** Also print the RED summary whenever traffic pauses, not only at the end. */
  readonly summary: boolean;
  /** Append every received span as OTLP/JSON, one request with one span per line. */
  readonly jsonl?: string;
  /** Forward every accepted request, as received, to this OTLP/HTTP traces URL. */
  readonly forward?: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly paint: Painter;
  readonly barWidth: number;
  /** Host names accepted in the `Host` header besides the loopback names and the bound host (`--allow-host`). */
  readonly allowedHosts?: readonly string[];
  /** What the receiver may hold, MiB (`--max-memory`); split among uploads, waiting and printed traces. Default 256. */
  readonly maxMemoryMiB?: number;
  /** Time allowed to receive a whole request, ms. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Time allowed to receive a request's headers, ms (at most `requestTimeoutMs`). Default 10000. */
  readonly headersTimeoutMs?: number;
  /** Serve the trace viewer at `/` on the same port (`tracewire dev` does unless `--no-ui`). Default false. */
  readonly ui?: boolean;
  /** Traces the viewer keeps (`--max-traces`), least recently used out first. Default 1000. */
  readonly maxTraces?: number;
  /** Base URL of the Jaeger UI that `--forward` feeds (`--jaeger-ui`), for links from the viewer. */
  readonly jaegerUi?: string;
}

/** A running dev receiver. @internal */
export interface DevServer {
  readonly url: string;
  readonly port: number;
  /** Stops receiving, prints the traces still waiting and the summary, flushes `--jsonl` and forwards. */
  close(): Promise<void>;
}

const DEFAULT_MAX_MEMORY_MIB = 256;
const SUMMARY_PAUSE_MS = 2000;
const TICK_MS = 100;
const FORWARD_SETTLE_MS = 5000;
/** Longest message (and request line) printed about a rejected request, characters. */
const MAX_PROBLEM = 300;

/**
 * The receiver's state and request handling: Host check, body reading and decoding (one inflated body at a time),
 * the trace assembler, the printer, `--jsonl` and `--forward`; limits said once, then counted.
 */
class DevReceiver {
  readonly budget: MemoryBudget;
  readonly assembler: TraceAssembler;
  readonly printer: TracePrinter;
  readonly stats: ReceiverStats = { requests: 0, spans: 0, rejected: 0, refused: 0, cut: 0 };
  readonly jsonl: JsonlSink | undefined;
  readonly forwarder: RequestForwarder | undefined;
  /** The viewer's routes; undefined without `ui`. */
  readonly viewer: ViewerRoutes | undefined;
  lastSpanAt = 0;
  private readonly hosts: HostPolicy;
  private readonly uploads: Uploads;
  private decoding: Promise<unknown> = Promise.resolve();
  private readonly reported = new Set<string>();

  constructor(readonly options: DevServerOptions) {
    const { err } = options;
    const budget = memoryBudget(options.maxMemoryMiB ?? DEFAULT_MAX_MEMORY_MIB);
    this.budget = budget;
    const reportOnce = (kind: string, line: string): void => this.reportOnce(kind, line);
    this.assembler = new TraceAssembler({
      quietMs: options.quietMs,
      maxPendingSpans: MAX_PENDING_SPANS,
      maxTraceSpans: MAX_TRACE_SPANS,
      maxPendingBytes: budget.pendingBytes,
      maxTraceBytes: budget.traceBytes,
      maxRememberedBytes: budget.rememberedBytes,
      onLimit: (limit: AssemblerLimit, traceId: string) => this.reportOnce(limit, limitMessage(limit, traceId, budget)),
    });
    const store = options.ui === true ? new TraceStore(options.maxTraces ?? DEFAULT_MAX_TRACES, budget.viewerBytes) : undefined;
    this.printer = new TracePrinter({ ...options, ...(store !== undefined ? { onTrace: (tree: TraceTree) => store.add(tree) } : {}) });
    this.viewer =
      store === undefined
        ? undefined
        : new ViewerRoutes({
            store,
            red: () => this.printer.red.report(),
            ...(options.jaegerUi !== undefined ? { jaegerUi: options.jaegerUi } : {}),
          });
    this.hosts = hostPolicy(options.host, options.allowedHosts ?? [], hostname());
    this.uploads = { count: 0, bytes: 0, maxBytes: budget.uploadBytes };
    this.jsonl = options.jsonl === undefined ? undefined : new JsonlSink(options.jsonl, budget.jsonlBytes, err, reportOnce);
    this.forwarder =
      options.forward === undefined ? undefined : new RequestForwarder(options.forward, budget.forwardBytes, err, reportOnce);
  }

  /** Says a limit was reached, once per kind: later hits are only counted (and totalled at exit). */
  reportOnce(kind: string, line: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.err.write(`tracewire dev: ${line} (further ones are only counted)\n`);
  }

  /** Refuses a request whose Host is not the bound address, a loopback name or an --allow-host name. */
  checkHost(req: IncomingMessage): void {
    const host = req.headers.host ?? '';
    if (isAllowedHost(host, this.hosts)) return;
    const name = hostNameOf(host);
    const remedy = /^[a-z0-9.\-[\]:]{1,253}$/.test(name) ? `--allow-host ${name}` : '--allow-host NAME';
    throw new HttpProblem(
      403,
      `host ${JSON.stringify(host.slice(0, 256))} is not allowed: tracewire dev answers requests addressed to localhost or ${this.options.host} only (DNS rebinding protection); start it with ${remedy} to accept this name`,
      'host',
    );
  }

  /** Receives `POST /v1/traces`: reads, decodes and limits the body, hands the spans on, answers 200. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkHost(req);
    const [path = '', query = ''] = (req.url ?? '').split('?', 2);
    if (path !== '/v1/traces' && this.viewer?.handles(path) === true) return this.viewer.serve(req, res, path, new URLSearchParams(query));
    if (path !== '/v1/traces')
      throw new HttpProblem(404, `no such endpoint ${req.method} ${path}: tracewire dev receives OTLP traces at POST /v1/traces`);
    if (req.method !== 'POST') throw new HttpProblem(405, `use POST to send traces to /v1/traces (got ${req.method})`);
    const { raw, decoded } = await this.receive(req);
    const { spans, json } = decoded;
    this.stats.requests++;
    this.stats.spans += spans.length;
    if (spans.length > 0) this.lastSpanAt = Date.now();
    this.assembler.add(spans, Date.now());
    this.jsonl?.write(spans);
    this.forwarder?.forward(req, raw);
    if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  }

  /** Reads the body within the upload limits, then decodes it; bodies take turns, so one inflated request at a time is in memory. */
  private async receive(req: IncomingMessage): Promise<{ raw: Buffer; decoded: DecodedRequest }> {
    const uploads = this.uploads;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY || declared > uploads.maxBytes) throw tooLarge();
    if (uploads.count >= MAX_UPLOADS_IN_FLIGHT || uploads.bytes + declared > uploads.maxBytes) throw busy(uploads);
    uploads.count++;
    let held = 0;
    try {
      const raw = await readBody(req, uploads);
      held = raw.length;
      const encoding = String(req.headers['content-encoding'] ?? '')
        .trim()
        .toLowerCase();
      const turn = this.decoding.then(() => decodeRequest(raw, encoding, String(req.headers['content-type'] ?? '')));
      this.decoding = turn.catch(() => undefined);
      const decoded = await turn;
      if (decoded.cut > 0) this.reportCut(decoded.cut);
      return { raw, decoded };
    } finally {
      uploads.count--;
      uploads.bytes -= held;
    }
  }

  private reportCut(cut: number): void {
    this.stats.cut += cut;
    this.reportOnce(
      'cut',
      `truncated attribute values and names longer than ${INGEST_LIMITS.maxStringLength} characters, and lists longer than ${INGEST_LIMITS.maxListLength} entries, as the SDK's span limits do; what is printed and written with --jsonl is cut, --forward sends the requests as received`,
    );
  }

  /** Answers a request that failed with its status and a one-line message, said on stderr (limits once). */
  answerProblem(req: IncomingMessage, res: ServerResponse, thrown: unknown): void {
    const error = thrown instanceof OtlpTooManySpansError ? new HttpProblem(413, thrown.message, 'spans') : thrown;
    const status = error instanceof HttpProblem ? error.status : error instanceof OtlpDecodeError ? 400 : 500;
    const message = (error as Error)?.message ?? String(error);
    // One line, control characters escaped, bounded: the message may quote the request (a span name, a header).
    const line = terminalText(message, MAX_PROBLEM);
    const request = terminalText(`${req.method} ${req.url}`, MAX_PROBLEM);
    const limit = error instanceof HttpProblem ? error.limit : undefined;
    if (limit === CLOSED) return void res.destroy();
    if (limit === undefined) {
      this.stats.rejected++;
      this.options.err.write(`tracewire dev: rejected ${request} with ${status}: ${line}\n`);
    } else {
      this.stats.refused++;
      this.reportOnce(limit, `rejected ${request} with ${status}: ${line}`);
    }
    if (res.headersSent || res.destroyed) return void res.end();
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    // A body left unread is discarded by Node after the answer (bounded by the request timeout): closing at once
    // would reset the connection, and the client would lose the answer along with its unsent bytes.
    if (limit === undefined) headers.connection = 'close';
    if (status === 503) headers['retry-after'] = '1';
    res.writeHead(status, headers).end(`${line}\n`);
  }

  /** Answers a connection that timed out with 408 (said once), other client errors with 400. */
  answerClientError(error: NodeJS.ErrnoException, socket: Socket, timeouts: { headers: number; request: number }): void {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      this.stats.refused++;
      this.reportOnce(
        'timeout',
        `closed a connection that did not send its request within ${timeouts.headers} ms (headers) / ${timeouts.request} ms (whole request), with 408`,
      );
      const body = `request not received within ${timeouts.request} ms\n`;
      if (socket.writable && socket.bytesWritten === 0)
        socket.end(
          `HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      else socket.destroy();
      return;
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  }

  /** Prints the traces that are due, and the summary when traffic paused (`--summary`). */
  tick(): void {
    try {
      const now = Date.now();
      for (const trace of this.assembler.due(now)) this.printer.print(trace);
      const paused = this.assembler.size === 0 && now - this.lastSpanAt >= SUMMARY_PAUSE_MS;
      if (this.options.summary && this.printer.printedSinceSummary && paused) this.printer.printSummary();
    } catch (error) {
      this.printer.problem('could not print a trace', error);
    }
  }

  /** Prints what is still waiting and the summary, settles `--forward` and `--jsonl`, and says the totals. */
  async finish(): Promise<void> {
    this.viewer?.close();
    for (const trace of this.assembler.drain()) this.printer.print(trace);
    this.printer.printSummary();
    const forwarder = this.forwarder;
    if (forwarder !== undefined) await forwarder.settle(FORWARD_SETTLE_MS);
    const written = (await this.jsonl?.end()) ?? false;
    const line = describeReceiverStats({
      stats: this.stats,
      dropped: this.assembler.dropped,
      evicted: this.assembler.evicted,
      ...(this.jsonl !== undefined ? { jsonl: { path: this.jsonl.path, dropped: this.jsonl.dropped, written } } : {}),
      ...(forwarder !== undefined
        ? { forward: { url: maskUrl(forwarder.url), forwarded: forwarder.forwarded, notForwarded: forwarder.failed + forwarder.dropped } }
        : {}),
    });
    this.options.err.write(`tracewire dev: ${line}.\n`);
  }
}

/** Listens on `port`, or, when it is busy and was not asked for explicitly, on any free port (and says so). */
async function listen(server: Server, options: DevServerOptions): Promise<number> {
  const attempt = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, options.host);
    });
  try {
    await attempt(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.portIsExplicit) throw error;
    await attempt(0);
    const { port } = server.address() as AddressInfo;
    options.err.write(`tracewire dev: port ${options.port} is in use (another collector or Jaeger?); listening on port ${port} instead.\n`);
  }
  server.on('error', (error) => options.err.write(`tracewire dev: server error: ${error.message}\n`));
  return (server.address() as AddressInfo).port;
}

/**
 * Starts the `tracewire dev` receiver: OTLP/HTTP on `POST /v1/traces` (protobuf or JSON, optionally gzip), each
 * completed trace printed as a tree with its critical path and bottleneck, malformed requests answered with 400
 * and a one-line message. Never throws after it listens: every request is handled inside a try/catch. @internal
 *
 * @example
 * ```ts
 * const server = await startDevServer({ host: '127.0.0.1', port: 4318, portIsExplicit: false, quietMs: 1000,
 *   summary: false, out: process.stdout, err: process.stderr, paint: createPainter(false), barWidth: 30 });
 * // … later
 * await server.close();
 * ```
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const receiver = new DevReceiver(options);
  const request = options.requestTimeoutMs ?? 30_000;
  const headers = Math.min(options.headersTimeoutMs ?? 10_000, request);
  const server: Server = createServer(
    {
      requestTimeout: request,
      headersTimeout: headers,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headers / 4))),
    },
    (req, res) => {
      receiver.handle(req, res).catch((thrown: unknown) => receiver.answerProblem(req, res, thrown));
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    receiver.answerClientError(error, socket, { headers, request }),
  );
  const port = await listen(server, options);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}`;
  const timer = setInterval(() => receiver.tick(), TICK_MS);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(timer);
      receiver.viewer?.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await receiver.finish();
    })();
    return closing;
  };
  return { url, port, close };
}
