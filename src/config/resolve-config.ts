import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { EnvReader, type Env } from './env.js';
import { resolveSampler } from './resolve-sampler.js';
import { isDestinationEntry } from '../propagation/destination-filter.js';
import { DEFAULT_REDACT_KEYS, REDACT_PATTERN_NAMES, REDACT_PATTERNS } from '../redaction/redact-patterns.js';
import { maskUrl, maskUrlCredentials, maskUrlList } from '../internal/mask-url.js';
import type {
  ConfigResolution,
  ConfiguredFile,
  ExporterName,
  InstrumentationName,
  LogLevelName,
  HttpServerInstrumentationName,
  OtlpEncoderName,
  OtlpProtocol,
  PropagatorName,
  RedactPatternName,
  ResolvedConfig,
  ResolvedRedaction,
  TracewireOptions,
} from './types.js';

/** @internal */
export const PROPAGATOR_NAMES: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'];
/** @internal */
export const EXPORTER_NAMES: readonly ExporterName[] = ['otlp', 'console', 'none'];
/** @internal */
export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = [
  'http', 'undici', 'express', 'fastify', 'koa', 'pg', 'mysql2', 'redis', 'ioredis',
  'mongodb', 'grpc', 'kafkajs', 'amqplib', 'graphql', 'fs', 'dns', 'net',
];
/** Off unless asked for: they produce a span per file/dns/socket call. @internal */
export const OFF_BY_DEFAULT: readonly InstrumentationName[] = ['fs', 'dns', 'net'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const OTLP_ENCODERS: readonly OtlpEncoderName[] = ['tracewire', 'stock'];
const HTTP_SERVER_INSTRUMENTATIONS: readonly HttpServerInstrumentationName[] = ['tracewire', 'stock'];
const LOG_LEVELS: readonly LogLevelName[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** @internal */
export const DEFAULTS = Object.freeze({
  endpoint: 'http://localhost:4318',
  protocol: 'http/protobuf' as OtlpProtocol,
  otlpEncoder: 'tracewire' as OtlpEncoderName,
  httpServer: 'tracewire' as HttpServerInstrumentationName,
  timeoutMs: 10_000,
  propagators: ['tracecontext', 'baggage'] as PropagatorName[],
  scheduleDelayMs: 5000,
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  exportTimeoutMs: 30_000,
  limit: 128,
  shutdownSignals: ['SIGTERM', 'SIGINT'] as NodeJS.Signals[],
  shutdownTimeoutMs: 5000,
});

const MAX_INT = 2 ** 31 - 1;
/** Options whose value is a URL: an invalid one is shown with what could be credentials masked. */
const URL_OPTIONS: ReadonlySet<string> = new Set(['endpoint', 'tracesEndpoint']);

/** Joins a base URL and the traces path the way the spec asks: exactly one slash. */
function appendTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The same pattern with the g flag, so every occurrence is replaced. */
function toGlobal(pattern: RegExp): RegExp {
  return pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasMethods(value: unknown, ...methods: string[]): boolean {
  return isObject(value) && methods.every((m) => typeof value[m] === 'function');
}

function isAttributeValue(value: unknown): value is AttributeValue {
  const t = typeof value;
  if (t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(value))) return true;
  return Array.isArray(value) && value.every((v) => v == null || ['string', 'number', 'boolean'].includes(typeof v));
}

/**
 * Resolves the configuration: options in code win over OTEL_* environment variables, which win over defaults.
 * Pure: it reads only its arguments and never touches `process.env`.
 *
 * @example
 * ```ts
 * const { config, errors, warnings } = resolveConfig({ serviceName: 'api' }, process.env);
 * ```
 */
export function resolveConfig(options: TracewireOptions = {}, env: Env = {}): ConfigResolution {
  const errors: string[] = [];
  const e = new EnvReader(env);
  const o: TracewireOptions = isObject(options) ? options : (errors.push(`options must be an object, got ${typeof options}`), {});

  const opt = <T>(name: keyof TracewireOptions, check: (v: unknown) => boolean, expected: string): T | undefined => {
    const value = o[name];
    if (value === undefined) return undefined;
    if (!check(value)) {
      const shown = typeof value === 'string' && URL_OPTIONS.has(name) ? maskUrl(value) : value;
      errors.push(`${String(name)}: expected ${expected}, got ${JSON.stringify(shown) ?? String(shown)}`);
      return undefined;
    }
    return value as T;
  };
  const isNonEmptyString = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  const intIn = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

  // --- disabled, log level
  const disabled = opt<boolean>('disabled', (v) => typeof v === 'boolean', 'a boolean') ?? e.boolean('OTEL_SDK_DISABLED') ?? false;
  const debugOpt = opt<boolean>('debug', (v) => typeof v === 'boolean', 'a boolean');
  const logLevel: LogLevelName = debugOpt === true ? 'debug' : (e.enumValue(['OTEL_LOG_LEVEL'], LOG_LEVELS, 'warn') ?? 'warn');

  // --- resource
  const resourceAttributes: Attributes = {};
  const envResource = e.keyValues(['OTEL_RESOURCE_ATTRIBUTES'], false);
  if (envResource) Object.assign(resourceAttributes, envResource.pairs);
  const envService = e.raw('OTEL_SERVICE_NAME');
  if (envService !== undefined) resourceAttributes['service.name'] = envService;
  const codeAttrs = opt<Attributes>(
    'resourceAttributes',
    (v) => isObject(v) && Object.values(v).every((x) => x === undefined || isAttributeValue(x)),
    'an object of string, number, boolean or array values',
  );
  if (codeAttrs) for (const [k, v] of Object.entries(codeAttrs)) if (v !== undefined) resourceAttributes[k] = v;
  const serviceName = opt<string>('serviceName', isNonEmptyString, 'a non-empty string');
  if (serviceName !== undefined) resourceAttributes['service.name'] = serviceName;
  const serviceVersion = opt<string>('serviceVersion', isNonEmptyString, 'a non-empty string');
  if (serviceVersion !== undefined) resourceAttributes['service.version'] = serviceVersion;
  const environment = opt<string>('environment', isNonEmptyString, 'a non-empty string');
  if (environment !== undefined) resourceAttributes['deployment.environment.name'] = environment;
  if (typeof resourceAttributes['service.name'] !== 'string' || resourceAttributes['service.name'] === '') {
    resourceAttributes['service.name'] = 'unknown_service:node';
  }

  // --- endpoint
  let tracesEndpoint: string;
  let endpointSource: ResolvedConfig['endpointSource'];
  const codeTraces = opt<string>('tracesEndpoint', (v) => typeof v === 'string' && isUrl(v), 'an http(s) URL');
  const codeBase = opt<string>('endpoint', (v) => typeof v === 'string' && isUrl(v), 'an http(s) URL');
  const envTraces = e.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const envBase = e.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (codeTraces !== undefined) {
    tracesEndpoint = codeTraces;
    endpointSource = 'option';
  } else if (codeBase !== undefined) {
    tracesEndpoint = appendTracesPath(codeBase);
    endpointSource = 'option';
  } else if (envTraces !== undefined && isUrl(envTraces)) {
    tracesEndpoint = envTraces;
    endpointSource = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  } else if (envBase !== undefined && isUrl(envBase)) {
    tracesEndpoint = appendTracesPath(envBase);
    endpointSource = 'OTEL_EXPORTER_OTLP_ENDPOINT';
  } else {
    tracesEndpoint = appendTracesPath(DEFAULTS.endpoint);
    endpointSource = 'default';
  }
  if (codeTraces === undefined && codeBase === undefined) {
    if (envTraces !== undefined && !isUrl(envTraces)) {
      e.warn('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', maskUrl(envTraces), 'is not an http(s) URL', tracesEndpoint);
    }
    if (envBase !== undefined && !isUrl(envBase) && endpointSource !== 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') {
      e.warn('OTEL_EXPORTER_OTLP_ENDPOINT', maskUrl(envBase), 'is not an http(s) URL', tracesEndpoint);
    }
  }

  // --- protocol, headers, compression, timeout (signal-specific variable first)
  const protocolEnvNames = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'];
  let protocol = opt<OtlpProtocol>('protocol', (v) => PROTOCOLS.includes(v as OtlpProtocol), `one of ${PROTOCOLS.join(', ')}`);
  if (protocol === undefined && o.protocol === undefined) {
    const hit = e.first(protocolEnvNames);
    if (hit && hit.value.toLowerCase() === 'grpc') {
      e.warn(hit.name, hit.value, 'is not supported by tracewire (OTLP/HTTP only; use port 4318)', DEFAULTS.protocol);
    } else {
      protocol = e.enumValue(protocolEnvNames, PROTOCOLS, DEFAULTS.protocol);
    }
  }

  const headers: Record<string, string> = {};
  const envHeaders = e.keyValues(['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'], true);
  if (envHeaders) Object.assign(headers, envHeaders.pairs);
  const codeHeaders = opt<Record<string, string>>(
    'headers',
    (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
    'an object of string values',
  );
  if (codeHeaders) Object.assign(headers, codeHeaders);

  const compression =
    opt<'gzip' | 'none'>('compression', (v) => v === 'gzip' || v === 'none', '"gzip" or "none"') ??
    e.enumValue(['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'], ['gzip', 'none'] as const, 'none') ??
    'none';

  const otlpEncoder =
    opt<OtlpEncoderName>('otlpEncoder', (v) => OTLP_ENCODERS.includes(v as OtlpEncoderName), `one of ${OTLP_ENCODERS.join(', ')}`) ??
    e.enumValue(['TRACEWIRE_OTLP_ENCODER'], OTLP_ENCODERS, DEFAULTS.otlpEncoder) ??
    DEFAULTS.otlpEncoder;

  const httpServer =
    opt<HttpServerInstrumentationName>('httpServer', (v) => HTTP_SERVER_INSTRUMENTATIONS.includes(v as HttpServerInstrumentationName), `one of ${HTTP_SERVER_INSTRUMENTATIONS.join(', ')}`) ??
    e.enumValue(['TRACEWIRE_HTTP_SERVER'], HTTP_SERVER_INSTRUMENTATIONS, DEFAULTS.httpServer) ??
    DEFAULTS.httpServer;

  const timeoutMs =
    opt<number>('timeoutMs', intIn(1, MAX_INT), 'a positive integer (ms)') ??
    e.integer(['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 1, MAX_INT, `${DEFAULTS.timeoutMs}`) ??
    DEFAULTS.timeoutMs;

  // --- exporters
  const isExporter = (v: unknown) => hasMethods(v, 'export', 'shutdown');
  let exporters = opt<ReadonlyArray<ExporterName | object>>(
    'exporters',
    (v) => Array.isArray(v) && v.every((x) => EXPORTER_NAMES.includes(x as ExporterName) || isExporter(x)),
    `an array of ${EXPORTER_NAMES.join(', ')} or SpanExporter instances`,
  ) as ResolvedConfig['exporters'] | undefined;
  if (exporters === undefined) {
    const names = e.names('OTEL_TRACES_EXPORTER', EXPORTER_NAMES, 'exporter(s)', (known) => known.join(',') || 'otlp');
    if (names !== undefined) exporters = names.length > 0 ? names : ['otlp'];
  }
  exporters ??= ['otlp'];
  if (exporters.includes('none')) exporters = exporters.filter((x) => x !== 'none');

  // --- sampler
  const { sampler, samplerArg } = resolveSampler(o.sampler, o.samplerArg, e, errors);

  // --- propagators
  const isPropagator = (v: unknown) => hasMethods(v, 'inject', 'extract', 'fields');
  let propagators = opt<ResolvedConfig['propagators']>(
    'propagators',
    (v) => Array.isArray(v) && v.every((x) => PROPAGATOR_NAMES.includes(x as PropagatorName) || isPropagator(x)),
    `an array of ${PROPAGATOR_NAMES.join(', ')} or TextMapPropagator instances`,
  );
  if (propagators === undefined && o.propagators === undefined) {
    const names = e.names('OTEL_PROPAGATORS', PROPAGATOR_NAMES, 'propagator(s)', (known) => (known.length > 0 ? known : DEFAULTS.propagators).join(','));
    if (names !== undefined) propagators = names.length > 0 ? names : DEFAULTS.propagators;
  }
  propagators ??= DEFAULTS.propagators;
  if (propagators.includes('none')) propagators = [];

  // --- instrumentations
  const isInstrumentation = (v: unknown) => hasMethods(v, 'enable', 'disable', 'setTracerProvider');
  let instrumentations: ResolvedConfig['instrumentations'];
  const codeInstr = opt<false | ResolvedConfig['instrumentations']>(
    'instrumentations',
    (v) => v === false || (Array.isArray(v) && v.every((x) => INSTRUMENTATION_NAMES.includes(x as InstrumentationName) || isInstrumentation(x))),
    `false or an array of ${INSTRUMENTATION_NAMES.join(', ')} or Instrumentation instances`,
  );
  if (codeInstr !== undefined) {
    instrumentations = codeInstr === false ? [] : codeInstr;
  } else {
    const readNames = (name: string): InstrumentationName[] | undefined =>
      e.names(name, INSTRUMENTATION_NAMES, 'instrumentation(s)', (known) => known.join(',') || 'none of them');
    const enabled = readNames('OTEL_NODE_ENABLED_INSTRUMENTATIONS') ?? INSTRUMENTATION_NAMES.filter((n) => !OFF_BY_DEFAULT.includes(n));
    const disabledNames = readNames('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? [];
    instrumentations = enabled.filter((n) => !disabledNames.includes(n));
  }

  // --- batch
  const batchOpt = opt<Record<string, unknown>>('batch', isObject, 'an object') ?? {};
  const batchField = (key: string, envName: string, min: number, def: number): number => {
    const v = batchOpt[key];
    if (v !== undefined) {
      if (intIn(min, MAX_INT)(v)) return v as number;
      errors.push(`batch.${key}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return e.integer(envName, min, MAX_INT, `${def}`) ?? def;
  };
  const maxQueueSize = batchField('maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE', 1, DEFAULTS.maxQueueSize);
  let maxExportBatchSize = batchField('maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, DEFAULTS.maxExportBatchSize);
  if (maxExportBatchSize > maxQueueSize) {
    if (batchOpt.maxExportBatchSize !== undefined) {
      errors.push(`batch.maxExportBatchSize (${maxExportBatchSize}) must not exceed batch.maxQueueSize (${maxQueueSize})`);
    } else {
      e.warnings.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${maxExportBatchSize}) exceeds the queue size (${maxQueueSize}); using ${maxQueueSize}.`);
    }
    maxExportBatchSize = maxQueueSize;
  }
  const batch = Object.freeze({
    scheduleDelayMs: batchField('scheduleDelayMs', 'OTEL_BSP_SCHEDULE_DELAY', 0, DEFAULTS.scheduleDelayMs),
    maxQueueSize,
    maxExportBatchSize,
    exportTimeoutMs: batchField('exportTimeoutMs', 'OTEL_BSP_EXPORT_TIMEOUT', 1, DEFAULTS.exportTimeoutMs),
  });

  // --- span limits: specific variable, then the general OTEL_ATTRIBUTE_* one, then the default
  const limitsOpt = opt<Record<string, unknown>>('spanLimits', isObject, 'an object') ?? {};
  const limit = (key: string, envNames: string[], def: number): number => {
    const v = limitsOpt[key];
    if (v !== undefined) {
      if (intIn(0, Number.MAX_SAFE_INTEGER)(v) || v === Infinity) return v as number;
      errors.push(`spanLimits.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return e.integer(envNames, 0, Number.MAX_SAFE_INTEGER, def === Infinity ? 'no limit' : `${def}`) ?? def;
  };
  const spanLimits = Object.freeze({
    attributeCountLimit: limit('attributeCountLimit', ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'], DEFAULTS.limit),
    attributeValueLengthLimit: limit('attributeValueLengthLimit', ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'], Infinity),
    eventCountLimit: limit('eventCountLimit', ['OTEL_SPAN_EVENT_COUNT_LIMIT'], DEFAULTS.limit),
    linkCountLimit: limit('linkCountLimit', ['OTEL_SPAN_LINK_COUNT_LIMIT'], DEFAULTS.limit),
    attributePerEventCountLimit: limit('attributePerEventCountLimit', ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], DEFAULTS.limit),
    attributePerLinkCountLimit: limit('attributePerLinkCountLimit', ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'], DEFAULTS.limit),
  });

  // --- span processors
  const spanProcessors =
    opt<ResolvedConfig['spanProcessors']>('spanProcessors', (v) => Array.isArray(v) && v.every((x) => hasMethods(x, 'onStart', 'onEnd', 'shutdown', 'forceFlush')), 'an array of SpanProcessor instances') ?? [];

  // --- redaction: defaults, plus keys and patterns from code and from the environment (both add)
  let redaction: ResolvedRedaction | false;
  const redactOpt = opt<false | Record<string, unknown>>('redact', (v) => v === false || isObject(v), 'false or an object { keys, patterns }');
  if (redactOpt === false) {
    redaction = false;
  } else {
    const keys = new Set<string>(DEFAULT_REDACT_KEYS);
    const patterns: RegExp[] = [];
    const addPattern = (p: RegExp): void => {
      if (!patterns.some((q) => q.source === p.source && q.flags === p.flags)) patterns.push(p);
    };
    const codeKeys = redactOpt?.keys;
    if (codeKeys !== undefined) {
      if (Array.isArray(codeKeys) && codeKeys.every(isNonEmptyString)) for (const k of codeKeys as string[]) keys.add(k.trim().toLowerCase());
      else errors.push(`redact.keys: expected an array of non-empty strings, got ${JSON.stringify(codeKeys)}`);
    }
    const codePatterns = redactOpt?.patterns;
    if (codePatterns !== undefined) {
      const ok = Array.isArray(codePatterns) && codePatterns.every((p) => p instanceof RegExp || REDACT_PATTERN_NAMES.includes(p as RedactPatternName));
      if (ok) for (const p of codePatterns as Array<RegExp | RedactPatternName>) addPattern(p instanceof RegExp ? toGlobal(p) : REDACT_PATTERNS[p]);
      else errors.push(`redact.patterns: expected an array of ${REDACT_PATTERN_NAMES.join(', ')} or RegExps, got ${String(codePatterns)}`);
    }
    if (redactOpt !== undefined) {
      for (const key of Object.keys(redactOpt)) if (key !== 'keys' && key !== 'patterns') errors.push(`redact.${key}: unknown option (known: keys, patterns)`);
    }
    for (const k of e.list('TRACEWIRE_REDACT_KEYS') ?? []) keys.add(k.toLowerCase());
    const envPatterns = e.names('TRACEWIRE_REDACT_PATTERNS', REDACT_PATTERN_NAMES, 'pattern(s)', (known) => known.join(',') || 'none');
    for (const name of envPatterns ?? []) addPattern(REDACT_PATTERNS[name]);
    redaction = Object.freeze({ keys: Object.freeze([...keys]), patterns: Object.freeze(patterns) });
  }

  // --- propagateTo
  let propagateTo: ReadonlyArray<string | RegExp> | null = null;
  const codeDestinations = opt<ReadonlyArray<string | RegExp>>(
    'propagateTo',
    (v) => Array.isArray(v) && v.every((x) => x instanceof RegExp || (typeof x === 'string' && isDestinationEntry(x.trim()))),
    'an array of http(s) URL prefixes, host names (*.example.com) or RegExps',
  );
  if (codeDestinations !== undefined) {
    propagateTo = codeDestinations.map((x) => (typeof x === 'string' ? x.trim() : x));
  } else if (o.propagateTo === undefined) {
    const list = e.list('TRACEWIRE_PROPAGATE_TO');
    if (list !== undefined) {
      const bad = list.filter((x) => !isDestinationEntry(x));
      const good = list.filter((x) => isDestinationEntry(x));
      propagateTo = good;
      if (bad.length > 0) {
        e.warn(
          'TRACEWIRE_PROPAGATE_TO',
          maskUrlList(e.raw('TRACEWIRE_PROPAGATE_TO') ?? ''),
          `has entries that are neither http(s) URL prefixes nor host names (${bad.map(maskUrl).join(', ')})`,
          `only ${good.map(maskUrl).join(', ') || 'no destination'}`,
        );
      }
    }
  }

  // --- TLS files for an https endpoint (read when the exporter is created)
  const tlsFile = (key: 'certificate' | 'clientCertificate' | 'clientKey', suffix: string): ConfiguredFile | undefined => {
    const path = opt<string>(key, isNonEmptyString, 'a file path');
    if (path !== undefined) return { path, from: key };
    if (o[key] !== undefined) return undefined;
    const hit = e.first([`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]);
    return hit === undefined ? undefined : { path: hit.value, from: hit.name };
  };
  const tls: { certificate?: ConfiguredFile; clientCertificate?: ConfiguredFile; clientKey?: ConfiguredFile } = {};
  const certificate = tlsFile('certificate', 'CERTIFICATE');
  const clientCertificate = tlsFile('clientCertificate', 'CLIENT_CERTIFICATE');
  const clientKey = tlsFile('clientKey', 'CLIENT_KEY');
  if (certificate) tls.certificate = certificate;
  if (clientCertificate) tls.clientCertificate = clientCertificate;
  if (clientKey) tls.clientKey = clientKey;

  // --- shutdown
  let shutdownSignals = opt<false | NodeJS.Signals[]>(
    'shutdownSignals',
    (v) => v === false || (Array.isArray(v) && v.every((s) => SIGNALS.includes(s as NodeJS.Signals))),
    `false or an array of ${SIGNALS.join(', ')}`,
  );
  if (shutdownSignals === undefined && o.shutdownSignals === undefined) {
    const list = e.list('TRACEWIRE_SHUTDOWN_SIGNALS');
    if (list !== undefined) {
      const upper = list.map((s) => s.toUpperCase());
      if (upper.length === 1 && upper[0] === 'NONE') shutdownSignals = false;
      else if (upper.every((s) => SIGNALS.includes(s as NodeJS.Signals))) shutdownSignals = upper as NodeJS.Signals[];
      else e.warn('TRACEWIRE_SHUTDOWN_SIGNALS', env.TRACEWIRE_SHUTDOWN_SIGNALS ?? '', `is not "none" or a list of ${SIGNALS.join(', ')}`, DEFAULTS.shutdownSignals.join(','));
    }
  }
  const shutdownTimeoutMs =
    opt<number>('shutdownTimeoutMs', intIn(1, MAX_INT), 'a positive integer (ms)') ??
    e.integer('TRACEWIRE_SHUTDOWN_TIMEOUT', 1, MAX_INT, `${DEFAULTS.shutdownTimeoutMs}`) ??
    DEFAULTS.shutdownTimeoutMs;

  const known = new Set<string>([
    'disabled', 'serviceName', 'serviceVersion', 'environment', 'resourceAttributes', 'endpoint', 'tracesEndpoint',
    'protocol', 'headers', 'compression', 'otlpEncoder', 'timeoutMs', 'exporters', 'sampler', 'samplerArg', 'propagators',
    'instrumentations', 'httpServer', 'batch', 'spanLimits', 'spanProcessors', 'shutdownSignals', 'shutdownTimeoutMs', 'debug',
    'redact', 'propagateTo', 'certificate', 'clientCertificate', 'clientKey',
  ]);
  for (const key of Object.keys(o)) if (!known.has(key)) errors.push(`${key}: unknown option`);

  const config: ResolvedConfig = Object.freeze({
    disabled,
    serviceName: resourceAttributes['service.name'] as string,
    resourceAttributes: Object.freeze(resourceAttributes),
    tracesEndpoint,
    endpointSource,
    protocol: protocol ?? DEFAULTS.protocol,
    headers: Object.freeze(headers),
    compression,
    otlpEncoder,
    timeoutMs,
    exporters: Object.freeze([...exporters]),
    sampler,
    samplerArg,
    propagators: Object.freeze([...propagators]),
    instrumentations: Object.freeze([...instrumentations]),
    httpServer,
    batch,
    spanLimits,
    spanProcessors: Object.freeze([...spanProcessors]),
    redaction,
    propagateTo: propagateTo === null ? null : Object.freeze([...propagateTo]),
    tls: Object.freeze(tls),
    shutdownSignals: shutdownSignals === false ? false : Object.freeze([...(shutdownSignals ?? DEFAULTS.shutdownSignals)]),
    shutdownTimeoutMs,
    logLevel,
  });
  // Every message may be printed: no URL in it shows its credentials (those of invalid URLs are masked above).
  return Object.freeze({ config, errors: Object.freeze(errors.map(maskUrlCredentials)), warnings: Object.freeze(e.warnings.map(maskUrlCredentials)) });
}
