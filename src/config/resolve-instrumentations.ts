import { defineSection } from './option-reader.js';
import type { ExpressLayersName, HttpServerInstrumentationName, InstrumentationName, ResolvedConfig } from './types.js';
import { hasMethods } from './validators.js';

/** @internal */
export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = [
  'http',
  'undici',
  'express',
  'fastify',
  'koa',
  'pg',
  'mysql2',
  'redis',
  'ioredis',
  'mongodb',
  'grpc',
  'kafkajs',
  'amqplib',
  'graphql',
  'fs',
  'dns',
  'net',
];
/** Off unless asked for: they produce a span per file/dns/socket call. @internal */
export const OFF_BY_DEFAULT: readonly InstrumentationName[] = ['fs', 'dns', 'net'];
const HTTP_SERVERS: readonly HttpServerInstrumentationName[] = ['tracewire', 'stock'];
const DEFAULT_HTTP_SERVER: HttpServerInstrumentationName = 'tracewire';
const EXPRESS_LAYERS: readonly ExpressLayersName[] = ['handlers', 'all'];
const DEFAULT_EXPRESS_LAYERS: ExpressLayersName = 'handlers';

/**
 * The instrumentations (`instrumentations` > OTEL_NODE_ENABLED_INSTRUMENTATIONS minus
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS > all but fs, dns, net) and which HTTP server instrumentation runs
 * (`httpServer` > TRACEWIRE_HTTP_SERVER > tracewire), and which express layers get spans (`expressLayers` >
 * TRACEWIRE_EXPRESS_LAYERS > handlers).
 * @internal
 */
export const instrumentationsSection = defineSection(['instrumentations', 'httpServer', 'expressLayers'], (r) => {
  const e = r.env;
  const httpServer =
    r.get<HttpServerInstrumentationName>(
      'httpServer',
      (v) => HTTP_SERVERS.includes(v as HttpServerInstrumentationName),
      `one of ${HTTP_SERVERS.join(', ')}`,
    ) ??
    e.enumValue(['TRACEWIRE_HTTP_SERVER'], HTTP_SERVERS, DEFAULT_HTTP_SERVER) ??
    DEFAULT_HTTP_SERVER;
  const expressLayers =
    r.get<ExpressLayersName>(
      'expressLayers',
      (v) => EXPRESS_LAYERS.includes(v as ExpressLayersName),
      `one of ${EXPRESS_LAYERS.join(', ')}`,
    ) ??
    e.enumValue(['TRACEWIRE_EXPRESS_LAYERS'], EXPRESS_LAYERS, DEFAULT_EXPRESS_LAYERS) ??
    DEFAULT_EXPRESS_LAYERS;

  const isInstrumentation = (v: unknown) => hasMethods(v, 'enable', 'disable', 'setTracerProvider');
  let instrumentations: ResolvedConfig['instrumentations'];
  const codeInstr = r.get<false | ResolvedConfig['instrumentations']>(
    'instrumentations',
    (v) =>
      v === false || (Array.isArray(v) && v.every((x) => INSTRUMENTATION_NAMES.includes(x as InstrumentationName) || isInstrumentation(x))),
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
  return { instrumentations: Object.freeze([...instrumentations]), httpServer, expressLayers };
});
