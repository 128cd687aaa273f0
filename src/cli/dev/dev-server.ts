import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import { gunzip } from 'node:zlib';
import { maskUrl, maskUrlCredentials } from '../../internal/mask-url.js';
import { buildTraceTree } from './build-trace-tree.js';
import type { Painter } from '../terminal/create-painter.js';
import type { DevSpan } from './dev-span.js';
import { decodeOtlpJson } from '../otlp/decode-otlp-json.js';
import { decodeOtlpProtobuf } from '../otlp/decode-otlp-protobuf.js';
import { findCriticalPath } from './find-critical-path.js';
import { flattenSpans } from './flatten-spans.js';
import { hostNameOf, hostPolicy, isAllowedHost } from './is-allowed-host.js';
import { INGEST_LIMITS, limitOtlpRequest } from './limit-otlp-request.js';
import { OtlpDecodeError, OtlpTooManySpansError, type DecodeLimits, type OtlpTraceRequest } from '../otlp/otlp-json.js';
import { RedSummary } from './red-summary.js';
import { renderSummary } from './render-summary.js';
import { renderTrace } from './render-trace.js';
import { terminalText } from '../terminal/terminal-text.js';
import { TraceAssembler, type AssembledTrace, type AssemblerLimit } from './trace-assembler.js';

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
}

/** A running dev receiver. @internal */
export interface DevServer {
  readonly url: string;
  readonly port: number;
  /** Stops receiving, prints the traces still waiting and the summary, flushes `--jsonl` and forwards. */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const MAX_BODY = 32 * MiB;
const MAX_INFLATED = 64 * MiB;
const MAX_FORWARDS_IN_FLIGHT = 64;
const MAX_UPLOADS_IN_FLIGHT = 32;
const MAX_PENDING_SPANS = 100_000;
const MAX_TRACE_SPANS = 10_000;
/** Spans decoded from one request: the SDK sends 512 at most, a Collector 8192 by default. */
const MAX_REQUEST_SPANS = 50_000;
const DEFAULT_MAX_MEMORY_MIB = 256;
const SUMMARY_PAUSE_MS = 2000;
const TICK_MS = 100;
/** Longest message (and request line) printed about a rejected request or a problem, characters. */
const MAX_PROBLEM = 300;
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

class HttpProblem extends Error {
  /** `limit`: a bound of the receiver was reached; said once on stderr (by `limit`), then only counted. */
  constructor(
    readonly status: number,
    message: string,
    readonly limit?: string,
  ) {
    super(message);
  }
}

/** Request bodies being received or decoded: how many, and their bytes. */
interface Uploads {
  count: number;
  bytes: number;
  readonly maxBytes: number;
}

/** The `limit` of a request whose connection closed before its body was in: no answer, nothing to report. */
const CLOSED = 'closed';
const tooLarge = (): HttpProblem =>
  new HttpProblem(413, `request body larger than ${MAX_BODY / MiB} MiB (or than --max-memory / 4): send smaller batches`, 'too-large');
const busy = (uploads: Uploads): HttpProblem =>
  new HttpProblem(
    503,
    `receiver busy: ${MAX_UPLOADS_IN_FLIGHT} uploads or ${uploads.maxBytes / MiB} MiB in flight; retry later (--max-memory raises the byte limit)`,
    'busy',
  );

/** Reads the body, counting its bytes in `uploads` as they arrive (the caller gives them back, the body's length). */
function readBody(req: IncomingMessage, uploads: Uploads): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (problem: Error): void => {
      req.off('data', onData);
      req.resume(); // discard the rest as it comes (until its end or the request timeout), holding none of it
      uploads.bytes -= size;
      size = 0;
      reject(problem);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      uploads.bytes += chunk.length;
      if (size > MAX_BODY || size > uploads.maxBytes) fail(tooLarge());
      else if (uploads.bytes > uploads.maxBytes) fail(busy(uploads));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', fail);
    // A connection closed (or timed out, answered by 'clientError') before the end: nothing to answer.
    req.on('close', () => {
      if (!req.complete) fail(new HttpProblem(408, 'request not received in full', CLOSED));
    });
  });
}

function inflate(raw: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === '' || encoding === 'identity') return Promise.resolve(raw);
  if (encoding !== 'gzip') return Promise.reject(new HttpProblem(415, `unsupported content-encoding "${encoding}" (send gzip or none)`));
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: MAX_INFLATED }, (error, result) => {
      if (error) reject(new HttpProblem(400, `malformed gzip body: ${error.message}`));
      else resolve(result);
    });
  });
}

function decode(body: Buffer, contentType: string, limits: DecodeLimits): { request: OtlpTraceRequest; json: boolean } {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return { request: decodeOtlpJson(body.toString('utf8'), limits), json: true };
  if (type === 'application/x-protobuf' || type === 'application/protobuf')
    return { request: decodeOtlpProtobuf(body, limits), json: false };
  throw new HttpProblem(415, `unsupported content-type "${type}" (send application/x-protobuf or application/json)`);
}

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
  const { out, err, paint } = options;
  const budget = memoryBudget(options.maxMemoryMiB ?? DEFAULT_MAX_MEMORY_MIB);
  const reported = new Set<string>();
  /** Says a limit was reached, once per kind: later hits are only counted (and totalled at exit). */
  const reportOnce = (kind: string, line: string): void => {
    if (reported.has(kind)) return;
    reported.add(kind);
    err.write(`tracewire dev: ${line} (further ones are only counted)\n`);
  };
  const onLimit = (limit: AssemblerLimit, traceId: string): void => reportOnce(limit, limitMessage(limit, traceId, budget));
  const assembler = new TraceAssembler({
    quietMs: options.quietMs,
    maxPendingSpans: MAX_PENDING_SPANS,
    maxTraceSpans: MAX_TRACE_SPANS,
    maxPendingBytes: budget.pendingBytes,
    maxTraceBytes: budget.traceBytes,
    maxRememberedBytes: budget.rememberedBytes,
    onLimit,
  });
  const hosts = hostPolicy(options.host, options.allowedHosts ?? [], hostname());
  const uploads: Uploads = { count: 0, bytes: 0, maxBytes: budget.uploadBytes };
  let decoding: Promise<unknown> = Promise.resolve();
  let forwardBytes = 0;
  const red = new RedSummary();
  const forwardUrl = options.forward === undefined ? undefined : forwardTarget(options.forward);
  const forwards = new Set<Promise<void>>();
  const reportedForwardProblems = new Set<string>();
  const stats = {
    requests: 0,
    spans: 0,
    rejected: 0,
    refused: 0,
    cut: 0,
    jsonlDropped: 0,
    forwarded: 0,
    forwardFailed: 0,
    forwardDropped: 0,
  };
  let lastSpanAt = 0;
  let printedSinceSummary = false;
  let jsonl: WriteStream | undefined;
  if (options.jsonl !== undefined) {
    jsonl = createWriteStream(options.jsonl, { flags: 'a' });
    jsonl.on('error', (error) => {
      err.write(`tracewire dev: cannot write ${options.jsonl}: ${error.message}; spans are no longer written there.\n`);
      jsonl = undefined;
    });
  }

  const print = (trace: AssembledTrace): void => {
    const tree = buildTraceTree(trace.spans);
    red.addTrace(tree);
    const notes: string[] = [];
    if (trace.late > 0) notes.push(`updated: ${trace.late} late span${trace.late === 1 ? '' : 's'}`);
    if (trace.rootMissing) notes.push('root span not received');
    if (trace.evicted) notes.push('printed early: too many spans waiting');
    out.write(`\n${renderTrace(tree, findCriticalPath(tree), { paint, barWidth: options.barWidth, note: notes.join('; ') })}`);
    printedSinceSummary = true;
  };
  const printSummary = (): void => {
    out.write(`\n${renderSummary(red.report(), { paint })}`);
    printedSinceSummary = false;
  };
  const problem = (what: string, error: unknown): void => {
    err.write(`tracewire dev: ${what}: ${terminalText(String((error as Error)?.message ?? error), MAX_PROBLEM)}\n`);
  };
  // A trace that cannot be printed is reported in one line; the others, and at Ctrl-C the summary, still are.
  const printOrReport = (trace: AssembledTrace): void => {
    try {
      print(trace);
    } catch (error) {
      problem(`could not print trace ${trace.traceId}`, error);
    }
  };

  const writeJsonl = (spans: readonly DevSpan[]): void => {
    if (jsonl === undefined) return;
    let text = '';
    for (const s of spans) {
      if (s.source === undefined) continue;
      text += `${JSON.stringify({ resourceSpans: [{ resource: s.source.resource, scopeSpans: [{ scope: s.source.scope, spans: [s.source.span] }] }] })}\n`;
    }
    if (text === '') return;
    // A disk slower than the senders must not fill memory: beyond the budget, lines are left out and counted.
    if (jsonl.writableLength + text.length > budget.jsonlBytes) {
      stats.jsonlDropped += spans.length;
      reportOnce(
        'jsonl',
        `${options.jsonl} is written slower than spans arrive; spans beyond ${budget.jsonlBytes / MiB} MiB waiting are left out of it`,
      );
      return;
    }
    jsonl.write(text);
  };

  const forward = (req: IncomingMessage, raw: Buffer): void => {
    if (forwardUrl === undefined) return;
    if (forwards.size >= MAX_FORWARDS_IN_FLIGHT || forwardBytes + raw.length > budget.forwardBytes) {
      stats.forwardDropped++;
      reportOnce(
        'forward',
        `forwarding to ${forwardUrl} falls behind (${MAX_FORWARDS_IN_FLIGHT} requests or ${budget.forwardBytes / MiB} MiB in flight); requests beyond it are not forwarded`,
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
    }
    const problem = (what: string): void => {
      stats.forwardFailed++;
      if (reportedForwardProblems.has(what)) return;
      reportedForwardProblems.add(what);
      err.write(
        `tracewire dev: forwarding to ${maskUrl(forwardUrl)} failed: ${maskUrlCredentials(what)} (further failures like this are only counted)\n`,
      );
    };
    const done = fetch(forwardUrl, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) stats.forwarded++;
        else problem(`HTTP ${res.status}`);
      })
      .catch((error: unknown) =>
        problem(String((error as Error & { cause?: Error })?.cause?.message ?? (error as Error)?.message ?? error)),
      )
      .finally(() => {
        forwards.delete(done);
        forwardBytes -= raw.length;
      });
    forwards.add(done);
    forwardBytes += raw.length;
  };

  /** Inflates, decodes and limits one body; bodies take turns, so one inflated request at a time is in memory. */
  const ingest = (raw: Buffer, encoding: string, contentType: string): Promise<{ spans: DevSpan[]; json: boolean }> => {
    const turn = decoding.then(async () => {
      const limits: DecodeLimits = { maxSpans: MAX_REQUEST_SPANS, maxListLength: INGEST_LIMITS.maxListLength, skipped: 0 };
      const { request, json } = decode(await inflate(raw, encoding), contentType, limits);
      const cuts = limitOtlpRequest(request, INGEST_LIMITS);
      if (cuts.strings + cuts.entries + limits.skipped > 0) {
        stats.cut += cuts.strings + cuts.entries + limits.skipped;
        reportOnce(
          'cut',
          `truncated attribute values and names longer than ${INGEST_LIMITS.maxStringLength} characters, and lists longer than ${INGEST_LIMITS.maxListLength} entries, as the SDK's span limits do; what is printed and written with --jsonl is cut, --forward sends the requests as received`,
        );
      }
      return { spans: flattenSpans(request), json };
    });
    decoding = turn.catch(() => undefined);
    return turn;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (!isAllowedHost(host, hosts)) {
      const name = hostNameOf(host);
      const remedy = /^[a-z0-9.\-[\]:]{1,253}$/.test(name) ? `--allow-host ${name}` : '--allow-host NAME';
      throw new HttpProblem(
        403,
        `host ${JSON.stringify(host.slice(0, 256))} is not allowed: tracewire dev answers requests addressed to localhost or ${options.host} only (DNS rebinding protection); start it with ${remedy} to accept this name`,
        'host',
      );
    }
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/traces')
      throw new HttpProblem(404, `no such endpoint ${req.method} ${path}: tracewire dev receives OTLP traces at POST /v1/traces`);
    if (req.method !== 'POST') throw new HttpProblem(405, `use POST to send traces to /v1/traces (got ${req.method})`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY || declared > uploads.maxBytes) throw tooLarge();
    if (uploads.count >= MAX_UPLOADS_IN_FLIGHT || uploads.bytes + declared > uploads.maxBytes) throw busy(uploads);
    uploads.count++;
    let held = 0;
    let raw: Buffer;
    let ingested: { spans: DevSpan[]; json: boolean };
    try {
      raw = await readBody(req, uploads);
      held = raw.length;
      ingested = await ingest(
        raw,
        String(req.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase(),
        String(req.headers['content-type'] ?? ''),
      );
    } finally {
      uploads.count--;
      uploads.bytes -= held;
    }
    const { spans, json } = ingested;
    stats.requests++;
    stats.spans += spans.length;
    if (spans.length > 0) lastSpanAt = Date.now();
    assembler.add(spans, Date.now());
    writeJsonl(spans);
    forward(req, raw);
    if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  };

  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  const server: Server = createServer(
    { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))) },
    (req, res) => {
      handle(req, res).catch((thrown: unknown) => {
        const error = thrown instanceof OtlpTooManySpansError ? new HttpProblem(413, thrown.message, 'spans') : thrown;
        const status = error instanceof HttpProblem ? error.status : error instanceof OtlpDecodeError ? 400 : 500;
        const message = (error as Error)?.message ?? String(error);
        // One line, control characters escaped, bounded: the message may quote the request (a span name, a header).
        const line = terminalText(message, MAX_PROBLEM);
        const request = terminalText(`${req.method} ${req.url}`, MAX_PROBLEM);
        const limit = error instanceof HttpProblem ? error.limit : undefined;
        if (limit === CLOSED) return void res.destroy();
        if (limit === undefined) {
          stats.rejected++;
          err.write(`tracewire dev: rejected ${request} with ${status}: ${line}\n`);
        } else {
          stats.refused++;
          reportOnce(limit, `rejected ${request} with ${status}: ${line}`);
        }
        if (res.headersSent || res.destroyed) return void res.end();
        const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
        // A body left unread is discarded by Node after the answer (bounded by the request timeout): closing at once
        // would reset the connection, and the client would lose the answer along with its unsent bytes.
        if (limit === undefined) headers.connection = 'close';
        if (status === 503) headers['retry-after'] = '1';
        res.writeHead(status, headers).end(`${line}\n`);
      });
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      stats.refused++;
      reportOnce(
        'timeout',
        `closed a connection that did not send its request within ${headersTimeout} ms (headers) / ${requestTimeout} ms (whole request), with 408`,
      );
      const body = `request not received within ${requestTimeout} ms\n`;
      if (socket.writable && socket.bytesWritten === 0)
        socket.end(
          `HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      else socket.destroy();
      return;
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  const listen = (port: number): Promise<void> =>
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
    await listen(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.portIsExplicit) throw error;
    await listen(0);
    const { port } = server.address() as AddressInfo;
    err.write(`tracewire dev: port ${options.port} is in use (another collector or Jaeger?); listening on port ${port} instead.\n`);
  }
  server.on('error', (error) => err.write(`tracewire dev: server error: ${error.message}\n`));
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}`;

  const timer = setInterval(() => {
    try {
      const now = Date.now();
      for (const trace of assembler.due(now)) printOrReport(trace);
      if (options.summary && printedSinceSummary && assembler.size === 0 && now - lastSpanAt >= SUMMARY_PAUSE_MS) printSummary();
    } catch (error) {
      problem('could not print a trace', error);
    }
  }, TICK_MS);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(timer);
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const trace of assembler.drain()) printOrReport(trace);
      try {
        printSummary();
      } catch (error) {
        problem('could not print the summary', error);
      }
      const facts = [
        `received ${stats.spans} span${stats.spans === 1 ? '' : 's'} in ${stats.requests} request${stats.requests === 1 ? '' : 's'}`,
      ];
      if (stats.rejected > 0) facts.push(`rejected ${stats.rejected} malformed request${stats.rejected === 1 ? '' : 's'}`);
      if (stats.refused > 0)
        facts.push(`refused ${stats.refused} request${stats.refused === 1 ? '' : 's'} over a limit (host, size, uploads in flight, time)`);
      if (stats.cut > 0) facts.push(`cut ${stats.cut} over-long value${stats.cut === 1 ? '' : 's'} or list entries`);
      if (assembler.dropped > 0)
        facts.push(`dropped ${assembler.dropped} span${assembler.dropped === 1 ? '' : 's'} over the per-trace or memory limits`);
      if (assembler.evicted > 0) facts.push(`printed ${assembler.evicted} trace${assembler.evicted === 1 ? '' : 's'} early to make room`);
      if (stats.jsonlDropped > 0) facts.push(`${stats.jsonlDropped} spans left out of ${options.jsonl}`);
      if (forwardUrl !== undefined) {
        await Promise.race([Promise.all([...forwards]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
        facts.push(`forwarded ${stats.forwarded} request${stats.forwarded === 1 ? '' : 's'} to ${maskUrl(forwardUrl)}`);
        if (stats.forwardFailed + stats.forwardDropped > 0) facts.push(`${stats.forwardFailed + stats.forwardDropped} not forwarded`);
      }
      const stream = jsonl;
      if (stream !== undefined) {
        await new Promise<void>((resolve) => stream.end(resolve));
        facts.push(`spans appended to ${options.jsonl}`);
      }
      err.write(`tracewire dev: ${facts.join(', ')}.\n`);
    })();
    return closing;
  };
  return { url, port, close };
}

/** How `--max-memory` is shared out, bytes. */
interface MemoryBudget {
  readonly totalMiB: number;
  readonly uploadBytes: number;
  readonly pendingBytes: number;
  readonly traceBytes: number;
  readonly rememberedBytes: number;
  readonly forwardBytes: number;
  readonly jsonlBytes: number;
}

/** A quarter for uploads in flight, half for traces waiting (an eighth per trace), an eighth for printed ones remembered, a sixteenth each for forwarding and `--jsonl`. */
function memoryBudget(totalMiB: number): MemoryBudget {
  const total = totalMiB * MiB;
  return {
    totalMiB,
    uploadBytes: total / 4,
    pendingBytes: total / 2,
    traceBytes: total / 8,
    rememberedBytes: total / 8,
    forwardBytes: total / 16,
    jsonlBytes: total / 16,
  };
}

function limitMessage(limit: AssemblerLimit, traceId: string, budget: MemoryBudget): string {
  if (limit === 'trace') {
    return `trace ${traceId} has more than ${MAX_TRACE_SPANS} spans or ${budget.traceBytes / MiB} MiB, its fair share: the rest of it is dropped; it is printed with what was kept (--forward sends all of it to a backend, --max-memory raises the byte limit)`;
  }
  if (limit === 'evicted') {
    return `the traces waiting to be printed reached ${MAX_PENDING_SPANS} spans or ${budget.pendingBytes / MiB} MiB: trace ${traceId}, the oldest, was printed early, before it was complete (--max-memory raises the byte limit, a shorter --quiet prints traces sooner)`;
  }
  return `a span of trace ${traceId} was dropped: no room among the traces waiting to be printed (--max-memory raises the limit)`;
}
