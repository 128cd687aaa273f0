import type { Attributes, TextMapPropagator } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** OTLP/HTTP encodings tracewire can send. `grpc` is not supported: use an http/* protocol on port 4318. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * Which encoder writes http/protobuf export requests: `'tracewire'`, tracewire's encoder (the same bytes as the
 * stock one, several times faster), or `'stock'`, the stock `OTLPTraceExporter` of
 * `@opentelemetry/exporter-trace-otlp-proto`. Both use the stock HTTP transport. http/json always uses the stock
 * JSON exporter.
 */
export type OtlpEncoderName = 'tracewire' | 'stock';
/** Which instrumentation traces incoming HTTP requests (see {@link TracewireOptions.httpServer}). */
export type HttpServerInstrumentationName = 'tracewire' | 'stock';
/** Which express layers get a span (see {@link TracewireOptions.expressLayers}). */
export type ExpressLayersName = 'handlers' | 'all';

/** Sampler names accepted in `sampler` and OTEL_TRACES_SAMPLER. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio'
  | 'ratelimiting'
  | 'parentbased_ratelimiting'
  | 'jaeger_remote'
  | 'parentbased_jaeger_remote';

/**
 * Settings of the `jaeger_remote` samplers, as OTEL_TRACES_SAMPLER_ARG spells them
 * (`endpoint=http://jaeger:5778,pollingIntervalMs=60000,initialSamplingRate=0.001`).
 */
export interface JaegerRemoteOptions {
  /** Base URL of the sampling server; `/sampling?service=<name>` is appended. Default 'http://localhost:5778'. */
  endpoint?: string;
  /** How often the strategy is fetched again, ms. Default 60000. */
  pollingIntervalMs?: number;
  /** Ratio of new traces kept until the first strategy arrives (and while the server cannot be reached). Default 0.001. */
  initialSamplingRate?: number;
}

/** Propagator names accepted in `propagators` and OTEL_PROPAGATORS. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger' | 'none';

/** Exporter names accepted in `exporters` and OTEL_TRACES_EXPORTER. */
export type ExporterName = 'otlp' | 'console' | 'none';

/** Names of the instrumentations tracewire knows how to load (see README "Instrumentations"). */
export type InstrumentationName =
  | 'http'
  | 'undici'
  | 'express'
  | 'fastify'
  | 'koa'
  | 'pg'
  | 'mysql2'
  | 'redis'
  | 'ioredis'
  | 'mongodb'
  | 'grpc'
  | 'kafkajs'
  | 'amqplib'
  | 'graphql'
  | 'fs'
  | 'dns'
  | 'net';

/** Batch span processor settings (OTEL_BSP_*). */
export interface BatchOptions {
  /** Delay between two scheduled exports, ms. Default 5000. Env: OTEL_BSP_SCHEDULE_DELAY. */
  scheduleDelayMs?: number;
  /** Spans held while waiting for export; more are dropped and counted. Default 2048. Env: OTEL_BSP_MAX_QUEUE_SIZE. */
  maxQueueSize?: number;
  /** Spans per export request (≤ maxQueueSize). Default 512. Env: OTEL_BSP_MAX_EXPORT_BATCH_SIZE. */
  maxExportBatchSize?: number;
  /** Time allowed for one export, ms. Default 30000. Env: OTEL_BSP_EXPORT_TIMEOUT. */
  exportTimeoutMs?: number;
}

/** Span limits (OTEL_SPAN_*, OTEL_ATTRIBUTE_*, OTEL_EVENT_*, OTEL_LINK_*). Defaults: 128 each, value length unlimited. */
export interface SpanLimitOptions {
  attributeCountLimit?: number;
  attributeValueLengthLimit?: number;
  eventCountLimit?: number;
  linkCountLimit?: number;
  attributePerEventCountLimit?: number;
  attributePerLinkCountLimit?: number;
}

/** Built-in value patterns of `redact.patterns` and TRACEWIRE_REDACT_PATTERNS (opt-in). */
export type RedactPatternName = 'bearer' | 'jwt' | 'email';

/**
 * What the redaction span processor hides before a span leaves the process.
 * Keys are matched case-insensitively as whole words of an attribute key (`http.request.header.authorization`,
 * `db.password`, `access_token`, `authToken` all match; `gen_ai.usage.input_tokens` does not match `token`) and of
 * URL query parameter names in `url.full`, `http.url`, `url.query`, `http.target` and `url.path`, and after the `?` of
 * any other route, path or URL attribute (`http.route`, `express.name`, `koa.name`, `fastify.name`, keys ending in `.route`, `.path`,
 * `.url`, `.uri`, `.target`).
 */
export interface RedactOptions {
  /**
   * Keys added to the defaults (authorization, cookie, set-cookie, proxy-authorization, x-api-key, password, secret, token).
   * Env: TRACEWIRE_REDACT_KEYS (comma-separated).
   */
  keys?: readonly string[];
  /**
   * Value patterns replaced wherever they occur in string attribute values: built-in names or your own RegExps.
   * None by default. Env: TRACEWIRE_REDACT_PATTERNS (built-in names only).
   */
  patterns?: ReadonlyArray<RedactPatternName | RegExp>;
}

/** The redaction in effect: lower-case keys (defaults included) and value patterns. */
export interface ResolvedRedaction {
  readonly keys: readonly string[];
  readonly patterns: readonly RegExp[];
}

/** A file named by an option or an environment variable, remembered with its source for error messages. */
export interface ConfiguredFile {
  readonly path: string;
  /** The option or variable it came from, e.g. `OTEL_EXPORTER_OTLP_CERTIFICATE`. */
  readonly from: string;
}

/**
 * Options of {@link initTracing}. Every option overrides its environment variable, which overrides the default.
 */
export interface TracewireOptions {
  /** Turn tracing off entirely (no provider is registered). Env: OTEL_SDK_DISABLED. Default false. */
  disabled?: boolean;
  /** `service.name`. Env: OTEL_SERVICE_NAME. Default `unknown_service:node`. */
  serviceName?: string;
  /** `service.version`. Env: OTEL_RESOURCE_ATTRIBUTES (service.version=...). */
  serviceVersion?: string;
  /** `deployment.environment.name`. Env: OTEL_RESOURCE_ATTRIBUTES (deployment.environment.name=...). */
  environment?: string;
  /** Extra resource attributes. Env: OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes?: Attributes;
  /** Base OTLP/HTTP URL; `/v1/traces` is appended. Env: OTEL_EXPORTER_OTLP_ENDPOINT. Default http://localhost:4318. */
  endpoint?: string;
  /** Full traces URL, used as is. Env: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. Wins over `endpoint`. */
  tracesEndpoint?: string;
  /** OTLP encoding. Env: OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL. Default 'http/protobuf'. */
  protocol?: OtlpProtocol;
  /** Headers sent with every export (tokens, tenant ids). Env: OTEL_EXPORTER_OTLP_(TRACES_)HEADERS. */
  headers?: Record<string, string>;
  /** Request body compression. Env: OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION. Default 'none'. */
  compression?: 'gzip' | 'none';
  /**
   * Encoder of http/protobuf export requests: 'tracewire' (fast, byte-identical output) or 'stock' (the stock
   * OTLPTraceExporter, as a fallback). Ignored for http/json. Env: TRACEWIRE_OTLP_ENCODER. Default 'tracewire'.
   * @example
   * initTracing({ otlpEncoder: 'stock' }); // or TRACEWIRE_OTLP_ENCODER=stock
   */
  otlpEncoder?: OtlpEncoderName;
  /** Time allowed for one export request, ms. Env: OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT. Default 10000. */
  timeoutMs?: number;
  /** Where spans go: names or SpanExporter instances. Env: OTEL_TRACES_EXPORTER. Default ['otlp']. */
  exporters?: ReadonlyArray<ExporterName | SpanExporter>;
  /** Sampler name or instance. Env: OTEL_TRACES_SAMPLER. Default 'parentbased_always_on'. */
  sampler?: SamplerName | Sampler;
  /**
   * Argument of a named sampler. Env: OTEL_TRACES_SAMPLER_ARG.
   * - `*traceidratio`: the ratio of new traces kept, 0 to 1. Default 1.0.
   * - `*ratelimiting`: new traces kept per second, a positive number. Default 100.
   * - `*jaeger_remote`: {@link JaegerRemoteOptions}.
   */
  samplerArg?: number | JaegerRemoteOptions;
  /** Propagator names or instances. Env: OTEL_PROPAGATORS. Default ['tracecontext', 'baggage']. */
  propagators?: ReadonlyArray<PropagatorName | TextMapPropagator>;
  /**
   * Instrumentations: names of built-in ones and/or instances, or `false` for none.
   * Env: OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS.
   * Default: every supported library except fs, dns and net, each loaded only if the app has it installed.
   */
  instrumentations?: false | ReadonlyArray<InstrumentationName | Instrumentation>;
  /**
   * What traces incoming HTTP requests: 'tracewire' (tracewire's server instrumentation and express layer
   * wrapper: the same spans and attributes as @opentelemetry/instrumentation-http and instrumentation-express, with
   * less work per request, and none for requests the sampler drops) or 'stock' (those instrumentations' own code,
   * for instrumentation-http's server hooks). Outgoing requests are traced by instrumentation-http either way.
   * Env: TRACEWIRE_HTTP_SERVER. Default 'tracewire'.
   * @example
   * initTracing({ httpServer: 'stock' }); // or TRACEWIRE_HTTP_SERVER=stock
   */
  httpServer?: HttpServerInstrumentationName;
  /**
   * Which express layers get a span. 'handlers' (the default): the route handlers (`request handler - /users/:id`),
   * as children of the server span, which is still named after the route; middleware (`express.json()`, auth, ...)
   * and routers get none, and the time they take shows as the gap before the handler span. 'all': every layer, as
   * @opentelemetry/instrumentation-express makes them (`middleware - jsonParser`, `router - /api`, ...), with an
   * error passed to `next()` recorded on the middleware's span. Middleware and router spans are 2 of the 3 express
   * spans of a typical request and about half the CPU that tracing a request adds (bench/README.md).
   * Env: TRACEWIRE_EXPRESS_LAYERS. Default 'handlers'.
   * @example
   * initTracing({ expressLayers: 'all' }); // or TRACEWIRE_EXPRESS_LAYERS=all
   */
  expressLayers?: ExpressLayersName;
  /** Batch processor settings. Env: OTEL_BSP_*. */
  batch?: BatchOptions;
  /** Span limits. Env: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT and friends. */
  spanLimits?: SpanLimitOptions;
  /** Extra span processors, run before the exporting one (and after redaction). */
  spanProcessors?: readonly SpanProcessor[];
  /**
   * Redaction of secrets in span and event attributes before export, or `false` to turn it off.
   * Default: on for authorization, cookie, set-cookie, proxy-authorization, x-api-key, password, secret, token.
   * Env: TRACEWIRE_REDACT_KEYS, TRACEWIRE_REDACT_PATTERNS.
   */
  redact?: false | RedactOptions;
  /**
   * Destinations that receive trace context (traceparent, tracestate, baggage, b3, uber-trace-id) on outgoing
   * http/https and fetch (undici) requests. Strings are URL prefixes (`https://api.internal:8443/v1`, scheme, host and
   * port must match) or host names (`payments.internal`, `*.internal`); RegExps are tested against the full URL.
   * Default: every destination. Env: TRACEWIRE_PROPAGATE_TO (comma-separated strings).
   */
  propagateTo?: ReadonlyArray<string | RegExp>;
  /** PEM file of the CA(s) trusted for an https endpoint. Env: OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE. Default: Node's CAs. */
  certificate?: string;
  /** PEM file of the client certificate for mutual TLS. Env: OTEL_EXPORTER_OTLP_(TRACES_)CLIENT_CERTIFICATE. */
  clientCertificate?: string;
  /** PEM file of the client private key for mutual TLS. Env: OTEL_EXPORTER_OTLP_(TRACES_)CLIENT_KEY. */
  clientKey?: string;
  /**
   * Signals that flush spans before the process ends, or `false` to install no handlers.
   * beforeExit is always handled unless this is `false`. Env: TRACEWIRE_SHUTDOWN_SIGNALS. Default ['SIGTERM', 'SIGINT'].
   */
  shutdownSignals?: false | readonly NodeJS.Signals[];
  /** Upper bound for the flush on a signal or beforeExit, ms. Env: TRACEWIRE_SHUTDOWN_TIMEOUT. Default 5000. */
  shutdownTimeoutMs?: number;
  /** Print the resolved configuration and OpenTelemetry diagnostics. Env: OTEL_LOG_LEVEL=debug. Default false. */
  debug?: boolean;
}

/** Log levels of OTEL_LOG_LEVEL. */
export type LogLevelName = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

/** The configuration tracewire runs with, after options, environment and defaults are merged. Frozen. */
export interface ResolvedConfig {
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Attributes>;
  readonly tracesEndpoint: string;
  /** Where the traces endpoint came from, for diagnostics. */
  readonly endpointSource: 'option' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'default';
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'gzip' | 'none';
  readonly otlpEncoder: OtlpEncoderName;
  readonly timeoutMs: number;
  readonly exporters: ReadonlyArray<ExporterName | SpanExporter>;
  readonly sampler: SamplerName | Sampler;
  /** The sampler's argument: a ratio, traces per second, or the Jaeger remote settings with every default filled in. */
  readonly samplerArg: number | Readonly<Required<JaegerRemoteOptions>>;
  readonly propagators: ReadonlyArray<PropagatorName | TextMapPropagator>;
  readonly instrumentations: ReadonlyArray<InstrumentationName | Instrumentation>;
  readonly httpServer: HttpServerInstrumentationName;
  readonly expressLayers: ExpressLayersName;
  readonly batch: Readonly<Required<BatchOptions>>;
  readonly spanLimits: Readonly<Required<SpanLimitOptions>>;
  readonly spanProcessors: readonly SpanProcessor[];
  /** `false` when redaction is off. */
  readonly redaction: ResolvedRedaction | false;
  /** `null`: propagate to every destination. */
  readonly propagateTo: ReadonlyArray<string | RegExp> | null;
  /** TLS files for an https endpoint. */
  readonly tls: Readonly<{ certificate?: ConfiguredFile; clientCertificate?: ConfiguredFile; clientKey?: ConfiguredFile }>;
  readonly shutdownSignals: readonly NodeJS.Signals[] | false;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevelName;
}

/** What {@link resolveConfig} returns: the config plus problems found in code options and environment. */
export interface ConfigResolution {
  readonly config: ResolvedConfig;
  /** Invalid options passed in code; initTracing throws one TracewireConfigError listing them. */
  readonly errors: readonly string[];
  /** Invalid environment values; each names the variable, the value and the fallback used. */
  readonly warnings: readonly string[];
}
