/**
 * The instrumentation packages of the table as `require()` thunks, for the CommonJS register build only
 * (`tracewire/register`, see tsup.config.ts): tsup bundles these packages and their dependencies
 * (@opentelemetry/instrumentation, core, semantic-conventions, require-in-the-middle) into dist/register.cjs, where
 * each stays behind a lazy wrapper that runs only when its thunk is called, i.e. only when loadInstrumentations()
 * decided the app has the target library. One file instead of about 200 cuts module resolution, reading and
 * compiling at startup; @opentelemetry/api and import-in-the-middle stay external (one shared copy each).
 * The library entries (`tracewire`, `tracewire/node-sdk`) do not import this file and require the packages
 * from node_modules.
 * @internal
 */
export const BUNDLED_INSTRUMENTATIONS: Readonly<Record<string, () => unknown>> = {
  '@fastify/otel': () => require('@fastify/otel'),
  '@opentelemetry/instrumentation-amqplib': () => require('@opentelemetry/instrumentation-amqplib'),
  '@opentelemetry/instrumentation-dns': () => require('@opentelemetry/instrumentation-dns'),
  '@opentelemetry/instrumentation-express': () => require('@opentelemetry/instrumentation-express'),
  '@opentelemetry/instrumentation-fs': () => require('@opentelemetry/instrumentation-fs'),
  '@opentelemetry/instrumentation-graphql': () => require('@opentelemetry/instrumentation-graphql'),
  '@opentelemetry/instrumentation-grpc': () => require('@opentelemetry/instrumentation-grpc'),
  '@opentelemetry/instrumentation-http': () => require('@opentelemetry/instrumentation-http'),
  '@opentelemetry/instrumentation-ioredis': () => require('@opentelemetry/instrumentation-ioredis'),
  '@opentelemetry/instrumentation-kafkajs': () => require('@opentelemetry/instrumentation-kafkajs'),
  '@opentelemetry/instrumentation-koa': () => require('@opentelemetry/instrumentation-koa'),
  '@opentelemetry/instrumentation-mongodb': () => require('@opentelemetry/instrumentation-mongodb'),
  '@opentelemetry/instrumentation-mysql2': () => require('@opentelemetry/instrumentation-mysql2'),
  '@opentelemetry/instrumentation-net': () => require('@opentelemetry/instrumentation-net'),
  '@opentelemetry/instrumentation-pg': () => require('@opentelemetry/instrumentation-pg'),
  '@opentelemetry/instrumentation-redis': () => require('@opentelemetry/instrumentation-redis'),
  '@opentelemetry/instrumentation-undici': () => require('@opentelemetry/instrumentation-undici'),
};
