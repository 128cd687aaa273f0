import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { lookup } from 'node:dns/promises';
import { gzipSync } from 'node:zlib';
import type { ResolvedConfig } from '../config/types.js';
import { createResource } from '../sdk/create-resource.js';
import type { DoctorCheck } from './doctor-check.js';

const MAX_PROBE_TIMEOUT_MS = 10_000;
const START = 'start the backend there (Jaeger v2 and Tempo receive OTLP/HTTP on 4318), or run `npx tracewire dev` for a local receiver, or point OTEL_EXPORTER_OTLP_ENDPOINT at the right host and port.';

/** One span, exactly as the app's exporter would encode it (same resource, protocol and compression). */
function probeBody(config: ResolvedConfig): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: createResource(config), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('tracewire-doctor').startSpan('tracewire doctor probe', { attributes: { 'tracewire.doctor.probe': true } });
  span.end();
  const spans = exporter.getFinishedSpans();
  const serializer = config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  const body = serializer.serializeRequest(spans) ?? new Uint8Array();
  void provider.shutdown();
  return config.compression === 'gzip' ? gzipSync(body) : body;
}

function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** What an HTTP status from an OTLP endpoint means, and what to do about it. */
function explainStatus(status: number, config: ResolvedConfig, body: string, location: string | null): { title: string; remedy: string } {
  const said = body === '' ? '' : ` ("${firstLine(body)}")`;
  const other = config.protocol === 'http/json' ? 'http/protobuf' : 'http/json';
  // Multitenant Tempo (and other Grafana backends) refuse requests without a tenant; Tempo answers 503 "no org id".
  if (/no org id|X-Scope-OrgID/i.test(body)) {
    return {
      title: `refused the probe span: no tenant (org id) given${said}`,
      remedy: 'send the tenant with OTEL_EXPORTER_OTLP_HEADERS=X-Scope-OrgID=<tenant> (multitenant Tempo).',
    };
  }
  if (status >= 300 && status < 400) {
    return { title: `redirects to ${location ?? '?'}; OTLP exporters do not follow redirects`, remedy: 'use the final URL in OTEL_EXPORTER_OTLP_ENDPOINT.' };
  }
  switch (status) {
    case 400:
      return { title: `rejected the probe span as malformed${said}`, remedy: `the receiver may expect another encoding: try OTEL_EXPORTER_OTLP_PROTOCOL=${other}, and check OTEL_EXPORTER_OTLP_COMPRESSION.` };
    case 401:
    case 403:
      return {
        title: `refused the probe span: not authorised${said}`,
        remedy: 'send the credentials or tenant the backend needs with OTEL_EXPORTER_OTLP_HEADERS, e.g. Authorization=Bearer%20<token>, or X-Scope-OrgID=<tenant> for a multitenant Tempo.',
      };
    case 404:
      return {
        title: `nothing receives traces at this path${said}`,
        remedy: 'OTLP/HTTP receivers take traces at /v1/traces: set OTEL_EXPORTER_OTLP_ENDPOINT to the base URL (http://host:4318) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT to the full URL ending in /v1/traces.',
      };
    case 405:
      return { title: `does not accept POST here${said}: probably not an OTLP receiver (a UI or query port?)`, remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port, usually 4318.' };
    case 413:
      return { title: 'refused the probe span as too large', remedy: "raise the receiver's request size limit." };
    case 415:
      return { title: `does not accept ${config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'}${said}`, remedy: `set OTEL_EXPORTER_OTLP_PROTOCOL=${other}.` };
    case 429:
    case 502:
    case 503:
    case 504:
      return { title: `is overloaded or unavailable${said}`, remedy: 'check the backend (and any proxy in front of it); exporters retry these, but spans are dropped if it lasts.' };
    default:
      return { title: `answered with an unexpected status${said}`, remedy: 'check that this URL is an OTLP/HTTP traces receiver.' };
  }
}

/** What a failed connection means. */
function explainNetworkError(error: unknown, url: URL, timeoutMs: number): { title: string; remedy: string } {
  const e = error as Error & { cause?: Error & { code?: string } };
  const cause = e.cause ?? (e as Error & { code?: string });
  const code = (cause as { code?: string }).code ?? '';
  const message = firstLine(cause.message ?? String(error));
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return { title: `no answer within ${timeoutMs} ms`, remedy: `check that ${where} is reachable from here (firewall, VPN, the backend being up).` };
  }
  if (code === 'ECONNREFUSED') return { title: `connection refused: nothing listens on ${where}`, remedy: START };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { title: `the host ${url.hostname} does not resolve`, remedy: 'fix the host name in OTEL_EXPORTER_OTLP_ENDPOINT.' };
  if (/SSL|TLS|EPROTO|wrong version number/i.test(`${code} ${message}`)) {
    return { title: `TLS failed (${code || firstLine(message)}): ${where} does not speak HTTPS`, remedy: `use http://${where} in OTEL_EXPORTER_OTLP_ENDPOINT, or enable TLS on the receiver.` };
  }
  if (code.startsWith('HPE_') || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || /HTTP\/1|protocol/i.test(message)) {
    return {
      title: `${where} did not answer in HTTP/1.1 (${code || message}): it is probably an OTLP/gRPC or other HTTP/2-only port, while tracewire sends OTLP/HTTP`,
      remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port of the backend (usually 4318, not the gRPC 4317).',
    };
  }
  return { title: `the request failed: ${code ? `${code} ` : ''}${message}`, remedy: START };
}

/**
 * Sends one probe span to the configured traces endpoint exactly as the app's exporter would (same URL, headers,
 * protocol and compression) and reports whether the host resolves, the HTTP status and the effective URL, with a
 * remedy for each failure. Never throws. @internal
 *
 * @example
 * ```ts
 * const checks = await probeEndpoint(resolveConfig({}, process.env).config);
 * ```
 */
export async function probeEndpoint(config: ResolvedConfig): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let url: URL;
  try {
    url = new URL(config.tracesEndpoint);
  } catch {
    return [{ ok: false, title: `the traces endpoint ${config.tracesEndpoint} is not a URL`, remedy: 'set OTEL_EXPORTER_OTLP_ENDPOINT to http://host:4318.' }];
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  try {
    const addresses = await lookup(host, { all: true });
    checks.push({ ok: true, title: `${host} resolves to ${addresses.map((a) => a.address).join(', ')}` });
  } catch (error) {
    checks.push({ ok: false, title: `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, remedy: 'fix the host name in OTEL_EXPORTER_OTLP_ENDPOINT.' });
    return checks;
  }
  const timeoutMs = Math.min(config.timeoutMs, MAX_PROBE_TIMEOUT_MS);
  const headers: Record<string, string> = {
    ...config.headers,
    'content-type': config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
  };
  if (config.compression === 'gzip') headers['content-encoding'] = 'gzip';
  const request = `POST ${url.toString()} (${config.protocol}${config.compression === 'gzip' ? ', gzip' : ''})`;
  try {
    const res = await fetch(url, { method: 'POST', headers, body: probeBody(config), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const body = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    if (res.status >= 200 && res.status < 300 && /text\/html/i.test(type)) {
      // A web UI's catch-all route (Jaeger's 16686 answers any path with its page) is not an OTLP receiver.
      checks.push({
        ok: false,
        title: `${request} → HTTP ${res.status} with an HTML page: this is a web UI, not an OTLP receiver; the span is lost`,
        remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port of the backend, usually 4318.',
      });
      return checks;
    }
    if (res.status >= 200 && res.status < 300) {
      let rejected = '';
      try {
        const serializer = config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
        const partial = body.length > 0 ? serializer.deserializeResponse(body).partialSuccess : undefined;
        if (partial?.rejectedSpans !== undefined && Number(partial.rejectedSpans) > 0) rejected = partial.errorMessage ?? 'no reason given';
      } catch {
        // An answer that is not an ExportTraceServiceResponse still means the span was taken.
      }
      if (rejected !== '') {
        checks.push({ ok: false, title: `${request} → HTTP ${res.status}, but the probe span was rejected: ${rejected}`, remedy: 'see the reason given by the backend.' });
      } else checks.push({ ok: true, title: `${request} → HTTP ${res.status}: the probe span was accepted` });
      return checks;
    }
    const { title, remedy } = explainStatus(res.status, config, body.toString('utf8'), res.headers.get('location'));
    checks.push({ ok: false, title: `${request} → HTTP ${res.status}: the endpoint ${title}`, remedy });
  } catch (error) {
    const { title, remedy } = explainNetworkError(error, url, timeoutMs);
    checks.push({ ok: false, title: `${request} → ${title}`, remedy });
  }
  return checks;
}
