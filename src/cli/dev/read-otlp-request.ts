import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { decodeOtlpJson } from '../otlp/decode-otlp-json.js';
import { decodeOtlpProtobuf } from '../otlp/decode-otlp-protobuf.js';
import type { DecodeLimits, OtlpTraceRequest } from '../otlp/otlp-json.js';
import type { DevSpan } from './dev-span.js';
import { flattenSpans } from './flatten-spans.js';
import { INGEST_LIMITS, limitOtlpRequest } from './limit-otlp-request.js';

const MiB = 1024 * 1024;
/** Largest request body received, bytes. @internal */
export const MAX_BODY = 32 * MiB;
const MAX_INFLATED = 64 * MiB;
/** Request bodies received or decoded at the same time. @internal */
export const MAX_UPLOADS_IN_FLIGHT = 32;
/** Spans decoded from one request: the SDK sends 512 at most, a Collector 8192 by default. */
const MAX_REQUEST_SPANS = 50_000;

/** A request answered with an HTTP error status and a one-line message. @internal */
export class HttpProblem extends Error {
  /** `limit`: a bound of the receiver was reached; said once on stderr (by `limit`), then only counted. */
  constructor(
    readonly status: number,
    message: string,
    readonly limit?: string,
  ) {
    super(message);
  }
}

/** Request bodies being received or decoded: how many, and their bytes. @internal */
export interface Uploads {
  count: number;
  bytes: number;
  readonly maxBytes: number;
}

/** The `limit` of a request whose connection closed before its body was in: no answer, nothing to report. @internal */
export const CLOSED = 'closed';

/** @internal */
export const tooLarge = (): HttpProblem =>
  new HttpProblem(413, `request body larger than ${MAX_BODY / MiB} MiB (or than --max-memory / 4): send smaller batches`, 'too-large');

/** @internal */
export const busy = (uploads: Uploads): HttpProblem =>
  new HttpProblem(
    503,
    `receiver busy: ${MAX_UPLOADS_IN_FLIGHT} uploads or ${uploads.maxBytes / MiB} MiB in flight; retry later (--max-memory raises the byte limit)`,
    'busy',
  );

/** Reads the body, counting its bytes in `uploads` as they arrive (the caller gives them back, the body's length). @internal */
export function readBody(req: IncomingMessage, uploads: Uploads): Promise<Buffer> {
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

/** The spans of one request, whether it was JSON (answered in JSON), and how many values or list entries were cut. @internal */
export interface DecodedRequest {
  readonly spans: DevSpan[];
  readonly json: boolean;
  readonly cut: number;
}

/**
 * Inflates, decodes and limits one request body (values and lists cut as the SDK's span limits do). Throws an
 * {@link HttpProblem} or an OTLP decode error for a body it cannot read. @internal
 *
 * @example
 * ```ts
 * const { spans, json } = await decodeRequest(raw, 'gzip', 'application/x-protobuf');
 * ```
 */
export async function decodeRequest(raw: Buffer, encoding: string, contentType: string): Promise<DecodedRequest> {
  const limits: DecodeLimits = { maxSpans: MAX_REQUEST_SPANS, maxListLength: INGEST_LIMITS.maxListLength, skipped: 0 };
  const { request, json } = decode(await inflate(raw, encoding), contentType, limits);
  const cuts = limitOtlpRequest(request, INGEST_LIMITS);
  return { spans: flattenSpans(request), json, cut: cuts.strings + cuts.entries + limits.skipped };
}
