import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { maskUrl, maskUrlCredentials } from '../internal/mask-url.js';
import { buildTraceTree } from './build-trace-tree.js';
import type { Painter } from './create-painter.js';
import type { DevSpan } from './dev-span.js';
import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import { findCriticalPath } from './find-critical-path.js';
import { flattenSpans } from './flatten-spans.js';
import { OtlpDecodeError, type OtlpTraceRequest } from './otlp-json.js';
import { RedSummary } from './red-summary.js';
import { renderSummary } from './render-summary.js';
import { renderTrace } from './render-trace.js';
import { terminalText } from './terminal-text.js';
import { TraceAssembler, type AssembledTrace } from './trace-assembler.js';

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
}

/** A running dev receiver. @internal */
export interface DevServer {
  readonly url: string;
  readonly port: number;
  /** Stops receiving, prints the traces still waiting and the summary, flushes `--jsonl` and forwards. */
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;
const MAX_INFLATED = 128 * 1024 * 1024;
const MAX_FORWARDS_IN_FLIGHT = 64;
const SUMMARY_PAUSE_MS = 2000;
const TICK_MS = 100;
/** Longest message (and request line) printed about a rejected request or a problem, characters. */
const MAX_PROBLEM = 300;
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpProblem(413, `request body larger than ${MAX_BODY / 1024 / 1024} MiB`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
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

function decode(body: Buffer, contentType: string): { request: OtlpTraceRequest; json: boolean } {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return { request: decodeOtlpJson(body.toString('utf8')), json: true };
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return { request: decodeOtlpProtobuf(body), json: false };
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
  const assembler = new TraceAssembler({ quietMs: options.quietMs });
  const red = new RedSummary();
  const forwardUrl = options.forward === undefined ? undefined : forwardTarget(options.forward);
  const forwards = new Set<Promise<void>>();
  const reportedForwardProblems = new Set<string>();
  const stats = { requests: 0, spans: 0, rejected: 0, forwarded: 0, forwardFailed: 0, forwardDropped: 0 };
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
    if (text !== '') jsonl.write(text);
  };

  const forward = (req: IncomingMessage, raw: Buffer): void => {
    if (forwardUrl === undefined) return;
    if (forwards.size >= MAX_FORWARDS_IN_FLIGHT) {
      stats.forwardDropped++;
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
      err.write(`tracewire dev: forwarding to ${maskUrl(forwardUrl)} failed: ${maskUrlCredentials(what)} (further failures like this are only counted)\n`);
    };
    const done = fetch(forwardUrl, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) stats.forwarded++;
        else problem(`HTTP ${res.status}`);
      })
      .catch((error: unknown) => problem(String((error as Error & { cause?: Error })?.cause?.message ?? (error as Error)?.message ?? error)))
      .finally(() => forwards.delete(done));
    forwards.add(done);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/traces') throw new HttpProblem(404, `no such endpoint ${req.method} ${path}: tracewire dev receives OTLP traces at POST /v1/traces`);
    if (req.method !== 'POST') throw new HttpProblem(405, `use POST to send traces to /v1/traces (got ${req.method})`);
    const raw = await readBody(req);
    const body = await inflate(raw, String(req.headers['content-encoding'] ?? '').trim().toLowerCase());
    const { request, json } = decode(body, String(req.headers['content-type'] ?? ''));
    const spans = flattenSpans(request);
    stats.requests++;
    stats.spans += spans.length;
    if (spans.length > 0) lastSpanAt = Date.now();
    assembler.add(spans, Date.now());
    writeJsonl(spans);
    forward(req, raw);
    if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpProblem ? error.status : error instanceof OtlpDecodeError ? 400 : 500;
      // One line, control characters escaped, bounded: the message may quote the request (a span name, a header).
      const line = terminalText(String((error as Error)?.message ?? error), MAX_PROBLEM);
      stats.rejected++;
      err.write(`tracewire dev: rejected ${terminalText(`${req.method} ${req.url}`, MAX_PROBLEM)} with ${status}: ${line}\n`);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`${line}\n`);
    });
  });
  server.on('clientError', (_error, socket) => {
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
      const facts = [`received ${stats.spans} span${stats.spans === 1 ? '' : 's'} in ${stats.requests} request${stats.requests === 1 ? '' : 's'}`];
      if (stats.rejected > 0) facts.push(`rejected ${stats.rejected} malformed request${stats.rejected === 1 ? '' : 's'}`);
      if (assembler.dropped > 0) facts.push(`dropped ${assembler.dropped} spans (more than 100000 waiting)`);
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
