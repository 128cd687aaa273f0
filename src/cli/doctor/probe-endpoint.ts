import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { lookup } from 'node:dns/promises';
import { gzipSync } from 'node:zlib';
import type { ConfiguredFile, ResolvedConfig } from '../../config/types.js';
import { EXPIRED, HOST_MISMATCH, UNTRUSTED_CERTIFICATE } from '../../export/describe-export-error.js';
import { readTlsFiles, type TlsAgentOptions } from '../../export/read-tls-files.js';
import { maskUrl, maskUrlCredentials } from '../../internal/mask-url.js';
import { createResource } from '../../sdk/create-resource.js';
import { checkHeaders } from './check-headers.js';
import type { DoctorCheck } from './doctor-check.js';
import { sendProbe } from './send-probe.js';
import { terminalText } from '../terminal/terminal-text.js';

const MAX_PROBE_TIMEOUT_MS = 10_000;
const START =
  'start the backend there (Jaeger v2 and Tempo receive OTLP/HTTP on 4318), or run `npx tracewire dev` for a local receiver, or point OTEL_EXPORTER_OTLP_ENDPOINT at the right host and port.';
/** The probe span's name, and its service when the app sets none (`unknown_service:node` is found by nobody). @internal */
export const PROBE_SPAN_NAME = 'tracewire doctor probe';
/** @internal */
export const PROBE_SERVICE_NAME = 'tracewire-doctor';
const DEFAULT_SERVICE_NAME = 'unknown_service:node';
/** Control characters, shown as spaces when a part of an answer is quoted. */
const AUTH_BODY_HIDDEN = 'response body not shown: it may echo your credentials';

/**
 * One span, exactly as the app's exporter would encode it (same resource, protocol and compression), with the
 * service name `tracewire-doctor` when the configuration has none.
 */
function probeBody(config: ResolvedConfig, serviceName: string): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const resource = createResource({ ...config, resourceAttributes: { ...config.resourceAttributes, 'service.name': serviceName } });
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('tracewire-doctor').startSpan(PROBE_SPAN_NAME, { attributes: { 'tracewire.doctor.probe': true } });
  span.end();
  const spans = exporter.getFinishedSpans();
  const serializer = config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  const body = serializer.serializeRequest(spans) ?? new Uint8Array();
  void provider.shutdown();
  return config.compression === 'gzip' ? gzipSync(body) : body;
}

/** A percent-encoded URL part decoded, or as it is when it is not valid percent-encoding. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}

/**
 * The first line of an answer's body as it can be shown: credentials of URLs masked, every secret the probe sent
 * (header values, the URL's user and password) replaced by [REDACTED], then control characters (C0, C1, bidi)
 * escaped visibly and the line clipped to 200 characters, as every text from outside is on its way to a terminal.
 */
function quote(body: string, secrets: readonly string[]): string {
  let line = maskUrlCredentials(firstLine(body));
  for (const secret of secrets) line = line.split(secret).join('[REDACTED]');
  return line === '' ? '' : ` ("${terminalText(line, 200)}")`;
}

/** What an HTTP status from an OTLP endpoint means, and what to do about it: a sentence after `HTTP <status>: `. */
function explainStatus(
  status: number,
  config: ResolvedConfig,
  body: string,
  location: string | null,
  secrets: readonly string[],
): { title: string; remedy: string } {
  const said = quote(body, secrets);
  const other = config.protocol === 'http/json' ? 'http/protobuf' : 'http/json';
  // Multitenant Tempo (and other Grafana backends) refuse requests without a tenant; Tempo answers 401 "no org id".
  if (/no org id|X-Scope-OrgID/i.test(body)) {
    return {
      title: `the endpoint refused the probe span: no tenant (org id) given (${AUTH_BODY_HIDDEN})`,
      remedy: 'send the tenant with OTEL_EXPORTER_OTLP_HEADERS=X-Scope-OrgID=<tenant> (multitenant Tempo).',
    };
  }
  if (status >= 300 && status < 400) {
    return {
      title: `the endpoint redirects to ${location === null ? '?' : maskUrl(location)}; OTLP exporters do not follow redirects`,
      remedy: 'use the final URL in OTEL_EXPORTER_OTLP_ENDPOINT.',
    };
  }
  switch (status) {
    case 400:
      return {
        title: `the endpoint rejected the probe span as malformed${said}`,
        remedy: `the receiver may expect another encoding: try OTEL_EXPORTER_OTLP_PROTOCOL=${other}, and check OTEL_EXPORTER_OTLP_COMPRESSION.`,
      };
    case 401:
    case 403:
      // A collector may echo the credentials it refused: its answer is not printed.
      return {
        title: `the endpoint refused the probe span: not authorised (${AUTH_BODY_HIDDEN})`,
        remedy:
          'send the credentials or tenant the backend needs with OTEL_EXPORTER_OTLP_HEADERS, e.g. Authorization=Bearer%20<token>, or X-Scope-OrgID=<tenant> for a multitenant Tempo.',
      };
    case 404:
      return {
        title: `nothing receives traces at this path${said}`,
        remedy:
          'OTLP/HTTP receivers take traces at /v1/traces: set OTEL_EXPORTER_OTLP_ENDPOINT to the base URL (http://host:4318) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT to the full URL ending in /v1/traces.',
      };
    case 405:
      return {
        title: `the endpoint does not accept POST here${said}: probably not an OTLP receiver (a UI or query port?)`,
        remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port, usually 4318.',
      };
    case 413:
      return { title: 'the endpoint refused the probe span as too large', remedy: "raise the receiver's request size limit." };
    case 415:
      return {
        title: `the endpoint does not accept ${config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'}${said}`,
        remedy: `set OTEL_EXPORTER_OTLP_PROTOCOL=${other}.`,
      };
    case 429:
    case 502:
    case 503:
    case 504:
      return {
        title: `the endpoint is overloaded or unavailable${said}`,
        remedy: 'check the backend (and any proxy in front of it); exporters retry these, but spans are dropped if it lasts.',
      };
    default:
      return {
        title: `the endpoint answered with an unexpected status${said}`,
        remedy: 'check that this URL is an OTLP/HTTP traces receiver.',
      };
  }
}

/** `OTEL_EXPORTER_OTLP_CERTIFICATE (ca.pem)`, or the generic name of the setting when it is not set. */
function named(file: ConfiguredFile | undefined, unset: string): string {
  return file === undefined ? unset : `${file.from} (${file.path})`;
}

/** What a failed TLS handshake means, given the TLS files of the configuration; undefined for other errors. */
function explainTls(code: string, message: string, config: ResolvedConfig, where: string): { title: string; remedy: string } | undefined {
  const { certificate, clientCertificate } = config.tls;
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    const trusted = certificate === undefined ? "Node.js's built-in CAs" : `the CA in ${named(certificate, '')}`;
    return {
      title: `TLS: the certificate of ${where} is not signed by a CA trusted here (${code}: ${message}); trusted: ${trusted}`,
      remedy:
        "set OTEL_EXPORTER_OTLP_CERTIFICATE (or the certificate option) to the PEM file of the CA that signed the collector's certificate.",
    };
  }
  if (code === HOST_MISMATCH) {
    return {
      title: `TLS: the certificate of ${where} is not issued for this host name (${message})`,
      remedy: "use the host name the collector's certificate was issued for in OTEL_EXPORTER_OTLP_ENDPOINT.",
    };
  }
  if (EXPIRED.has(code)) {
    return {
      title: `TLS: the certificate of ${where} is expired or not yet valid (${code})`,
      remedy: "renew the collector's certificate, or check the clock of this machine.",
    };
  }
  // The receiver asked for a client certificate and got none, or did not accept the one sent (TLS alerts 116, 48, 42…).
  if (
    /CERTIFICATE_REQUIRED|ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|DECRYPT_ERROR)/i.test(
      `${code} ${message.replace(/ /g, '_')}`,
    )
  ) {
    const sent = clientCertificate === undefined ? 'none was sent' : `sent: ${named(clientCertificate, '')}`;
    return {
      title: `TLS: ${where} did not accept the client certificate (${code || message}; ${sent})`,
      remedy:
        'set OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY to a certificate and key the receiver trusts (mutual TLS).',
    };
  }
  return undefined;
}

/** What a failed connection means. */
function explainNetworkError(error: unknown, url: URL, timeoutMs: number, config: ResolvedConfig): { title: string; remedy: string } {
  const e = error as Error & { cause?: Error & { code?: string } };
  const cause = e.name === 'AbortError' ? e : (e.cause ?? (e as Error & { code?: string }));
  const code = (cause as { code?: string }).code ?? '';
  const message = maskUrlCredentials(firstLine(cause.message ?? String(error)));
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return {
      title: `no answer within ${timeoutMs} ms`,
      remedy: `check that ${where} is reachable from here (firewall, VPN, the backend being up).`,
    };
  }
  if (code === 'ECONNREFUSED') return { title: `connection refused: nothing listens on ${where}`, remedy: START };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { title: `the host ${url.hostname} does not resolve`, remedy: 'fix the host name in OTEL_EXPORTER_OTLP_ENDPOINT.' };
  const tls = explainTls(code, message, config, where);
  if (tls !== undefined) return tls;
  if (/SSL|TLS|EPROTO|wrong version number/i.test(`${code} ${message}`)) {
    return {
      title: `TLS failed (${code || message}): ${where} does not speak HTTPS`,
      remedy: `use http://${where} in OTEL_EXPORTER_OTLP_ENDPOINT, or enable TLS on the receiver.`,
    };
  }
  if (code.startsWith('HPE_') || code === 'ECONNRESET' || /HTTP\/1|protocol|socket hang up/i.test(message)) {
    return {
      title: `${where} did not answer in HTTP/1.1 (${code || message}): it is probably an OTLP/gRPC or other HTTP/2-only port, while tracewire sends OTLP/HTTP`,
      remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port of the backend (usually 4318, not the gRPC 4317).',
    };
  }
  return { title: `the request failed: ${code ? `${code} ` : ''}${message}`, remedy: START };
}

/** The TLS files the app uses for this endpoint, read the same way, as one line of the report (none when unset). */
function checkTls(config: ResolvedConfig, url: URL): { check?: DoctorCheck; tls: TlsAgentOptions | undefined } {
  const problems: string[] = [];
  const tls = readTlsFiles(config, (message) => problems.push(message));
  if (tls === undefined) return { tls };
  const { certificate, clientCertificate } = config.tls;
  const files = [`CA: ${named(certificate, "Node.js's built-in CAs")}`, `client certificate: ${named(clientCertificate, 'none')}`];
  if (url.protocol !== 'https:') {
    return {
      tls,
      check: {
        ok: true,
        title: `TLS files are set, but the endpoint is ${url.protocol}//, so the app does not use them (spans travel unencrypted)`,
        details: files,
      },
    };
  }
  if (problems.length > 0) {
    return {
      tls,
      check: {
        ok: false,
        title: `TLS files: ${problems.join(' ')}`,
        remedy: 'fix the path (relative paths start at the working directory of the app) or the file permissions.',
      },
    };
  }
  return { tls, check: { ok: true, title: 'TLS files read as the app reads them', details: files } };
}

/** A 2xx answer: the probe span taken, or rejected in a partial success (its reason quoted, secrets redacted). */
function acceptedCheck(
  config: ResolvedConfig,
  body: Buffer,
  request: string,
  status: number,
  serviceName: string,
  secrets: readonly string[],
): DoctorCheck {
  let rejected = '';
  try {
    const serializer = config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    const partial = body.length > 0 ? serializer.deserializeResponse(body).partialSuccess : undefined;
    if (partial?.rejectedSpans !== undefined && Number(partial.rejectedSpans) > 0)
      rejected = quote(partial.errorMessage ?? 'no reason given', secrets);
  } catch {
    // An answer that is not an ExportTraceServiceResponse still means the span was taken.
  }
  if (rejected !== '') {
    return {
      ok: false,
      title: `${request} → HTTP ${status}, but the probe span was rejected${rejected}`,
      remedy: 'see the reason given by the backend.',
    };
  }
  return {
    ok: true,
    title: `${request} → HTTP ${status}: the probe span was accepted`,
    details: [`find it as span "${PROBE_SPAN_NAME}" of service "${serviceName}", attribute tracewire.doctor.probe=true`],
  };
}

/**
 * Sends one probe span to the configured traces endpoint exactly as the app's exporter would (same URL and
 * credentials, headers, protocol, compression and TLS files, over the same Node.js transport) and reports whether
 * the host resolves, the TLS files, the headers, the HTTP status and the effective URL (credentials masked), with a
 * remedy for each failure. The probe span is `tracewire doctor probe` (attribute `tracewire.doctor.probe=true`) of
 * the configured service, or of `tracewire-doctor` when none is set. Never throws. @internal
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
    return [
      {
        ok: false,
        title: `the traces endpoint ${maskUrl(config.tracesEndpoint)} is not a URL`,
        remedy: 'set OTEL_EXPORTER_OTLP_ENDPOINT to http://host:4318.',
      },
    ];
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  try {
    const addresses = await lookup(host, { all: true });
    checks.push({ ok: true, title: `${host} resolves to ${addresses.map((a) => a.address).join(', ')}` });
  } catch (error) {
    checks.push({
      ok: false,
      title: `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      remedy: 'fix the host name in OTEL_EXPORTER_OTLP_ENDPOINT.',
    });
    return checks;
  }
  const { tls, check: tlsCheck } = checkTls(config, url);
  if (tlsCheck !== undefined) checks.push(tlsCheck);
  const headerProblem = checkHeaders(config.headers);
  if (headerProblem !== undefined) {
    checks.push(headerProblem);
    return checks;
  }

  const timeoutMs = Math.min(config.timeoutMs, MAX_PROBE_TIMEOUT_MS);
  const headers: Record<string, string> = {
    ...config.headers,
    'content-type': config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
  };
  if (config.compression === 'gzip') headers['content-encoding'] = 'gzip';
  const serviceName = config.resourceAttributes['service.name'] === DEFAULT_SERVICE_NAME ? PROBE_SERVICE_NAME : config.serviceName;
  const secrets = [...Object.values(config.headers), decoded(url.password), url.password, decoded(url.username)].filter(
    (s) => s.length >= 3,
  );
  const request = `POST ${maskUrl(url.href)} (${config.protocol}${config.compression === 'gzip' ? ', gzip' : ''})`;
  try {
    const answer = await sendProbe(url, headers, probeBody(config, serviceName), tls, timeoutMs);
    const { status, body } = answer;
    if (status >= 200 && status < 300 && /text\/html/i.test(answer.contentType)) {
      // A web UI's catch-all route (Jaeger's 16686 answers any path with its page) is not an OTLP receiver.
      checks.push({
        ok: false,
        title: `${request} → HTTP ${status} with an HTML page: this is a web UI, not an OTLP receiver; the span is lost`,
        remedy: 'point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP/HTTP port of the backend, usually 4318.',
      });
      return checks;
    }
    if (status >= 200 && status < 300) {
      checks.push(acceptedCheck(config, body, request, status, serviceName, secrets));
      return checks;
    }
    const { title, remedy } = explainStatus(status, config, body.toString('utf8'), answer.location, secrets);
    checks.push({ ok: false, title: `${request} → HTTP ${status}: ${title}`, remedy });
  } catch (error) {
    const { title, remedy } = explainNetworkError(error, url, timeoutMs, config);
    checks.push({ ok: false, title: `${request} → ${title}`, remedy });
  }
  return checks;
}
