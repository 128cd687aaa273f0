import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
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
  // required on demand (exporters, b3/jaeger propagators, the remote sampler). Minified without renaming, so
  // class names stay (they appear in reports) and the source V8 keeps in memory is smaller; source map kept.
  {
    ...shared,
    entry: { register: 'src/register/cjs.ts' },
    format: ['cjs'],
    noExternal: [/^@opentelemetry\/(?!api(\/|$))/, /^@fastify\/otel$/],
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
  },
  // The `tracewire` command (bin): its own build, so nothing it loads can end up in a library chunk.
  // Subcommands are dynamic imports, split into chunks loaded only when that command runs.
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, banner: { js: '#!/usr/bin/env node' } },
  // What bench/ measures directly (e.g. the OTLP encoder). Not in package.json "exports": not a public API.
  { ...shared, entry: { 'bench-internals': 'src/bench-internals.ts' }, format: ['esm'], dts: false },
]);
