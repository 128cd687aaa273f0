/**
 * The instrumentations built one file each into dist/instrumentations/ and loaded by the CommonJS register bundle only
 * when the app has the library (see bundled-instrumentations.ts). tsup.config.ts builds its chunk entries from this
 * list, so the build and the loader cannot disagree. Imports nothing.
 * @internal
 */
export const CHUNKED = [
  'amqplib',
  'dns',
  'express',
  'fs',
  'graphql',
  'grpc',
  'ioredis',
  'kafkajs',
  'koa',
  'mongodb',
  'mysql2',
  'net',
  'pg',
  'redis',
] as const;
