import { maskUrl } from '../internal/mask-url.js';
import { defineSection, type OptionReader } from './option-reader.js';
import type { ConfiguredFile, ExporterName, OtlpEncoderName, OtlpProtocol, ResolvedConfig } from './types.js';
import { hasMethods, integerIn, isHttpUrl, isNonEmptyString, isPlainObject, MAX_INT } from './validators.js';

/** @internal */
export const EXPORTER_NAMES: readonly ExporterName[] = ['otlp', 'console', 'none'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const OTLP_ENCODERS: readonly OtlpEncoderName[] = ['tracewire', 'stock'];

/** @internal */
export const EXPORTER_DEFAULTS = Object.freeze({
  endpoint: 'http://localhost:4318',
  protocol: 'http/protobuf' as OtlpProtocol,
  otlpEncoder: 'tracewire' as OtlpEncoderName,
  timeoutMs: 10_000,
});

/** Joins a base URL and the traces path the way the spec asks: exactly one slash. */
function appendTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

type TlsFiles = { certificate?: ConfiguredFile; clientCertificate?: ConfiguredFile; clientKey?: ConfiguredFile };

const OPTIONS = [
  'tracesEndpoint',
  'endpoint',
  'protocol',
  'headers',
  'compression',
  'otlpEncoder',
  'timeoutMs',
  'exporters',
  'certificate',
  'clientCertificate',
  'clientKey',
] as const;
type Reader = OptionReader<(typeof OPTIONS)[number]>;

/** The traces endpoint and where it came from; an invalid URL in the environment warns (credentials masked). */
function resolveEndpoint(r: Reader): Pick<ResolvedConfig, 'tracesEndpoint' | 'endpointSource'> {
  const e = r.env;
  const codeTraces = r.get<string>('tracesEndpoint', isHttpUrl, 'an http(s) URL');
  const codeBase = r.get<string>('endpoint', isHttpUrl, 'an http(s) URL');
  const envTraces = e.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const envBase = e.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
  let resolved: Pick<ResolvedConfig, 'tracesEndpoint' | 'endpointSource'>;
  if (codeTraces !== undefined) resolved = { tracesEndpoint: codeTraces, endpointSource: 'option' };
  else if (codeBase !== undefined) resolved = { tracesEndpoint: appendTracesPath(codeBase), endpointSource: 'option' };
  else if (envTraces !== undefined && isHttpUrl(envTraces))
    resolved = { tracesEndpoint: envTraces, endpointSource: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  else if (envBase !== undefined && isHttpUrl(envBase))
    resolved = { tracesEndpoint: appendTracesPath(envBase), endpointSource: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
  else resolved = { tracesEndpoint: appendTracesPath(EXPORTER_DEFAULTS.endpoint), endpointSource: 'default' };
  if (codeTraces === undefined && codeBase === undefined) {
    if (envTraces !== undefined && !isHttpUrl(envTraces)) {
      e.warn('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', maskUrl(envTraces), 'is not an http(s) URL', resolved.tracesEndpoint);
    }
    if (envBase !== undefined && !isHttpUrl(envBase) && resolved.endpointSource !== 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') {
      e.warn('OTEL_EXPORTER_OTLP_ENDPOINT', maskUrl(envBase), 'is not an http(s) URL', resolved.tracesEndpoint);
    }
  }
  return resolved;
}

/** Protocol, headers, compression, encoder and timeout of the OTLP requests (signal-specific variable first). */
function resolveTransport(r: Reader): Pick<ResolvedConfig, 'protocol' | 'headers' | 'compression' | 'otlpEncoder' | 'timeoutMs'> {
  const e = r.env;
  const protocolEnvNames = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'];
  let protocol = r.get<OtlpProtocol>('protocol', (v) => PROTOCOLS.includes(v as OtlpProtocol), `one of ${PROTOCOLS.join(', ')}`);
  if (protocol === undefined && !r.given('protocol')) {
    const hit = e.first(protocolEnvNames);
    if (hit && hit.value.toLowerCase() === 'grpc') {
      e.warn(hit.name, hit.value, 'is not supported by tracewire (OTLP/HTTP only; use port 4318)', EXPORTER_DEFAULTS.protocol);
    } else {
      protocol = e.enumValue(protocolEnvNames, PROTOCOLS, EXPORTER_DEFAULTS.protocol);
    }
  }

  const headers: Record<string, string> = {};
  const envHeaders = e.keyValues(['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'], true);
  if (envHeaders) Object.assign(headers, envHeaders.pairs);
  const codeHeaders = r.get<Record<string, string>>(
    'headers',
    (v) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string'),
    'an object of string values',
  );
  if (codeHeaders) Object.assign(headers, codeHeaders);

  const compression =
    r.get<'gzip' | 'none'>('compression', (v) => v === 'gzip' || v === 'none', '"gzip" or "none"') ??
    e.enumValue(['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'], ['gzip', 'none'] as const, 'none') ??
    'none';
  const otlpEncoder =
    r.get<OtlpEncoderName>('otlpEncoder', (v) => OTLP_ENCODERS.includes(v as OtlpEncoderName), `one of ${OTLP_ENCODERS.join(', ')}`) ??
    e.enumValue(['TRACEWIRE_OTLP_ENCODER'], OTLP_ENCODERS, EXPORTER_DEFAULTS.otlpEncoder) ??
    EXPORTER_DEFAULTS.otlpEncoder;
  const timeoutMs =
    r.get<number>('timeoutMs', integerIn(1, MAX_INT), 'a positive integer (ms)') ??
    e.integer(['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 1, MAX_INT, `${EXPORTER_DEFAULTS.timeoutMs}`) ??
    EXPORTER_DEFAULTS.timeoutMs;
  return { protocol: protocol ?? EXPORTER_DEFAULTS.protocol, headers: Object.freeze(headers), compression, otlpEncoder, timeoutMs };
}

/** The exporters: `exporters` > OTEL_TRACES_EXPORTER > otlp; `none` leaves it out. */
function resolveExporters(r: Reader): ResolvedConfig['exporters'] {
  const isExporter = (v: unknown) => hasMethods(v, 'export', 'shutdown');
  let exporters = r.get<ReadonlyArray<ExporterName | object>>(
    'exporters',
    (v) => Array.isArray(v) && v.every((x) => EXPORTER_NAMES.includes(x as ExporterName) || isExporter(x)),
    `an array of ${EXPORTER_NAMES.join(', ')} or SpanExporter instances`,
  ) as ResolvedConfig['exporters'] | undefined;
  if (exporters === undefined) {
    const names = r.env.names('OTEL_TRACES_EXPORTER', EXPORTER_NAMES, 'exporter(s)', (known) => known.join(',') || 'otlp');
    if (names !== undefined) exporters = names.length > 0 ? names : ['otlp'];
  }
  exporters ??= ['otlp'];
  if (exporters.includes('none')) exporters = exporters.filter((x) => x !== 'none');
  return Object.freeze([...exporters]);
}

/** The TLS files for an https endpoint (read when the exporter is created): option > signal-specific variable > general one. */
function resolveTlsFiles(r: Reader): TlsFiles {
  const tlsFile = (key: 'certificate' | 'clientCertificate' | 'clientKey', suffix: string): ConfiguredFile | undefined => {
    const path = r.get<string>(key, isNonEmptyString, 'a file path');
    if (path !== undefined) return { path, from: key };
    if (r.given(key)) return undefined;
    const hit = r.env.first([`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]);
    return hit === undefined ? undefined : { path: hit.value, from: hit.name };
  };
  const tls: TlsFiles = {};
  const certificate = tlsFile('certificate', 'CERTIFICATE');
  const clientCertificate = tlsFile('clientCertificate', 'CLIENT_CERTIFICATE');
  const clientKey = tlsFile('clientKey', 'CLIENT_KEY');
  if (certificate) tls.certificate = certificate;
  if (clientCertificate) tls.clientCertificate = clientCertificate;
  if (clientKey) tls.clientKey = clientKey;
  return Object.freeze(tls);
}

/**
 * Where and how spans are exported: the exporters, the OTLP endpoint (`tracesEndpoint` > `endpoint` + `/v1/traces` >
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT > OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces` > http://localhost:4318/v1/traces),
 * protocol, headers, compression, encoder, timeout and TLS files (signal-specific variables first).
 * @internal
 */
export const exporterSection = defineSection(OPTIONS, (r) => {
  const endpoint = resolveEndpoint(r);
  const transport = resolveTransport(r);
  return { ...endpoint, ...transport, exporters: resolveExporters(r), tls: resolveTlsFiles(r) };
});
