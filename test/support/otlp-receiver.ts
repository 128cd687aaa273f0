// An in-process OTLP/HTTP trace receiver for tests. It decodes protobuf with the official OTLP schema
// (test/support/otlp-proto, loaded with protobufjs)
// and OTLP/JSON per the spec, gunzips when asked, and normalises both into one span model.
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { otlpRoot } from './otlp-schema.js';

const root = otlpRoot;
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

export type AttrValue = string | number | boolean | null | AttrValue[];

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  status: { code: number; message: string };
  attributes: Record<string, AttrValue>;
  events: Array<{ name: string; attributes: Record<string, AttrValue> }>;
  links: Array<{ traceId: string; spanId: string }>;
  resource: Record<string, AttrValue>;
  scope: string;
  service: string;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  contentType: string;
  encoding: string;
  bytes: number;
  rawBody: Buffer;
  spans: ReceivedSpan[];
  /** Subject CN of the client certificate, when the receiver runs https and the client sent one. */
  clientCertificateCN?: string;
}

/** Ids as lower-case hex, from bytes, hex (OTLP/JSON spec) or base64 (protojson, as Tempo answers). */
const hex = (bytes: Uint8Array | string | undefined | null): string => {
  if (bytes == null) return '';
  if (typeof bytes === 'string') {
    if (bytes === '') return '';
    if (/^[0-9a-fA-F]{16}([0-9a-fA-F]{16})?$/.test(bytes)) return bytes.toLowerCase();
    return Buffer.from(bytes, 'base64').toString('hex');
  }
  return Buffer.from(bytes).toString('hex');
};

const KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
/** Enums arrive as numbers (OTLP/JSON spec) or names (protojson). */
const enumValue = (v: unknown, names: Record<string, number>): number => (typeof v === 'string' ? (names[v] ?? Number(v)) : Number(v ?? 0));

function anyValue(v: any): AttrValue {
  if (v == null) return null;
  if (v.stringValue != null) return String(v.stringValue);
  if (v.boolValue != null) return Boolean(v.boolValue);
  if (v.intValue != null) return Number(v.intValue);
  if (v.doubleValue != null) return Number(v.doubleValue);
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(anyValue);
  return null;
}

function attrs(list: any[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** Normalises a decoded request (protobuf via toObject, OTLP/JSON, or a backend's OTLP JSON answer) into spans. */

export function flatten(request: any): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: enumValue(s.kind, KINDS),
          startNs: BigInt(s.startTimeUnixNano ?? 0),
          endNs: BigInt(s.endTimeUnixNano ?? 0),
          status: { code: enumValue(s.status?.code, CODES), message: s.status?.message ?? '' },
          attributes: attrs(s.attributes),

          events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attrs(e.attributes) })),

          links: (s.links ?? []).map((l: any) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
          resource,
          scope: ss.scope?.name ?? ss.instrumentationLibrary?.name ?? '',
          service: String(resource['service.name'] ?? ''),
        });
      }
    }
  }
  return spans;
}

export function decodeOtlp(body: Buffer, contentType: string): ReceivedSpan[] {
  if (contentType.includes('application/json')) return flatten(JSON.parse(body.toString('utf8')));
  const message = ExportTraceServiceRequest.decode(body);
  return flatten(ExportTraceServiceRequest.toObject(message, { longs: String, defaults: false, arrays: true }));
}

export class OtlpReceiver extends EventEmitter {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Status to answer with (e.g. 503 to simulate an overloaded collector). */
  status = 200;
  /** Retry-After header sent with a non-200 `status`. */
  retryAfter: string | undefined;
  /** Every POST to /v1/traces, with its arrival time, including rejected ones. */
  readonly attempts: number[] = [];
  private server: Server | undefined;

  /** `tls`: serve https with these options (key, cert, and ca + requestCert for client certificates). */
  constructor(private readonly tls?: HttpsOptions) {
    super();
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async start(port = 0): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        try {
          const raw = Buffer.concat(chunks);
          const encoding = String(req.headers['content-encoding'] ?? '');
          const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
          const contentType = String(req.headers['content-type'] ?? '');
          const spans = decodeOtlp(body, contentType);
          this.attempts.push(Date.now());
          if (this.status !== 200) {
            res.writeHead(this.status, this.retryAfter === undefined ? {} : { 'retry-after': this.retryAfter }).end();
            return;
          }
          const peer = this.tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
          const clientCertificateCN = peer?.subject?.CN;
          this.requests.push({
            headers: req.headers,
            contentType,
            encoding,
            bytes: raw.length,
            rawBody: raw,
            spans,
            ...(clientCertificateCN ? { clientCertificateCN: String(clientCertificateCN) } : {}),
          });
          this.spans.push(...spans);
          if (contentType.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          this.emit('spans', spans);
        } catch (error) {
          res.writeHead(400).end(String(error));
          this.emit('decode-error', error);
        }
      });
    };
    this.server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  /** Resolves with all spans once `predicate(spans)` holds; rejects after `timeoutMs` with what arrived. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
    if (predicate(this.spans)) return Promise.resolve(this.spans);
    return new Promise((resolve, reject) => {
      const onSpans = (): void => {
        if (!predicate(this.spans)) return;
        cleanup();
        resolve(this.spans);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms; received ${this.spans.length} spans: ${this.spans.map((s) => `${s.service}/${s.name}`).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('spans', onSpans);
      };
      this.on('spans', onSpans);
    });
  }

  clear(): void {
    this.spans.length = 0;
    this.requests.length = 0;
    this.attempts.length = 0;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }
}
