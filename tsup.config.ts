import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const packageRequire = createRequire(import.meta.url);
/** Keep in sync with CHUNKED in src/instrumentations/bundled-instrumentations.ts (test/integration/startup-loads.test.ts checks it). */
const CHUNKED_INSTRUMENTATIONS = ['amqplib', 'dns', 'express', 'fs', 'graphql', 'grpc', 'ioredis', 'kafkajs', 'koa', 'mongodb', 'mysql2', 'net', 'pg', 'redis'];
const shared = {
  outDir: 'dist',
  target: 'node20',
  platform: 'node' as const,
  sourcemap: true,
  shims: true,
  dts: true,
  define: { __TRACEWIRE_VERSION__: JSON.stringify(version) },
};

export default defineConfig([
  // Library entries, both formats. ESM shares chunks between entries. The pino and winston entries import
  // neither library (a mixin is a function, a format an object with transform), so they stay optional peers.
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'node-sdk': 'src/node-sdk.ts',
      pino: 'src/logs/pino-mixin.ts',
      winston: 'src/logs/trace-format.ts',
    },
    format: ['esm', 'cjs'],
  },
  // The preload: top-level await in ESM (waits for the loader hook), synchronous in CommonJS.
  { ...shared, entry: { register: 'src/register/esm.ts' }, format: ['esm'] },
  // The CommonJS preload is also what the ESM one runs (see src/register/esm.ts). It bundles the SDK and the
  // instrumentation packages (lazily evaluated, see src/instrumentations/bundled-instrumentations.ts): one file
  // to resolve and read instead of about 200, which is a third of the startup cost `--import tracewire/register`
  // adds (bench/startup.mjs). Kept external: @opentelemetry/api (one copy shared with the app's),
  // import-in-the-middle (its loader thread talks to the copy the hooks were registered with), and what is
  // required on demand (exporters, b3/jaeger propagators, the remote sampler). Minified without renaming
  // identifiers (class names appear in reports): the source V8 keeps in memory is smaller and all ASCII (one
  // non-ASCII comment would make V8 store the whole file as two-byte); source map kept.
  {
    ...shared,
    entry: { register: 'src/register/cjs.ts' },
    format: ['cjs'],
    noExternal: [/^@opentelemetry\/(?!api(\/|$))/],
    minifyWhitespace: true,
    minifySyntax: true,
  },
  // The instrumentations of libraries (express, pg, ...), one file each in dist/instrumentations/, which the
  // register bundle loads only when the app has the library, handing them its own copies of the packages they
  // share (see src/instrumentations/bundled-instrumentations.ts): in the main bundle they would be parsed and kept
  // in memory by every process (about 3 MiB of peak RSS and 8 ms measured for all of them).
  {
    ...shared,
    dts: false,
    entry: Object.fromEntries(
      CHUNKED_INSTRUMENTATIONS.map((name) => [`instrumentations/${name}`, packageRequire.resolve(`@opentelemetry/instrumentation-${name}`)]),
    ),
    format: ['cjs'],
    noExternal: [/^@opentelemetry\/(?!api(\/|$)|instrumentation$|core$|semantic-conventions$)/],
    minifyWhitespace: true,
    minifySyntax: true,
  },
  // The `tracewire` command (bin): its own build, so nothing it loads can end up in a library chunk.
  // Subcommands are dynamic imports, split into chunks loaded only when that command runs.
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, banner: { js: '#!/usr/bin/env node' } },
  // What bench/ measures directly (e.g. the OTLP encoder). Not in package.json "exports": not a public API.
  { ...shared, entry: { 'bench-internals': 'src/bench-internals.ts' }, format: ['esm'], dts: false },
]);
