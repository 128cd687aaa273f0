import type { InstrumentationName } from '../config/types.js';

/**
 * One row per supported library: the instrumentation package, its export, and the module whose
 * presence in the app decides whether the package is loaded at all (`null`: a Node.js built-in, always there).
 * @internal
 */
export interface InstrumentationRow {
  readonly name: InstrumentationName;
  readonly packageName: string;
  readonly exportName: string;
  /** Any of these modules resolvable from the app means the library may be used. */
  readonly targets: readonly string[] | null;
  /**
   * True when the library is traced even if the app loaded it before tracing started: its instrumentation patches
   * nothing at load time (it subscribes to a diagnostics channel the library publishes on).
   */
  readonly tracedWhenLoadedEarly?: true;
}

/** @internal */
export const INSTRUMENTATION_TABLE: readonly InstrumentationRow[] = [
  { name: 'http', packageName: '@opentelemetry/instrumentation-http', exportName: 'HttpInstrumentation', targets: null },
  { name: 'undici', packageName: '@opentelemetry/instrumentation-undici', exportName: 'UndiciInstrumentation', targets: null },
  { name: 'express', packageName: '@opentelemetry/instrumentation-express', exportName: 'ExpressInstrumentation', targets: ['express'] },
  // tracewire's own, through fastify 5's diagnostics channel (src/instrumentations/fastify/): no package to load.
  {
    name: 'fastify',
    packageName: 'tracewire (fastify diagnostics channel)',
    exportName: 'FastifyInstrumentation',
    targets: ['fastify'],
    tracedWhenLoadedEarly: true,
  },
  {
    name: 'koa',
    packageName: '@opentelemetry/instrumentation-koa',
    exportName: 'KoaInstrumentation',
    targets: ['koa', '@koa/router', 'koa-router'],
  },
  { name: 'pg', packageName: '@opentelemetry/instrumentation-pg', exportName: 'PgInstrumentation', targets: ['pg', 'pg-pool'] },
  { name: 'mysql2', packageName: '@opentelemetry/instrumentation-mysql2', exportName: 'MySQL2Instrumentation', targets: ['mysql2'] },
  {
    name: 'redis',
    packageName: '@opentelemetry/instrumentation-redis',
    exportName: 'RedisInstrumentation',
    targets: ['redis', '@redis/client'],
  },
  { name: 'ioredis', packageName: '@opentelemetry/instrumentation-ioredis', exportName: 'IORedisInstrumentation', targets: ['ioredis'] },
  { name: 'mongodb', packageName: '@opentelemetry/instrumentation-mongodb', exportName: 'MongoDBInstrumentation', targets: ['mongodb'] },
  { name: 'grpc', packageName: '@opentelemetry/instrumentation-grpc', exportName: 'GrpcInstrumentation', targets: ['@grpc/grpc-js'] },
  { name: 'kafkajs', packageName: '@opentelemetry/instrumentation-kafkajs', exportName: 'KafkaJsInstrumentation', targets: ['kafkajs'] },
  { name: 'amqplib', packageName: '@opentelemetry/instrumentation-amqplib', exportName: 'AmqplibInstrumentation', targets: ['amqplib'] },
  { name: 'graphql', packageName: '@opentelemetry/instrumentation-graphql', exportName: 'GraphQLInstrumentation', targets: ['graphql'] },
  { name: 'fs', packageName: '@opentelemetry/instrumentation-fs', exportName: 'FsInstrumentation', targets: null },
  { name: 'dns', packageName: '@opentelemetry/instrumentation-dns', exportName: 'DnsInstrumentation', targets: null },
  { name: 'net', packageName: '@opentelemetry/instrumentation-net', exportName: 'NetInstrumentation', targets: null },
];
